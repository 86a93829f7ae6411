/**
 * The orchestrator of one project: its life (recover, initialize, run, end) and the scheduling tick. The jobs are
 * in their own files: sessions (`session-runner.ts`), verification and merging (`settlement.ts`), testing turns
 * (`regression-turns.ts`), the governors (`governors.ts`), recovery (`recovery.ts`), the checks
 * (`project-checks.ts`) and the status events (`status-events.ts`). It is the only writer of the project's
 * database while it runs, and nothing of it runs once `run()` has resolved: no tick, timer, lease renewal or
 * worker frame.
 */
import { readFileSync } from "node:fs";
import { createBacklogTools } from "@autowright/backlog";
import { analyzeBacklog, buildBatches, computeProgress, isStalled } from "@autowright/domain";
import type {
  AgentState,
  FeatureId,
  OrchestratedRole,
  OrchestratorState,
  Provider,
  RunStatus,
  Settings,
} from "@autowright/protocol";
import { AppError, modelOfRole, unpricedModels } from "@autowright/protocol";
import { hasSpec, type ProjectStore } from "@autowright/store";
import { errorMessage } from "./error-message.ts";
import { EventBus } from "./event-bus.ts";
import { MergeQueue, type MergeQueueOptions } from "./git/merge-queue.ts";
import { GitWorkspaces, type RepositoryInfo, type Workspace } from "./git/workspaces.ts";
import {
  addUsage,
  authenticationStop,
  budgetExceeded,
  type GovernorStop,
  RateLimitGate,
} from "./governors.ts";
import { type CheckRunner, ProjectChecks } from "./project-checks.ts";
import { recoverInterruptedWork } from "./recovery.ts";
import { RegressionTurns } from "./regression-turns.ts";
import { SessionLogWriter } from "./session-logs.ts";
import { type SessionExtras, SessionRunner } from "./session-runner.ts";
import { type MergePort, Settlement } from "./settlement.ts";
import { type AgentCounts, StatusEvents } from "./status-events.ts";
import { runChecks } from "./verifier/check-runner.ts";
import { WorkerPool } from "./worker-pool.ts";
import { stdioWorkerTransport, type WorkerCommand, type WorkerTransportFactory } from "./worker-transport.ts";

/** How the run ended. */
export interface RunResult {
  readonly status: "completed" | "stalled" | "stopped" | "failed";
  readonly reason: string;
  /** Set when a governor stopped the run (rate limits never stop it: they pause it). */
  readonly governor?: "auth_failed" | "budget";
}

/** What the orchestrator needs of the git worktrees. */
export interface OrchestratorWorkspaces {
  ensureRepository(): Promise<RepositoryInfo>;
  create(sessionId: string, options?: { startPoint?: string }): Promise<Workspace>;
  remove(sessionId: string): Promise<void>;
  commitAll(path: string, message: string): Promise<boolean>;
  pruneAll(): Promise<void>;
}

/**
 * The orchestrator's dependencies that touch the outside world; each defaults to the real one. Tests replace them
 * to run the tick and the settlement without processes.
 */
export interface OrchestratorServices {
  /** Worker channels; default: `autowright worker` processes (`OrchestratorOptions.worker`) over stdio. */
  readonly workerTransport?: WorkerTransportFactory;
  /** Git worktrees; default: `GitWorkspaces` on the project. */
  readonly workspaces?: OrchestratorWorkspaces;
  /** The check runner; default: the verifier's `runChecks`. */
  readonly runChecks?: CheckRunner;
  /** The merge queue; default: `MergeQueue`. */
  readonly createMergeQueue?: (options: MergeQueueOptions) => MergePort;
}

/** What the orchestrator needs. */
export interface OrchestratorOptions {
  readonly store: ProjectStore;
  readonly projectName: string;
  /**
   * The project's event bus when it outlives the run (the server keeps one per project); it is flushed, not closed,
   * at the end. Default: a bus of the run's own, closed at the end.
   */
  readonly bus?: EventBus;
  readonly settings: Settings;
  /** How to start a worker process (unless `services.workerTransport` is given). */
  readonly worker?: WorkerCommand;
  /** The environment of workers: provider credentials and endpoints included (checks never see the secrets). */
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
  readonly services?: OrchestratorServices;
}

