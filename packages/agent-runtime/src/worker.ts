/**
 * The worker: one process per agent session. It speaks NDJSON frames on stdio (never touches the database),
 * runs one runtime, forwards backlog tool calls to the orchestrator, and always ends with exactly one `ended`
 * frame, whatever happens: the outcome is a frame, never an exit code.
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
  readonly env: NodeJS.ProcessEnv;
  /** Picks the runtime for a start frame (the composition root decides which runtimes exist). */
  readonly selectRuntime: (start: WorkerStartFrame, env: NodeJS.ProcessEnv) => Promise<PreparedRuntime>;
  /** The default `$AUTOWRIGHT_HOME` when the start frame names none. */
  readonly home: string;
  readonly heartbeatMs?: number;
}

/** A runtime plus what it needs set up and torn down (e.g. a scripted model server for replay). */
export interface PreparedRuntime {
  readonly runtime: AgentRuntime;
  readonly env?: NodeJS.ProcessEnv;
  readonly dispose?: () => Promise<void>;
}

const defaultHeartbeatMs = 5_000;

/** Runs the worker until its session has ended (or stdin closes before a start). Resolves to the exit code. */
export function runWorker(options: WorkerOptions): Promise<number> {
  const write = frameWriter<WorkerOutboundFrame>(options.output);
  const redact = createRedactor(options.env);
  const pending = new Map<string, (answer: BacklogCallResult) => void>();
  const abort = new AbortController();
  let abortReason: "cancelled" | "timed_out" | "orphaned" | undefined;
  let started = false;
  let callCounter = 0;

  return new Promise<number>((resolve) => {
    let finished = false;
    const stopReading = readFrames(options.input, "inbound", {
      onFrame: (frame: WorkerInboundFrame) => {
        if (frame.type === "start") {
          if (started) {
            write({
              type: "log",
              level: "warn",
              line: "ignored a second start frame: a worker runs one session",
            });
            return;
          }
          started = true;
          void session(frame).then((code) => {
            finished = true;
            stopReading();
            resolve(code);
          });
        } else if (frame.type === "cancel") {
          stop("cancelled");
        } else {
          const settle = pending.get(frame.callId);
          pending.delete(frame.callId);
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
        if (!started) {
          resolve(0);
          return;
        }
        if (!finished) stop("orphaned");
      },
    });
    write({ type: "ready", protocolVersion: workerProtocolVersion, pid: process.pid });
  });

  function stop(reason: "cancelled" | "timed_out" | "orphaned"): void {
    if (abort.signal.aborted) return;
    abortReason = reason;
    abort.abort(new Error(reason));
    for (const [callId, settle] of pending) {
      settle({
        ok: false,
        error: { code: "internal_error", message: `the session was stopped (${reason})` },
      });
      pending.delete(callId);
    }
  }

  async function session(start: WorkerStartFrame): Promise<number> {
    const emit = (frame: OutboundFrameBody): void => write(frame);
    const processes = new ProcessTracker();
    const heartbeat = setInterval(
      () => emit({ type: "heartbeat", at: new Date().toISOString() }),
      options.heartbeatMs ?? defaultHeartbeatMs,
    );
    const timeout =
      start.limits.timeoutMs === undefined
        ? undefined
        : setTimeout(() => stop("timed_out"), start.limits.timeoutMs);
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
      prepared = await options.selectRuntime(start, { ...options.env, ...start.env });
      const env: NodeJS.ProcessEnv = { ...options.env, ...start.env, ...(prepared.env ?? {}) };
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
          callCounter += 1;
          const callId = `${start.sessionId}-backlog-${callCounter}`;
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
    await prepared?.dispose?.().catch(() => undefined);
    // A tool call that was starting a command when the session stopped may have spawned it after the first sweep.
    await processes.killAll();

    const outcome = outcomeOf(result, abortReason, start, submitted);
    if (result.kind === "rate_limited")
      emit({ type: "rate_limited", resetAt: result.resetAt, message: result.summary });
    if (result.kind === "auth_failed") emit({ type: "auth_failed", message: result.summary });
    emit({
      type: "agent.state",
      state: outcome === "passed" ? "success" : outcome === "not_passed" ? "idle" : "error",
    });
    const summary =
      abortReason === undefined
        ? result.summary
        : `${abortReason === "timed_out" ? "time limit reached" : "stopped"}: ${result.summary}`;
    emit({ type: "ended", outcome, summary: summary.slice(0, 4_000) });
    await new Promise<void>((resolve) => options.output.write("", () => resolve()));
    return 0;
  }
}

/**
 * The outcome of a session as the worker can know it. `passed` means every assigned feature was handed to the
 * verifier (coding, testing) or the initializer finished; only verification makes a feature pass.
 */
export function outcomeOf(
  result: RuntimeResult,
  abortReason: "cancelled" | "timed_out" | "orphaned" | undefined,
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
