/**
 * The orchestrator's side of one worker process: spawn it, send `start` once it is ready, answer its backlog
 * calls, pass every frame on, and resolve with the outcome. A worker that exits without `ended`, or stops
 * talking (no frame, not even a heartbeat, for the silence limit), is `failed`: the outcome never comes from
 * an exit code.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import type { BacklogCallResult } from "@autowright/agent-runtime";
import { frameWriter, readFrames } from "@autowright/agent-runtime";
import {
  type SessionOutcome,
  type WorkerInboundFrame,
  type WorkerOutboundFrame,
  type WorkerStartFrame,
  workerProtocolVersion,
} from "@autowright/protocol";

/** How to start a worker process. */
export interface WorkerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** Options of {@link startWorkerSession}. */
export interface WorkerSessionOptions {
  readonly worker: WorkerCommand;
  readonly env: NodeJS.ProcessEnv;
  readonly start: Omit<WorkerStartFrame, "v" | "type">;
  readonly onFrame: (frame: WorkerOutboundFrame) => void;
  readonly onBacklogCall: (tool: string, input: unknown) => BacklogCallResult;
  /** A worker silent for this long is killed (it renews its leases with heartbeats every few seconds). */
  readonly silenceLimitMs: number;
}

/** A running worker session. */
export interface WorkerSession {
  readonly pid: number | undefined;
  readonly done: Promise<{ outcome: SessionOutcome; summary: string }>;
  /** Asks the worker to stop; kills it if it has not ended within the grace period. */
  cancel(reason: string): void;
}

const cancelGraceMs = 10_000;

/** Spawns a worker and runs one session on it. */
export function startWorkerSession(options: WorkerSessionOptions): WorkerSession {
  const child: ChildProcess = spawn(options.worker.command, [...options.worker.args], {
    env: options.env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const write = frameWriter<WorkerInboundFrame>(child.stdin as Writable);
  let ended: { outcome: SessionOutcome; summary: string } | undefined;
  let stderrTail = "";
  let silenceTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  const send = (frame: Parameters<typeof write>[0]): void => {
    if (child.stdin?.writable === true) write(frame);
  };
  const resetSilence = (): void => {
    if (silenceTimer !== undefined) clearTimeout(silenceTimer);
    silenceTimer = setTimeout(() => {
      stderrTail += `\nthe worker sent nothing for ${options.silenceLimitMs} ms and was killed`;
      child.kill("SIGKILL");
    }, options.silenceLimitMs);
  };
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString("utf8")).slice(-4_000);
  });
  child.stdin?.on("error", () => undefined);
  resetSilence();

  readFrames(child.stdout as Readable, "outbound", {
    onFrame: (frame) => {
      resetSilence();
      if (frame.type === "ready") {
        if (frame.protocolVersion !== workerProtocolVersion) {
          ended = {
            outcome: "failed",
            summary: `the worker speaks protocol ${frame.protocolVersion}, not ${workerProtocolVersion}`,
          };
          child.kill("SIGKILL");
          return;
        }
        send({ type: "start", ...options.start });
      } else if (frame.type === "backlog.call") {
        const answer = options.onBacklogCall(frame.tool, frame.input);
        send(
          answer.ok
            ? { type: "tool.result", callId: frame.callId, ok: true, result: answer.result }
            : { type: "tool.result", callId: frame.callId, ok: false, error: answer.error },
        );
      } else if (frame.type === "ended") {
        ended = { outcome: frame.outcome, summary: frame.summary };
      }
      options.onFrame(frame);
    },
    onInvalidLine: (line) => {
      stderrTail = `${stderrTail}\nunreadable frame: ${line.slice(0, 200)}`.slice(-4_000);
    },
  });

  const done = new Promise<{ outcome: SessionOutcome; summary: string }>((resolve) => {
    child.on("error", (error) => {
      ended ??= { outcome: "failed", summary: `the worker could not start: ${error.message}` };
    });
    child.on("close", (code, signal) => {
      if (silenceTimer !== undefined) clearTimeout(silenceTimer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      resolve(
        ended ?? {
          outcome: "failed",
          summary: `the worker exited without reporting an outcome (${signal ?? `exit code ${code}`})${stderrTail.trim() === "" ? "" : `: ${stderrTail.trim().slice(-1_000)}`}`,
        },
      );
    });
  });

  return {
    pid: child.pid,
    done,
    cancel(reason) {
      send({ type: "cancel", reason });
      killTimer ??= setTimeout(() => child.kill("SIGKILL"), cancelGraceMs);
    },
  };
}
