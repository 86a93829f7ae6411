/**
 * The worker: one agent session at a time. It speaks NDJSON frames on stdio (never touches the database), runs one
 * runtime per session, forwards backlog tool calls to the orchestrator, and always ends a session with exactly one
 * `ended` frame, whatever happens: the outcome is a frame, never an exit code. By default it exits after that
 * session; a start frame with `reuse` keeps it for another one once nothing of the session is left.
 */
import { existsSync, statSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import {
  type BacklogToolName,
  type SessionOutcome,
  type WorkerInboundFrame,
  type WorkerOutboundFrame,
  type WorkerStartFrame,
  workerProtocolVersion,
} from "@autowright/protocol";
import { frameWriter, readFrames } from "./frame-channel.ts";
import { type CommandPolicy, loadCommandPolicy } from "./policy/command-policy.ts";
import { isProcessLive, processTable } from "./process-table.ts";
import { ProcessTracker } from "./process-tracker.ts";
import { createRedactor } from "./redaction.ts";
import type {
  AgentRuntime,
  BacklogCallResult,
  OutboundFrameBody,
  RuntimeResult,
  SessionContext,
} from "./runtime.ts";
import { describeLayers, securityLayers } from "./sandbox.ts";

/** What the worker needs from its process. */
export interface WorkerOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** The worker's environment (the process's own, in the CLI): every session starts from a copy taken at start-up. */
  readonly env: NodeJS.ProcessEnv;
  /** Picks the runtime for a start frame (the composition root decides which runtimes exist). */
  readonly selectRuntime: (start: WorkerStartFrame, env: NodeJS.ProcessEnv) => Promise<PreparedRuntime>;
  /** The default `$AUTOWRIGHT_HOME` when the start frame names none. */
  readonly home: string;
  readonly heartbeatMs?: number;
  /**
   * How long a reusable session's processes may take to die after the sweep before the worker refuses to be
   * reused (it then exits after `ended`). Default 5 s.
   */
  readonly settleMs?: number;
}

/** A runtime plus what it needs set up and torn down (e.g. a scripted model server for replay). */
export interface PreparedRuntime {
  readonly runtime: AgentRuntime;
  readonly env?: NodeJS.ProcessEnv;
  readonly dispose?: () => Promise<void>;
}

const defaultHeartbeatMs = 5_000;
const defaultSettleMs = 5_000;

type AbortReason = "cancelled" | "timed_out" | "orphaned";

/** The state of the session being run: nothing of it survives into the next one. */
interface RunningSession {
  readonly abort: AbortController;
  abortReason: AbortReason | undefined;
  readonly pending: Map<string, (answer: BacklogCallResult) => void>;
  callCounter: number;
  readonly reuse: boolean;
}

/**
 * Runs the worker until its last session has ended (or stdin closes while no session runs). Resolves to the exit
 * code.
 */
