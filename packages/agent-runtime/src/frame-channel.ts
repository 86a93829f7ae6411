/**
 * NDJSON frames over a pair of streams. Every line read is parsed with the protocol (the other end is another
 * process: it may crash mid-line or print stray output), and a bad line is reported, never thrown.
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import {
  type ErrorPayload,
  parseWorkerFrame,
  serializeWorkerFrame,
  type WorkerInboundFrame,
  type WorkerOutboundFrame,
} from "@autowright/protocol";

/** What a channel does with what it reads. */
export interface FrameHandlers<Frame> {
  readonly onFrame: (frame: Frame) => void;
  readonly onInvalidLine?: (line: string, error: ErrorPayload) => void;
  readonly onClose?: () => void;
}

/** Reads frames of one direction from `input`, line by line. */
export function readFrames(
  input: Readable,
  direction: "inbound",
  handlers: FrameHandlers<WorkerInboundFrame>,
): () => void;
export function readFrames(
  input: Readable,
  direction: "outbound",
  handlers: FrameHandlers<WorkerOutboundFrame>,
): () => void;
export function readFrames(
  input: Readable,
  direction: "inbound" | "outbound",
  handlers: FrameHandlers<WorkerInboundFrame> | FrameHandlers<WorkerOutboundFrame>,
): () => void {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on("line", (line) => {
    if (line.trim() === "") return;
    const parsed = parseWorkerFrame(line, direction);
    if (parsed.ok)
      (handlers.onFrame as (frame: WorkerInboundFrame | WorkerOutboundFrame) => void)(parsed.frame);
    else handlers.onInvalidLine?.(line, parsed.error);
  });
  lines.on("close", () => handlers.onClose?.());
  return () => lines.close();
}

/** A frame without its version field: `v` is added when it is written. */
export type FrameBody<Frame> = Frame extends unknown ? Omit<Frame, "v"> : never;

/** Writes frames as NDJSON lines to `output`. */
export function frameWriter<Frame extends WorkerInboundFrame | WorkerOutboundFrame>(
  output: Writable,
): (frame: FrameBody<Frame>) => void {
  return (frame) => {
    output.write(serializeWorkerFrame({ v: 1, ...frame } as unknown as Frame));
  };
}
