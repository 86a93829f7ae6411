/**
 * Test fakes for the dashboard's component tests: a stream environment that never connects, event builders with
 * the protocol's envelope, a store fed by hand, and a fake server for `fetch`. Only tests import this file.
 */
import {
  emptySnapshot,
  type Feature,
  protocolVersion,
  type ServerEvent,
  type Snapshot,
} from "@autowright/protocol";
import { ProjectStore } from "./state/project-store.ts";
import type { StreamEnvironment } from "./stream/stream-client.ts";

/** A stream environment whose sockets never open and whose timers never fire. */
export const idleEnvironment: StreamEnvironment = {
  createSocket: () => ({ readyState: 3, close() {}, send() {} }) as unknown as WebSocket,
  setTimeout: () => 0,
  clearTimeout: () => {},
  now: () => 0,
  onWake: () => () => {},
};

const at = (offsetSeconds = 0) => new Date(Date.UTC(2026, 11, 3, 12, 0, offsetSeconds)).toISOString();

/** A `hello` frame with `snapshot` (default: the empty one) at `lastSeq`. */
export function helloEvent(snapshot: Partial<Snapshot> = {}, lastSeq = 0, project = "demo"): ServerEvent {
  return {
    v: protocolVersion,
    at: at(),
    type: "hello",
    data: {
      protocolVersion,
      serverVersion: "0.1.0",
      project,
      lastSeq,
      snapshot: { ...emptySnapshot(), ...snapshot },
    },
  };
}

/** A durable event of `type` with `data` at `seq`. */
export function durableEvent<T extends ServerEvent["type"]>(
  type: T,
  data: Extract<ServerEvent, { type: T }>["data"],
  seq: number,
): ServerEvent {
  return { v: protocolVersion, seq, at: at(seq), type, data } as ServerEvent;
}

/** An ephemeral event of `type` with `data`. */
export function ephemeralEvent<T extends ServerEvent["type"]>(
  type: T,
  data: Extract<ServerEvent, { type: T }>["data"],
): ServerEvent {
  return { v: protocolVersion, at: at(), type, data } as ServerEvent;
}

/** A feature with sensible defaults. */
export function makeFeature(id: number, fields: Partial<Feature> = {}): Feature {
  return {
    id,
    priority: id,
    category: "core",
    name: `Feature ${id}`,
    description: `What feature ${id} does.`,
    steps: [`Step one of ${id}`],
    dependencies: [],
    status: "pending",
    attempts: 0,
    lastError: null,
    lease: null,
    evidence: [],
    humanInput: null,
    verify: [],
    unverified: false,
    createdAt: at(),
    updatedAt: at(),
    ...fields,
  };
}

/** A store that never connects, with `features` loaded and `events` folded (a `hello` first when none is given). */
export function storeWith(
  options: { features?: Feature[]; events?: ServerEvent[]; project?: string } = {},
): ProjectStore {
  const project = options.project ?? "demo";
  const store = new ProjectStore(project, {
    environment: idleEnvironment,
    loadFeatures: async () => ({ features: options.features ?? [] }),
    scheduleFlush: (flush) => flush(),
  });
  const events = options.events ?? [];
  const withHello = events[0]?.type === "hello" ? events : [helloEvent({}, 0, project), ...events];
  store.dispatch({ type: "events", events: withHello });
  store.dispatch({ type: "features.loaded", features: options.features ?? [] });
  return store;
}

/** One route of a fake server: method, a path (exact, or a RegExp), and the answer. */
export interface FakeRoute {
  readonly method: string;
  readonly path: string | RegExp;
  readonly status?: number;
  // Not `unknown | …`: that would swallow the function type, and its parameters would lose their types.
  readonly body:
    | ((request: { url: string; body: unknown }) => unknown)
    | object
    | string
    | number
    | boolean
    | null
    | undefined;
}

/** Replaces `fetch` with a fake server answering `routes` (unknown routes answer 404); returns the restore and the calls. */
export function fakeServer(routes: FakeRoute[]): {
  restore: () => void;
  calls: { method: string; url: string; body: unknown }[];
} {
  const original = globalThis.fetch;
  const calls: { method: string; url: string; body: unknown }[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url;
    const method = init?.method ?? "GET";
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    calls.push({ method, url, body });
    const route = routes.find(
      (candidate) =>
        candidate.method === method &&
        (typeof candidate.path === "string" ? candidate.path === url : candidate.path.test(url)),
    );
    if (route === undefined)
      return new Response(
        JSON.stringify({ error: { code: "not_found", message: `no route ${method} ${url}` } }),
        {
          status: 404,
          headers: { "content-type": "application/json" },
        },
      );
    const answer =
      typeof route.body === "function"
        ? (route.body as (r: { url: string; body: unknown }) => unknown)({ url, body })
        : route.body;
    return new Response(JSON.stringify(answer), {
      status: route.status ?? 200,
      headers: { "content-type": "application/json" },
    });
  }) as typeof fetch;
  return { restore: () => (globalThis.fetch = original), calls };
}
