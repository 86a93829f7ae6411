/**
 * The orchestrator of one project: event-driven scheduling of agent sessions on ready features, leases renewed
 * by worker heartbeats, a worktree per coding session, independent verification and a serialized merge queue,
 * governors (rate limits, authentication, budget, time limits), stall detection, and a typed event for every
 * decision. It is the only writer of the project's database while it runs.
 */

import { readFileSync } from "node:fs";
import { buildSessionPrompt, loadPromptTemplate, type PromptRole } from "@autowright/agent-runtime";
import { createBacklogTools } from "@autowright/backlog";
import { analyzeBacklog, type BacklogAnalysis, buildBatches, computeProgress } from "@autowright/domain";
import type {
  AgentMascotName,
  AgentState,
  BacklogToolName,
  Feature,
  FeatureId,
  OrchestratedRole,
  OrchestratorState,
  Progress,
  Provider,
  RunStatus,
  SessionOutcome,
  Settings,
  Usage,
  WorkerOutboundFrame,
} from "@autowright/protocol";
import { AppError, agentMascotNames } from "@autowright/protocol";
import { hasSpec, type ProjectStore } from "@autowright/store";
import { EventBus } from "./event-bus.ts";
import { MergeQueue } from "./git/merge-queue.ts";
import { GitWorkspaces } from "./git/workspaces.ts";
import { MascotRoster } from "./mascots.ts";
import {
  detectGateCommands,
  detectTestCommand,
  runChecks,
  type VerificationResult,
} from "./verifier/verifier.ts";
import { WorkerPool } from "./worker-pool.ts";
import type { WorkerCommand, WorkerSession } from "./worker-session.ts";

/** How the run ended. */
export interface RunResult {
  readonly status: "completed" | "stalled" | "stopped" | "failed";
  readonly reason: string;
  /** Set when a governor stopped the run (rate limits never stop it: they pause it). */
  readonly governor?: "auth_failed" | "budget";
}

/** What the orchestrator needs. */
export interface OrchestratorOptions {
  readonly store: ProjectStore;
  readonly projectName: string;
  readonly settings: Settings;
  readonly worker: WorkerCommand;
  /** The environment of workers: provider credentials and endpoints included. */
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly overrides?: {
    readonly provider?: Provider;
    readonly model?: string;
    readonly replay?: {
      readonly runtime: "loop" | "claude";
      readonly latencyMs: number;
      readonly script?: unknown;
      readonly rateLimitUntil?: string;
    };
  };
  /** How long a lease lasts without a heartbeat. Default 60 s. */
  readonly leaseMs?: number;
  /** Back-off when a rate limit gives no reset time. Default 60 s. */
  readonly rateLimitBackoffMs?: number;
  /** The no-progress watchdog's limit; the `noProgressMinutes` setting by default (tests shorten it). */
  readonly noProgressMs?: number;
  /** The first port handed to sessions (`PORT`, `AUTOWRIGHT_PORT_RANGE`). Default 41000. */
  readonly portBase?: number;
  readonly now?: () => Date;
}

interface RunningSession {
  readonly id: string;
  readonly role: OrchestratedRole;
  readonly featureIds: FeatureId[];
  readonly mascot: AgentMascotName;
  readonly worker: WorkerSession;
  readonly worktree: { path: string; branch: string } | undefined;
  /**
   * `working` while its worker runs (it holds a concurrency slot); `settling` once the worker has ended and the
   * verifier and merge queue decide its outcome (the slot is free for the next agent, the mascot is still its).
   */
  phase: "working" | "settling";
  state: AgentState;
  usage: Usage;
  /** Cancels the session when it reports no activity for the no-progress limit. */
  watchdog: NodeJS.Timeout | undefined;
  /** Set when the watchdog cancelled the session: its outcome is `timed_out`, with this reason. */
  noProgress: string | undefined;
}

const defaultPortBase = 41_000;
/** Ports per session: `PORT` is the first; the agent may use the rest for other servers (an API, a database). */
const portsPerSession = 10;

const defaultModels: Record<Provider, string> = {
  claude: "claude-sonnet-4-5",
  anthropic: "claude-sonnet-4-5",
  "openai-compatible": "qwen2.5-coder",
  replay: "scripted",
};

/** The orchestrator of one project. */
export class Orchestrator {
  readonly bus: EventBus;
  readonly #options: OrchestratorOptions;
  readonly #store: ProjectStore;
  readonly #now: () => Date;
  readonly #tools: ReturnType<typeof createBacklogTools>;
  readonly #mascots = new MascotRoster();
  readonly #running = new Map<string, RunningSession>();
  readonly #workspaces: GitWorkspaces;
  /** Warm worker processes, each serving one session at a time: a fresh process costs ~1 s of CPU to start. */
  readonly #pool: WorkerPool;
  #settings: Settings;
  #mergeQueue: MergeQueue | undefined;
  #testCommand: string | null = null;
  /** YOLO mode's checks: the project's lint and type-check commands. */
  #gateCommands: string[] = [];
  #status: RunStatus = "stopped";
  #paused = false;
  #stopping: RunResult | undefined;
  #rateLimitedUntil = 0;
  #wakeTimer: NodeJS.Timeout | undefined;
  #tickQueued = false;
  #sessionCounter = 0;
  #checkCounter = 0;
  /** Features a previous run was working on when it was interrupted: their work is resumed first. */
  readonly #resumeFirst = new Set<FeatureId>();
  /** Regression checks running (each counts as a testing agent toward `testingAgentRatio`). */
  #regressionChecks = 0;
  /** Sessions launched but not yet registered as running (their worktree is being created). */
  #launching = 0;
  #startedAt = "";
  #lastProgress = "";
  #lastOrchestrator = "";
  #finish: ((result: RunResult) => void) | undefined;
  readonly #pendingWork = new Set<Promise<unknown>>();
  /** Aborted by stop(): running checks are killed instead of awaited. */
  readonly #abort = new AbortController();

