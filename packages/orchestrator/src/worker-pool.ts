/**
 * Reusable, pre-warmable worker processes. Starting a worker (the bundled CLI) costs about a second of CPU, which
 * dominates short sessions; the pool keeps processes that ended a session cleanly and hands them the next one, one
 * session at a time per process. The worker itself vouches for a clean process before it says `ready` again
 * (everything the session started is dead, its runtime disposed, its environment put back); the pool retires a
 * process after any session that did not end cleanly, so a worker in doubt never serves twice.
 */
import { AppError } from "@autowright/protocol";
import {
  type ProcessSessionOptions,
  type SessionEnd,
  WorkerProcess,
  type WorkerSession,
} from "./worker-session.ts";
import { stdioWorkerTransport, type WorkerCommand, type WorkerTransportFactory } from "./worker-transport.ts";

/** Options of {@link WorkerPool}: a worker command and its environment, or any transport. */
export type WorkerPoolOptions = (
  | { readonly worker: WorkerCommand; readonly env: NodeJS.ProcessEnv; readonly transport?: undefined }
  | { readonly transport: WorkerTransportFactory }
) & {
  /** Sessions one process serves before it is retired. Default 20. */
  readonly maxSessionsPerWorker?: number;
};

const defaultMaxSessionsPerWorker = 20;

/** Outcomes after which a process may serve again; anything else (a crash, a rate limit, a cancel…) retires it. */
const cleanOutcomes: ReadonlySet<string> = new Set(["passed", "not_passed"]);

/** Worker processes reused across sessions. */
export class WorkerPool {
  readonly #transport: WorkerTransportFactory;
  readonly #maxSessions: number;
  /** Every process of the pool that has not exited. */
  readonly #processes = new Set<WorkerProcess>();
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    const maxSessions = options.maxSessionsPerWorker ?? defaultMaxSessionsPerWorker;
    if (!Number.isInteger(maxSessions) || maxSessions < 1) {
      throw new AppError("invalid_input", "maxSessionsPerWorker must be a positive integer");
    }
    this.#transport =
      options.transport === undefined ? stdioWorkerTransport(options.worker, options.env) : options.transport;
    this.#maxSessions = maxSessions;
  }

  /** Idle or starting workers right now (including ones that just ended a session and are getting ready again). */
  get idle(): number {
    let count = 0;
    for (const worker of this.#processes) if (isIdle(worker)) count += 1;
    return count;
  }

  /** Starts enough idle workers that `count` are idle or starting (spawned in the background). */
  prewarm(count: number): void {
    if (this.#closed) return;
    for (let missing = count - this.idle; missing > 0; missing -= 1) this.#spawn();
  }

  /**
   * Runs one session on an idle worker (or a new one): the same contract as `startWorkerSession`. A session
   * given to a worker that is getting ready again moves to a new process if that worker exits instead. Once the
   * pool is closed, every session gets a new process that is retired after it.
   */
  start(options: ProcessSessionOptions): WorkerSession {
    const worker = (this.#closed ? undefined : this.#take()) ?? this.#spawn();
    return worker.runSession(options, {
      // Counted when the start is sent, this session included: the last one lets the worker exit by itself.
      reuse: (host) => !this.#closed && host.sessionsStarted < this.#maxSessions,
      keep: (end) => this.#keeps(end),
      fallback: () => this.#spawn(),
    });
  }

  /**
   * Ends idle workers (closes their stdin; kills them after a grace) and makes later `start` spawn-and-retire.
   * Resolves when every process that was not running a session has exited; those running one are retired when
   * their session ends.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const waiting: Promise<void>[] = [];
    for (const worker of this.#processes) {
      if (worker.state === "busy") continue;
      worker.retire();
      waiting.push(worker.exited);
    }
    await Promise.all(waiting);
  }

  #keeps(end: SessionEnd): boolean {
    return !this.#closed && end.reported && !end.interrupted && cleanOutcomes.has(end.outcome);
  }

  /**
   * An idle worker; else one that has just ended a session and is getting ready again (milliseconds away); else
   * one still starting (the oldest: it is the closest to ready).
   */
  #take(): WorkerProcess | undefined {
    let recycling: WorkerProcess | undefined;
    let starting: WorkerProcess | undefined;
    for (const worker of this.#processes) {
      if (worker.state === "idle") return worker;
      if (worker.state === "recycling") recycling ??= worker;
      if (worker.state === "starting") starting ??= worker;
    }
    return recycling ?? starting;
  }

  #spawn(): WorkerProcess {
    const worker = new WorkerProcess(this.#transport, {
      onIdle: (idle) => {
        if (this.#closed) idle.retire();
      },
      onExit: (exited) => {
        this.#processes.delete(exited);
      },
    });
    this.#processes.add(worker);
    return worker;
  }
}

/** Counted as idle: ready, or on the way to ready (spawned, or back from a reused session). */
function isIdle(worker: WorkerProcess): boolean {
  return worker.state === "idle" || worker.state === "starting" || worker.state === "recycling";
}