export function runWorker(options: WorkerOptions): Promise<number> {
  const write = frameWriter<WorkerOutboundFrame>(options.output);
  const redact = createRedactor(options.env);
  // What a session starts from, and what the process is put back to after a reusable one.
  const baseEnv: NodeJS.ProcessEnv = { ...options.env };
  const processEnv: NodeJS.ProcessEnv = { ...process.env };
  const processCwd = process.cwd();
  let current: RunningSession | undefined;
  /** `idle`: waiting for a start; `busy`: a session runs or is being cleaned up; `done`: no more sessions. */
  let phase: "idle" | "busy" | "done" = "idle";
  let inputClosed = false;
  let sessionsRun = 0;
  /** A cancel that came before the first start stops that session at once (a stale one between sessions does not). */
  let cancelledEarly = false;

  return new Promise<number>((resolve) => {
    const stopReading = readFrames(options.input, "inbound", {
      onFrame: (frame: WorkerInboundFrame) => {
        if (frame.type === "start") {
          if (phase !== "idle") {
            write({
              type: "log",
              level: "warn",
              line:
                current?.reuse === true
                  ? "ignored a start frame: a session is running"
                  : "ignored a second start frame: a worker runs one session",
            });
            return;
          }
          phase = "busy";
          const running: RunningSession = {
            abort: new AbortController(),
            abortReason: undefined,
            pending: new Map(),
            callCounter: 0,
            reuse: frame.reuse === true,
          };
          current = running;
          sessionsRun += 1;
          if (cancelledEarly) {
            cancelledEarly = false;
            stop(running, "cancelled");
          }
          void session(frame, running).then((reusable) => {
            current = undefined;
            if (reusable && !inputClosed) {
              phase = "idle";
              write({ type: "ready", protocolVersion: workerProtocolVersion, pid: process.pid });
              return;
            }
            phase = "done";
            stopReading();
            resolve(0);
          });
        } else if (frame.type === "cancel") {
          if (current !== undefined) stop(current, "cancelled");
          else if (sessionsRun === 0) cancelledEarly = true;
        } else {
          const settle = current?.pending.get(frame.callId);
          current?.pending.delete(frame.callId);
          settle?.(frame.ok ? { ok: true, result: frame.result } : { ok: false, error: frame.error });
        }
      },
      onInvalidLine: (line, error) => {
        write({
          type: "log",
          level: "warn",
          line: redact(`ignored an invalid frame (${error.message}): ${line.slice(0, 200)}`),
        });
      },
      onClose: () => {
        inputClosed = true;
        if (phase === "idle") {
          phase = "done";
          resolve(0);
          return;
        }
        if (current !== undefined) stop(current, "orphaned");
      },
    });
    write({ type: "ready", protocolVersion: workerProtocolVersion, pid: process.pid });
  });

  function stop(running: RunningSession, reason: AbortReason): void {
    if (running.abort.signal.aborted) return;
    running.abortReason = reason;
    running.abort.abort(new Error(reason));
    for (const [callId, settle] of running.pending) {
      settle({
        ok: false,
        error: { code: "internal_error", message: `the session was stopped (${reason})` },
      });
      running.pending.delete(callId);
    }
  }

  /** Runs one session to its `ended` frame; resolves to whether the process may serve another one. */
  async function session(start: WorkerStartFrame, running: RunningSession): Promise<boolean> {
    const { abort, pending } = running;
    const emit = (frame: OutboundFrameBody): void => write(frame);
    const processes = new ProcessTracker();
    const heartbeat = setInterval(
      () => emit({ type: "heartbeat", at: new Date().toISOString() }),
      options.heartbeatMs ?? defaultHeartbeatMs,
    );
    const timeout =
      start.limits.timeoutMs === undefined
        ? undefined
        : setTimeout(() => stop(running, "timed_out"), start.limits.timeoutMs);
    const submitted = new Set<number>();
    let prepared: PreparedRuntime | undefined;
    let result: RuntimeResult;
    try {
      if (!existsSync(start.cwd) || !statSync(start.cwd).isDirectory()) {
        throw new Error(`the working directory ${start.cwd} does not exist`);
      }
      const policy: CommandPolicy = loadCommandPolicy({
        projectRoot: start.projectRoot ?? start.cwd,
        home: start.home ?? options.home,
        workingDirectory: start.cwd,
      });
      prepared = await options.selectRuntime(start, { ...baseEnv, ...start.env });
      const env: NodeJS.ProcessEnv = { ...baseEnv, ...start.env, ...(prepared.env ?? {}) };
      const sessionRedact = createRedactor(env);
      const context: SessionContext = {
        start,
        signal: abort.signal,
        emit,
        env,
        policy,
        processes,
        redact: sessionRedact,
        callBacklogTool: (tool: BacklogToolName, input: unknown) => {
          if (abort.signal.aborted) {
            return Promise.resolve({
              ok: false,
              error: { code: "internal_error", message: "the session was stopped" },
            });
          }
          running.callCounter += 1;
          const callId = `${start.sessionId}-backlog-${running.callCounter}`;
          return new Promise<BacklogCallResult>((settle) => {
            pending.set(callId, (answer) => {
              if (answer.ok && tool === "feature_ready_for_verification") {
                const featureId = (input as { feature_id?: unknown }).feature_id;
                if (typeof featureId === "number") submitted.add(featureId);
              }
              settle(answer);
            });
            emit({ type: "backlog.call", callId, tool, input });
          });
        },
      };
      emit({
        type: "log",
        level: "info",
        line: `session ${start.sessionId}: runtime ${prepared.runtime.name}, model ${start.model}; protection: ${describeLayers(securityLayers(env), prepared.runtime.name)}`,
      });
      emit({
        type: "agent.state",
        state: "thinking",
        thought: `starting (${prepared.runtime.name}, ${start.model})`,
      });
      result = await prepared.runtime.run(context);
    } catch (error) {
      result = { kind: "failed", summary: redact(error instanceof Error ? error.message : String(error)) };
    } finally {
      clearInterval(heartbeat);
      if (timeout !== undefined) clearTimeout(timeout);
    }
    await processes.killAll();
    await prepared?.dispose?.().catch((error: unknown) => {
      emit({
        type: "log",
        level: "warn",
        line: redact(
          `session ${start.sessionId}: disposing of the runtime failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
      });
    });
    // A tool call that was starting a command when the session stopped may have spawned it after the first sweep.
    await processes.killAll();
    for (const [callId, settle] of pending) {
      settle({ ok: false, error: { code: "internal_error", message: "the session has ended" } });
      pending.delete(callId);
    }

    const reusable = start.reuse === true && !inputClosed && (await cleanForNextSession(processes, emit));

    const outcome = outcomeOf(result, running.abortReason, start, submitted);
    if (result.kind === "rate_limited")
      emit({ type: "rate_limited", resetAt: result.resetAt, message: result.summary });
    if (result.kind === "auth_failed") emit({ type: "auth_failed", message: result.summary });
    emit({
      type: "agent.state",
      state: outcome === "passed" ? "success" : outcome === "not_passed" ? "idle" : "error",
    });
    const summary =
      running.abortReason === undefined
        ? result.summary
        : `${running.abortReason === "timed_out" ? "time limit reached" : "stopped"}: ${result.summary}`;
    emit({ type: "ended", outcome, summary: summary.slice(0, 4_000) });
    await new Promise<void>((resolve) => options.output.write("", () => resolve()));
    return reusable;
  }

  /**
   * Makes the process as it was before the session, or says why it cannot be: every process the session started
   * is dead (zombies count as dead), no child of the worker is left (a runtime's own children, e.g. Claude Code),
   * and `process.env` and the working directory are what they were at start-up.
   */
  async function cleanForNextSession(
    processes: ProcessTracker,
    emit: (frame: OutboundFrameBody) => void,
  ): Promise<boolean> {
    const deadline = Date.now() + (options.settleMs ?? defaultSettleMs);
    let left = survivors(processes);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      left = survivors(processes);
    }
    const restored = restoreEnvironment(process.env, processEnv);
    if (restored.length > 0) {
      emit({
        type: "log",
        level: "debug",
        line: `put back the environment variables the session changed in the worker: ${restored.join(", ")}`,
      });
    }
    if (process.cwd() !== processCwd) {
      process.chdir(processCwd);
      emit({ type: "log", level: "debug", line: "put back the worker's working directory" });
    }
    if (left.length === 0) return true;
    emit({
      type: "log",
      level: "warn",
      line: `not reusing this worker: processes of the session are still alive (${left.slice(0, 10).join(", ")})`,
    });
    return false;
  }
}

/** Live processes of the session's groups and live children of the worker. */
function survivors(processes: ProcessTracker): number[] {
  const left = new Set([...processes.ownedPids()].filter(isProcessLive));
  // Without /proc (not Linux) the table is empty: the session's process groups are all that is known.
  for (const { pid, fields } of processTable()) {
    if (Number(fields[1]) === process.pid && fields[0] !== "Z") left.add(pid);
  }
  return [...left].sort((first, second) => first - second);
}

/** Puts `target` back to `snapshot`; returns the names that had changed (never their values). */
function restoreEnvironment(
  target: NodeJS.ProcessEnv,
  snapshot: Readonly<Record<string, string | undefined>>,
): string[] {
  const changed: string[] = [];
  for (const name of Object.keys(target)) {
    if (!Object.hasOwn(snapshot, name)) {
      delete target[name];
      changed.push(name);
    }
  }
  for (const [name, value] of Object.entries(snapshot)) {
    if (value !== undefined && target[name] !== value) {
      target[name] = value;
      changed.push(name);
    }
  }
  return changed.sort();
}

/**
 * The outcome of a session as the worker can know it. `passed` means every assigned feature was handed to the
 * verifier (coding, testing) or the initializer finished; only verification makes a feature pass.
 */
export function outcomeOf(
  result: RuntimeResult,
  abortReason: AbortReason | undefined,
  start: Pick<WorkerStartFrame, "role" | "featureIds">,
  submitted: ReadonlySet<number>,
): SessionOutcome {
  if (abortReason === "timed_out") return "timed_out";
  if (abortReason !== undefined) return "cancelled";
  if (result.kind === "rate_limited") return "rate_limited";
  if (result.kind === "auth_failed") return "auth_failed";
  if (result.kind === "failed") return "failed";
  if (start.role === "coding") {
    return start.featureIds.length > 0 && start.featureIds.every((id) => submitted.has(id))
      ? "passed"
      : "not_passed";
  }
  return "passed";
}