  constructor(options: OrchestratorOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#now = options.now ?? (() => new Date());
    this.#settings = options.settings;
    this.bus = new EventBus(options.store, this.#now);
    this.#tools = createBacklogTools({
      store: options.store,
      settings: () => this.#settings,
      now: this.#now,
      leaseDurationMs: this.#leaseMs(),
    });
    this.#pool = new WorkerPool({ worker: options.worker, env: options.env });
    this.#workspaces = new GitWorkspaces({
      projectRoot: options.store.paths.root,
      worktreesDirectory: options.store.paths.worktreesDirectory,
    });
  }

  /** The current settings (concurrency can change while running). */
  get settings(): Settings {
    return this.#settings;
  }

  /** Runs until every feature passes, the run stalls, or it is stopped. An orchestrator runs once. */
  async run(): Promise<RunResult> {
    if (this.#startedAt !== "")
      throw new AppError("conflict", "this orchestrator has already run: create a new one");
    this.#startedAt = this.#now().toISOString();
    this.#setRun("starting");
    const result = new Promise<RunResult>((resolve) => {
      this.#finish = resolve;
    });
    try {
      await this.#recover();
      // Workers start while the repository is checked: one for the initializer, else one per slot.
      this.#pool.prewarm(this.#store.countFeatures() === 0 ? 1 : this.#settings.maxConcurrency);
      const repository = await this.#workspaces.ensureRepository();
      this.#mergeQueue = new MergeQueue({
        projectRoot: this.#store.paths.root,
        mainBranch: repository.branch,
        runChecks: (_directory, commands) => this.#checkMainBranch(commands),
      });
      this.#log("info", `main branch ${repository.branch}; ${this.#detectChecks()}`);
      if (this.#store.countFeatures() === 0) {
        const initialized = await this.#initialize();
        if (!initialized) return await result;
      }
      this.#setRun("running");
      this.#pool.prewarm(this.#settings.maxConcurrency);
      this.#wake();
    } catch (error) {
      this.#end({ status: "failed", reason: error instanceof Error ? error.message : String(error) });
    }
    return await result;
  }

  /** Stops the run: cancels every session (their process trees are killed) and waits for them. */
  async stop(reason = "stopped by the user"): Promise<void> {
    if (this.#stopping !== undefined) return;
    this.#stopping = { status: "stopped", reason };
    this.#setRun("draining", reason);
    for (const session of this.#running.values()) session.worker.cancel(reason);
    this.#abort.abort();
    this.#wake();
  }

  /** Graceful pause: running sessions finish, no new ones start. */
  pause(): void {
    this.#paused = true;
    this.#setRun("draining", "pausing: waiting for running agents to finish");
    this.#wake();
  }

  /** Resumes after a pause. */
  resume(): void {
    this.#paused = false;
    this.#setRun("running");
    this.#wake();
  }

  /** Cancels one session; its features go back to the queue. */
  cancelSession(sessionId: string): boolean {
    const session = this.#running.get(sessionId);
    session?.worker.cancel("cancelled by the user");
    return session !== undefined;
  }

  /** Changes the concurrency while running (within the cap). */
  setConcurrency(maxConcurrency: number): void {
    const bounded = Math.max(1, Math.min(this.#settings.concurrencyCap, Math.trunc(maxConcurrency)));
    this.#settings = { ...this.#settings, maxConcurrency: bounded };
    this.#log("info", `concurrency set to ${bounded}`);
    this.#pool.prewarm(bounded - this.#working().length);
    this.#wake();
  }

  /** Running sessions, for views. */
  runningSessions(): {
    id: string;
    role: OrchestratedRole;
    name: string;
    featureIds: FeatureId[];
    state: AgentState;
  }[] {
    return [...this.#running.values()].map((session) => ({
      id: session.id,
      role: session.role,
      name: session.mascot,
      featureIds: session.featureIds,
      state: session.state,
    }));
  }

  // -------------------------------------------------------------------------------------------------------------

  #leaseMs(): number {
    return this.#options.leaseMs ?? 60_000;
  }

  #provider(): Provider {
    return this.#options.overrides?.provider ?? this.#settings.provider;
  }

  #model(role: OrchestratedRole): string {
    return this.#options.overrides?.model ?? this.#settings.models[role] ?? defaultModels[this.#provider()];
  }

  /** After a crash: close sessions that never ended and put their features back in the queue. */
  async #recover(): Promise<void> {
    const unfinished = this.#store.unfinishedSessions();
    for (const session of unfinished) {
      for (const feature of this.#store.releaseLeases(session.id, {
        reason: "interrupted: the orchestrator stopped while a session was working on it",
      })) {
        this.#resumeFirst.add(feature.id);
        if (feature.status === "verifying") {
          this.#store.changeFeatureStatus(feature.id, {
            to: "pending",
            actor: { kind: "orchestrator" },
            lastError: "interrupted: the orchestrator stopped during verification",
          });
        }
      }
    }
    this.#store.closeUnfinishedSessions("interrupted: the orchestrator stopped");
    for (const feature of this.#store.listFeatures()) {
      if (feature.status === "verifying" || feature.status === "in_progress") {
        this.#store.changeFeatureStatus(feature.id, {
          to: "pending",
          actor: { kind: "orchestrator" },
          lastError: `interrupted: left ${feature.status.replace("_", " ")} by a previous run`,
          lease: null,
        });
        this.#resumeFirst.add(feature.id);
      }
    }
    this.#store.reclaimExpiredLeases();
    await this.#workspaces.pruneAll();
    this.bus.flush();
    if (unfinished.length > 0)
      this.#log("warn", `resumed after an interruption: ${unfinished.length} sessions closed`);
  }

  async #initialize(): Promise<boolean> {
    if (!hasSpec(this.#store.paths)) {
      this.#end({
        status: "failed",
        reason: `the backlog is empty and there is no app spec: write ${this.#store.paths.specFile} or import features`,
      });
      return false;
    }
    this.#publishOrchestrator(
      "initializing",
      "the initializer agent is turning the spec into a backlog",
      undefined,
    );
    const spec = readFileSync(this.#store.paths.specFile, "utf8");
    const outcome = await this.#runSession("initializer", [], {
      spec,
      timeoutMs: this.#settings.initializerTimeoutMinutes * 60_000,
    });
    if (this.#stopping !== undefined) {
      this.#end(this.#stopping);
      return false;
    }
    const count = this.#store.countFeatures();
    if (count === 0) {
      this.#end({ status: "failed", reason: `the initializer created no features (${outcome})` });
      return false;
    }
    await this.#workspaces.commitAll(this.#store.paths.root, "autowright: project set up by the initializer");
    this.#log("info", `the initializer created ${count} features; ${this.#detectChecks()}`);
    return true;
  }

  #wake(): void {
    if (this.#tickQueued) return;
    this.#tickQueued = true;
    setImmediate(() => {
      this.#tickQueued = false;
      this.#tick();
    });
  }

  #tick(): void {
    // Until the initializer's work is committed, features it created must wait: a worktree made now would
    // branch from a main branch without the project it set up.
    if (this.#finish === undefined || this.#status === "starting") return;
    const now = this.#now().getTime();
    this.#store.reclaimExpiredLeases();
    this.bus.flush();
    const features = this.#store.listFeatures();
    const analysis = analyzeBacklog(features, { maxAttempts: this.#settings.maxAttempts, now });
    this.#publishProgress(computeProgress(features));

    if (this.#stopping !== undefined) {
      if (this.#running.size === 0 && this.#pendingWork.size === 0) this.#end(this.#stopping);
      return;
    }
    const allPassing = features.length > 0 && features.every((feature) => feature.status === "passing");
    if (allPassing && this.#running.size === 0 && this.#pendingWork.size === 0) {
      this.#end({ status: "completed", reason: `all ${features.length} features pass` });
      return;
    }
    if (this.#paused) {
      if (this.#running.size === 0) this.#setRun("paused");
      this.#publishOrchestrator("draining", "paused: no new agents start", analysis);
      return;
    }
    if (this.#rateLimitedUntil > now) {
      this.#publishOrchestrator(
        "rate_limited",
        `rate limited until ${new Date(this.#rateLimitedUntil).toISOString()}`,
        analysis,
      );
      this.#scheduleWake(this.#rateLimitedUntil - now);
      return;
    }
    if (this.#status === "rate_limited") this.#setRun("running");

    const busy = new Set([...this.#running.values()].flatMap((session) => session.featureIds));
    // Settling sessions hold no slot, but each keeps its mascot until it ends: never more agents than names.
    let free = Math.min(
      this.#settings.maxConcurrency - this.#working().length - this.#launching,
      agentMascotNames.length - this.#running.size - this.#launching,
    );
    if (free > 0) {
      const batches = buildBatches(features, analysis, {
        batchSize: this.#settings.batchSize as 1 | 2 | 3,
        slots: free,
        maxAttempts: this.#settings.maxAttempts,
        now,
        exclude: busy,
        first: this.#resumeFirst,
      });
      for (const batch of batches) {
        for (const id of batch) this.#resumeFirst.delete(id);
        this.#track(this.#runSession("coding", batch));
        free -= 1;
      }
      if (free > 0) this.#maybeStartTesting(features, busy);
    }

    if (this.#running.size === 0 && this.#pendingWork.size === 0 && this.#launching === 0) {
      if (allPassing) return;
      const reasons = analysis.stalled.map((entry) => `#${entry.id}: ${entry.reason}`);
      const failed = features
        .filter((feature) => feature.status === "failed")
        .map((feature) => `#${feature.id}`);
      this.#publishOrchestrator("stalled", "nothing is ready and nothing is running", analysis);
      this.#end({
        status: "stalled",
        reason: `nothing can progress without you${failed.length > 0 ? `; failed: ${failed.join(", ")}` : ""}${reasons.length > 0 ? `; stalled: ${reasons.join(", ")}` : ""}`,
      });
      return;
    }
    this.#publishOrchestrator(
      this.#running.size > 0 ? "monitoring" : "scheduling",
      this.#describeRunning(),
      analysis,
    );
  }

  #maybeStartTesting(features: readonly Feature[], busy: ReadonlySet<FeatureId>): void {
    if (this.#settings.yolo || this.#settings.testingAgentRatio === 0) return;
    const working = this.#working();
    const testing = working.filter((session) => session.role === "testing").length + this.#regressionChecks;
    if (testing >= this.#settings.testingAgentRatio) return;
    const coding = working.filter((session) => session.role === "coding").length;
    const remaining = features.filter(
      (feature) => feature.status !== "passing" && feature.status !== "failed",
    ).length;
    if (remaining === 0 || coding === 0) return;
    const tested = this.#testedFeatures;
    const candidates = features.filter(
      (feature) =>
        feature.status === "passing" &&
        !busy.has(feature.id) &&
        !tested.has(feature.id) &&
        feature.lease === null,
    );
    const batch = candidates.slice(0, 3).map((feature) => feature.id);
    if (batch.length === 0) return;
    for (const id of batch) tested.add(id);
    this.#track(this.#testForRegressions(batch));
  }

  /**
   * One testing turn on passing features: their durable checks (the project's tests and the features' own) run
   * on the main branch's head first, and only when they fail does a testing agent (a model session) look for the
   * regression, with the failure in its prompt. A passing check costs no tokens and is kept as evidence. Without
   * any check command there is nothing durable to run, and the agent tests by hand.
   */
  async #testForRegressions(featureIds: FeatureId[]): Promise<void> {
    const features = featureIds
      .map((id) => this.#store.getFeature(id))
      .filter((feature): feature is Feature => feature !== undefined);
    const commands = this.#checkCommands(features);
    if (commands.length === 0) {
      await this.#runSession("testing", featureIds);
      return;
    }
    const names = featureIds.map((id) => `#${id}`).join(", ");
    this.#regressionChecks += 1;
    let result: VerificationResult;
    try {
      result = await this.#checkMainBranch(commands);
    } finally {
      this.#regressionChecks -= 1;
    }
    if (this.#stopping !== undefined) return;
    if (result.passed) {
      const at = this.#now().toISOString();
      const evidence = result.evidence.map((entry) => ({
        ...entry,
        note: `regression check on the main branch${entry.note === undefined ? "" : `; ${entry.note}`}`,
        at,
      }));
      for (const feature of features) {
        if (this.#store.getFeature(feature.id)?.status === "passing")
          this.#store.appendEvidence(feature.id, evidence);
      }
      this.bus.flush();
      this.#log("info", `regression check passed for ${names}: ${commands.join(", ")}`);
      return;
    }
    const failed = result.evidence.find((entry) => entry.exitCode !== 0) ?? result.evidence.at(-1);
    const report = `\`${failed?.command ?? commands.join(" && ")}\` exited ${failed?.exitCode ?? "abnormally"}${failed?.note === undefined ? "" : ` (${failed.note})`}`;
    this.#log("warn", `regression check failed for ${names}: ${report}; a testing agent looks into it`);
    await this.#runSession("testing", featureIds, {
      context: [
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
    });
  }

  readonly #testedFeatures = new Set<FeatureId>();

  /** Keeps a piece of background work counted until it ends; a failure is logged, never left unhandled. */
  #track(work: Promise<unknown>): void {
    this.#pendingWork.add(work);
    void work
      .catch((error: unknown) => {
        this.#log(
          "error",
          `background work failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => {
        this.#pendingWork.delete(work);
        this.#wake();
      });
  }

  /** Runs one session from claim to verification and merge; resolves with its final outcome. */
  async #runSession(
    role: OrchestratedRole,
    featureIds: FeatureId[],
    extra: { spec?: string; timeoutMs?: number; context?: string } = {},
  ): Promise<SessionOutcome> {
    this.#launching += 1;
    let registered = false;
    const register = (): void => {
      if (!registered) this.#launching -= 1;
      registered = true;
    };
    try {
      return await this.#runLaunchedSession(role, featureIds, extra, register);
    } finally {
      register();
    }
  }

  async #runLaunchedSession(
    role: OrchestratedRole,
    featureIds: FeatureId[],
    extra: { spec?: string; timeoutMs?: number; context?: string },
    register: () => void,
  ): Promise<SessionOutcome> {
    this.#sessionCounter += 1;
    const sessionId = `${role}-${Date.now().toString(36)}-${this.#sessionCounter}`;
    const leaseExpiry = (): string => new Date(this.#now().getTime() + this.#leaseMs()).toISOString();
    const claimed: FeatureId[] = [];
    for (const id of featureIds) {
      try {
        this.#store.claimFeature(id, {
          owner: sessionId,
          expiresAt: leaseExpiry(),
          maxAttempts: this.#settings.maxAttempts,
        });
        claimed.push(id);
      } catch (error) {
        this.#log("warn", `could not claim #${id}: ${(error as Error).message}`);
      }
    }
    this.bus.flush();
    if (role !== "initializer" && claimed.length === 0) return "failed";

    const isolated =
      role === "coding" && this.#settings.isolation === "worktree" && this.#settings.maxConcurrency > 1;
    let worktree: { path: string; branch: string } | undefined;
    const mascot = this.#mascots.take();
    try {
      if (isolated) worktree = await this.#workspaces.create(sessionId);
    } catch (error) {
      this.#mascots.release(mascot.name);
      for (const id of claimed)
        this.#giveBack(id, sessionId, `could not create a worktree: ${(error as Error).message}`, false);
      return "failed";
    }
    const cwd = worktree?.path ?? this.#store.paths.root;
    const features = claimed
      .map((id) => this.#store.getFeature(id))
      .filter((feature) => feature !== undefined);
    const model = this.#model(role);
    const provider = this.#provider();
    const basePrompt = buildSessionPrompt({
      template: loadPromptTemplate(this.#store.paths.promptsDirectory, role as PromptRole),
      features,
      spec: extra.spec ?? this.#readSpec(),
      cwd,
      branch: worktree?.branch ?? "the main branch",
      testCommand: this.#testCommand,
      yolo: this.#settings.yolo,
    });
    const prompt = extra.context === undefined ? basePrompt : `${basePrompt}\n\n${extra.context}\n`;
    this.#store.startSession({ id: sessionId, role, featureIds: claimed, model, provider });
    this.bus.durable("agent.started", {
      agentId: sessionId,
      index: mascot.index,
      name: mascot.name,
      role,
      featureIds: claimed,
      featureNames: features.map((feature) => feature.name),
      model,
    });

    let session: RunningSession | undefined;
    const worker = this.#pool.start({
      silenceLimitMs: this.#leaseMs(),
      start: {
        sessionId,
        role,
        featureIds: claimed,
        features:
          role === "initializer"
            ? this.#specItems(extra.spec ?? "")
            : features.map(({ id, name }) => ({ id, name })),
        prompt,
        provider,
        model,
        cwd,
        projectRoot: this.#store.paths.root,
        home: this.#options.home,
        env: this.#portsOf(mascot.index),
        limits: { timeoutMs: extra.timeoutMs ?? this.#settings.sessionTimeoutMinutes * 60_000 },
        ...(this.#options.overrides?.replay === undefined ? {} : { replay: this.#options.overrides.replay }),
      },
      onBacklogCall: (tool, input) => {
        if (session !== undefined) this.#sawActivity(session);
        const answer = this.#tools.call(tool as BacklogToolName, input, { sessionId, role });
        this.bus.flush();
        this.#wake();
        return answer;
      },
      onFrame: (frame) => {
        if (session !== undefined) this.#onFrame(session, frame, leaseExpiry);
      },
    });
    session = {
      id: sessionId,
      role,
      featureIds: claimed,
      mascot: mascot.name,
      worker,
      worktree,
      phase: "working",
      state: "idle",
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      watchdog: undefined,
      noProgress: undefined,
    };
    this.#running.set(sessionId, session);
    register();
    this.#log(
      "info",
      `${mascot.name} (${role}) started on ${claimed.length === 0 ? "the spec" : claimed.map((id) => `#${id}`).join(", ")}`,
      sessionId,
    );
    this.#wake();

    const ended = await worker.done;
    if (session.watchdog !== undefined) clearTimeout(session.watchdog);
    const watchdogStopped = session.noProgress !== undefined && ended.outcome === "cancelled";
    const workerOutcome: SessionOutcome = watchdogStopped ? "timed_out" : ended.outcome;
    const summary = watchdogStopped ? (session.noProgress ?? ended.summary) : ended.summary;
    // The worker is gone: its slot goes to the next agent while the verifier and the merge queue settle this one
    // in its own worktree. A session in the shared tree keeps the slot: a new agent there would edit the files
    // being checked.
    if (worktree !== undefined) session.phase = "settling";
    this.#governors(workerOutcome, summary);
    this.#wake();
    let outcome: SessionOutcome = workerOutcome;
    try {
      if (role === "coding") outcome = await this.#settle(session, workerOutcome, summary);
      else if (role === "testing") this.#settleTesting(session, summary);
      else if (outcome !== "passed")
        this.#log("warn", `the initializer ended ${outcome}: ${summary}`, sessionId);
    } catch (error) {
      this.#log("error", `settling ${sessionId} failed: ${(error as Error).message}`, sessionId);
      outcome = "failed";
    } finally {
      // The agent ends (its slot and mascot freed) in one synchronous step, so no new agent can be announced
      // before this one's end.
      this.#running.delete(sessionId);
      this.#mascots.release(mascot.name);
      this.#store.endSession(sessionId, { outcome, summary, usage: session.usage });
      this.bus.durable("agent.updated", {
        agentId: sessionId,
        state: outcome === "passed" ? "success" : "error",
      });
      this.bus.durable("agent.ended", {
        agentId: sessionId,
        featureIds: claimed,
        outcome,
        usage: session.usage,
      });
    }
    if (worktree !== undefined) await this.#workspaces.remove(sessionId).catch(() => undefined);
    this.#log(
      outcome === "passed" ? "info" : "warn",
      `${mascot.name} (${role}) ended ${outcome}: ${summary.slice(0, 300)}`,
      sessionId,
    );
    this.#wake();
    return outcome;
  }

  /**
   * Runs checks on the main branch's head (just merged) in a worktree of its own: in the main working tree, test
   * runners that search the whole tree (`node --test`, vitest) would also run the test files of the agents'
   * worktrees under `.autowright/worktrees/`.
   */
  async #checkMainBranch(commands: readonly string[]): Promise<VerificationResult> {
    this.#checkCounter += 1;
    const name = `checks-${Date.now().toString(36)}-${this.#checkCounter}`;
    const tree = await this.#workspaces.create(name, { startPoint: "HEAD" });
    try {
      return await runChecks({
        directory: tree.path,
        commands,
        timeoutMs: this.#settings.sessionTimeoutMinutes * 60_000,
        signal: this.#abort.signal,
      });
    } finally {
      await this.#workspaces.remove(name).catch(() => undefined);
    }
  }

  /**
   * The ports of a session, so that the dev servers of parallel agents never collide: a block of
   * {@link portsPerSession} from the base, chosen by the agent's mascot index (unique among live agents).
   */
  #portsOf(mascotIndex: number): Record<string, string> {
    const first = (this.#options.portBase ?? defaultPortBase) + mascotIndex * portsPerSession;
    return { PORT: String(first), AUTOWRIGHT_PORT_RANGE: `${first}-${first + portsPerSession - 1}` };
  }

  /** Sessions whose worker is still running (the ones that hold a concurrency slot). */
  #working(): RunningSession[] {
    return [...this.#running.values()].filter((session) => session.phase === "working");
  }

  #noProgressMs(): number {
    return this.#options.noProgressMs ?? this.#settings.noProgressMinutes * 60_000;
  }

  /** Starts the no-progress watchdog: heartbeats prove the worker lives, only activity proves progress. */
  #armWatchdog(session: RunningSession): void {
    const limitMs = this.#noProgressMs();
    session.watchdog = setTimeout(() => {
      if (session.phase !== "working") return;
      const minutes = limitMs / 60_000;
      const span = limitMs % 60_000 === 0 ? `${minutes} minute${minutes === 1 ? "" : "s"}` : `${limitMs} ms`;
      session.noProgress = `no progress for ${span}: the agent reported no activity (no tool call, text or state change), so it was stopped`;
      this.#log("warn", `${session.mascot}: ${session.noProgress}`, session.id);
      session.worker.cancel(session.noProgress);
    }, limitMs);
    session.watchdog.unref();
  }

  /** The watchdog starts with the worker's first frame (a worker still starting up is the silence limit's). */
  #sawActivity(session: RunningSession): void {
    if (session.watchdog === undefined) this.#armWatchdog(session);
    else if (session.noProgress === undefined) session.watchdog.refresh();
  }

  #onFrame(session: RunningSession, frame: WorkerOutboundFrame, leaseExpiry: () => string): void {
    if (frame.type !== "heartbeat" || session.watchdog === undefined) this.#sawActivity(session);
    switch (frame.type) {
      case "heartbeat":
        this.#store.renewLeases(session.id, leaseExpiry());
        break;
      case "agent.state":
        if (frame.state === "success" || frame.state === "error") break; // decided after verification
        session.state = frame.state;
        // A burst of state frames (thinking, tool, thinking…) costs one stored event per event-loop turn.
        this.bus.coalesce(session.id, "agent.updated", {
          agentId: session.id,
          state: frame.state,
          ...(frame.thought === undefined ? {} : { thought: frame.thought }),
          ...(frame.tool === undefined ? {} : { tool: frame.tool }),
        });
        break;
      case "text":
        this.#log("info", frame.text.slice(0, 2_000), session.id);
        break;
      case "log":
        this.#log(frame.level, frame.line, session.id);
        break;
      case "tool.called":
        this.#log(
          "debug",
          `${frame.tool}${frame.inputSummary === undefined ? "" : `: ${frame.inputSummary}`}`,
          session.id,
        );
        break;
      case "tool.ended":
        if (!frame.ok)
          this.#log("debug", `${frame.tool} failed: ${(frame.error ?? "").slice(0, 500)}`, session.id);
        break;
      case "usage":
        session.usage = {
          inputTokens: frame.inputTokens,
          outputTokens: frame.outputTokens,
          costUsd: frame.costUsd,
        };
        this.#checkBudget();
        break;
      case "rate_limited": {
        const until =
          frame.resetAt === null
            ? Date.now() + (this.#options.rateLimitBackoffMs ?? 60_000)
            : Date.parse(frame.resetAt);
        this.#rateLimitedUntil = Math.max(this.#rateLimitedUntil, until);
        this.#setRun(
          "rate_limited",
          frame.message ?? "rate limited",
          new Date(this.#rateLimitedUntil).toISOString(),
        );
        break;
      }
      default:
        break;
    }
  }

  /** After a coding session: verify what it handed over, merge it, and put everything else back. */
  async #settle(
    session: RunningSession,
    workerOutcome: SessionOutcome,
    summary: string,
  ): Promise<SessionOutcome> {
    const owned = session.featureIds
      .map((id) => this.#store.getFeature(id))
      .filter((feature): feature is Feature => feature !== undefined && feature.lease?.owner === session.id);
    const handedOver = owned.filter((feature) => feature.status === "verifying");
    const countsAsAttempt = !["rate_limited", "auth_failed", "cancelled"].includes(workerOutcome);
    for (const feature of owned) {
      if (feature.status === "in_progress" || feature.status === "regressed") {
        this.#giveBack(feature.id, session.id, `${workerOutcome}: ${summary}`, countsAsAttempt);
      }
    }
    if (handedOver.length === 0) return workerOutcome === "passed" ? "not_passed" : workerOutcome;

    session.state = "testing";
    this.bus.durable("agent.updated", {
      agentId: session.id,
      state: "testing",
      thought: "the verifier is running the checks",
    });
    const commands = this.#checkCommands(handedOver);
    const directory = session.worktree?.path ?? this.#store.paths.root;
    if (session.worktree !== undefined) {
      await this.#workspaces.commitAll(
        directory,
        `autowright: ${handedOver.map((feature) => feature.name).join(", ")}`,
      );
    }
    const timeoutMs = this.#settings.sessionTimeoutMinutes * 60_000;
    const verification = await runChecks({
      directory,
      commands,
      timeoutMs,
      sessionId: session.id,
      signal: this.#abort.signal,
    });
    if (!verification.passed && this.#abort.signal.aborted) {
      for (const feature of handedOver) {
        this.#returnFromVerification(
          feature,
          "interrupted: the run stopped during verification",
          verification.evidence,
          false,
        );
      }
      return "cancelled";
    }
    if (!verification.passed) {
      const failedCheck = verification.evidence.find((evidence) => evidence.exitCode !== 0);
      for (const feature of handedOver) {
        this.#returnFromVerification(
          feature,
          `the checks failed: \`${failedCheck?.command}\` exited ${failedCheck?.exitCode}\n${failedCheck?.outputTail?.slice(-1_500) ?? ""}`,
          verification.evidence,
        );
      }
      return "not_passed";
    }
    let evidence = verification.evidence;
    if (commands.length === 0) {
      evidence = [
        {
          kind: "check",
          note: this.#settings.yolo
            ? "YOLO mode and no lint or type-check script found: nothing was checked"
            : "no test command found and the feature names no check: nothing was checked",
          sessionId: session.id,
          at: this.#now().toISOString(),
        },
      ];
    }
    if (session.worktree !== undefined && this.#mergeQueue !== undefined) {
      const merge = await this.#mergeQueue.enqueue({
        sessionId: session.id,
        branch: session.worktree.branch,
        featureIds: handedOver.map((feature) => feature.id),
        commands,
      });
      if (merge.kind === "conflict") {
        for (const feature of handedOver) {
          this.#returnFromVerification(
            feature,
            `merging into the main branch conflicted in ${merge.files.join(", ")}; a new session redoes the work on the current main branch`,
            evidence,
          );
        }
        return "not_passed";
      }
      if (merge.kind === "checks_failed") {
        const interrupted = this.#abort.signal.aborted;
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
      if (merge.kind === "blocked") {
        for (const feature of handedOver)
          this.#returnFromVerification(feature, `merge blocked: ${merge.reason}`, evidence, false);
        this.#log("error", `cannot merge: ${merge.reason}`, session.id);
        return "not_passed";
      }
      const at = this.#now().toISOString();
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
          at,
        },
      ];
    }
    for (const feature of handedOver) {
      this.#store.changeFeatureStatus(feature.id, {
        to: "passing",
        actor: { kind: "orchestrator" },
        from: ["verifying"],
        lastError: null,
        evidence,
        lease: null,
      });
    }
    this.bus.flush();
    return handedOver.length === session.featureIds.length ? "passed" : "not_passed";
  }

  #settleTesting(session: RunningSession, summary: string): void {
    for (const id of session.featureIds) {
      const feature = this.#store.getFeature(id);
      if (feature === undefined || feature.lease?.owner !== session.id) continue;
      if (feature.status === "passing") this.#store.releaseLease(id, { actor: { kind: "orchestrator" } });
      else if (feature.status === "regressed" || feature.status === "in_progress") {
        this.#giveBack(id, session.id, `regression found by a testing agent: ${summary}`, false);
      }
    }
    this.bus.flush();
  }

  /** Finds the project's checks; returns a line saying which. */
  #detectChecks(): string {
    const root = this.#store.paths.root;
    this.#testCommand = detectTestCommand(root);
    this.#gateCommands = detectGateCommands(root);
    const gate = this.#gateCommands.length === 0 ? "none found" : this.#gateCommands.join(", ");
    return this.#settings.yolo
      ? `YOLO mode: no tests, lint/type-check gate: ${gate}`
      : `test command: ${this.#testCommand ?? "none found"}`;
  }

  #checkCommands(features: readonly Feature[]): string[] {
    // YOLO trades the tests (the project's and the features' own) for the lint/type-check gate.
    if (this.#settings.yolo) return [...this.#gateCommands];
    const commands = this.#testCommand === null ? [] : [this.#testCommand];
    for (const feature of features)
      for (const command of feature.verify) if (!commands.includes(command)) commands.push(command);
    return commands;
  }

  #returnFromVerification(
    feature: Feature,
    reason: string,
    evidence: Feature["evidence"],
    countAttempt = true,
  ): void {
    const exhausted = countAttempt && feature.attempts + 1 >= this.#settings.maxAttempts;
    this.#store.changeFeatureStatus(feature.id, {
      to: exhausted ? "failed" : "pending",
      actor: { kind: "orchestrator" },
      from: ["verifying"],
      lastError: reason,
      countAttempt,
      evidence,
      lease: null,
    });
    this.bus.flush();
  }

  #giveBack(id: FeatureId, sessionId: string, reason: string, countAttempt: boolean): void {
    const feature = this.#store.getFeature(id);
    if (feature === undefined || feature.lease?.owner !== sessionId) return;
    const exhausted = countAttempt && feature.attempts + 1 >= this.#settings.maxAttempts;
    this.#store.changeFeatureStatus(id, {
      to: exhausted ? "failed" : "pending",
      actor: { kind: "orchestrator" },
      lastError: reason.slice(0, 4_000),
      countAttempt,
      lease: null,
    });
    this.bus.flush();
  }

  #governors(outcome: SessionOutcome, summary: string): void {
    if (outcome === "auth_failed" && this.#stopping === undefined) {
      this.#stopping = {
        status: "stopped",
        reason: `the model provider refused the credentials: ${summary}`,
        governor: "auth_failed",
      };
      for (const session of this.#running.values()) session.worker.cancel("authentication failed");
    }
    if (outcome === "rate_limited")
      this.#scheduleWake(Math.max(0, this.#rateLimitedUntil - this.#now().getTime()));
  }

  #checkBudget(): void {
    const { maxCostUsd, maxTokens } = this.#settings;
    if ((maxCostUsd === null && maxTokens === null) || this.#stopping !== undefined) return;
    const stored = this.#store.usageSince(this.#startedAt).total;
    let cost = stored.costUsd;
    let tokens = stored.inputTokens + stored.outputTokens;
    for (const session of this.#running.values()) {
      cost += session.usage.costUsd;
      tokens += session.usage.inputTokens + session.usage.outputTokens;
    }
    const over =
      maxCostUsd !== null && cost > maxCostUsd
        ? `the run's cost $${cost.toFixed(2)} passed the budget of $${maxCostUsd}`
        : maxTokens !== null && tokens > maxTokens
          ? `the run used ${tokens} tokens, more than the budget of ${maxTokens}`
          : undefined;
    if (over === undefined) return;
    this.#stopping = { status: "stopped", reason: over, governor: "budget" };
    this.#setRun("draining", over);
    for (const session of this.#running.values()) session.worker.cancel(over);
    this.#wake();
  }

  #scheduleWake(delayMs: number): void {
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#wake();
    }, Math.max(0, delayMs) + 5);
  }

  #end(result: RunResult): void {
    if (this.#finish === undefined) return;
    const finish = this.#finish;
    this.#finish = undefined;
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    const status: RunStatus =
      result.status === "completed"
        ? "completed"
        : result.status === "stalled"
          ? "stalled"
          : result.status === "failed"
            ? "crashed"
            : "stopped";
    this.#publishOrchestrator(
      result.status === "completed" ? "complete" : result.status === "stalled" ? "stalled" : "idle",
      result.reason,
      undefined,
    );
    this.#setRun(status, result.reason);
    void Promise.allSettled([this.#workspaces.pruneAll(), this.#pool.close()]).finally(() => finish(result));
  }

  #setRun(status: RunStatus, reason?: string, resumeAt?: string): void {
    if (status === this.#status && reason === undefined) return;
    this.#status = status;
    this.bus.durable("run.updated", {
      status,
      ...(reason === undefined ? {} : { reason }),
      ...(resumeAt === undefined ? {} : { resumeAt }),
    });
  }

  #publishProgress(progress: Progress): void {
    const key = JSON.stringify(progress);
    if (key === this.#lastProgress) return;
    this.#lastProgress = key;
    this.bus.durable("progress.updated", progress);
  }

  #publishOrchestrator(
    state: OrchestratorState,
    message: string,
    analysis: BacklogAnalysis | undefined,
  ): void {
    const sessions = this.#working();
    const data = {
      state,
      message,
      codingAgents: sessions.filter((session) => session.role !== "testing").length,
      testingAgents: sessions.filter((session) => session.role === "testing").length,
      verifyingAgents: this.#running.size - sessions.length,
      maxConcurrency: this.#settings.maxConcurrency,
      readyCount: analysis?.ready.length ?? 0,
      blockedCount: analysis?.blocked.length ?? 0,
      ...(analysis !== undefined && analysis.stalled.length > 0
        ? { stalled: analysis.stalled.map((entry) => ({ featureId: entry.id, reason: entry.reason })) }
        : {}),
    };
    const key = JSON.stringify(data);
    if (key === this.#lastOrchestrator) return;
    this.#lastOrchestrator = key;
    this.bus.durable("orchestrator.updated", data);
  }

  #describeRunning(): string {
    const sessions = this.#working();
    const settling = this.#running.size - sessions.length;
    const verifying = settling === 0 ? "" : `; ${settling} being verified or merged`;
    if (sessions.length === 0) return settling === 0 ? "scheduling" : `${settling} being verified or merged`;
    return `${sessions.length} agent${sessions.length === 1 ? "" : "s"} running: ${sessions.map((session) => `${session.mascot} on ${session.featureIds.map((id) => `#${id}`).join(", ") || "the spec"}`).join("; ")}${verifying}`;
  }

  #log(level: "debug" | "info" | "warn" | "error", line: string, agentId?: string): void {
    this.bus.ephemeral("log.appended", {
      line,
      level,
      source: agentId === undefined ? "orchestrator" : "agent",
      ...(agentId === undefined ? {} : { agentId }),
    });
  }

  #readSpec(): string {
    try {
      return hasSpec(this.#store.paths) ? readFileSync(this.#store.paths.specFile, "utf8") : "";
    } catch {
      return "";
    }
  }

  /** For replayed initializers: the spec's bullet items as feature names. */
  #specItems(spec: string): { id: number; name: string }[] {
    return spec
      .split("\n")
      .map((line) => /^\s*[-*]\s+(.+)$/.exec(line)?.[1]?.trim())
      .filter((item): item is string => item !== undefined && item !== "")
      .slice(0, 200)
      .map((name, index) => ({ id: index + 1, name: name.slice(0, 255) }));
  }
}
