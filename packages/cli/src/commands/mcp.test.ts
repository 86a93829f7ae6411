/**
 * `autowright mcp` driven in-process with stdio streams and an SDK client on the other end. With a live server for
 * the home directory (a real http server on 127.0.0.1 answering `/api/health` and routing `/mcp/:name` to the
 * server's MCP handler over its own store), it relays to the server; with a stale `server.json`, it opens the
 * project's database itself.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { EventBus } from "@autowright/orchestrator";
import { type ServerEvent, settingsSchema } from "@autowright/protocol";
import { createMcpHttpHandler, type McpHttpHandler } from "@autowright/server/mcp";
import { ProjectStore, projectPaths, Registry, scaffoldProjectFiles } from "@autowright/store";
import { eventually, temporaryDirectory } from "@autowright/testkit";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { afterEach, describe, expect, it } from "vitest";
import type { CliIo } from "../io.ts";
import { mcpCommand } from "./mcp.ts";

const token = "the-server-token-0123456789";
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A home with project `demo` registered at `root` (scaffolded, with a database). */
function setUp(): { home: string; root: string } {
  const directory = temporaryDirectory("autowright-mcp-command-");
  cleanups.push(() => directory[Symbol.dispose]());
  const home = join(directory.path, "home");
  const root = join(directory.path, "project");
  mkdirSync(home, { recursive: true });
  mkdirSync(root, { recursive: true });
  scaffoldProjectFiles(projectPaths(root), {});
  ProjectStore.open(root, { create: true }).close();
  const registry = Registry.open(home);
  registry.registerProject({ name: "demo", path: realpathSync(root) });
  registry.close();
  return { home, root };
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

interface FakeServer {
  readonly url: string;
  /** The MCP handler now serving `/mcp/demo`. */
  readonly handler: McpHttpHandler;
  /** Replaces the handler by a new one, as a restarted server has: the old sessions are gone. */
  restart(): Promise<void>;
  readonly store: ProjectStore;
  readonly events: ServerEvent[];
  /** Every authorization header `/mcp` saw. */
  readonly authorizations: (string | undefined)[];
}

/** What `serve` is for these tests: the health check and `/mcp/demo` over the project's store, token-guarded. */
async function startFakeServer(root: string): Promise<FakeServer> {
  const store = ProjectStore.open(root);
  const bus = new EventBus(store);
  const events: ServerEvent[] = [];
  bus.subscribe((event) => events.push(event));
  const project = { name: "demo", paths: store.paths, store, events: bus };
  const createHandler = () =>
    createMcpHttpHandler({ settings: () => settingsSchema.parse({}), flush: () => bus.flush() });
  let handler = createHandler();
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((request, response) => {
    const authorized = request.headers.authorization === `Bearer ${token}`;
    if (request.url === "/api/health") {
      response.writeHead(authorized ? 200 : 401).end();
      return;
    }
    if (request.url !== "/mcp/demo") {
      response.writeHead(404).end();
      return;
    }
    authorizations.push(request.headers.authorization);
    if (!authorized) {
      response.writeHead(401).end();
      return;
    }
    const body = request.method === "POST" ? readBody(request) : Promise.resolve(undefined);
    void body.then((parsed) => handler.handle(request, response, parsed, project));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => {
    bus.close();
    store.close();
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  cleanups.push(() => handler.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get handler() {
      return handler;
    },
    async restart() {
      await handler.close();
      handler = createHandler();
    },
    store,
    events,
    authorizations,
  };
}

function writeServerFile(home: string, fields: { pid: number; url: string }): void {
  writeFileSync(
    join(home, "server.json"),
    `${JSON.stringify({ ...fields, startedAt: "2026-01-02T03:04:05.000Z" })}\n`,
  );
}

/** Runs `mcp` with piped stdio and connects an SDK client to it. */
async function runMcp(project: string, home: string, env: NodeJS.ProcessEnv = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr: string[] = [];
  const io: CliIo = {
    stdout: () => undefined,
    stderr: (text) => stderr.push(text),
    env,
    cwd: home,
    isTty: false,
    stdinStream: stdin,
    stdoutStream: stdout,
  };
  const command = mcpCommand({ project, home }, io);
  let settled = false;
  void command.then(
    () => (settled = true),
    () => (settled = true),
  );
  // The client's transport reads what the command writes and writes what it reads: stdio seen from the other end.
  const client = new Client({ name: "test-client", version: "1.0.0" });
  await client.connect(new StdioServerTransport(stdout, stdin));
  const stop = async (): Promise<void> => {
    await client.close();
    stdin.end();
    await command;
  };
  cleanups.push(async () => {
    await client.close();
    if (!settled) {
      stdin.end();
      await command;
    }
  });
  return { client, stderr, stop, isSettled: () => settled };
}

async function callJson(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text: string }[];
  return {
    isError: result.isError === true,
    json: JSON.parse(content[0]?.text ?? "null") as Record<string, unknown>,
  };
}

const feature = { category: "core", name: "Login", description: "log in", steps: ["it works"] };

describe("autowright mcp", () => {
  const ways = [
    {
      name: "the project's folder, with the token from the home's file",
      byName: false,
      tokenFile: token,
      env: {},
    },
    {
      name: "the project's registered name, with AUTOWRIGHT_TOKEN",
      byName: true,
      tokenFile: "not-the-token",
      env: { AUTOWRIGHT_TOKEN: token },
    },
  ];
  for (const way of ways) {
    it(`relays to the running server when given ${way.name}`, async () => {
      const { home, root } = setUp();
      const server = await startFakeServer(root);
      writeServerFile(home, { pid: process.pid, url: server.url });
      writeFileSync(join(home, "auth-token"), `${way.tokenFile}\n`);

      const mcp = await runMcp(way.byName ? "demo" : root, home, way.env);
      expect(mcp.stderr.join("")).toContain(`relaying stdio to the server at ${server.url}/mcp/demo`);
      expect(mcp.stderr.join("")).not.toContain(token);

      const { tools } = await mcp.client.listTools();
      expect(tools.map((tool) => tool.name)).toContain("feature_claim");
      expect((await callJson(mcp.client, "feature_create", feature)).json).toMatchObject({
        feature: { id: 1, name: "Login" },
      });
      // The server's store and bus saw it: this process did not write the database itself.
      expect(server.store.getFeature(1)?.name).toBe("Login");
      expect(server.events.some((event) => event.type === "feature.created")).toBe(true);
      expect((await callJson(mcp.client, "feature_claim", { feature_id: 1 })).isError).toBe(false);
      expect(server.store.getFeature(1)?.lease?.owner).toMatch(/^mcp-http-/);
      const refused = await callJson(mcp.client, "feature_get_by_id", { feature_id: 42 });
      expect(refused).toMatchObject({ isError: true, json: { error: { code: "feature_not_found" } } });
      expect(server.handler.sessionCount).toBe(1);
      expect(new Set(server.authorizations)).toEqual(new Set([`Bearer ${token}`]));

      await mcp.stop();

      // Stdin ended: the command deleted its HTTP session, so the server released the lease.
      expect(server.handler.sessionCount).toBe(0);
      expect(server.store.getFeature(1)?.lease).toBeNull();
      expect(server.store.getFeature(1)?.status).toBe("pending");
    });
  }

  it("answers a request the server cannot take with a JSON-RPC error, and ends when a restarted server forgets the session", async () => {
    const { home, root } = setUp();
    const server = await startFakeServer(root);
    writeServerFile(home, { pid: process.pid, url: server.url });
    writeFileSync(join(home, "auth-token"), token);
    const mcp = await runMcp(root, home);
    await callJson(mcp.client, "feature_get_stats");

    await server.restart();

    await expect(mcp.client.listTools()).rejects.toThrow(/did not take the request/);
    await eventually(() => mcp.isSettled());
    expect(mcp.stderr.join("")).toContain("the server no longer knows this session");
  });

  const staleFiles = [
    { name: "its process is gone", pid: () => spawnSync(process.execPath, ["-e", ""]).pid ?? 1, token },
    { name: "its server refuses the token", pid: () => process.pid, token: "not-the-token" },
  ];
  for (const stale of staleFiles) {
    it(`opens the database itself when server.json is stale (${stale.name})`, async () => {
      const { home, root } = setUp();
      const health = createServer((request, response) => {
        const authorized = request.headers.authorization === `Bearer ${token}`;
        response.writeHead(request.url === "/api/health" && authorized ? 200 : 401).end();
      });
      await new Promise<void>((resolve) => health.listen(0, "127.0.0.1", resolve));
      cleanups.push(() => new Promise<void>((resolve) => health.close(() => resolve())));
      writeServerFile(home, {
        pid: stale.pid(),
        url: `http://127.0.0.1:${(health.address() as AddressInfo).port}`,
      });
      writeFileSync(join(home, "auth-token"), stale.token);

      const mcp = await runMcp(root, home);
      expect(mcp.stderr.join("")).toContain(`serving the backlog of ${realpathSync(root)} on stdio`);
      await callJson(mcp.client, "feature_create", feature);
      expect((await callJson(mcp.client, "feature_get_stats")).json).toMatchObject({ total: 1 });
      await mcp.stop();

      const store = ProjectStore.open(root);
      expect(store.getFeature(1)?.name).toBe("Login");
      store.close();
    });
  }

  it("opens the database itself when the running server does not have the project registered", async () => {
    const { home, root } = setUp();
    const server = await startFakeServer(root);
    writeServerFile(home, { pid: process.pid, url: server.url });
    writeFileSync(join(home, "auth-token"), token);
    const other = join(home, "..", "other-project");
    mkdirSync(other);
    scaffoldProjectFiles(projectPaths(other), {});
    ProjectStore.open(other, { create: true }).close();

    const mcp = await runMcp(other, home);
    expect(mcp.stderr.join("")).toContain("is not registered with the server");
    await callJson(mcp.client, "feature_create", feature);
    await mcp.stop();

    expect(server.authorizations).toEqual([]);
    const store = ProjectStore.open(other);
    expect(store.getFeature(1)?.name).toBe("Login");
    store.close();
  });
});
