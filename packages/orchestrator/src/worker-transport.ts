/**
 * How the orchestrator talks to one worker: frames in both directions, the worker's stderr, and its end. The
 * stdio transport spawns `autowright worker` and speaks NDJSON on its pipes; the in-memory pair connects the
 * orchestrator to a scripted worker in the same process, so the tick and the settlement can be tested without
 * processes. Either way every frame is serialized and parsed with the protocol, as at a process boundary.
 */
import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { type FrameBody, frameWriter, readFrames } from "@autowright/agent-runtime";
import {
  parseWorkerFrame,
  serializeWorkerFrame,
  type WorkerInboundFrame,
  type WorkerOutboundFrame,
} from "@autowright/protocol";

/** How to start a worker process. */
export interface WorkerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** What a transport reports to its owner. Each hook is called asynchronously, never during a transport call. */
export interface WorkerTransportHooks {
  /** A frame the worker wrote. */
  readonly onFrame: (frame: WorkerOutboundFrame) => void;
  /** Text that is not a frame: the worker's stderr, or a line on the frame channel that did not parse. */
  readonly onDiagnostic: (text: string) => void;
  /** The worker could not be started at all. Followed by `onClose`. */
  readonly onStartError: (message: string) => void;
  /** The worker is gone and its channel closed (called once, last). */
  readonly onClose: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** One worker's channel, as the orchestrator's side sees it. */
export interface WorkerTransport {
  /** The worker's process id (undefined when it could not be started, or has none). */
  readonly pid: number | undefined;
  /** Sends a frame; dropped when the worker's input is closed. */
  send(frame: FrameBody<WorkerInboundFrame>): void;
  /** Closes the worker's input: an idle worker exits. */
  closeInput(): void;
  /** Kills the worker at once. */
  kill(): void;
}

/** Creates a transport that reports to `hooks`: one worker each call. */
export type WorkerTransportFactory = (hooks: WorkerTransportHooks) => WorkerTransport;

/** The transport of a worker process started with `command`, NDJSON frames on its stdin and stdout. */
export function stdioWorkerTransport(command: WorkerCommand, env: NodeJS.ProcessEnv): WorkerTransportFactory {
  return (hooks) => {
    const child = spawn(command.command, [...command.args], { env, stdio: ["pipe", "pipe", "pipe"] });
    const write = frameWriter<WorkerInboundFrame>(child.stdin as Writable);
    child.stderr?.on("data", (chunk: Buffer) => hooks.onDiagnostic(chunk.toString("utf8")));
    child.stdin?.on("error", () => {
      // The worker exited while we wrote: its end is reported by "close".
    });
    readFrames(child.stdout as Readable, "outbound", {
      onFrame: hooks.onFrame,
      onInvalidLine: (line) => hooks.onDiagnostic(`\nunreadable frame: ${line.slice(0, 200)}`),
    });
    child.on("error", (error) => hooks.onStartError(`the worker could not start: ${error.message}`));
    child.on("close", (code, signal) => hooks.onClose(code, signal));
    return {
      get pid() {
        return child.pid;
      },
      send: (frame) => {
        if (child.stdin?.writable === true) write(frame);
      },
      closeInput: () => child.stdin?.end(),
      kill: () => {
        child.kill("SIGKILL");
      },
    };
  };
}

/** The worker's end of an in-memory pair. */
export interface InMemoryWorkerEnd {
  /** A made-up process id, unique in this process. */
  readonly pid: number;
  /** Writes a frame to the orchestrator (serialized and parsed, as on a pipe). */
  send(frame: FrameBody<WorkerOutboundFrame>): void;
  /** Writes a raw line to the frame channel (to test what a bad line does). */
  sendLine(line: string): void;
  /** Writes to the worker's stderr. */
  stderr(text: string): void;
  /** Ends the worker: the orchestrator sees it close. No-op once ended. */
  exit(code?: number | null, signal?: NodeJS.Signals | null): void;
  /** True once the worker has ended. */
  readonly ended: boolean;
}

/** What an in-memory worker does: called once per worker, with its end; answers frames as they come. */
export interface InMemoryWorkerBehaviour {
  /** The worker started (write `ready` here). */
  onStart(worker: InMemoryWorkerEnd): void;
  /** A frame from the orchestrator. */
  onFrame(worker: InMemoryWorkerEnd, frame: WorkerInboundFrame): void;
  /** The orchestrator closed the worker's input (a real worker exits when idle). */
  onInputClosed?(worker: InMemoryWorkerEnd): void;
}

let nextInMemoryPid = 1_000_000;

/**
 * A transport factory whose workers live in this process and act as `behaviour(index)` says (`index` counts the
 * workers started, from 0). Frames cross the pair serialized and parsed, one event-loop turn later, never
 * synchronously.
 */
export function inMemoryWorkerTransport(
  behaviour: (index: number) => InMemoryWorkerBehaviour,
): WorkerTransportFactory {
  let started = 0;
  return (hooks) => {
    const script = behaviour(started);
    started += 1;
    let ended = false;
    let inputClosed = false;
    const later = (action: () => void): void => {
      setImmediate(action);
    };
    const end: InMemoryWorkerEnd = {
      pid: nextInMemoryPid++,
      get ended() {
        return ended;
      },
      send(frame) {
        end.sendLine(serializeWorkerFrame({ v: 1, ...frame } as unknown as WorkerOutboundFrame));
      },
      sendLine(line) {
        if (ended) return;
        later(() => {
          for (const part of line.split("\n")) {
            if (part.trim() === "") continue;
            const parsed = parseWorkerFrame(part, "outbound");
            if (parsed.ok) hooks.onFrame(parsed.frame);
            else hooks.onDiagnostic(`\nunreadable frame: ${part.slice(0, 200)}`);
          }
        });
      },
      stderr(text) {
        if (!ended) later(() => hooks.onDiagnostic(text));
      },
      exit(code = 0, signal = null) {
        if (ended) return;
        ended = true;
        later(() => hooks.onClose(code, signal));
      },
    };
    later(() => script.onStart(end));
    return {
      pid: end.pid,
      send(frame) {
        if (ended || inputClosed) return;
        const line = serializeWorkerFrame({ v: 1, ...frame } as unknown as WorkerInboundFrame);
        later(() => {
          if (ended) return;
          const parsed = parseWorkerFrame(line, "inbound");
          if (parsed.ok) script.onFrame(end, parsed.frame);
        });
      },
      closeInput() {
        if (ended || inputClosed) return;
        inputClosed = true;
        later(() => {
          if (script.onInputClosed === undefined) end.exit(0);
          else script.onInputClosed(end);
        });
      },
      kill() {
        end.exit(null, "SIGKILL");
      },
    };
  };
}
