/**
 * A real autowright server for the e2e tests: `startServer` on 127.0.0.1 and a free port, in a temp home, with the
 * built CLI as the worker; an HTTP client that sends the token (or not), and a WebSocket client whose frames are
 * parsed with the protocol's schema and awaited by predicate. A stream that goes quiet fails the wait at once,
 * saying what was awaited.
 */
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ServerEvent, serverEventSchema } from "@autowright/protocol";
import { type RunningServer, type ServerOptions, startServer } from "@autowright/server";
import { type TemporaryDirectory, temporaryDirectory } from "@autowright/testkit";
import WebSocket from "ws";
import { git } from "./git.ts";
import { lastLines, watchProgress } from "./progress-watch.ts";
import { launcher } from "./worker-harness.ts";

/** An HTTP answer. */
export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field, each checked by an expect.
  readonly body: any;
  readonly headers: Headers;
}

/** A stream client. */
export interface StreamClient {
  readonly socket: WebSocket;
  readonly frames: ServerEvent[];
  /** The close code and reason once closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The first frame (from the start) that matches; fails when the stream is quiet or closes first. */
  waitFor(predicate: (event: ServerEvent) => boolean, awaiting?: string): Promise<ServerEvent>;
  send(frame: unknown): void;
  close(): void;
}

/** A server in a temp home. */
export interface ServerHarness {
  readonly home: TemporaryDirectory;
  readonly work: TemporaryDirectory;
  server: RunningServer;
  /** Calls the API with the token (unless `token: null`) and JSON. */
  api(
    method: string,
    path: string,
    body?: unknown,
    options?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<Answer>;
  /** Opens `/ws/projects/:name` (query appended) with the token (unless `token: null`). */
  stream(path: string, options?: { token?: string | null; headers?: Record<string, string> }): StreamClient;
  /** Creates a project through the API with `npm test` and a git commit, and imports the backlog. */
  createProject(name: string, backlog?: object[]): Promise<string>;
  /** Closes the server and starts a new one on the same home (a restart); `whileDown` runs in between. */
  restart(whileDown?: () => unknown): Promise<void>;
  close(): Promise<void>;
}

/** Starts a {@link ServerHarness}. */
export async function startServerHarness(options: Partial<ServerOptions> = {}): Promise<ServerHarness> {
  const home = temporaryDirectory("autowright-server-home-");
  const work = temporaryDirectory("autowright-server-work-");
  const streams: StreamClient[] = [];
  const start = (): Promise<RunningServer> =>
    startServer({
      home: home.path,
      port: 0,
      version: "0.0.0-test",
      env: { ...process.env, AUTOWRIGHT_TOKEN: "" },
      worker: { command: process.execPath, args: [launcher, "worker", "--home", home.path] },
      allowedRoots: [realpathSync(work.path)],
      ...options,
    });
  const harness: ServerHarness = {
    home,
    work,
    server: await start(),
    async api(method, path, body, callOptions = {}) {
      const token = callOptions.token === undefined ? harness.server.token : callOptions.token;
      const headers: Record<string, string> = { ...callOptions.headers };
      if (token !== null) headers["authorization"] = `Bearer ${token}`;
      if (body !== undefined) headers["content-type"] ??= "application/json";
      const response = await fetch(`${harness.server.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON (the UI page).
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    stream(path, streamOptions = {}) {
      const token = streamOptions.token === undefined ? harness.server.token : streamOptions.token;
      const headers: Record<string, string> = { ...streamOptions.headers };
      if (token !== null) headers["authorization"] = `Bearer ${token}`;
      const socket = new WebSocket(`${harness.server.url.replace("http", "ws")}${path}`, { headers });
      const frames: ServerEvent[] = [];
      const waiters: { predicate: (event: ServerEvent) => boolean; resolve: (event: ServerEvent) => void }[] =
        [];
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
        socket.on("error", () => undefined);
      });
      const watch = watchProgress({
        awaiting: `frames on ${path}`,
        quietMs: 30_000,
        describe: () => `the last frames:\n  ${lastLines(frames)}`,
      });
      socket.on("message", (data) => {
        watch.touch();
        const event = serverEventSchema.parse(JSON.parse(data.toString()));
        frames.push(event);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(event)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      });
      const client: StreamClient = {
        socket,
        frames,
        closed,
        waitFor(predicate, awaiting = "a frame") {
          const found = frames.find(predicate);
          if (found !== undefined) return Promise.resolve(found);
          watch.touch();
          const seen = new Promise<ServerEvent>((resolve) => waiters.push({ predicate, resolve }));
          const ended = closed.then(({ code, reason }) => {
            throw new Error(
              `the stream closed (${code} ${reason}) before ${awaiting}; the last frames:\n  ${lastLines(frames)}`,
            );
          });
          ended.catch(() => undefined);
          return watch.wait(Promise.race([seen, ended]));
        },
        send(frame) {
          socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
        },
        close() {
          socket.close();
        },
      };
      streams.push(client);
      return client;
    },
    async createProject(name, backlog = []) {
      const root = join(work.path, name);
      mkdirSync(root, { recursive: true });
      writeFileSync(
        join(root, "package.json"),
        `${JSON.stringify({ name, private: true, type: "module", scripts: { test: "node --test" } }, null, 2)}\n`,
      );
      const created = await harness.api("POST", "/api/projects", { name, path: root });
      if (created.status !== 201)
        throw new Error(`could not create ${name}: ${JSON.stringify(created.body)}`);
      git(root, "add", "-A");
      git(root, "commit", "-q", "-m", "project");
      if (backlog.length > 0) {
        const imported = await harness.api("POST", `/api/projects/${name}/features/bulk`, {
          features: backlog,
        });
        if (imported.status !== 201) throw new Error(`could not import: ${JSON.stringify(imported.body)}`);
      }
      return root;
    },
    async restart(whileDown) {
      await harness.server.close();
      await whileDown?.();
      harness.server = await start();
    },
    async close() {
      for (const client of streams) client.socket.terminate();
      await harness.server.close();
      home[Symbol.dispose]();
      work[Symbol.dispose]();
    },
  };
  return harness;
}
