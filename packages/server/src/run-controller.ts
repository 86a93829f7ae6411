/**
 * The run of one project in the server: the same `Orchestrator` as `autowright run`, on the project's long-lived
 * bus. One run at a time; start, stop, pause, resume and concurrency changes come from the API (and schedules).
 */
import {
  Orchestrator,
  type RunResult,
  type WorkerCommand,
  workerEnvironment,
} from "@autowright/orchestrator";
import {
  AppError,
  type Provider,
  type RunStartRequest,
  type RunStatus,
  type Settings,
} from "@autowright/protocol";
import type { ProjectHost } from "./project-host.ts";

/** What a run needs from the server. */
export interface RunControllerOptions {
  readonly home: string;
  readonly settings: () => Settings;
  /** The workers' base environment (the server's, with stored credentials). */
  readonly environment: () => NodeJS.ProcessEnv;
  readonly worker: WorkerCommand;
}

/** The state of a project's run, as `GET …/run` shows it. */
export interface RunState {
  readonly active: boolean;
  readonly status: RunStatus;
  readonly paused: boolean;
  readonly startedAt: string | null;
  readonly maxConcurrency: number;
  readonly provider: Provider | null;
  readonly lastResult: RunResult | null;
}

/** The run of one project. */
export class RunController {
  readonly #host: ProjectHost;
  readonly #options: RunControllerOptions;
  #orchestrator: Orchestrator | undefined;
  #running: Promise<RunResult> | undefined;
  #startedAt: string | null = null;
  #provider: Provider | null = null;
  #lastResult: RunResult | null = null;
  readonly #endListeners = new Set<(result: RunResult) => void>();

  constructor(host: ProjectHost, options: RunControllerOptions) {
    this.#host = host;
    this.#options = options;
  }

  /**
   * True while a run is in progress: from its start until it has said how it ended (`run.updated` completed,
   * stalled, stopped or crashed). Its workers may still be closing then; a new start waits for them.
   */
  get active(): boolean {
    return this.#running !== undefined && !endedStatuses.has(this.#host.live.snapshot.run.status);
  }

  /** The run's state now. */
  state(): RunState {
    const orchestrator = this.#orchestrator;
    return {
      active: this.active,
      status: this.#host.live.snapshot.run.status,
      paused: orchestrator?.paused ?? false,
      startedAt: this.#startedAt,
      maxConcurrency: orchestrator?.settings.maxConcurrency ?? this.#options.settings().maxConcurrency,
      provider: this.#provider,
      lastResult: this.#lastResult,
    };
  }

  /** Calls `listener` with the result of every run that ends; returns the unsubscribe function. */
  onEnded(listener: (result: RunResult) => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
  }

  /**
   * Starts a run. Refused with `conflict` while one is active, and with the orchestrator's own refusals (a cost
   * budget without prices, …) before anything starts.
   */
  async start(request: RunStartRequest = {}): Promise<RunState> {
    if (this.active) {
      throw new AppError("conflict", `a run of ${this.#host.name} is already active: stop it first`);
    }
    // The previous run has ended and is closing its workers: the new one starts once it is gone.
    if (this.#running !== undefined) await this.#running;
    if (this.#running !== undefined)
      throw new AppError("conflict", `a run of ${this.#host.name} was started meanwhile`);
    const settings = runSettings(this.#options.settings(), request);
    const provider = request.provider ?? settings.provider;
    const orchestrator = new Orchestrator({
      store: this.#host.store,
      bus: this.#host.events,
      projectName: this.#host.name,
      settings,
      home: this.#options.home,
      env: workerEnvironment(this.#options.environment(), settings, provider),
      worker: this.#options.worker,
      overrides: {
        provider,
        ...(request.model === undefined ? {} : { model: request.model }),
        ...(provider === "replay"
          ? { replay: { runtime: request.replayRuntime ?? "loop", latencyMs: request.replayLatencyMs ?? 0 } }
          : {}),
      },
    });
    const running = orchestrator.run();
    // A refusal (a budget without prices, say) rejects at once: it is the caller's error, and nothing started.
    const refused = await Promise.race([
      running.then(
        () => undefined,
        (error: unknown) => error,
      ),
      new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined))),
    ]);
    if (refused !== undefined) throw refused;
    this.#orchestrator = orchestrator;
    this.#host.runOwnsProgress = true;
    this.#startedAt = new Date().toISOString();
    this.#provider = provider;
    this.#running = running.then(
      (result) => this.#ended(result),
      (error: unknown) => this.#ended({ status: "failed", reason: (error as Error).message }),
    );
    return this.state();
  }

  /** Stops the run and waits until it has ended. A no-op without one. */
  async stop(reason = "stopped by the user"): Promise<RunState> {
    const running = this.#running;
    if (running === undefined || this.#orchestrator === undefined) return this.state();
    await this.#orchestrator.stop(reason);
    await running;
    return this.state();
  }

  /** Pauses the run (running agents finish, no new ones start). */
  pause(): RunState {
    this.#requireActive("pause").pause();
    return this.state();
  }

  /** Resumes a paused run. */
  resume(): RunState {
    this.#requireActive("resume").resume();
    return this.state();
  }

  /** Changes how many agents run at once (within the cap). */
  setConcurrency(maxConcurrency: number): RunState {
    this.#requireActive("change the concurrency of").setConcurrency(maxConcurrency);
    return this.state();
  }

  /** Cancels one session of the run; false when there is no such session. */
  cancelSession(sessionId: string): boolean {
    return this.#orchestrator?.cancelSession(sessionId) ?? false;
  }

  #requireActive(what: string): Orchestrator {
    if (this.#running === undefined || this.#orchestrator === undefined || !this.#orchestrator.active) {
      throw new AppError(
        "conflict",
        `there is no active run of ${this.#host.name} to ${what}: start one first`,
      );
    }
    return this.#orchestrator;
  }

  #ended(result: RunResult): RunResult {
    this.#lastResult = result;
    this.#running = undefined;
    this.#host.runOwnsProgress = false;
    this.#orchestrator = undefined;
    for (const listener of this.#endListeners) listener(result);
    return result;
  }
}

const endedStatuses: ReadonlySet<RunStatus> = new Set(["completed", "stalled", "stopped", "crashed"]);

/** The settings of a run: the global ones with the request's overrides (concurrency raises the cap if needed). */
export function runSettings(base: Settings, request: RunStartRequest): Settings {
  const concurrency = request.concurrency;
  return {
    ...base,
    ...(concurrency === undefined
      ? {}
      : { maxConcurrency: concurrency, concurrencyCap: Math.max(base.concurrencyCap, concurrency) }),
    ...(request.yolo === undefined ? {} : { yolo: request.yolo }),
    ...(request.batchSize === undefined ? {} : { batchSize: request.batchSize }),
    ...(request.testingAgentRatio === undefined ? {} : { testingAgentRatio: request.testingAgentRatio }),
    ...(request.allowUncheckedPass === undefined ? {} : { allowUncheckedPass: request.allowUncheckedPass }),
    ...(request.maxCostUsd === undefined ? {} : { maxCostUsd: request.maxCostUsd }),
    ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens }),
  };
}
