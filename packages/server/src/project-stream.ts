/**
 * The real-time stream of a project at `/ws/projects/:name` (architecture.md §5). The first frame is `hello` with
 * the live snapshot and its `lastSeq`; with `?sinceSeq=N` the durable events after N (up to `lastSeq`) follow from
 * the event log; then live events, in order, with no gap and no duplicate. Each event is serialized once for every
 * client of the project (the live state is the project host's, not the connection's).
 *
 * Bounded: a client that does not read fast enough first loses ephemeral frames (log lines; it is told how many),
 * and past a hard limit of buffered bytes it is closed with 4008 and reconnects with `sinceSeq` to replay what it
 * missed. A socket silent for 90 s (no message, no pong to the server's pings) is dropped.
 */
import {
  AppError,
  clientMessageSchema,
  type ErrorCode,
  formatZodError,
  protocolVersion,
  type ServerEvent,
} from "@autowright/protocol";
import type { WebSocket } from "ws";
import type { BrowserView } from "./browser/browser-view.ts";
import type { ProjectHost } from "./project-host.ts";
import type { ProjectHosts } from "./project-hosts.ts";

/** The close codes of the stream. */
export const streamCloseCodes = {
  refused: 4403,
  notFound: 4404,
  badRequest: 4400,
  tooSlow: 4008,
  silent: 4000,
  shuttingDown: 1001,
} as const;

/** Limits of the stream (tests shorten them). */
export interface StreamLimits {
  /** Past this many buffered bytes, ephemeral frames are dropped. Default 1 MiB. */
  readonly dropEphemeralAboveBytes: number;
  /** Past this many buffered bytes, the client is closed (4008). Default 8 MiB. */
  readonly closeAboveBytes: number;
  /** The server pings every this many ms while sockets are open. Default 30 s. */
  readonly heartbeatMs: number;
  /** A socket that sent nothing (not even a pong) for this long is closed. Default 90 s. */
  readonly silenceMs: number;
}

const defaultLimits: StreamLimits = {
  dropEphemeralAboveBytes: 1024 * 1024,
  closeAboveBytes: 8 * 1024 * 1024,
  heartbeatMs: 30_000,
  silenceMs: 90_000,
};

const replayPageSize = 1_000;

class StreamConnection {
  readonly socket: WebSocket;
  readonly host: ProjectHost;
  /** The seq of the last durable event sent (live events at or below it are not sent again). */
  sentSeq = 0;
  /** `lastSeq` of the hello this connection got: the end of any replay. */
  helloSeq = 0;
  lastHeard = Date.now();
  dropped = 0;
  /** The live view this connection watches (`browser.subscribe`), if any. */
  browserView: BrowserView | undefined;
  closed = false;
  readonly #limits: StreamLimits;

  constructor(socket: WebSocket, host: ProjectHost, limits: StreamLimits) {
    this.socket = socket;
    this.host = host;
    this.#limits = limits;
  }

  /** Sends one serialized frame, applying the bounds. */
  send(json: string, seq: number | undefined): void {
    if (this.closed) return;
    const buffered = this.socket.bufferedAmount;
    if (seq === undefined) {
      if (buffered > this.#limits.dropEphemeralAboveBytes) {
        this.dropped += 1;
        return;
      }
      this.#reportDropped();
      this.socket.send(json);
      return;
    }
    if (seq <= this.sentSeq) return;
    if (buffered > this.#limits.closeAboveBytes) {
      this.close(streamCloseCodes.tooSlow, `too slow: reconnect with sinceSeq=${this.sentSeq}`);
      return;
    }
    this.sentSeq = seq;
    this.#reportDropped();
    this.socket.send(json);
  }

  sendEvent(event: ServerEvent): void {
    this.send(JSON.stringify(event), event.seq);
  }

  error(code: ErrorCode, message: string, id?: string): void {
    this.sendEvent({
      v: 1,
      at: new Date().toISOString(),
      type: "error",
      data: { code, message, ...(id === undefined ? {} : { details: { id } }) },
    });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason.slice(0, 120));
  }

  #reportDropped(): void {
    if (this.dropped === 0 || this.socket.bufferedAmount > this.#limits.dropEphemeralAboveBytes) return;
    const count = this.dropped;
    this.dropped = 0;
    this.socket.send(
      JSON.stringify({
        v: 1,
        at: new Date().toISOString(),
        type: "log.appended",
        data: {
          level: "warn",
          source: "orchestrator",
          line: `${count} live log line${count === 1 ? " was" : "s were"} dropped because this connection was slow (the session logs keep them)`,
        },
      } satisfies ServerEvent),
    );
  }
}

