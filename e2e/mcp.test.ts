/**
 * `autowright mcp --project DIR` as an MCP client sees it: the official SDK client over stdio, talking to the real
 * built binary. Invariant: every backlog tool is listed, and tool calls change the real project store.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { backlogToolNames } from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { temporaryDirectory } from "@autowright/testkit";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { describe, expect, it } from "vitest";
import { launcher } from "./support/worker-harness.ts";

function textOf(result: unknown): unknown {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return JSON.parse(content[0]?.text ?? "null");
}

describe("autowright mcp", () => {
  it("serves every backlog tool to the official MCP client over stdio", async () => {
    using home = temporaryDirectory("autowright-home-");
    using work = temporaryDirectory("autowright-mcp-");
    const project = join(work.path, "shop");
    const init = spawnSync(process.execPath, [launcher, "init", project, "--home", home.path], {
      encoding: "utf8",
    });
    expect(init.status, init.stderr).toBe(0);

    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [launcher, "mcp", "--project", "shop", "--home", home.path],
      stderr: "pipe",
    });
    const client = new Client({ name: "autowright-e2e", version: "1.0.0" });
    await client.connect(transport);
    try {
      const listed = await client.listTools();
      expect(listed.tools.map((tool) => tool.name).sort()).toEqual([...backlogToolNames].sort());
      for (const tool of listed.tools) expect(tool.description?.length ?? 0).toBeGreaterThan(10);

      const created = textOf(
        await client.callTool({
          name: "feature_create_bulk",
          arguments: {
            features: [
              { category: "core", name: "Database", description: "SQLite", steps: ["connects"] },
              {
                category: "core",
                name: "Login",
                description: "log in",
                steps: ["logs in"],
                depends_on_indices: [0],
              },
              { category: "ui", name: "Theme", description: "dark mode", steps: ["toggles"] },
            ],
          },
        }),
      );
      expect(created).toMatchObject({ created: 3 });

      const ready = textOf(
        await client.callTool({ name: "feature_get_ready", arguments: { limit: 10 } }),
      ) as {
        features: { id: number; name: string }[];
      };
      expect(ready.features.map((feature) => feature.name)).toEqual(["Database", "Theme"]);

      const refused = await client.callTool({
        name: "feature_add_dependency",
        arguments: { feature_id: 1, dependency_id: 2 },
      });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toMatchObject({ error: { code: "dependency_cycle" } });

      const invalid = await client.callTool({ name: "feature_get_by_id", arguments: { feature_id: "one" } });
      expect(invalid.isError).toBe(true);
      expect(textOf(invalid)).toMatchObject({ error: { code: "invalid_input" } });
    } finally {
      await client.close();
    }
    const store = ProjectStore.open(project);
    expect(store.listFeatures().map((feature) => [feature.id, feature.name, feature.dependencies])).toEqual([
      [1, "Database", []],
      [2, "Login", [1]],
      [3, "Theme", []],
    ]);
    store.close();
  });

  it("refuses a project that does not exist, in one line", () => {
    using home = temporaryDirectory("autowright-home-");
    const result = spawnSync(
      process.execPath,
      [launcher, "mcp", "--project", "nowhere", "--home", home.path],
      {
        encoding: "utf8",
        input: "",
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/no such directory or registered project: nowhere/);
  });
});
