/**
 * What the server's parts (routes, the stream, dev servers, terminals, schedules, chats) receive from the
 * composition root: the open projects and the server-wide services. Parts depend on these interfaces, not on the
 * classes behind them, so each can be tested with a small fake.
 */
import type {
  DurableEventType,
  EphemeralEventType,
  EventData,
  ServerEvent,
  Settings,
} from "@autowright/protocol";
import type { ProjectPaths, ProjectStore } from "@autowright/store";

/** Where a part publishes events: the project's one event bus (durable ones get their `seq` from the store). */
export interface EventSink {
  durable<T extends DurableEventType>(type: T, data: EventData<T>): void;
  ephemeral<T extends EphemeralEventType>(type: T, data: EventData<T>): void;
  /** Receives every event published from now on; returns the unsubscribe function. */
  subscribe(listener: (event: ServerEvent) => void): () => void;
}

/** One registered project, held open by the server (the only writer of its database). */
export interface ProjectContext {
  readonly name: string;
  readonly paths: ProjectPaths;
  readonly store: ProjectStore;
  readonly events: EventSink;
}

/** The server-wide services a part may use. */
export interface ServerContext {
  /** The data directory (registry, settings, secrets, the auth token). */
  readonly home: string;
  readonly version: string;
  /** The global settings as they are now. */
  settings(): Settings;
  /** The open project with this name; throws `AppError("project_not_found")` when there is none. */
  project(name: string): ProjectContext;
  /**
   * The environment for processes started for the user's own code (dev servers, terminals, checks): the
   * server's, with every secret (API keys, tokens, our auth token) removed.
   */
  userProcessEnvironment(): NodeJS.ProcessEnv;
}