/** The stream of every project: connections, fan-out and heartbeat. */
export class ProjectStreams {
  readonly #hosts: ProjectHosts;
  readonly #browserViews: ((host: ProjectHost) => BrowserView) | undefined;
  readonly #version: string;
  readonly #limits: StreamLimits;
  readonly #connections = new Map<ProjectHost, Set<StreamConnection>>();
  readonly #unsubscribe = new Map<ProjectHost, () => void>();
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: {
    hosts: ProjectHosts;
    version: string;
    limits?: Partial<StreamLimits>;
    /** The live view of a project's app (`browser.subscribe`); without it, subscribing is refused. */
    browserViews?: (host: ProjectHost) => BrowserView;
  }) {
    this.#hosts = options.hosts;
    this.#browserViews = options.browserViews;
    this.#version = options.version;
    this.#limits = { ...defaultLimits, ...options.limits };
  }

  /** How many sockets are open (all projects). */
  get connectionCount(): number {
    let count = 0;
    for (const connections of this.#connections.values()) count += connections.size;
    return count;
  }

  /**
   * Serves one accepted socket for project `name`. `sinceSeq` is the raw query value (validated here). A refusal
   * found before (bad token, Origin) is passed as `refusal`: the socket gets an `error` frame and is closed.
   */
  attach(
    socket: WebSocket,
    name: string,
    sinceSeq: string | undefined,
    refusal?: { code: ErrorCode; message: string },
  ): void {
    const refuse = (code: ErrorCode, message: string, closeCode: number): void => {
      socket.send(
        JSON.stringify({ v: 1, at: new Date().toISOString(), type: "error", data: { code, message } }),
      );
      socket.close(closeCode, message.slice(0, 120));
    };
    if (refusal !== undefined) {
      refuse(refusal.code, refusal.message, streamCloseCodes.refused);
      return;
    }
    if (this.#closed) {
      refuse("store_closed", "the server is shutting down", streamCloseCodes.shuttingDown);
      return;
    }
    let since: number | undefined;
    if (sinceSeq !== undefined) {
      since = Number(sinceSeq);
      if (!/^[0-9]{1,15}$/.test(sinceSeq) || !Number.isSafeInteger(since)) {
        refuse(
          "invalid_input",
          `sinceSeq must be a whole number, got ${JSON.stringify(sinceSeq)}`,
          streamCloseCodes.badRequest,
        );
        return;
      }
    }
    let host: ProjectHost;
    try {
      host = this.#hosts.host(name);
    } catch (error) {
      const app = AppError.isInstance(error) ? error : new AppError("internal_error", String(error));
      refuse(app.code, app.message, streamCloseCodes.notFound);
      return;
    }
    const connection = new StreamConnection(socket, host, this.#limits);
    this.#add(connection);
    socket.on("message", (data, isBinary) => {
      connection.lastHeard = Date.now();
      try {
        this.#onMessage(connection, isBinary ? undefined : data.toString());
      } catch (error) {
        // A message must never take the server down: the client is told, the socket stays open.
        const failure = AppError.isInstance(error)
          ? error
          : new AppError("internal_error", "the message could not be handled");
        connection.error(failure.code, failure.message);
      }
    });
    socket.on("pong", () => {
      connection.lastHeard = Date.now();
    });
    socket.on("close", () => this.#remove(connection));
    socket.on("error", () => this.#remove(connection));
    this.#hello(connection);
    if (since !== undefined) this.#replay(connection, since);
  }

  /** Closes the sockets of one project (it is being closed or removed). */
  closeProject(host: ProjectHost): void {
    const connections = this.#connections.get(host);
    if (connections === undefined) return;
    for (const connection of [...connections]) {
      connection.close(streamCloseCodes.shuttingDown, "the project was closed");
      this.#remove(connection);
    }
  }

  /** Closes every socket and stops the heartbeat. */
  close(): void {
    this.#closed = true;
    for (const connections of this.#connections.values()) {
      for (const connection of connections)
        connection.close(streamCloseCodes.shuttingDown, "the server is shutting down");
    }
    for (const unsubscribe of this.#unsubscribe.values()) unsubscribe();
    this.#unsubscribe.clear();
    this.#connections.clear();
    this.#stopHeartbeat();
  }

  #hello(connection: StreamConnection): void {
    const { lastSeq, snapshot } = connection.host.live;
    connection.helloSeq = lastSeq;
    connection.sentSeq = lastSeq;
    connection.send(
      JSON.stringify({
        v: 1,
        at: new Date().toISOString(),
        type: "hello",
        data: {
          protocolVersion,
          serverVersion: this.#version,
          project: connection.host.name,
          lastSeq,
          snapshot,
        },
      } satisfies ServerEvent),
      undefined,
    );
  }

  /** Sends the logged durable events after `since` up to the hello's `lastSeq`, in order. */
  #replay(connection: StreamConnection, since: number): void {
    const end = connection.helloSeq;
    const sent = connection.sentSeq;
    // Replayed events sit below what was already sent live: they are sent regardless, in order, then the live
    // position is restored.
    connection.sentSeq = Math.min(since, end);
    let cursor = connection.sentSeq;
    while (cursor < end && !connection.closed) {
      const events = connection.host.store.eventsSince(cursor, replayPageSize);
      if (events.length === 0) break;
      for (const stored of events) {
        if (stored.seq > end || connection.closed) break;
        connection.send(
          JSON.stringify({ v: 1, seq: stored.seq, at: stored.at, type: stored.type, data: stored.data }),
          stored.seq,
        );
        cursor = stored.seq;
      }
      if (events.length < replayPageSize) break;
    }
    connection.sentSeq = Math.max(sent, connection.sentSeq);
  }

  #onMessage(connection: StreamConnection, text: string | undefined): void {
    if (text === undefined) {
      connection.error("invalid_input", "frames are JSON text, not binary");
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      connection.error("invalid_json", "the frame is not valid JSON");
      return;
    }
    const version = (value as { v?: unknown } | null)?.v;
    if (typeof value === "object" && value !== null && version !== undefined && version !== protocolVersion) {
      connection.error(
        "unsupported_protocol_version",
        `this server speaks protocol version ${protocolVersion}`,
      );
      return;
    }
    const parsed = clientMessageSchema.safeParse(value);
    if (!parsed.success) {
      const type = (value as { type?: unknown } | null)?.type;
      connection.error(
        "invalid_input",
        typeof type === "string" &&
          !["ping", "subscribe", "browser.subscribe", "browser.unsubscribe"].includes(type)
          ? `unknown message type ${JSON.stringify(type)}: use ping, subscribe, browser.subscribe or browser.unsubscribe`
          : `invalid message: ${formatZodError(parsed.error)}`,
      );
      return;
    }
    const message = parsed.data;
    if (message.type === "browser.subscribe" || message.type === "browser.unsubscribe") {
      if (this.#browserViews === undefined) {
        connection.error("not_found", "live pictures of the app are not available on this server");
        return;
      }
      if (message.type === "browser.unsubscribe") {
        connection.browserView?.unsubscribe(connection);
        connection.browserView = undefined;
        return;
      }
      connection.browserView ??= this.#browserViews(connection.host);
      connection.browserView.subscribe(connection);
      return;
    }
    if (message.type === "ping") {
      connection.sendEvent({
        v: 1,
        at: new Date().toISOString(),
        type: "pong",
        data: message.id === undefined ? {} : { id: message.id },
      });
      return;
    }
    this.#replay(connection, message.data.sinceSeq);
  }

  #add(connection: StreamConnection): void {
    let connections = this.#connections.get(connection.host);
    if (connections === undefined) {
      connections = new Set();
      this.#connections.set(connection.host, connections);
      const set = connections;
      this.#unsubscribe.set(
        connection.host,
        connection.host.events.subscribe((event) => {
          const json = JSON.stringify(event);
          for (const each of set) each.send(json, event.seq);
        }),
      );
    }
    connections.add(connection);
    this.#startHeartbeat();
  }

  #remove(connection: StreamConnection): void {
    connection.closed = true;
    connection.browserView?.unsubscribe(connection);
    connection.browserView = undefined;
    const connections = this.#connections.get(connection.host);
    if (connections === undefined) return;
    connections.delete(connection);
    if (connections.size === 0) {
      this.#connections.delete(connection.host);
      this.#unsubscribe.get(connection.host)?.();
      this.#unsubscribe.delete(connection.host);
    }
    if (this.connectionCount === 0) this.#stopHeartbeat();
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    this.#heartbeat = setInterval(() => {
      const now = Date.now();
      for (const connections of this.#connections.values()) {
        for (const connection of connections) {
          if (now - connection.lastHeard > this.#limits.silenceMs) {
            connection.close(streamCloseCodes.silent, "no message or pong for too long");
            connection.socket.terminate();
          } else {
            connection.socket.ping();
          }
        }
      }
    }, this.#limits.heartbeatMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
