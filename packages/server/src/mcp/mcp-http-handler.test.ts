/**
 * The `/mcp` handler as MCP clients see it: the SDK's real Streamable HTTP client against a real node http server
 * on 127.0.0.1 that routes `/mcp/:project` to the handler (bodies parsed first, as Fastify does). Sessions are
 * separate lease owners; DELETE, idleness and `close()` release leases; feature changes reach the project's bus.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventBus } from "@autowright/orchestrator";
import { backlogToolNames } from "@autowright/protocol";
import { eventually } from "@autowright/testkit";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import type { ProjectContext } from "../server-context.ts";
import { createTestProject, type TestProject } from "../test-project.ts";
import { createMcpHttpHandler, type McpHttpHandler, type McpHttpHandlerOptions } from "./mcp-http-handler.ts";

interface Harness {
  readonly project: TestProject;
  readonly other: TestProject;
  readonly handler: McpHttpHandler;
  /** The base URL of the http server; projects are at `${url}/mcp/<name>`. */
  readonly url: string;
  connect(name?: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }>;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

async function harness(
  options: Partial<McpHttpHandlerOptions> & { readonly parseBodies?: boolean } = {},
): Promise<Harness> {
  const project = createTestProject({ name: "demo" });
  cleanups.push(() => project.close());
  const other = createTestProject({ name: "other" });
  cleanups.push(() => other.close());
  const projects = new Map<string, ProjectContext>([
    ["demo", project.project],
    ["other", other.project],
  ]);
  const handler = createMcpHttpHandler({
    settings: () => project.server.settings(),
    flush: (context) => (context.events as EventBus).flush(),
    version: "0.0.0-test",
    ...options,
  });
  const server: Server = createServer((request, response) => {
    const name = /^\/mcp\/([a-z0-9-]+)$/.exec(new URL(request.url ?? "/", "http://x").pathname)?.[1];
    const context = name === undefined ? undefined : projects.get(name);
    if (context === undefined) {
      response.writeHead(404).end();
      return;
    }
    const body =
      request.method === "POST" && options.parseBodies !== false
        ? readBody(request)
        : Promise.resolve(undefined);
    void body.then((parsed) => handler.handle(request, response, parsed, context));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  cleanups.push(() => handler.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const connect = async (name = "demo") => {
    const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp/${name}`));
    const client = new Client({ name: "test-client", version: "1.0.0" });
    await client.connect(transport);
    cleanups.push(() => client.close());
    return { client, transport };
  };
  return { project, other, handler, url, connect };
}

async function callJson(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text: string }[];
  return {
    isError: result.isError === true,
    json: JSON.parse(content[0]?.text ?? "null") as Record<string, unknown>,
  };
}

const featureInput = (name: string) => ({
  category: "core",
  name,
  description: `${name}, described`,
  steps: ["it works"],
});

async function postRaw(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: number } } };
}

describe("the MCP handler over Streamable HTTP", () => {
  it("lists every backlog tool and answers tool calls, publishing feature changes on the project's bus", async () => {
    const { connect, project } = await harness();
    const { client, transport } = await connect();
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([...backlogToolNames]);

    const created = await callJson(client, "feature_create", featureInput("Login"));
    expect(created.isError).toBe(false);
    expect(created.json).toMatchObject({ feature: { id: 1, name: "Login", status: "pending" } });
    expect(project.project.store.getFeature(1)?.name).toBe("Login");
    // Published by the time the answer arrives: the handler flushes the bus after every call.
    expect(project.events.some((event) => event.type === "feature.created")).toBe(true);

    const stats = await callJson(client, "feature_get_stats");
    expect(stats.json).toMatchObject({ total: 1, passing: 0 });

    const refused = await callJson(client, "feature_get_by_id", { feature_id: 99 });
    expect(refused).toMatchObject({ isError: true, json: { error: { code: "feature_not_found" } } });
  });

  it("gives two concurrent sessions their own lease owners", async () => {
    const { connect, project, handler } = await harness();
    const first = await connect();
    const second = await connect();
    expect(first.transport.sessionId).not.toBe(second.transport.sessionId);
    expect(handler.sessionCount).toBe(2);
    await callJson(first.client, "feature_create", featureInput("Login"));

    const [claimed, stats] = await Promise.all([
      callJson(first.client, "feature_claim", { feature_id: 1 }),
      callJson(second.client, "feature_get_stats"),
    ]);
    expect(claimed.isError).toBe(false);
    expect(stats.json).toMatchObject({ total: 1 });
    const owner = project.project.store.getFeature(1)?.lease?.owner;
    expect(owner).toMatch(/^mcp-http-[0-9a-f-]{36}$/);

    const taken = await callJson(second.client, "feature_claim", { feature_id: 1 });
    expect(taken).toMatchObject({ isError: true, json: { error: { code: "lease_held" } } });
    expect(project.project.store.getFeature(1)?.lease?.owner).toBe(owner);
  });

  it("releases a session's leases on DELETE, and then no longer knows its id", async () => {
    const { connect, project, handler, url } = await harness();
    const { client, transport } = await connect();
    await callJson(client, "feature_create", featureInput("Login"));
    await callJson(client, "feature_claim", { feature_id: 1 });
    expect(project.project.store.getFeature(1)?.status).toBe("in_progress");
    const sessionId = transport.sessionId ?? "";
    const publishedBefore = project.events.length;

    await transport.terminateSession();

    expect(handler.sessionCount).toBe(0);
    const feature = project.project.store.getFeature(1);
    expect(feature?.lease).toBeNull();
    expect(feature?.status).toBe("pending");
    expect(project.events.slice(publishedBefore).some((event) => event.type === "feature.updated")).toBe(
      true,
    );

    const stale = await postRaw(
      `${url}/mcp/demo`,
      { jsonrpc: "2.0", id: 1, method: "tools/list" },
      { "mcp-session-id": sessionId },
    );
    expect(stale).toMatchObject({ status: 404, body: { error: { code: -32001 } } });
  });

  it("answers an unknown session id, or one of another project, with a JSON-RPC error and HTTP 404", async () => {
    const { connect, url, handler } = await harness();
    const { transport } = await connect("demo");
    const listing = { jsonrpc: "2.0", id: 7, method: "tools/list" };

    const unknown = await postRaw(`${url}/mcp/demo`, listing, { "mcp-session-id": "no-such-session" });
    expect(unknown).toMatchObject({
      status: 404,
      body: { jsonrpc: "2.0", id: null, error: { code: -32001 } },
    });

    const elsewhere = await postRaw(`${url}/mcp/other`, listing, {
      "mcp-session-id": transport.sessionId ?? "",
    });
    expect(elsewhere).toMatchObject({ status: 404, body: { error: { code: -32001 } } });

    const withoutSession = await postRaw(`${url}/mcp/demo`, listing);
    expect(withoutSession).toMatchObject({ status: 400, body: { error: { code: -32000 } } });
    expect(handler.sessionCount).toBe(1);
  });

  it("reads the body itself when it is given none, and refuses one that is not JSON", async () => {
    const { connect, url, handler } = await harness({ parseBodies: false });
    const { client } = await connect();
    expect((await callJson(client, "feature_get_stats")).json).toMatchObject({ total: 0 });

    const response = await fetch(`${url}/mcp/demo`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32700 } });
    expect(handler.sessionCount).toBe(1);
  });

  it("renews the leases of a live session, which its open event stream keeps from being idle", async () => {
    const { connect, project, handler } = await harness({ leaseDurationMs: 400, idleTimeoutMs: 200 });
    const { client } = await connect();
    await callJson(client, "feature_create", featureInput("Login"));
    await callJson(client, "feature_claim", { feature_id: 1 });
    const expiryOf = () => Date.parse(project.project.store.getFeature(1)?.lease?.expiresAt ?? "") || 0;
    const firstExpiry = expiryOf();
    // The sweep runs every 100 ms; a renewal 300 ms after the claim is past the idle timeout.
    await eventually(() => expiryOf() > firstExpiry + 300);
    expect(handler.sessionCount).toBe(1);
    expect(project.project.store.getFeature(1)?.lease?.owner).toMatch(/^mcp-http-/);
  });

  it("closes a session whose client went away without DELETE once it is idle, releasing its leases", async () => {
    const { connect, project, handler } = await harness({ idleTimeoutMs: 100 });
    const { client } = await connect();
    await callJson(client, "feature_create", featureInput("Login"));
    await callJson(client, "feature_claim", { feature_id: 1 });
    expect(handler.sessionCount).toBe(1);

    await client.close();

    await eventually(() => handler.sessionCount === 0 && project.project.store.getFeature(1)?.lease === null);
    expect(project.project.store.getFeature(1)?.status).toBe("pending");
  });

  it("closes the sessions of one project with closeProject", async () => {
    const { connect, project, other, handler } = await harness();
    const mine = await connect("demo");
    const theirs = await connect("other");
    await callJson(mine.client, "feature_create", featureInput("Login"));
    await callJson(mine.client, "feature_claim", { feature_id: 1 });
    await callJson(theirs.client, "feature_create", featureInput("Signup"));
    await callJson(theirs.client, "feature_claim", { feature_id: 1 });

    await handler.closeProject(project.project);

    expect(handler.sessionCount).toBe(1);
    expect(project.project.store.getFeature(1)?.lease).toBeNull();
    expect(other.project.store.getFeature(1)?.lease?.owner).toMatch(/^mcp-http-/);
  });

  it("close() ends every session, releases their leases, and refuses later requests", async () => {
    const { connect, project, handler, url } = await harness();
    const first = await connect();
    const second = await connect();
    await callJson(first.client, "feature_create_bulk", {
      features: [featureInput("Login"), featureInput("Signup")],
    });
    await callJson(first.client, "feature_claim", { feature_id: 1 });
    await callJson(second.client, "feature_claim", { feature_id: 2 });

    await handler.close();

    expect(handler.sessionCount).toBe(0);
    expect(project.project.store.listFeatures().map((feature) => feature.lease)).toEqual([null, null]);
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "late", version: "1" } },
    };
    expect(await postRaw(`${url}/mcp/demo`, initialize)).toMatchObject({ status: 503 });
    expect(handler.sessionCount).toBe(0);
  });
});
