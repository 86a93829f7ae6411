/**
 * One WebSocket attached to one terminal (`/ws/projects/:name/terminals/:id`; the caller authenticates and upgrades).
 * The socket gets the scrollback, then the live output and the exit; its `input` frames go to the shell and its
 * `resize` frames resize it. A frame that is not JSON, not a known frame or out of bounds is answered with an
 * `error` frame and goes nowhere; the connection stays open. Several sockets may attach to one terminal.
 */
import { formatZodError, type TerminalServerFrame, terminalClientFrameSchema } from "@autowright/protocol";
import { type RawData, WebSocket } from "ws";
import type { Terminal } from "./terminal-manager.ts";

/**
 * A client whose unsent output passes this is closed (code 1013, "try again later") rather than buffered without
 * bound: it reattaches and gets the scrollback.
 */
export const maximumBufferedBytes = 8 * 1024 * 1024;

/** Attaches `socket` to `terminal` until the socket closes; returns the detach function (also called on close). */
export function attachTerminalSocket(socket: WebSocket, terminal: Terminal): () => void {
  if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) return () => {};
  let detached = false;
  const send = (frame: TerminalServerFrame): void => {
    if (detached || socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > maximumBufferedBytes) {
      detach();
      socket.close(1013, "the client reads too slowly");
      return;
    }
    socket.send(JSON.stringify(frame));
  };
  const detachTerminal = terminal.attach({
    output: (data) => send({ type: "output", data }),
    exit: (exitCode, signal) =>
      send(signal === undefined ? { type: "exit", exitCode } : { type: "exit", exitCode, signal }),
  });
  const onMessage = (raw: RawData, isBinary: boolean): void => {
    if (isBinary) {
      send({ type: "error", code: "invalid_input", message: "send terminal frames as JSON text" });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(textOf(raw));
    } catch {
      send({ type: "error", code: "invalid_json", message: "the frame is not valid JSON" });
      return;
    }
    const frame = terminalClientFrameSchema.safeParse(parsed);
    if (!frame.success) {
      send({
        type: "error",
        code: "invalid_input",
        message: `invalid terminal frame: ${formatZodError(frame.error)}`,
      });
      return;
    }
    switch (frame.data.type) {
      case "input":
        if (!terminal.write(frame.data.data)) {
          send({ type: "error", code: "conflict", message: "the terminal has exited" });
        }
        return;
      case "resize":
        terminal.resize(frame.data.cols, frame.data.rows);
        return;
      case "ping":
        send({ type: "pong" });
        return;
    }
  };
  const detach = (): void => {
    if (detached) return;
    detached = true;
    detachTerminal();
    socket.off("message", onMessage);
    socket.off("close", detach);
  };
  socket.on("message", onMessage);
  socket.on("close", detach);
  // Kept after detaching: a broken connection must not become an uncaught exception.
  socket.on("error", detach);
  return detach;
}

function textOf(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString("utf8");
  if (Array.isArray(raw)) return Buffer.concat(raw).toString("utf8");
  return Buffer.from(raw).toString("utf8");
}
