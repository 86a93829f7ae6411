/**
 * Settling a session once its worker has ended: what a coding agent handed over is committed, checked in its
 * worktree, merged by the merge queue (which checks the merged head), and only then set `passing` with the
 * evidence; everything else goes back to the queue with the reason. A feature passes only when at least one check
 * ran and exited 0, unless a person accepted unchecked passes (`allowUncheckedPass`), which stay `unverified`.
 */
import { statusAfterFailure } from "@autowright/domain";
import type {
  AgentState,
  Evidence,
  Feature,
  FeatureId,
  SessionOutcome,
  Settings,
} from "@autowright/protocol";
import type { ProjectStore } from "@autowright/store";
import type { EventBus } from "./event-bus.ts";
import type { MergeRequest, MergeResult } from "./git/merge-queue.ts";
import type { ProjectChecks } from "./project-checks.ts";
import type { StatusEvents } from "./status-events.ts";

/** What settlement needs of the merge queue. */
export interface MergePort {
  enqueue(request: MergeRequest): Promise<MergeResult>;
}

/** What settlement needs of the worktrees. */
export interface CommitPort {
  /** Commits everything in the tree at `path`; false when there was nothing to commit. */
  commitAll(path: string, message: string): Promise<boolean>;
}

/** A session being settled. */
export interface SettlingSession {
  readonly id: string;
  readonly featureIds: readonly FeatureId[];
  /** Its own worktree and branch; undefined for a session in the main working tree. */
  readonly worktree: { readonly path: string; readonly branch: string } | undefined;
  /** Shows what the agent is doing now (`testing` while the verifier runs). */
  setState(state: AgentState, thought: string): void;
}

/** Options of {@link Settlement}. */
export interface SettlementOptions {
  readonly store: ProjectStore;
  readonly bus: EventBus;
  readonly status: StatusEvents;
  readonly now: () => Date;
  readonly settings: () => Settings;
  readonly checks: ProjectChecks;
  readonly workspaces: CommitPort;
  /** The merge queue, once the repository has been checked. */
  readonly mergeQueue: () => MergePort | undefined;
  /** Aborted when the run stops. */
  readonly signal: AbortSignal;
}

/** The message a feature goes back with when nothing checked it. */
export const noCheckRan = "no check ran: add a test, or a verify command";

/** Outcomes that say nothing about the work: the feature goes back without counting an attempt. */
const outcomesWithoutAttempt: ReadonlySet<SessionOutcome> = new Set([
  "rate_limited",
  "auth_failed",
  "cancelled",
]);

/** Decides what becomes of the features of ended sessions. */
export class Settlement {
  readonly #options: SettlementOptions;

  constructor(options: SettlementOptions) {
    this.#options = options;
  }

  /** After a coding session: verify what it handed over, merge it, and put everything else back. */
  async settleCoding(
    session: SettlingSession,
    workerOutcome: SessionOutcome,
    summary: string,
  ): Promise<SessionOutcome> {
    const { store } = this.#options;
    const owned = session.featureIds
      .map((id) => store.getFeature(id))
      .filter((feature): feature is Feature => feature !== undefined && feature.lease?.owner === session.id);
    const handedOver = owned.filter((feature) => feature.status === "verifying");
    const countsAsAttempt = !outcomesWithoutAttempt.has(workerOutcome);
    for (const feature of owned) {
      if (feature.status === "in_progress" || feature.status === "regressed") {
        this.giveBack(feature.id, session.id, `${workerOutcome}: ${summary}`, countsAsAttempt);
      }
    }
    if (handedOver.length === 0) return workerOutcome === "passed" ? "not_passed" : workerOutcome;

    session.setState("testing", "the verifier is running the checks");
    const directory = session.worktree?.path ?? store.paths.root;
    if (session.worktree !== undefined) {
      await this.#options.workspaces.commitAll(
        directory,
        `autowright: ${handedOver.map((feature) => feature.name).join(", ")}`,
      );
    }
    const commands = this.#options.checks.commandsFor(handedOver, directory);
    if (commands.length === 0) return this.#settleUnchecked(session, handedOver);

