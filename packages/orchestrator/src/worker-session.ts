/**
 * The orchestrator's side of worker processes: spawn one, send `start` once it is ready, answer its backlog calls,
 * pass every frame on, and resolve with the outcome. A worker that exits without `ended`, or stops talking during
 * a session (no frame, not even a heartbeat, for the silence limit), is `failed`: the outcome never comes from an
 * exit code. {@link startWorkerSession} runs one session on a new process; the `WorkerPool` runs sessions one after
 * another on the same processes through the same {@link WorkerProcess}.
 */
import type { BacklogCallResult, FrameBody } from "@autowright/agent-runtime";
import {
  type SessionOutcome,
  type WorkerInboundFrame,
  type WorkerOutboundFrame,
  type WorkerReadyFrame,
  type WorkerStartFrame,
  workerProtocolVersion,
} from "@autowright/protocol";
import {
  stdioWorkerTransport,
  type WorkerCommand,
  type WorkerTransport,
  type WorkerTransportFactory,
} from "./worker-transport.ts";

export type { WorkerCommand } from "./worker-transport.ts";

/** Options of {@link startWorkerSession}. */
export interface WorkerSessionOptions {
  readonly worker: WorkerCommand;
  readonly env: NodeJS.ProcessEnv;
  /** The session's start frame; its `reuse` is decided by whoever runs the process, not taken from here. */
  readonly start: Omit<WorkerStartFrame, "v" | "type">;
  readonly onFrame: (frame: WorkerOutboundFrame) => void;
  readonly onBacklogCall: (tool: string, input: unknown) => BacklogCallResult;
  /** A worker silent for this long is killed (it renews its leases with heartbeats every few seconds). */
  readonly silenceLimitMs: number;
}

/** A running worker session. */
export interface WorkerSession {
  readonly pid: number | undefined;
  /** Resolves as soon as the outcome is known: the `ended` frame, or the worker dying or going silent. */
  readonly done: Promise<{ outcome: SessionOutcome; summary: string }>;
  /** Asks the worker to stop; kills it if it has not ended within the grace period. No-op once ended. */
  cancel(reason: string): void;
}

/** How a session ended, as far as deciding the process's future goes. */
export interface SessionEnd {
  readonly outcome: SessionOutcome;
  /** The session was cancelled, or its worker killed (silence, cancel grace) or dead. */
  readonly interrupted: boolean;
  /** The worker sent `ended` (it did not die or get killed first). */
  readonly reported: boolean;
}

/** What a {@link WorkerProcess} tells its owner. */
export interface WorkerProcessHooks {
  /** The process said `ready` with no session waiting for it (the first time, or after a reused session). */
  readonly onIdle?: (process: WorkerProcess) => void;
  /** The process exited, whatever its state. */
  readonly onExit?: (process: WorkerProcess) => void;
}

/** A session's options on an existing process. */
export type ProcessSessionOptions = Omit<WorkerSessionOptions, "worker" | "env">;

/** Who decides what becomes of a process around one session. */
export interface SessionPolicy {
  /** Whether to ask `worker` to stay after the session; asked when the start frame is sent. */
  reuse(worker: WorkerProcess): boolean;
  /** After a session that asked for reuse and reported an outcome: wait for the next `ready` (true) or retire. */
  keep(end: SessionEnd): boolean;
  /**
   * A new process for a session that was waiting for a reused worker's next `ready` when that worker exited
   * instead (it refused reuse): the session has not started, so it moves there. Absent: the session fails.
   */
  fallback?(): WorkerProcess;
}

/**
 * The state of a worker process: `starting` (spawned, no `ready` yet), `idle` (ready, no session), `busy` (a
 * session is attached), `recycling` (a reused session ended; waiting for the next `ready`), `retiring` (stdin
 * closed, waiting for it to exit), `exited`.
 */
export type WorkerProcessState = "starting" | "idle" | "busy" | "recycling" | "retiring" | "exited";

const cancelGraceMs = 10_000;
const retireGraceMs = 5_000;
const stderrTailLimit = 4_000;

interface AttachedSession {
  readonly options: ProcessSessionOptions;
  readonly policy: SessionPolicy;
  readonly resolve: (result: { outcome: SessionOutcome; summary: string }) => void;
  /** The process the session is on (it changes only when a reused worker did not come back before the start). */
  host: WorkerProcess;
  /** May move to `policy.fallback()` if the host exits before the start is sent. */
  movable: boolean;
  started: boolean;
  reuse: boolean;
  interrupted: boolean;
  silenceTimer: NodeJS.Timeout | undefined;
  killTimer: NodeJS.Timeout | undefined;
}

