/**
 * One terminal's socket (`/ws/projects/:name/terminals/:id`), without React or xterm: frames are encoded and
 * checked with the protocol's client schemas and every server frame is parsed with its schema (one that does not
 * parse is reported, never written to the screen). A dropped connection is not retried in a loop: the next key
 * press reconnects ("press any key to reconnect"), and the server replays the scrollback on attach. Once disposed,
 * nothing of it runs: no timer, no handler, no socket.
 */
import {
  type TerminalServerFrame,
  terminalClientFrameSchema,
  terminalInputLimit,
  terminalServerFrameSchema,
  terminalSizeLimits,
} from "@autowright/protocol";

/** The input frames (JSON text) of `data`, split so none passes the protocol's limit (never inside a surrogate pair). */
export function encodeInputFrames(data: string, limit: number = terminalInputLimit): string[] {
  const frames: string[] = [];
  let start = 0;
  while (start < data.length) {
    let end = Math.min(data.length, start + limit);
    if (end < data.length && end > start + 1) {
      const code = data.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    }
    frames.push(
      JSON.stringify(terminalClientFrameSchema.parse({ type: "input", data: data.slice(start, end) })),
    );
    start = end;
  }
  return frames;
}

/** The resize frame for a viewport of `cols` × `rows` (clamped to the protocol's limits), or undefined when unusable. */
export function encodeResizeFrame(cols: number, rows: number): string | undefined {
  if (!Number.isFinite(cols) || !Number.isFinite(rows)) return undefined;
  const clamp = (value: number) =>
    Math.min(terminalSizeLimits.max, Math.max(terminalSizeLimits.min, Math.floor(value)));
  const parsed = terminalClientFrameSchema.safeParse({
    type: "resize",
    cols: clamp(cols),
    rows: clamp(rows),
  });
  return parsed.success ? JSON.stringify(parsed.data) : undefined;
}

/** The keep-alive frame. */
export function encodePingFrame(): string {
  return JSON.stringify(terminalClientFrameSchema.parse({ type: "ping" }));
}

/** A parsed server frame, or why it is not one. */
export type ParsedServerFrame =
  | { readonly ok: true; readonly frame: TerminalServerFrame }
  | { readonly ok: false; readonly reason: string };

/** Parses one message of the socket with the protocol's server frame schema. */
export function parseServerFrame(data: unknown): ParsedServerFrame {
  if (typeof data !== "string")
    return { ok: false, reason: "a binary frame (terminal frames are JSON text)" };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: "a frame that is not JSON" };
  }
  const parsed = terminalServerFrameSchema.safeParse(json);
  if (!parsed.success) {
    const type = (json as { type?: unknown } | null)?.type;
    return {
      ok: false,
      reason: typeof type === "string" ? `an invalid "${type}" frame` : "a frame of no known type",
    };
  }
  return { ok: true, frame: parsed.data };
}

/** What the connection is doing. */
export type TerminalConnectionStatus =
  /** Opening the socket. */
  | "connecting"
  /** Attached: output flows, keys go to the shell. */
  | "open"
  /** The socket closed unexpectedly: the next key press reconnects. */
  | "dropped"
  /** The shell exited (the terminal stays readable). */
  | "exited"
  /** The server does not know this terminal (or refused the socket): reconnecting would not help. */
  | "gone";

/** The part of a WebSocket the connection uses (a fake in tests). */
export interface TerminalSocket {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Options of {@link TerminalConnection}. */
export interface TerminalConnectionOptions {
  readonly url: string;
  /** Shell output (the scrollback first, after every attach). */
  readonly onOutput: (data: string) => void;
  /** The socket opened; `reconnected` when it is not the first time (the screen should be reset for the scrollback). */
  readonly onOpen?: (reconnected: boolean) => void;
  readonly onStatus: (status: TerminalConnectionStatus, detail?: string) => void;
  readonly onExit?: (exitCode: number | null, signal?: number) => void;
  /** An `error` frame of the server, or a frame that did not parse. */
  readonly onError?: (message: string) => void;
  readonly createSocket?: (url: string) => TerminalSocket;
  readonly setInterval?: (callback: () => void, ms: number) => unknown;
  readonly clearInterval?: (handle: unknown) => void;
  readonly now?: () => number;
}

/** How often a ping goes out while attached, and how long a silent socket is trusted. */
export const terminalKeepAlive = { pingMs: 25_000, silenceMs: 60_000 } as const;

const openState = 1;

/** One terminal's connection. `connect()` once; `dispose()` once. */
export class TerminalConnection {
  readonly #options: TerminalConnectionOptions;
  #socket: TerminalSocket | undefined;
  #status: TerminalConnectionStatus = "connecting";
  #timer: unknown;
  #lastFrameAt = 0;
  #attempts = 0;
  #size: { cols: number; rows: number } | undefined;
  #disposed = false;

