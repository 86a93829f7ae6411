/**
 * The MCP server as an MCP client sees it, through the official SDK client over a linked in-memory transport pair:
 * every backlog tool is listed with its schema and description, results are JSON text, and failures are
 * `isError: true` with the same typed errors agents get.
 */
import { backlogToolDescriptions, backlogToolNames, settingsSchema } from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { temporaryDirectory } from "@autowright/testkit";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { describe, expect, it } from "vitest";
import { createBacklogTools } from "./backlog-tools.ts";
import { createBacklogMcpServer } from "./mcp-server.ts";

type Connected = { client: Client; close: () => Promise<void> };

async function withServer(
  test: (connect: (sessionId: string) => Promise<Client>) => Promise<void>,
): Promise<void> {
  using directory = temporaryDirectory();
  const store = ProjectStore.open(directory.path, { create: true });
  const tools = createBacklogTools({ store, settings: () => settingsSchema.parse({}) });
  const connections: Connected[] = [];
  const connect = async (sessionId: string): Promise<Client> => {
    const server = createBacklogMcpServer(tools, { sessionId });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const client = new Client({ name: "test-client", version: "1.0.0" });
    await client.connect(clientTransport);
    connections.push({
      client,
      close: async () => {
        await client.close();
        await server.close();
      },
    });
    return client;
  };
  try {
    await test(connect);
  } finally {
    for (const connection of connections) await connection.close();
    store.close();
  }
}

async function callJson(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text: string }[];
  expect(content).toHaveLength(1);
  expect(content[0]?.type).toBe("text");
  return {
    isError: result.isError === true,
    json: JSON.parse(content[0]?.text ?? "null") as Record<string, unknown>,
  };
}

describe("the backlog MCP server", () => {
  it("lists every backlog tool with its description and input schema", () =>
    withServer(async (connect) => {
      const client = await connect("mcp-test");
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual([...backlogToolNames]);
      for (const tool of tools) {
        expect(tool.description).toBe(
          backlogToolDescriptions[tool.name as (typeof backlogToolNames)[number]],
        );
        expect(tool.inputSchema.type).toBe("object");
      }
      const ready = tools.find((tool) => tool.name === "feature_get_ready");
      expect(ready?.inputSchema.properties).toMatchObject({
        limit: { type: "integer", minimum: 1, maximum: 50 },
      });
      expect(ready?.annotations?.readOnlyHint).toBe(true);
      const bulk = tools.find((tool) => tool.name === "feature_create_bulk");
      expect(bulk?.inputSchema.required).toEqual(["features"]);
      expect(tools.find((tool) => tool.name === "feature_claim")?.annotations?.readOnlyHint).toBe(false);
      const testCommand = tools.find((tool) => tool.name === "project_set_test_command");
      expect(testCommand?.inputSchema.required).toEqual(["command"]);
      expect(testCommand?.annotations?.readOnlyHint).toBe(false);
    }));

  it("records the project's test command, and refuses one that is not one line", () =>
    withServer(async (connect) => {
      const client = await connect("mcp-test");
      expect(await callJson(client, "project_set_test_command", { command: "npm test" })).toMatchObject({
        isError: false,
        json: { testCommand: { command: "npm test" } },
      });
      expect(await callJson(client, "project_set_test_command", { command: "a\nb" })).toMatchObject({
        isError: true,
        json: { error: { code: "invalid_input", message: expect.stringMatching(/one line/) } },
      });
    }));

  it("creates features in bulk with dependencies, then returns the ready ones", () =>
    withServer(async (connect) => {
      const client = await connect("mcp-test");
      const feature = (name: string, depends_on_indices?: number[]) => ({
        category: "core",
        name,
        description: "",
        steps: [`${name} works`],
        ...(depends_on_indices === undefined ? {} : { depends_on_indices }),
      });
      const created = await callJson(client, "feature_create_bulk", {
        features: [feature("Database"), feature("Login", [0]), feature("Profile", [0, 1]), feature("Theme")],
      });
      expect(created).toEqual({
        isError: false,
        json: { created: 4, ids: [1, 2, 3, 4], withDependencies: 2 },
      });
      const ready = await callJson(client, "feature_get_ready", {});
      expect(ready.isError).toBe(false);
      expect(ready.json).toMatchObject({ count: 2, totalReady: 2 });
      expect((ready.json["features"] as { id: number }[]).map(({ id }) => id)).toEqual([1, 4]);
      const blocked = await callJson(client, "feature_get_blocked", { limit: 5 });
      expect(blocked.json).toMatchObject({
        features: [
          { id: 2, blockedBy: [1] },
          { id: 3, blockedBy: [1, 2] },
        ],
      });
    }));

  it("answers mistakes with isError and the typed error, including bad arguments", () =>
    withServer(async (connect) => {
      const client = await connect("mcp-test");
      expect(await callJson(client, "feature_get_ready", { limit: 500 })).toMatchObject({
        isError: true,
        json: { error: { code: "invalid_input", message: expect.stringMatching(/limit/) } },
      });
      expect(await callJson(client, "feature_get_by_id", { feature_id: 7 })).toEqual({
        isError: true,
        json: {
          error: { code: "feature_not_found", message: "feature 7 does not exist", details: { id: 7 } },
        },
      });
      expect(await callJson(client, "feature_launch", {})).toMatchObject({
        isError: true,
        json: { error: { code: "invalid_input" } },
      });
    }));

  it("owns leases as its session: another session's server cannot take or change the feature", () =>
    withServer(async (connect) => {
      const first = await connect("mcp-one");
      const second = await connect("mcp-two");
      await callJson(first, "feature_create", { category: "core", name: "A", description: "", steps: ["a"] });
      expect(await callJson(first, "feature_claim", { feature_id: 1 })).toMatchObject({
        isError: false,
        json: { feature: { status: "in_progress", lease: { owner: "mcp-one" } } },
      });
      expect(await callJson(second, "feature_claim", { feature_id: 1 })).toMatchObject({
        isError: true,
        json: { error: { code: "lease_held" } },
      });
      expect(await callJson(second, "feature_skip", { feature_id: 1, reason: "mine now" })).toMatchObject({
        isError: true,
        json: { error: { code: "lease_not_held" } },
      });
      expect(await callJson(first, "feature_ready_for_verification", { feature_id: 1 })).toMatchObject({
        isError: false,
        json: { verification: "queued", feature: { status: "verifying" } },
      });
    }));
});