/**
 * Where the orchestrator is in its life: `new` (not run yet), `starting` (recovering, checking the repository,
 * the initializer at work: no scheduling), `running` (the tick schedules), `ending` (no tick; what is in flight is
 * stopped and awaited), `ended` (`run()` has resolved; nothing runs).
 */
type Phase = "new" | "starting" | "running" | "ending" | "ended";

const defaultPortBase = 41_000;
const defaultLeaseMs = 60_000;

/** The orchestrator of one project. */
export class Orchestrator {
  readonly bus: EventBus;
  readonly #options: OrchestratorOptions;
  readonly #store: ProjectStore;
  readonly #now: () => Date;
  readonly #status: StatusEvents;
  readonly #workspaces: OrchestratorWorkspaces;
  /** Warm worker processes, each serving one session at a time: a fresh process costs ~1 s of CPU to start. */
  readonly #pool: WorkerPool;
  readonly #checks: ProjectChecks;
  readonly #sessions: SessionRunner;
  readonly #regressions: RegressionTurns;
  readonly #rateLimit: RateLimitGate;
  #settings: Settings;
  #mergeQueue: MergePort | undefined;
  #phase: Phase = "new";
  #paused = false;
  #stopping: RunResult | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  #tickQueued = false;
  readonly #ticks = { count: 0, ms: 0 };
  /** Features a previous run was working on when it was interrupted: their work is resumed first. */
  #resumeFirst = new Set<FeatureId>();
  #startedAt = "";
  /** Whether "at capacity" was last said, and the blocked count last said (decisions are said on change). */
  #atCapacity = false;
  #blocked = 0;
  #finish: ((result: RunResult) => void) | undefined;
  readonly #pendingWork = new Set<Promise<unknown>>();
  /** Aborted by stop() and at the end: running checks are killed instead of awaited. */
  readonly #abort = new AbortController();
  readonly #sessionLogs: SessionLogWriter;
  readonly #unsubscribeSessionLogs: () => void;

