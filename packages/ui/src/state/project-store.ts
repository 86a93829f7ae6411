/**
 * One project's live store: the stream client, the reducer's state, the log rings, and the REST load of the
 * backlog on every `hello` (first connection and every reconnect, so a feature changed while the socket was down
 * is right again). Frames are folded in batches, one React update per animation frame, so a burst of events costs
 * one render. `close()` stops everything it started.
 */
import type { ServerEvent } from "@autowright/protocol";
import { errorMessage } from "../api/client.ts";
import { listFeatures } from "../api/projects.ts";
import {
  type ClientMessageBody,
  ProjectStreamClient,
  type StreamEnvironment,
} from "../stream/stream-client.ts";
import { LogRing, logCapacity } from "./log-store.ts";
import {
  initialProjectView,
  type ProjectView,
  type ProjectViewAction,
  reduceProjectView,
} from "./project-view.ts";

/** Options of {@link ProjectStore}. */
export interface ProjectStoreOptions {
  readonly environment?: StreamEnvironment;
  readonly baseUrl?: string;
  /** Schedules a batch flush (default: requestAnimationFrame, or a 16 ms timer where there is none). */
  readonly scheduleFlush?: (flush: () => void) => void;
  /** Loads the backlog (default: GET /api/projects/:name/features). */
  readonly loadFeatures?: (
    project: string,
  ) => Promise<{ features: import("@autowright/protocol").Feature[] }>;
}

/** A project's store, shared by every screen of it. */
export class ProjectStore {
  readonly project: string;
  readonly logs = new LogRing(logCapacity.agents);
  readonly devServerLogs = new LogRing(logCapacity.devServer);
  #view: ProjectView;
  readonly #listeners = new Set<() => void>();
  readonly #client: ProjectStreamClient;
  readonly #options: ProjectStoreOptions;
  #pending: ServerEvent[] = [];
  #flushScheduled = false;
  #closed = false;
  #loadGeneration = 0;
  #browserSubscribers = 0;

  constructor(project: string, options: ProjectStoreOptions = {}) {
    this.project = project;
    this.#options = options;
    this.#view = initialProjectView(project);
    this.#client = new ProjectStreamClient({
      project,
      sinceSeq: 0,
      onEvent: (event) => this.#receive(event),
      onStatus: (status, detail) =>
        this.dispatch({ type: "connection", status, ...(detail === undefined ? {} : { detail }) }),
      onInvalidFrame: (reason) => this.dispatch({ type: "invalid.frame", reason }),
      ...(options.environment === undefined ? {} : { environment: options.environment }),
      ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    });
  }

  /** Connects. */
  start(): void {
    this.#client.start();
  }

  /** The current view. */
  get view(): ProjectView {
    return this.#view;
  }

  /** Applies an action (also from the screens: a saved feature, a dismissed celebration). */
  dispatch(action: ProjectViewAction): void {
    if (this.#closed) return;
    const next = reduceProjectView(this.#view, action);
    if (next === this.#view) return;
    this.#view = next;
    for (const listener of this.#listeners) listener();
  }

  /** Calls `listener` after every change of the view; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends a client message on the stream (false when the socket is not open). */
  send(message: ClientMessageBody): boolean {
    return this.#client.send(message);
  }

  /** Reconnects at once. */
  reconnect(): void {
    this.#client.reconnectNow();
  }

  /**
   * Asks for live pictures of the app while the returned function is not called (counted: several screens may
   * watch). The subscription is sent again after every reconnect.
   */
  watchBrowser(): () => void {
    this.#browserSubscribers += 1;
    if (this.#browserSubscribers === 1) this.send({ type: "browser.subscribe" });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#browserSubscribers -= 1;
      if (this.#browserSubscribers === 0) {
        this.send({ type: "browser.unsubscribe" });
        this.dispatch({ type: "screenshots.stopped" });
      }
    };
  }

  /** Stops the stream and every timer; the store is dead afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#client.stop();
    this.#closed = true;
    this.#listeners.clear();
    this.#pending = [];
  }

  #receive(event: ServerEvent): void {
    if (this.#closed) return;
    if (event.type === "log.appended") {
      this.logs.append([
        {
          at: event.at,
          line: event.data.line,
          level: event.data.level,
          source: event.data.source,
          ...(event.data.agentId === undefined ? {} : { agentId: event.data.agentId }),
          ...(event.data.featureId === undefined ? {} : { featureId: event.data.featureId }),
        },
      ]);
      return;
    }
    if (event.type === "devserver.log.appended") {
      this.devServerLogs.append([
        { at: event.at, line: event.data.line, level: "info", source: "devserver" },
      ]);
      return;
    }
    if (event.type === "pong") return;
    if (event.type === "hello") {
      // The snapshot renders at once (nothing renders before it); the backlog follows over REST.
      this.#flush();
      this.dispatch({ type: "events", events: [event] });
      this.#loadFeatures();
      if (this.#browserSubscribers > 0) this.send({ type: "browser.subscribe" });
      return;
    }
    this.#pending.push(event);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      const schedule =
        this.#options.scheduleFlush ??
        ((flush: () => void) =>
          typeof requestAnimationFrame === "function" && document.visibilityState === "visible"
            ? requestAnimationFrame(flush)
            : setTimeout(flush, 16));
      schedule(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.length === 0) return;
    const events = this.#pending;
    this.#pending = [];
    this.dispatch({ type: "events", events });
  }

  #loadFeatures(): void {
    const generation = ++this.#loadGeneration;
    const load = this.#options.loadFeatures ?? listFeatures;
    load(this.project).then(
      ({ features }) => {
        if (this.#closed || generation !== this.#loadGeneration) return;
        this.#flush();
        this.dispatch({ type: "features.loaded", features });
      },
      (error: unknown) => {
        if (this.#closed || generation !== this.#loadGeneration) return;
        this.dispatch({
          type: "load.failed",
          message: `The backlog could not be loaded: ${errorMessage(error)}`,
        });
      },
    );
  }
}