  constructor(options: TerminalConnectionOptions) {
    this.#options = options;
  }

  /** The current status. */
  get status(): TerminalConnectionStatus {
    return this.#status;
  }

  /** Opens the socket (again, after a drop). */
  connect(): void {
    if (this.#disposed) return;
    this.#closeSocket();
    this.#setStatus("connecting");
    const reconnected = this.#attempts > 0;
    this.#attempts += 1;
    const create =
      this.#options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as TerminalSocket);
    let socket: TerminalSocket;
    try {
      socket = create(this.#options.url);
    } catch (error) {
      this.#setStatus("dropped", error instanceof Error ? error.message : String(error));
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (socket !== this.#socket) return;
      this.#lastFrameAt = this.#now();
      this.#options.onOpen?.(reconnected);
      this.#setStatus("open");
      if (this.#size !== undefined) this.#send(encodeResizeFrame(this.#size.cols, this.#size.rows));
      this.#startKeepAlive();
    };
    socket.onmessage = (event) => {
      if (socket !== this.#socket) return;
      this.#lastFrameAt = this.#now();
      this.#receive(event.data);
    };
    socket.onclose = (event) => {
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      this.#stopKeepAlive();
      if (this.#status === "exited" || this.#status === "gone") return;
      if (event.code === 4404 || event.code === 4403) {
        this.#setStatus("gone", event.reason || undefined);
        return;
      }
      this.#setStatus("dropped", event.reason || undefined);
    };
    socket.onerror = () => {
      // A close always follows; it says what happened.
    };
  }

  /** Sends keys or pasted text; while dropped, the key press reconnects instead (it is not sent). */
  input(data: string): void {
    if (this.#disposed) return;
    if (this.#status === "dropped") {
      this.connect();
      return;
    }
    if (this.#status !== "open") return;
    for (const frame of encodeInputFrames(data)) this.#send(frame);
  }

  /** Remembers the viewport's size and tells the shell (now, or when the socket opens). */
  resize(cols: number, rows: number): void {
    if (this.#size?.cols === cols && this.#size.rows === rows) return;
    this.#size = { cols, rows };
    if (this.#status === "open") this.#send(encodeResizeFrame(cols, rows));
  }

  /** Closes the socket and stops every timer; the connection is dead afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#stopKeepAlive();
    this.#closeSocket();
  }

  #receive(data: unknown): void {
    const parsed = parseServerFrame(data);
    if (!parsed.ok) {
      this.#options.onError?.(`The server sent ${parsed.reason}.`);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case "output":
        this.#options.onOutput(frame.data);
        return;
      case "exit":
        this.#setStatus("exited");
        this.#stopKeepAlive();
        this.#options.onExit?.(frame.exitCode, frame.signal);
        return;
      case "error":
        if (frame.code === "project_not_found" || frame.code === "not_found") {
          this.#setStatus("gone", frame.message);
          return;
        }
        this.#options.onError?.(frame.message);
        return;
      case "pong":
        return;
    }
  }

  #send(frame: string | undefined): void {
    const socket = this.#socket;
    if (frame === undefined || socket === undefined || socket.readyState !== openState) return;
    socket.send(frame);
  }

  #startKeepAlive(): void {
    this.#stopKeepAlive();
    const every = this.#options.setInterval ?? ((callback, ms) => window.setInterval(callback, ms));
    this.#timer = every(() => {
      if (this.#now() - this.#lastFrameAt > terminalKeepAlive.silenceMs) {
        // Dead without a close (a sleeping laptop, a lost network): drop it so a key press reconnects.
        const socket = this.#socket;
        this.#socket = undefined;
        this.#stopKeepAlive();
        socket?.close(4000, "silent");
        if (socket !== undefined) detach(socket);
        this.#setStatus("dropped", "the connection went silent");
        return;
      }
      this.#send(encodePingFrame());
    }, terminalKeepAlive.pingMs);
  }

  #stopKeepAlive(): void {
    if (this.#timer === undefined) return;
    const clear = this.#options.clearInterval ?? ((handle) => window.clearInterval(handle as number));
    clear(this.#timer);
    this.#timer = undefined;
  }

  #closeSocket(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    detach(socket);
    socket.close(1000, "closed by the page");
  }

  #setStatus(status: TerminalConnectionStatus, detail?: string): void {
    if (this.#disposed) return;
    this.#status = status;
    this.#options.onStatus(status, detail);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}

function detach(socket: TerminalSocket): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = null;
}