  constructor(options: OrchestratorOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#now = options.now ?? (() => new Date());
    this.#settings = options.settings;
    this.bus = options.bus ?? new EventBus(options.store, this.#now);
    this.#status = new StatusEvents(this.bus);
    this.#sessionLogs = new SessionLogWriter({
      directory: options.store.paths.sessionLogsDirectory,
      environment: options.env,
      warn: (message) => this.#status.log("warn", message),
    });
    this.#unsubscribeSessionLogs = this.bus.subscribe(this.#sessionLogs.onEvent);
    const services = options.services ?? {};
    const transport = services.workerTransport ?? this.#stdioTransport();
    this.#pool = new WorkerPool({ transport });
    this.#workspaces =
      services.workspaces ??
      new GitWorkspaces({
        projectRoot: options.store.paths.root,
        worktreesDirectory: options.store.paths.worktreesDirectory,
      });
    this.#rateLimit = new RateLimitGate(options.rateLimitBackoffMs ?? 60_000);
    const leaseMs = options.leaseMs ?? defaultLeaseMs;
    const settings = (): Settings => this.#settings;
    this.#checks = new ProjectChecks({
      root: options.store.paths.root,
      settings,
      recordedTestCommand: () => options.store.getTestCommand()?.command ?? null,
      env: options.env,
      runChecks: services.runChecks ?? runChecks,
      workspaces: this.#workspaces,
      signal: this.#abort.signal,
      warn: (message) => this.#status.log("warn", message, undefined, "verifier"),
    });
    const settlement = new Settlement({
      store: options.store,
      bus: this.bus,
      status: this.#status,
      now: this.#now,
      settings,
      checks: this.#checks,
      workspaces: this.#workspaces,
      mergeQueue: () => this.#mergeQueue,
      signal: this.#abort.signal,
    });
    const tools = createBacklogTools({
      store: options.store,
      settings,
      now: this.#now,
      leaseDurationMs: leaseMs,
    });
    this.#sessions = new SessionRunner({
      store: options.store,
      bus: this.bus,
      status: this.#status,
      now: this.#now,
      settings,
      provider: () => this.#provider(),
      model: (role) => this.#model(role),
      home: options.home,
      replay: options.overrides?.replay,
      leaseMs,
      noProgressMs: () => options.noProgressMs ?? this.#settings.noProgressMinutes * 60_000,
      portBase: options.portBase ?? defaultPortBase,
      workers: this.#pool,
      workspaces: this.#workspaces,
      backlogCall: (tool, input, sessionId, role) => tools.call(tool, input, { sessionId, role }),
      checks: this.#checks,
      settlement,
      governors: {
        onUsage: () => this.#checkBudget(),
        onRateLimited: (resetAt, message) => this.#rateLimited(resetAt, message),
        onWorkerEnded: (outcome, summary) => {
          const stop = authenticationStop(outcome, summary);
          if (stop !== undefined) this.#governorStop(stop);
          if (outcome === "rate_limited")
            this.#scheduleWake(this.#rateLimit.remaining(this.#now().getTime()));
        },
      },
      wake: () => this.#wake(),
      ended: () => this.#phase === "ended",
      stopping: () =>
        this.#stopping?.reason ??
        (this.#phase === "ending" || this.#phase === "ended" ? "the run has ended" : undefined),
    });
    this.#regressions = new RegressionTurns({
      store: options.store,
      bus: this.bus,
      status: this.#status,
      now: this.#now,
      settings,
      checks: this.#checks,
      runTestingAgent: (featureIds, context) =>
        this.#sessions.run("testing", featureIds, context === undefined ? {} : { context }),
      stopping: () => this.#stopping !== undefined,
    });
  }

  /** The current settings (concurrency can change while running). */
  get settings(): Settings {
    return this.#settings;
  }

  /** Runs until every feature passes, the run stalls, or it is stopped. An orchestrator runs once. */
  async run(): Promise<RunResult> {
    if (this.#phase !== "new")
      throw new AppError("conflict", "this orchestrator has already run: create a new one");
    this.#refuseUnpricedBudget();
    this.#phase = "starting";
    this.#startedAt = this.#now().toISOString();
    const result = new Promise<RunResult>((resolve) => {
      this.#finish = resolve;
    });
    try {
      this.#status.setRun("starting");
      this.#status.decide(
        "run_started",
        `run started: up to ${this.#settings.maxConcurrency} agent${this.#settings.maxConcurrency === 1 ? "" : "s"} at once`,
      );
      const recovery = await recoverInterruptedWork(this.#store, () => this.#workspaces.pruneAll());
      this.#resumeFirst = recovery.resumeFirst;
      this.bus.flush();
      if (recovery.closedSessions > 0) {
        this.#status.log("warn", `resumed after an interruption: ${recovery.closedSessions} sessions closed`);
      }
      // Workers start while the repository is checked: one for the initializer, else one per slot.
      this.#pool.prewarm(this.#store.countFeatures() === 0 ? 1 : this.#settings.maxConcurrency);
      const repository = await this.#workspaces.ensureRepository();
      const mergeOptions: MergeQueueOptions = {
        projectRoot: this.#store.paths.root,
        mainBranch: repository.branch,
        runChecks: (_directory, commands) => this.#checks.onMainBranch(commands),
      };
      this.#mergeQueue =
        this.#options.services?.createMergeQueue?.(mergeOptions) ?? new MergeQueue(mergeOptions);
      this.#status.log("info", `main branch ${repository.branch}; ${this.#checks.describe()}`);
      if (this.#stopping !== undefined) {
        this.#end(this.#stopping);
        return await result;
      }
      if (this.#store.countFeatures() === 0 && !(await this.#initialize())) return await result;
      if (this.#phase !== "starting") return await result;
      this.#phase = "running";
      this.#status.setRun("running");
      this.#pool.prewarm(this.#settings.maxConcurrency);
      this.#wake();
    } catch (error) {
      this.#end({ status: "failed", reason: errorMessage(error) });
    }
    return await result;
  }

  /** Stops the run: cancels every session (their process trees are killed) and waits for them. */
  async stop(reason = "stopped by the user"): Promise<void> {
    if (this.#stopping !== undefined || this.#phase === "ending" || this.#phase === "ended") return;
    this.#stopping = { status: "stopped", reason };
    this.#status.setRun("draining", reason);
    this.#sessions.cancelAll(reason);
    this.#abort.abort();
    this.#wake();
  }

  /** True while paused (or pausing): running sessions finish, no new ones start. */
  get paused(): boolean {
    return this.#paused;
  }

  /** True from `run()` until its end has begun (the run can be paused, resumed, stopped). */
  get active(): boolean {
    return this.#active();
  }

  /** Graceful pause: running sessions finish, no new ones start. */
  pause(): void {
    if (!this.#active() || this.#paused) return;
    this.#paused = true;
    this.#status.decide("paused", "paused: running agents finish, no new agents start");
    this.#status.setRun("draining", "pausing: waiting for running agents to finish");
    this.#wake();
  }

  /** Resumes after a pause. */
  resume(): void {
    if (!this.#active() || !this.#paused) return;
    this.#paused = false;
    this.#status.decide("resumed", "resumed: agents start again");
    this.#status.setRun("running");
    this.#wake();
  }

  /** Cancels one session; its features go back to the queue. False when there is no such session. */
  cancelSession(sessionId: string): boolean {
    return this.#sessions.cancel(sessionId, "cancelled by the user");
  }

  /** Changes the concurrency while running (within the cap). */
  setConcurrency(maxConcurrency: number): void {
    const bounded = Math.max(1, Math.min(this.#settings.concurrencyCap, Math.trunc(maxConcurrency)));
    this.#settings = { ...this.#settings, maxConcurrency: bounded };
    if (!this.#active()) return;
    this.#status.log("info", `concurrency set to ${bounded}`);
    this.#pool.prewarm(bounded - this.#sessions.working().length);
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
    return [...this.#sessions.running.values()].map((session) => ({
      id: session.id,
      role: session.role,
      name: session.mascot,
      featureIds: session.featureIds,
      state: session.state,
    }));
  }

  /** How many scheduling passes ran and the milliseconds they took (store calls made by a pass included). */
  scheduling(): { readonly ticks: number; readonly ms: number } {
    return { ticks: this.#ticks.count, ms: this.#ticks.ms };
  }

  /** What the orchestrator is doing and waiting for, in one line (for diagnostics when a run seems stuck). */
  diagnostics(): string {
    const sessions = [...this.#sessions.running.values()].map(
      (session) =>
        `${session.id} (${session.role}, ${session.phase}, ${session.state}, on ${session.featureIds.map((id) => `#${id}`).join(" ") || "the spec"})`,
    );
    return [
      `phase ${this.#phase}`,
      `run ${this.#status.runStatus}`,
      this.#paused ? "paused" : undefined,
      this.#stopping === undefined ? undefined : `stopping: ${this.#stopping.reason}`,
      `sessions: ${sessions.length === 0 ? "none" : sessions.join("; ")}`,
      `launching ${this.#sessions.launching}`,
      `background work ${this.#pendingWork.size}`,
      `regression checks ${this.#regressions.checksRunning}`,
      `idle workers ${this.#pool.idle}`,
    ]
      .filter((part) => part !== undefined)
      .join(", ");
  }

  // -------------------------------------------------------------------------------------------------------------

  #stdioTransport(): WorkerTransportFactory {
    const worker = this.#options.worker;
    if (worker === undefined) {
      throw new AppError("invalid_input", "the orchestrator needs a worker command or a worker transport");
    }
    return stdioWorkerTransport(worker, this.#options.env);
  }

  #active(): boolean {
    return this.#phase === "starting" || this.#phase === "running";
  }

  #provider(): Provider {
    return this.#options.overrides?.provider ?? this.#settings.provider;
  }

  #model(role: OrchestratedRole): string {
    return modelOfRole(this.#provider(), this.#settings, role, this.#options.overrides?.model);
  }

  /** Runs the initializer on the spec; false when the run ended instead. */
  async #initialize(): Promise<boolean> {
    const paths = this.#store.paths;
    if (!hasSpec(paths)) {
      this.#end({
        status: "failed",
        reason: `the backlog is empty and there is no app spec: write ${paths.specFile} or import features`,
      });
      return false;
    }
    this.#publishOrchestrator("initializing", "the initializer agent is turning the spec into a backlog");
    this.#status.decide("initializer_started", "the initializer agent turns the app spec into a backlog");
    let spec: string;
    try {
      spec = readFileSync(paths.specFile, "utf8");
    } catch (error) {
      this.#end({
        status: "failed",
        reason: `cannot read the app spec ${paths.specFile}: ${errorMessage(error)}`,
      });
      return false;
    }
    const outcome = await this.#sessions.run("initializer", [], {
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
    await this.#workspaces.commitAll(paths.root, "autowright: project set up by the initializer");
    this.#status.decide("initializer_done", `the initializer created ${count} features`);
    this.#status.log("info", `the initializer created ${count} features; ${this.#checks.describe()}`);
    return true;
  }

  #wake(): void {
    if (this.#tickQueued || this.#phase !== "running") return;
    this.#tickQueued = true;
    setImmediate(() => {
      this.#tickQueued = false;
      this.#tick();
    });
  }

  #tick(): void {
    if (this.#phase !== "running") return;
    const started = performance.now();
    try {
      this.#schedule();
    } catch (error) {
      this.#status.log("error", `the scheduling tick failed: ${errorMessage(error)}`);
      this.#end({ status: "failed", reason: `the orchestrator failed: ${errorMessage(error)}` });
    } finally {
      this.#ticks.count += 1;
      this.#ticks.ms += performance.now() - started;
    }
  }

  /** One scheduling pass: reclaim leases, publish progress, start sessions on free slots, detect the end. */
  #schedule(): void {
    const now = this.#now().getTime();
    const settings = this.#settings;
    this.#store.reclaimExpiredLeases();
    this.bus.flush();
    const features = this.#store.listFeatures();
    const analysis = analyzeBacklog(features, { maxAttempts: settings.maxAttempts, now });
    this.#status.progress(computeProgress(features, { maxAttempts: settings.maxAttempts }));

    if (this.#stopping !== undefined) {
      if (this.#inFlight() === 0) this.#end(this.#stopping);
      return;
    }
    const allPassing = features.length > 0 && features.every((feature) => feature.status === "passing");
    if (allPassing && this.#inFlight() === 0) {
      this.#end({ status: "completed", reason: `all ${features.length} features pass` });
      return;
    }
    if (this.#paused) {
      if (this.#sessions.running.size === 0) this.#status.setRun("paused");
      this.#publishOrchestrator("draining", "paused: no new agents start", analysis);
      return;
    }
    const limited = this.#rateLimit.remaining(now);
    if (limited > 0) {
      this.#publishOrchestrator(
        "rate_limited",
        `rate limited until ${new Date(this.#rateLimit.until).toISOString()}`,
        analysis,
      );
      this.#scheduleWake(limited);
      return;
    }
    if (this.#status.runStatus === "rate_limited") this.#status.setRun("running");

    let free = this.#sessions.freeSlots(settings.maxConcurrency);
    let started = 0;
    if (free > 0) {
      const busy = this.#sessions.busyFeatures();
      const batches = buildBatches(features, analysis, {
        batchSize: settings.batchSize as 1 | 2 | 3,
        slots: free,
        maxAttempts: settings.maxAttempts,
        now,
        exclude: busy,
        first: this.#resumeFirst,
      });
      for (const batch of batches) {
        for (const id of batch) this.#resumeFirst.delete(id);
        this.#track(this.#sessions.run("coding", batch));
        started += 1;
        free -= 1;
      }
      if (free > 0) {
        const working = this.#sessions.working();
        const turn = this.#regressions.next(features, busy, {
          coding: working.filter((session) => session.role === "coding").length,
          testing: working.filter((session) => session.role === "testing").length,
        });
        if (turn !== undefined) this.#track(this.#regressions.run(turn));
      }
    }

    this.#decideCapacity(analysis.ready.length - started, free);
    this.#decideBlocked(analysis.blocked.length);
    const inFlight = this.#inFlight();
    if (isStalled(features, analysis, inFlight)) {
      const reasons = analysis.stalled.map((entry) => `#${entry.id}: ${entry.reason}`);
      const failed = features
        .filter((feature) => feature.status === "failed")
        .map((feature) => `#${feature.id}`);
      this.#publishOrchestrator("stalled", "nothing is ready and nothing is running", analysis);
      this.#status.decide(
        "stalled",
        `stalled: nothing is ready and nothing is running${reasons.length > 0 ? ` (${reasons.join(", ")})` : ""}`,
      );
      this.#end({
        status: "stalled",
        reason: `nothing can progress without you${failed.length > 0 ? `; failed: ${failed.join(", ")}` : ""}${reasons.length > 0 ? `; stalled: ${reasons.join(", ")}` : ""}`,
      });
      return;
    }
    if (inFlight === 0 && started === 0) {
      // Ready features that no session could start: nothing would ever wake the run again.
      this.#end({
        status: "failed",
        reason: `features ${analysis.ready.map((id) => `#${id}`).join(", ")} are ready but no session could start (${this.diagnostics()})`,
      });
      return;
    }
    this.#publishOrchestrator(
      this.#sessions.running.size > 0 ? "monitoring" : "scheduling",
      this.#describeRunning(),
      analysis,
    );
  }

  /** Sessions running or launching, and background work (testing turns, sessions' promises). */
  #inFlight(): number {
    return this.#sessions.running.size + this.#sessions.launching + this.#pendingWork.size;
  }

  /** Keeps a piece of background work counted until it ends; a failure is logged, never left unhandled. */
  #track(work: Promise<unknown>): void {
    const tracked: Promise<void> = work
      .then(
        () => undefined,
        (error: unknown) => {
          this.#status.log("error", `background work failed: ${errorMessage(error)}`);
        },
      )
      .finally(() => {
        this.#pendingWork.delete(tracked);
        this.#wake();
      });
    this.#pendingWork.add(tracked);
  }

  /** Says "at capacity" once when ready work waits for a slot, and again only after a slot was free. */
  #decideCapacity(waiting: number, free: number): void {
    const atCapacity = waiting > 0 && free === 0;
    if (atCapacity && !this.#atCapacity) {
      this.#status.decide(
        "at_capacity",
        `at capacity: ${this.#settings.maxConcurrency} agent${this.#settings.maxConcurrency === 1 ? "" : "s"} busy, ${waiting} ready feature${waiting === 1 ? "" : "s"} waiting`,
      );
    }
    this.#atCapacity = atCapacity;
  }

  /** Says how many features wait for their dependencies whenever that number changes to a non-zero one. */
  #decideBlocked(blocked: number): void {
    if (blocked !== this.#blocked && blocked > 0) {
      this.#status.decide(
        "features_blocked",
        `${blocked} feature${blocked === 1 ? "" : "s"} blocked by dependencies`,
      );
    }
    this.#blocked = blocked;
  }

  #rateLimited(resetAt: string | null, message: string | undefined): void {
    const wasLimited = this.#rateLimit.remaining(this.#now().getTime()) > 0;
    const until = this.#rateLimit.limit(resetAt, this.#now().getTime());
    if (!wasLimited)
      this.#status.decide(
        "rate_limited",
        `rate limited: no new agents until ${new Date(until).toISOString()}`,
      );
    this.#status.setRun("rate_limited", message ?? "rate limited", new Date(until).toISOString());
  }

  /** A cost budget needs a price for every model of the run: refused up front, before anything starts. */
  #refuseUnpricedBudget(): void {
    if (this.#settings.maxCostUsd === null) return;
    const unpriced = unpricedModels(this.#provider(), this.#settings, this.#options.overrides?.model);
    if (unpriced.length === 0) return;
    throw new AppError(
      "invalid_input",
      `a cost budget needs prices, and ${unpriced.map((model) => JSON.stringify(model)).join(", ")} ${
        unpriced.length === 1 ? "has" : "have"
      } none: add ${unpriced.length === 1 ? "it" : "them"} to the modelPrices setting, or budget tokens instead (--max-tokens)`,
      { details: { models: unpriced } },
    );
  }

  #checkBudget(): void {
    const { maxCostUsd, maxTokens } = this.#settings;
    if ((maxCostUsd === null && maxTokens === null) || this.#stopping !== undefined) return;
    const stored = this.#store.usageSince(this.#startedAt).total;
    const spent = addUsage([stored, ...[...this.#sessions.running.values()].map((session) => session.usage)]);
    const stop = budgetExceeded(this.#settings, spent);
    if (stop !== undefined) this.#governorStop(stop);
  }

  /** A governor stops the run: every session is cancelled, and the run ends once they have. */
  #governorStop(stop: GovernorStop): void {
    if (this.#stopping !== undefined) return;
    this.#stopping = { status: "stopped", reason: stop.reason, governor: stop.governor };
    this.#status.setRun("draining", stop.reason);
    this.#sessions.cancelAll(stop.governor === "auth_failed" ? "authentication failed" : stop.reason);
    this.#wake();
  }

  #scheduleWake(delayMs: number): void {
    if (this.#phase !== "running") return;
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#wake();
    }, Math.max(0, delayMs) + 5);
  }

  /**
   * Ends the run: no tick from now on; whatever is still in flight is cancelled and awaited, the worktrees pruned,
   * the workers closed and the last events published; then `run()` resolves.
   */
  #end(result: RunResult): void {
    if (this.#phase === "ending" || this.#phase === "ended") return;
    this.#phase = "ending";
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    if (this.#inFlight() > 0) {
      this.#sessions.cancelAll(result.reason);
      this.#abort.abort();
    }
    const status: RunStatus =
      result.status === "completed"
        ? "completed"
        : result.status === "stalled"
          ? "stalled"
          : result.status === "failed"
            ? "crashed"
            : "stopped";
    this.#publishSafely(() => {
      this.#status.decide(
        result.status === "completed"
          ? "run_completed"
          : result.status === "failed"
            ? "run_failed"
            : "run_stopped",
        result.status === "completed"
          ? `run complete: ${result.reason}`
          : `run ended (${result.status}): ${result.reason}`,
      );
      this.#publishOrchestrator(
        result.status === "completed" ? "complete" : result.status === "stalled" ? "stalled" : "idle",
        result.reason,
      );
      this.#status.setRun(status, result.reason);
    });
    void this.#shutDown(result);
  }

  async #shutDown(result: RunResult): Promise<void> {
    // Sessions end once cancelled (a worker that does not is killed after a grace period).
    while (this.#pendingWork.size > 0) await Promise.allSettled([...this.#pendingWork]);
    const results = await Promise.allSettled([this.#workspaces.pruneAll(), this.#pool.close()]);
    for (const [index, settled] of results.entries()) {
      if (settled.status === "rejected") {
        const what = index === 0 ? "remove the worktrees" : "close the workers";
        this.#status.log("warn", `could not ${what} at the end of the run: ${errorMessage(settled.reason)}`);
      }
    }
    this.#publishSafely(() => (this.#options.bus === undefined ? this.bus.close() : this.bus.flush()));
    this.#unsubscribeSessionLogs();
    this.#sessionLogs.close();
    this.#phase = "ended";
    this.#abort.abort();
    const finish = this.#finish;
    this.#finish = undefined;
    finish?.(result);
  }

  /** Publishes at the end of a run; a store already closed under the run is said in the log, not thrown. */
  #publishSafely(publish: () => void): void {
    try {
      publish();
    } catch (error) {
      this.#status.log("error", `could not record the end of the run: ${errorMessage(error)}`);
    }
  }

  #publishOrchestrator(
    state: OrchestratorState,
    message: string,
    analysis?: Parameters<StatusEvents["orchestrator"]>[4],
  ): void {
    this.#status.orchestrator(state, message, this.#agentCounts(), this.#settings.maxConcurrency, analysis);
  }

  #agentCounts(): AgentCounts {
    const working = this.#sessions.working();
    return {
      coding: working.filter((session) => session.role !== "testing").length,
      testing: working.filter((session) => session.role === "testing").length,
      settling: this.#sessions.running.size - working.length,
    };
  }

  #describeRunning(): string {
    const sessions = this.#sessions.working();
    const settling = this.#sessions.running.size - sessions.length;
    const verifying = settling === 0 ? "" : `; ${settling} being verified or merged`;
    if (sessions.length === 0) return settling === 0 ? "scheduling" : `${settling} being verified or merged`;
    return `${sessions.length} agent${sessions.length === 1 ? "" : "s"} running: ${sessions.map((session) => `${session.mascot} on ${session.featureIds.map((id) => `#${id}`).join(", ") || "the spec"}`).join("; ")}${verifying}`;
  }
}

export type { SessionExtras };
