/**
 * The typed client of a project's stream (`/ws/projects/:name`). Every frame is parsed with the protocol's
 * `serverEventSchema` (a frame that does not parse is reported, never guessed at); the seq of the last durable
 * event seen is kept, and every reconnect asks for what was missed with `?sinceSeq=`. Reconnects back off from
 * 500 ms to 5 s, and happen at once when the tab becomes visible or the machine comes back online (background tabs
 * throttle timers). A socket silent for 90 s is dead (the server pings every 30 s). Once stopped, nothing of it
 * runs: no timer, no listener, no socket.
 */
import {
  type ClientMessage,
  protocolVersion,
  type ServerEvent,
  serverEventSchema,
} from "@autowright/protocol";

/** A client message without its version (the client adds `v`). */
export type ClientMessageBody = ClientMessage extends infer M
  ? M extends ClientMessage
    ? Omit<M, "v">
    : never
  : never;

/** The state of the connection, as the dashboard shows it. */
export type ConnectionStatus = "connecting" | "open" | "reconnecting" | "stopped";

/** What the client needs from the page: replaceable in tests. */
export interface StreamEnvironment {
  readonly createSocket: (url: string) => WebSocket;
  readonly setTimeout: (callback: () => void, ms: number) => unknown;
  readonly clearTimeout: (handle: unknown) => void;
  readonly now: () => number;
  /** Subscribes to `visibilitychange` (visible) and `online`; returns the unsubscribe. */
  readonly onWake: (callback: () => void) => () => void;
}

/** Options of {@link ProjectStreamClient}. */
export interface ProjectStreamOptions {
  readonly project: string;
  /** Called with each parsed frame, in order. */
  readonly onEvent: (event: ServerEvent) => void;
  readonly onStatus: (status: ConnectionStatus, detail?: string) => void;
  /** Called with a frame that did not parse (a protocol bug: shown, not hidden). */
  readonly onInvalidFrame?: (reason: string) => void;
  /** The seq to replay from on the first connection (0 = the whole event log, for the history views). */
  readonly sinceSeq?: number;
  readonly environment?: StreamEnvironment;
  /** The origin of the server (default: the page's). */
  readonly baseUrl?: string;
}

/** Reconnect delays: 500 ms doubling to 5 s. */
export const reconnectDelays = { initialMs: 500, maxMs: 5_000 } as const;
/** A socket with no inbound frame for this long is closed and reconnected. */
export const silenceLimitMs = 90_000;
/** The client pings this often, so the server (and any proxy) sees traffic and the silence check has answers. */
export const clientPingMs = 20_000;

