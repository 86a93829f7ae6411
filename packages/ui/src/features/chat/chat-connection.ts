/**
 * One chat's socket (`/ws/projects/:name/chats/:id`): every inbound frame is parsed with the protocol's
 * `chatServerFrameSchema` (one that does not parse is reported, never guessed at), every outbound frame with
 * `chatClientFrameSchema`. It reconnects with backoff (500 ms doubling to 5 s), at once when the tab becomes visible
 * or the machine comes back online, and when the socket stays silent for 90 s (it pings every 20 s). A refusal
 * close (4403: not allowed, 4404: no such chat) ends it: reconnecting would be refused again.
 *
 * The environment (socket factory, timers, wake-up events) is injectable, so tests drive it with a fake socket.
 */
import {
  type ChatClientFrame,
  type ChatServerFrame,
  chatClientFrameSchema,
  chatServerFrameSchema,
} from "@autowright/protocol";
import { createContext, useContext } from "react";
import type { StreamEnvironment } from "../../stream/stream-client.ts";

/** What a chat socket needs from the page: the same shape as the project stream's. */
export type ChatEnvironment = StreamEnvironment;

/** The state of a chat's connection. */
export type ChatConnectionStatus = "connecting" | "open" | "reconnecting" | "closed";

/** Close codes after which reconnecting is pointless (the server refused the socket). */
export const refusalCloseCodes: ReadonlySet<number> = new Set([4403, 4404]);

/** Reconnect delays, the ping period and the silence after which a socket is dead. */
export const chatSocketTiming = {
  initialDelayMs: 500,
  maxDelayMs: 5_000,
  pingMs: 20_000,
  silenceMs: 90_000,
} as const;

