/**
 * Testing turns: guarding passing features against regressions while coding agents work. A turn re-runs the
 * features' durable checks (the project's tests and their own) on the main branch's head first; only when those
 * fail does a testing agent (a model session) look for the regression, with the failure in its prompt. A passing
 * check costs no tokens and is kept as evidence. Without any check command there is nothing durable to run, and a
 * testing agent tests by hand.
 */
import type { Feature, FeatureId, SessionOutcome, Settings } from "@autowright/protocol";
import type { ProjectStore } from "@autowright/store";
import type { EventBus } from "./event-bus.ts";
import type { ProjectChecks } from "./project-checks.ts";
import type { StatusEvents } from "./status-events.ts";
import type { VerificationResult } from "./verifier/check-runner.ts";

/** Options of {@link RegressionTurns}. */
export interface RegressionTurnsOptions {
  readonly store: ProjectStore;
  readonly bus: EventBus;
  readonly status: StatusEvents;
  readonly now: () => Date;
  readonly settings: () => Settings;
  readonly checks: ProjectChecks;
  /** Starts a testing agent on the features, with extra context for its prompt. */
  readonly runTestingAgent: (featureIds: FeatureId[], context?: string) => Promise<SessionOutcome>;
  /** True once the run is stopping: a turn ends without acting on what it found. */
  readonly stopping: () => boolean;
}

/** The working agents, as far as choosing a testing turn goes. */
export interface WorkingCounts {
  readonly coding: number;
  readonly testing: number;
}

/** Chooses and runs testing turns. */
export class RegressionTurns {
  readonly #options: RegressionTurnsOptions;
  /** Features already given a turn in this run: each is tested once. */
  readonly #tested = new Set<FeatureId>();
  #checksRunning = 0;

  constructor(options: RegressionTurnsOptions) {
    this.#options = options;
  }

  /** Regression checks running now; each counts as a testing agent toward `testingAgentRatio`. */
  get checksRunning(): number {
    return this.#checksRunning;
  }

  /**
   * The features of the next testing turn, or undefined when none is due: testing agents are on, fewer than
   * `testingAgentRatio` turns run, coding agents are at work on a backlog that is not done, and some passing feature
   * that nobody holds has not been tested in this run yet. The chosen features count as tested.
   */
  next(
    features: readonly Feature[],
    busy: ReadonlySet<FeatureId>,
    working: WorkingCounts,
  ): FeatureId[] | undefined {
    const settings = this.#options.settings();
    if (settings.yolo || settings.testingAgentRatio === 0) return undefined;
    if (working.testing + this.#checksRunning >= settings.testingAgentRatio) return undefined;
    const remaining = features.filter(
      (feature) => feature.status !== "passing" && feature.status !== "failed",
    );
    if (remaining.length === 0 || working.coding === 0) return undefined;
    const batch = features
      .filter(
        (feature) =>
          feature.status === "passing" &&
          !busy.has(feature.id) &&
          !this.#tested.has(feature.id) &&
          feature.lease === null,
      )
      .slice(0, 3)
      .map((feature) => feature.id);
    if (batch.length === 0) return undefined;
    for (const id of batch) this.#tested.add(id);
    return batch;
  }

  /** Runs one testing turn on `featureIds`. */
  async run(featureIds: FeatureId[]): Promise<void> {
    const { store, checks, status } = this.#options;
    const features = featureIds
      .map((id) => store.getFeature(id))
      .filter((feature): feature is Feature => feature !== undefined);
    const commands = checks.commandsFor(features);
    if (commands.length === 0) {
      await this.#options.runTestingAgent(featureIds);
      return;
    }
    const names = featureIds.map((id) => `#${id}`).join(", ");
    this.#checksRunning += 1;
    let result: VerificationResult;
    try {
      result = await checks.onMainBranch(commands);
    } finally {
      this.#checksRunning -= 1;
    }
    if (this.#options.stopping()) return;
    if (result.passed) {
      const at = this.#options.now().toISOString();
      const evidence = result.evidence.map((entry) => ({
        ...entry,
        note: `regression check on the main branch${entry.note === undefined ? "" : `; ${entry.note}`}`,
        at,
      }));
      for (const feature of features) {
        if (store.getFeature(feature.id)?.status === "passing") store.appendEvidence(feature.id, evidence);
      }
      this.#options.bus.flush();
      status.log("info", `regression check passed for ${names}: ${commands.join(", ")}`);
      return;
    }
    const failed = result.evidence.find((entry) => entry.exitCode !== 0) ?? result.evidence.at(-1);
    const report = `\`${failed?.command ?? commands.join(" && ")}\` exited ${failed?.exitCode ?? "abnormally"}${failed?.note === undefined ? "" : ` (${failed.note})`}`;
    status.log("warn", `regression check failed for ${names}: ${report}; a testing agent looks into it`);
    await this.#options.runTestingAgent(
      featureIds,
      [
        "## The durable checks fail on the main branch",
        "",
        `The verifier ran them on the main branch's head: ${report}. The end of their output:`,
        "",
        "```",
        (failed?.outputTail ?? "").slice(-3_000),
        "```",
        "",
        "Find which of your features regressed and mark it with `feature_mark_failing` (say why); leave the ones that still work passing.",
      ].join("\n"),
    );
  }
}