function browserEnvironment(): StreamEnvironment {
  return {
    createSocket: (url) => new WebSocket(url),
    setTimeout: (callback, ms) => window.setTimeout(callback, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
    now: () => Date.now(),
    onWake: (callback) => {
      const onVisibility = () => {
        if (document.visibilityState === "visible") callback();
      };
      document.addEventListener("visibilitychange", onVisibility);
      window.addEventListener("online", callback);
      return () => {
        document.removeEventListener("visibilitychange", onVisibility);
        window.removeEventListener("online", callback);
      };
    },
  };
}

/** One project's stream; `start()` once, `stop()` once. */
export class ProjectStreamClient {
  readonly #options: ProjectStreamOptions;
  readonly #environment: StreamEnvironment;
  #socket: WebSocket | undefined;
  #lastSeq: number | undefined;
  #attempt = 0;
  #stopped = false;
  #started = false;
  #reconnectTimer: unknown;
  #silenceTimer: unknown;
  #pingTimer: unknown;
  #unsubscribeWake: (() => void) | undefined;
  #lastInbound = 0;

  constructor(options: ProjectStreamOptions) {
    this.#options = options;
    this.#environment = options.environment ?? browserEnvironment();
    this.#lastSeq = options.sinceSeq;
  }

  /** The seq of the last durable event received (undefined before any). */
  get lastSeq(): number | undefined {
    return this.#lastSeq;
  }

  /** Opens the socket. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribeWake = this.#environment.onWake(() => this.#wake());
    this.#connect("connecting");
  }

  /** Closes the socket for good: no reconnect, no timer. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearTimers();
    this.#unsubscribeWake?.();
    this.#unsubscribeWake = undefined;
    this.#detach(this.#socket, 1000, "client stopped");
    this.#socket = undefined;
    this.#options.onStatus("stopped");
  }

  /** Sends a client message when the socket is open; false when it is not (the caller may retry on open). */
  send(message: ClientMessageBody): boolean {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== 1) return false;
    socket.send(JSON.stringify({ v: protocolVersion, ...message }));
    return true;
  }

  /** Drops the current socket and connects again at once (the `reconnect` button, and tests). */
  reconnectNow(): void {
    if (this.#stopped) return;
    this.#detach(this.#socket, 4000, "reconnecting");
    this.#socket = undefined;
    this.#clearTimers();
    this.#attempt = 0;
    this.#connect("reconnecting");
  }

  #url(): string {
    const base = this.#options.baseUrl ?? window.location.origin;
    const url = new URL(`/ws/projects/${encodeURIComponent(this.#options.project)}`, base);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    if (this.#lastSeq !== undefined) url.searchParams.set("sinceSeq", String(this.#lastSeq));
    return url.toString();
  }

  #connect(status: ConnectionStatus): void {
    if (this.#stopped) return;
    this.#options.onStatus(status);
    let socket: WebSocket;
    try {
      socket = this.#environment.createSocket(this.#url());
    } catch (error) {
      this.#scheduleReconnect(error instanceof Error ? error.message : String(error));
      return;
    }
    this.#socket = socket;
    this.#lastInbound = this.#environment.now();
    socket.onopen = () => {
      if (socket !== this.#socket) return;
      this.#armSilence();
      this.#armPing();
    };
    socket.onmessage = (message: MessageEvent) => {
      if (socket !== this.#socket) return;
      this.#lastInbound = this.#environment.now();
      this.#receive(message.data);
    };
    socket.onclose = (close: CloseEvent) => {
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      this.#clearTimers();
      this.#scheduleReconnect(close.reason || `closed (${close.code})`);
    };
    socket.onerror = () => {
      // The close that follows an error does the reconnecting.
    };
  }

  #receive(data: unknown): void {
    if (typeof data !== "string") {
      this.#options.onInvalidFrame?.("a binary frame");
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.#options.onInvalidFrame?.("a frame that is not JSON");
      return;
    }
    const parsed = serverEventSchema.safeParse(json);
    if (!parsed.success) {
      const type = typeof json === "object" && json !== null ? (json as { type?: unknown }).type : undefined;
      this.#options.onInvalidFrame?.(`a frame that does not match the protocol (type ${String(type)})`);
      return;
    }
    const event = parsed.data;
    if (event.type === "hello") {
      this.#attempt = 0;
      this.#options.onStatus("open");
      // The snapshot is at hello.lastSeq; replayed events (if any) follow with higher seqs. Keep the larger:
      // a server whose log was reset starts again from its own lastSeq.
      if (this.#lastSeq === undefined || event.data.lastSeq < this.#lastSeq)
        this.#lastSeq = event.data.lastSeq;
    } else if (event.seq !== undefined) {
      if (this.#lastSeq === undefined || event.seq > this.#lastSeq) this.#lastSeq = event.seq;
    }
    this.#options.onEvent(event);
  }

  #scheduleReconnect(reason: string): void {
    if (this.#stopped) return;
    const delay = Math.min(reconnectDelays.maxMs, reconnectDelays.initialMs * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#options.onStatus("reconnecting", reason);
    this.#reconnectTimer = this.#environment.setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect("reconnecting");
    }, delay);
  }

  #wake(): void {
    if (this.#stopped) return;
    // A socket that went silent while the tab slept is as good as dead; a missing one reconnects now.
    if (this.#socket === undefined) {
      if (this.#reconnectTimer !== undefined) this.#environment.clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
      this.#attempt = 0;
      this.#connect("reconnecting");
    } else if (this.#environment.now() - this.#lastInbound >= silenceLimitMs) {
      this.reconnectNow();
    }
  }

  #armSilence(): void {
    const check = () => {
      this.#silenceTimer = undefined;
      if (this.#stopped || this.#socket === undefined) return;
      const silent = this.#environment.now() - this.#lastInbound;
      if (silent >= silenceLimitMs) {
        this.reconnectNow();
        return;
      }
      this.#silenceTimer = this.#environment.setTimeout(check, silenceLimitMs - silent);
    };
    this.#silenceTimer = this.#environment.setTimeout(check, silenceLimitMs);
  }

  #armPing(): void {
    this.#pingTimer = this.#environment.setTimeout(() => {
      this.#pingTimer = undefined;
      if (this.#stopped || this.#socket === undefined) return;
      this.send({ type: "ping" });
      this.#armPing();
    }, clientPingMs);
  }

  #clearTimers(): void {
    for (const timer of [this.#reconnectTimer, this.#silenceTimer, this.#pingTimer]) {
      if (timer !== undefined) this.#environment.clearTimeout(timer);
    }
    this.#reconnectTimer = undefined;
    this.#silenceTimer = undefined;
    this.#pingTimer = undefined;
  }

  #detach(socket: WebSocket | undefined, code: number, reason: string): void {
    if (socket === undefined) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    if (socket.readyState === 0 || socket.readyState === 1) socket.close(code, reason);
  }
}