/** The page's environment. */
export function browserChatEnvironment(): ChatEnvironment {
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

const ChatEnvironmentContext = createContext<ChatEnvironment | undefined>(undefined);

/** Gives the chats below an environment (tests pass a fake socket factory; the page uses the browser's). */
export const ChatEnvironmentProvider = ChatEnvironmentContext.Provider;

/** The environment the chats below use: the provided one, else the browser's. */
export function useChatEnvironment(): ChatEnvironment | undefined {
  return useContext(ChatEnvironmentContext);
}

/** Options of a {@link ChatConnection}. */
export interface ChatConnectionOptions {
  readonly url: string;
  readonly environment: ChatEnvironment;
  readonly onFrame: (frame: ChatServerFrame) => void;
  readonly onStatus: (status: ChatConnectionStatus, detail?: string) => void;
  /** Called each time a socket opens (the caller loads the history then: frames may have been missed). */
  readonly onOpen?: () => void;
  /** A frame that did not parse (a protocol bug: shown, not hidden). */
  readonly onInvalidFrame?: (reason: string) => void;
}

/** One chat's socket; `start()` once, `stop()` once. */
export class ChatConnection {
  readonly #options: ChatConnectionOptions;
  #socket: WebSocket | undefined;
  #attempt = 0;
  #started = false;
  #stopped = false;
  #ended = false;
  #reconnectTimer: unknown;
  #pingTimer: unknown;
  #unsubscribeWake: (() => void) | undefined;
  #lastInbound = 0;

  constructor(options: ChatConnectionOptions) {
    this.#options = options;
  }

  /** Opens the socket. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribeWake = this.#options.environment.onWake(() => this.#wake());
    this.#connect("connecting");
  }

  /** Closes the socket for good: no reconnect, no timer, no listener. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearTimers();
    this.#unsubscribeWake?.();
    this.#unsubscribeWake = undefined;
    this.#drop(1000, "chat closed");
  }

  /**
   * Sends a frame. Returns null when it went out, else why not (the socket is not open, or the frame is not
   * one the protocol knows: a bug, told rather than sent).
   */
  send(frame: ChatClientFrame): string | null {
    const parsed = chatClientFrameSchema.safeParse(frame);
    if (!parsed.success) return parsed.error.issues[0]?.message ?? "the message is not valid";
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== 1)
      return "The chat is not connected: wait for it to reconnect.";
    socket.send(JSON.stringify(parsed.data));
    return null;
  }

  /** Drops the socket and connects again at once (the Reconnect button; also after a refusal). */
  reconnectNow(): void {
    if (this.#stopped) return;
    this.#ended = false;
    this.#clearTimers();
    this.#drop(4000, "reconnecting");
    this.#attempt = 0;
    this.#connect("reconnecting");
  }

  #connect(status: ChatConnectionStatus): void {
    if (this.#stopped || this.#ended) return;
    this.#options.onStatus(status);
    let socket: WebSocket;
    try {
      socket = this.#options.environment.createSocket(this.#options.url);
    } catch (error) {
      this.#scheduleReconnect(error instanceof Error ? error.message : String(error));
      return;
    }
    this.#socket = socket;
    this.#lastInbound = this.#options.environment.now();
    socket.onopen = () => {
      if (socket !== this.#socket) return;
      this.#attempt = 0;
      this.#lastInbound = this.#options.environment.now();
      this.#options.onStatus("open");
      this.#armPing();
      this.#options.onOpen?.();
    };
    socket.onmessage = (message: MessageEvent) => {
      if (socket !== this.#socket) return;
      this.#lastInbound = this.#options.environment.now();
      this.#receive(message.data);
    };
    socket.onclose = (close: CloseEvent) => {
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      this.#clearTimers();
      if (refusalCloseCodes.has(close.code)) {
        this.#ended = true;
        this.#options.onStatus("closed", close.reason || `the server closed the chat (${close.code})`);
        return;
      }
      this.#scheduleReconnect(close.reason || "the connection dropped");
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
    const parsed = chatServerFrameSchema.safeParse(json);
    if (!parsed.success) {
      const type = typeof json === "object" && json !== null ? (json as { type?: unknown }).type : undefined;
      this.#options.onInvalidFrame?.(`a frame that does not match the protocol (type ${String(type)})`);
      return;
    }
    this.#options.onFrame(parsed.data);
  }

  #scheduleReconnect(reason: string): void {
    if (this.#stopped) return;
    const delay = Math.min(chatSocketTiming.maxDelayMs, chatSocketTiming.initialDelayMs * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#options.onStatus("reconnecting", reason);
    this.#reconnectTimer = this.#options.environment.setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#connect("reconnecting");
    }, delay);
  }

  #wake(): void {
    if (this.#stopped || this.#ended) return;
    if (this.#socket === undefined) {
      if (this.#reconnectTimer !== undefined) this.#options.environment.clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
      this.#attempt = 0;
      this.#connect("reconnecting");
    } else if (this.#options.environment.now() - this.#lastInbound >= chatSocketTiming.silenceMs) {
      this.reconnectNow();
    }
  }

  #armPing(): void {
    this.#pingTimer = this.#options.environment.setTimeout(() => {
      this.#pingTimer = undefined;
      if (this.#stopped || this.#socket === undefined) return;
      // Pongs are inbound traffic: a socket that answers nothing for 90 s is dead.
      if (this.#options.environment.now() - this.#lastInbound >= chatSocketTiming.silenceMs) {
        this.reconnectNow();
        return;
      }
      this.send({ type: "chat.ping" });
      this.#armPing();
    }, chatSocketTiming.pingMs);
  }

  #drop(code: number, reason: string): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close(code, reason);
    } catch {
      // Already closed.
    }
  }

  #clearTimers(): void {
    const environment = this.#options.environment;
    if (this.#reconnectTimer !== undefined) environment.clearTimeout(this.#reconnectTimer);
    if (this.#pingTimer !== undefined) environment.clearTimeout(this.#pingTimer);
    this.#reconnectTimer = undefined;
    this.#pingTimer = undefined;
  }
}