    const verification = await this.#options.checks.run(directory, commands, session.id);
    if (!verification.passed) {
      const interrupted = this.#options.signal.aborted;
      const failed = verification.evidence.find((evidence) => evidence.exitCode !== 0);
      const reason = interrupted
        ? "interrupted: the run stopped during verification"
        : `the checks failed: \`${failed?.command}\` exited ${failed?.exitCode}${failed?.note === undefined ? "" : ` (${failed.note})`}\n${failed?.outputTail?.slice(-1_500) ?? ""}`;
      for (const feature of handedOver)
        this.#returnFromVerification(feature, reason, verification.evidence, !interrupted);
      return interrupted ? "cancelled" : "not_passed";
    }
    return this.#merge(session, handedOver, commands, verification.evidence, false);
  }

  /** After a testing session: release what still passes, give back what it found regressed. */
  settleTesting(session: SettlingSession, summary: string): void {
    const { store } = this.#options;
    for (const id of session.featureIds) {
      const feature = store.getFeature(id);
      if (feature === undefined || feature.lease?.owner !== session.id) continue;
      if (feature.status === "passing") store.releaseLease(id, { actor: { kind: "orchestrator" } });
      else if (feature.status === "regressed" || feature.status === "in_progress") {
        this.giveBack(id, session.id, `regression found by a testing agent: ${summary}`, false);
      }
    }
    this.#options.bus.flush();
  }

  /** Puts a feature the session still holds back in the queue (or `failed` when its last attempt is used). */
  giveBack(id: FeatureId, sessionId: string, reason: string, countAttempt: boolean): void {
    const { store, settings } = this.#options;
    const feature = store.getFeature(id);
    if (feature === undefined || feature.lease?.owner !== sessionId) return;
    const changed = store.changeFeatureStatus(id, {
      to: statusAfterFailure(feature, { countAttempt, maxAttempts: settings().maxAttempts }),
      actor: { kind: "orchestrator" },
      lastError: reason.slice(0, 4_000),
      countAttempt,
      lease: null,
    });
    this.#options.bus.flush();
    this.#decideReturned(changed, sessionId, reason);
  }

  /** No check applies: back to the agent, unless a person accepted unchecked passes. */
  async #settleUnchecked(session: SettlingSession, handedOver: readonly Feature[]): Promise<SessionOutcome> {
    const yolo = this.#options.settings().yolo;
    const what = yolo
      ? "YOLO mode and no lint or type-check script found"
      : "no test command and no verify command";
    if (!this.#options.settings().allowUncheckedPass) {
      const evidence: Evidence = {
        kind: "check",
        note: `${noCheckRan} (${what})`,
        sessionId: session.id,
        at: this.#at(),
      };
      for (const feature of handedOver)
        this.#returnFromVerification(feature, `${noCheckRan} (${what})`, [evidence]);
      return "not_passed";
    }
    const evidence: Evidence[] = [
      {
        kind: "check",
        note: `unverified: ${what}; passed without a check because allowUncheckedPass is on`,
        sessionId: session.id,
        at: this.#at(),
      },
    ];
    return this.#merge(session, handedOver, [], evidence, true);
  }

  /** Lands verified work on the main branch (a session in its own worktree), then sets its features passing. */
  async #merge(
    session: SettlingSession,
    handedOver: readonly Feature[],
    commands: readonly string[],
    verified: Evidence[],
    unverified: boolean,
  ): Promise<SessionOutcome> {
    let evidence = verified;
    const mergeQueue = this.#options.mergeQueue();
    if (session.worktree !== undefined && mergeQueue !== undefined) {
      const merge = await mergeQueue.enqueue({
        sessionId: session.id,
        branch: session.worktree.branch,
        featureIds: handedOver.map((feature) => feature.id),
        commands,
      });
      switch (merge.kind) {
        case "conflict":
          for (const feature of handedOver) {
            this.#returnFromVerification(
              feature,
              `merging into the main branch conflicted in ${merge.files.join(", ")}; a new session redoes the work on the current main branch`,
              evidence,
            );
          }
          return "not_passed";
        case "checks_failed": {
          const interrupted = this.#options.signal.aborted;
          for (const feature of handedOver) {
            this.#returnFromVerification(
              feature,
              interrupted
                ? "interrupted: the run stopped while the merged main branch was checked"
                : "the checks failed on the merged main branch",
              [...evidence, ...merge.verification.evidence],
              !interrupted,
            );
          }
          return interrupted ? "cancelled" : "not_passed";
        }
        case "blocked":
          // Counted: the same work would be blocked again, and a feature retried without end is a run that
          // never ends while it seems busy.
          for (const feature of handedOver)
            this.#returnFromVerification(feature, `merge blocked: ${merge.reason}`, evidence, true);
          this.#options.status.log("error", `cannot merge: ${merge.reason}`, session.id);
          return "not_passed";
        case "merged":
        case "empty":
          evidence = [
            ...evidence,
            ...(merge.kind === "merged" ? merge.verification.evidence : []),
            {
              kind: "merge",
              note:
                merge.kind === "merged"
                  ? `merged as ${merge.commit}`
                  : "nothing to merge: the main branch already had the work",
              sessionId: session.id,
              at: this.#at(),
            },
          ];
          break;
      }
    }
    for (const feature of handedOver) {
      this.#options.store.changeFeatureStatus(feature.id, {
        to: "passing",
        actor: { kind: "orchestrator" },
        from: ["verifying"],
        lastError: null,
        evidence,
        lease: null,
        unverified,
      });
    }
    this.#options.bus.flush();
    for (const feature of handedOver) {
      this.#options.status.decide(
        "feature_verified",
        `#${feature.id} ${feature.name} ${unverified ? "passes without a check (unverified)" : "verified and merged"}`,
        { featureId: feature.id, agentId: session.id },
      );
    }
    return handedOver.length === session.featureIds.length ? "passed" : "not_passed";
  }

  #returnFromVerification(feature: Feature, reason: string, evidence: Evidence[], countAttempt = true): void {
    const changed = this.#options.store.changeFeatureStatus(feature.id, {
      to: statusAfterFailure(feature, { countAttempt, maxAttempts: this.#options.settings().maxAttempts }),
      actor: { kind: "orchestrator" },
      from: ["verifying"],
      lastError: reason,
      countAttempt,
      evidence,
      lease: null,
    });
    this.#options.bus.flush();
    this.#decideReturned(changed, feature.lease?.owner, reason);
  }

  /** Says that a feature went back to the queue (or failed for good), and why, in one line. */
  #decideReturned(feature: Feature, agentId: string | undefined, reason: string): void {
    const why = reason.split("\n")[0]?.slice(0, 200) ?? "";
    const about = { featureId: feature.id, ...(agentId === undefined ? {} : { agentId }) };
    if (feature.status === "failed") {
      this.#options.status.decide(
        "feature_failed",
        `#${feature.id} ${feature.name} failed after ${feature.attempts} attempts: ${why}`,
        about,
      );
    } else {
      this.#options.status.decide(
        "feature_sent_back",
        `#${feature.id} ${feature.name} sent back: ${why}`,
        about,
      );
    }
  }

  #at(): string {
    return this.#options.now().toISOString();
  }
}