/** One worker process: its frame channel, its stderr tail, and at most one session at a time. */
export class WorkerProcess {
  /** Resolves when the process has exited (or could not start). */
  readonly exited: Promise<void>;
  readonly #transport: WorkerTransport;
  readonly #hooks: WorkerProcessHooks;
  #state: WorkerProcessState = "starting";
  #session: AttachedSession | undefined;
  #lastReady: WorkerReadyFrame | undefined;
  #sessionsStarted = 0;
  #stderrTail = "";
  #spawnError: string | undefined;
  #retireTimer: NodeJS.Timeout | undefined;

  constructor(transport: WorkerTransportFactory, hooks: WorkerProcessHooks = {}) {
    this.#hooks = hooks;
    let resolveExited: () => void = () => undefined;
    this.exited = new Promise<void>((resolve) => {
      resolveExited = resolve;
    });
    this.#transport = transport({
      onFrame: (frame) => this.#onFrame(frame),
      onDiagnostic: (text) => this.#appendStderr(text),
      onStartError: (message) => {
        this.#spawnError ??= message;
      },
      onClose: (code, signal) => {
        this.#onClose(code, signal);
        resolveExited();
      },
    });
  }

  /** The process id (undefined when it could not be spawned). */
  get pid(): number | undefined {
    return this.#transport.pid;
  }

  /** Where the process is in its life. */
  get state(): WorkerProcessState {
    return this.#state;
  }

  /** Sessions given to this process so far. */
  get sessionsStarted(): number {
    return this.#sessionsStarted;
  }

  /**
   * Runs a session on this process, which must be `starting`, `idle` or `recycling`: the start frame is sent on
   * its (next) `ready`. After the session, the process waits for its next `ready` or is retired (see
   * {@link SessionPolicy}).
   */
  runSession(options: ProcessSessionOptions, policy: SessionPolicy): WorkerSession {
    let resolveDone: (result: { outcome: SessionOutcome; summary: string }) => void = () => undefined;
    const done = new Promise<{ outcome: SessionOutcome; summary: string }>((resolve) => {
      resolveDone = resolve;
    });
    const session: AttachedSession = {
      options,
      policy,
      resolve: resolveDone,
      host: this,
      movable: false,
      started: false,
      reuse: false,
      interrupted: false,
      silenceTimer: undefined,
      killTimer: undefined,
    };
    this.#attach(session);
    return {
      get pid() {
        return session.host.pid;
      },
      done,
      cancel: (reason) => session.host.#cancel(session, reason),
    };
  }

  /** Ends the process: closes its stdin (an idle worker exits), kills it after a grace period. */
  retire(): void {
    if (this.#state === "exited" || this.#state === "retiring") return;
    this.#state = "retiring";
    this.#transport.closeInput();
    this.#retireTimer = setTimeout(() => this.#transport.kill(), retireGraceMs);
  }

  #attach(session: AttachedSession): void {
    if (this.#state !== "starting" && this.#state !== "idle" && this.#state !== "recycling") {
      throw new Error(`a ${this.#state} worker cannot take a session`);
    }
    session.host = this;
    session.movable = this.#state === "recycling" && session.policy.fallback !== undefined;
    session.interrupted = false;
    if (this.#sessionsStarted > 0) this.#stderrTail = "";
    this.#sessionsStarted += 1;
    this.#session = session;
    const ready = this.#state === "idle" ? this.#lastReady : undefined;
    this.#state = "busy";
    this.#resetSilence(session);
    if (ready !== undefined) {
      // Asynchronously, as when the process is still starting: frames never reach the caller before it has the session.
      queueMicrotask(() => {
        if (this.#session === session && !session.started) this.#begin(session, ready);
      });
    }
  }

  #cancel(session: AttachedSession, reason: string): void {
    if (this.#session !== session) return;
    session.interrupted = true;
    if (!session.started) {
      this.#finish(
        session,
        { outcome: "cancelled", summary: `cancelled before it started: ${reason}` },
        false,
      );
      return;
    }
    this.#send({ type: "cancel", reason });
    session.killTimer ??= setTimeout(() => this.#transport.kill(), cancelGraceMs);
  }

  #send(frame: FrameBody<WorkerInboundFrame>): void {
    this.#transport.send(frame);
  }

  #appendStderr(text: string): void {
    this.#stderrTail = (this.#stderrTail + text).slice(-stderrTailLimit);
  }

  #resetSilence(session: AttachedSession): void {
    if (session.silenceTimer !== undefined) clearTimeout(session.silenceTimer);
    session.silenceTimer = setTimeout(() => {
      session.interrupted = true;
      this.#appendStderr(`\nthe worker sent nothing for ${session.options.silenceLimitMs} ms and was killed`);
      this.#transport.kill();
    }, session.options.silenceLimitMs);
  }

  #begin(session: AttachedSession, ready: WorkerReadyFrame): void {
    session.started = true;
    session.reuse = session.policy.reuse(this);
    session.options.onFrame(ready);
    const { reuse: _decidedHere, ...start } = session.options.start;
    this.#send({ type: "start", ...start, ...(session.reuse ? { reuse: true } : {}) });
  }

  #onFrame(frame: WorkerOutboundFrame): void {
    const session = this.#session;
    if (frame.type === "ready") {
      if (frame.protocolVersion !== workerProtocolVersion) {
        const summary = `the worker speaks protocol ${frame.protocolVersion}, not ${workerProtocolVersion}`;
        this.#appendStderr(`\n${summary}`);
        if (session !== undefined) this.#finish(session, { outcome: "failed", summary }, false);
        else this.retire();
        this.#transport.kill();
        return;
      }
      this.#lastReady = frame;
      if (session !== undefined && !session.started) {
        this.#resetSilence(session);
        this.#begin(session, frame);
      } else if (this.#state === "starting" || this.#state === "recycling") {
        this.#state = "idle";
        this.#hooks.onIdle?.(this);
      }
      return;
    }
    if (session === undefined || !session.started) return;
    this.#resetSilence(session);
    if (frame.type === "backlog.call") {
      const answer = session.options.onBacklogCall(frame.tool, frame.input);
      this.#send(
        answer.ok
          ? { type: "tool.result", callId: frame.callId, ok: true, result: answer.result }
          : { type: "tool.result", callId: frame.callId, ok: false, error: answer.error },
      );
    }
    session.options.onFrame(frame);
    if (frame.type === "ended") {
      this.#finish(session, { outcome: frame.outcome, summary: frame.summary }, true);
    }
  }

  /** The session's outcome is known: resolve it, then keep the process for the next `ready` or retire it. */
  #finish(
    session: AttachedSession,
    result: { outcome: SessionOutcome; summary: string },
    reported: boolean,
  ): void {
    if (this.#session !== session) return;
    this.#detach(session);
    session.resolve(result);
    if (this.#state === "exited") return;
    const keep =
      reported &&
      session.reuse &&
      session.policy.keep({ outcome: result.outcome, interrupted: session.interrupted, reported });
    if (keep) this.#state = "recycling";
    else this.retire();
  }

  #detach(session: AttachedSession): void {
    this.#session = undefined;
    if (session.silenceTimer !== undefined) clearTimeout(session.silenceTimer);
    if (session.killTimer !== undefined) clearTimeout(session.killTimer);
    session.silenceTimer = undefined;
    session.killTimer = undefined;
  }

  #onClose(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#retireTimer !== undefined) clearTimeout(this.#retireTimer);
    this.#state = "exited";
    const session = this.#session;
    const fallback = session?.policy.fallback;
    if (session !== undefined && !session.started && session.movable && fallback !== undefined) {
      this.#detach(session);
      fallback().#attach(session);
    } else if (session !== undefined) {
      session.interrupted = true;
      const tail = this.#stderrTail.trim();
      this.#finish(
        session,
        {
          outcome: "failed",
          summary:
            this.#spawnError ??
            `the worker exited without reporting an outcome (${signal ?? `exit code ${code}`})${tail === "" ? "" : `: ${tail.slice(-1_000)}`}`,
        },
        false,
      );
    }
    this.#hooks.onExit?.(this);
  }
}

/** Spawns a worker and runs one session on it; the process is retired once the session has ended. */
export function startWorkerSession(options: WorkerSessionOptions): WorkerSession {
  const { worker, env, ...session } = options;
  return new WorkerProcess(stdioWorkerTransport(worker, env)).runSession(session, {
    reuse: () => false,
    keep: () => false,
  });
}
