/**
 * The parts around a run, through the real server: the MCP backlog server at `/mcp/:name` (its changes reach the
 * stream), a spec chat against the scripted model (a structured question, the spec written, CLAUDE.md untouched),
 * and the dev server of a tiny real app (status and log lines on the stream, the app reachable, stopped).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findChromium } from "@autowright/server/browser";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServerHarness, startServerHarness } from "./support/server-harness.ts";

let harness: ServerHarness;
beforeEach(async () => {
  harness = await startServerHarness();
});
afterEach(async () => {
  await harness.close();
});

describe("the server's parts", () => {
  it("serves the backlog over MCP at /mcp/:name behind the token, and its changes reach the stream", async () => {
    await harness.createProject("shop");
    const stream = harness.stream("/ws/projects/shop");
    await stream.waitFor((event) => event.type === "hello");
    const anonymous = await fetch(`${harness.server.url}/mcp/shop`, { method: "POST", body: "{}" });
    expect(anonymous.status).toBe(401);

    const client = new Client({ name: "e2e", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${harness.server.url}/mcp/shop`), {
        requestInit: { headers: { authorization: `Bearer ${harness.server.token}` } },
      }),
    );
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name)).toContain("feature_create");
      const created = await client.callTool({
        name: "feature_create",
        arguments: {
          name: "Search",
          category: "core",
          description: "find things",
          steps: ["search by name"],
        },
      });
      expect(created.isError, JSON.stringify(created.content)).not.toBe(true);
      const event = await stream.waitFor(
        (frame) => frame.type === "feature.created",
        "feature.created from MCP",
      );
      expect(event.type === "feature.created" && event.data.feature.name).toBe("Search");
    } finally {
      await client.close();
    }
  });

  it("runs a spec chat against the scripted model: a structured question, then the spec", async () => {
    const root = await harness.createProject("shop");
    expect((await harness.api("PATCH", "/api/settings", { provider: "replay" })).status).toBe(200);
    const created = await harness.api("POST", "/api/projects/shop/chats", { kind: "spec" });
    expect(created.status).toBe(201);
    const chatId: string = created.body.chat.id;
    const asked = await harness.api("POST", `/api/projects/shop/chats/${chatId}/messages`, {
      text: "A greeting app",
    });
    expect(asked.status).toBe(200);
    const question = (
      asked.body.message.parts as { type: string; questionId?: string; options?: string[] }[]
    ).find((part) => part.type === "question");
    expect(question?.options).toEqual(["Quick", "Detailed"]);
    const answered = await harness.api("POST", `/api/projects/shop/chats/${chatId}/messages`, {
      questionId: question?.questionId,
      answers: ["Quick"],
    });
    expect(answered.body.chat.specWritten).toMatchObject({ featureCount: 2 });
    expect(readFileSync(join(root, ".autowright", "prompts", "app-spec.md"), "utf8")).toContain(
      "Show a greeting",
    );
    expect(existsSync(join(root, "CLAUDE.md"))).toBe(false);
    expect((await harness.api("GET", "/api/projects/shop")).body.project.hasSpec).toBe(true);
    const bad = await harness.api("POST", `/api/projects/shop/chats/${chatId}/messages`, { text: "" });
    expect(bad.status).toBe(400);
  });

  it("starts, streams and stops the dev server of a tiny real app", async () => {
    const root = await harness.createProject("site");
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({
        name: "site",
        private: true,
        scripts: { dev: "node server.js", test: "node --test" },
      }),
    );
    writeFileSync(
      join(root, "server.js"),
      `const http = require("node:http");
const server = http.createServer((request, response) => response.end("hello from the app"));
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening on http://127.0.0.1:" + process.env.PORT));
`,
    );
    const stream = harness.stream("/ws/projects/site");
    await stream.waitFor((event) => event.type === "hello");
    const config = await harness.api("GET", "/api/projects/site/devserver/config");
    expect(config.body.detected).toEqual(["npm", "run", "dev"]);
    expect((await harness.api("POST", "/api/projects/site/devserver/start")).status).toBe(200);
    const running = await stream.waitFor(
      (event) => event.type === "devserver.updated" && event.data.status === "running",
      "the dev server running",
    );
    const url = running.type === "devserver.updated" ? running.data.url : undefined;
    expect(url).toMatch(/^http:\/\/(127\.0\.0\.1|localhost):\d+/);
    expect(await (await fetch(url as string)).text()).toBe("hello from the app");
    await stream.waitFor(
      (event) => event.type === "devserver.log.appended" && event.data.line.includes("listening on"),
      "the app's log line",
    );
    expect((await harness.api("POST", "/api/projects/site/devserver/start")).status).toBe(409);
    expect((await harness.api("POST", "/api/projects/site/devserver/stop")).status).toBe(200);
    await stream.waitFor(
      (event) => event.type === "devserver.updated" && event.data.status === "stopped",
      "the dev server stopped",
    );
    await expect(fetch(url as string)).rejects.toThrow();
    const hello = harness.stream("/ws/projects/site");
    const snapshot = await hello.waitFor((event) => event.type === "hello");
    expect(snapshot.type === "hello" && snapshot.data.snapshot.devServer.status).toBe("stopped");
  });

  it.skipIf(findChromium() === undefined)(
    "sends live pictures of the running app only to a client that asked, while it asks",
    async () => {
      const root = await harness.createProject("site");
      writeFileSync(
        join(root, "package.json"),
        JSON.stringify({ name: "site", private: true, scripts: { dev: "node server.js" } }),
      );
      writeFileSync(
        join(root, "server.js"),
        `require("node:http").createServer((q, r) => r.end("<h1>Hello</h1>")).listen(Number(process.env.PORT), "127.0.0.1");\n`,
      );
      const watcher = harness.stream("/ws/projects/site");
      const bystander = harness.stream("/ws/projects/site");
      await watcher.waitFor((event) => event.type === "hello");
      await bystander.waitFor((event) => event.type === "hello");
      await harness.api("POST", "/api/projects/site/devserver/start");
      await watcher.waitFor(
        (event) => event.type === "devserver.updated" && event.data.status === "running",
        "the app running",
      );
      watcher.send({ v: 1, type: "browser.subscribe" });
      const picture = await watcher.waitFor(
        (event) => event.type === "browser.screenshot",
        "a picture of the app",
      );
      if (picture.type !== "browser.screenshot") throw new Error("not a picture");
      expect(picture.data.mimeType).toBe("image/jpeg");
      expect(Buffer.from(picture.data.imageData, "base64").subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      watcher.send({ v: 1, type: "browser.unsubscribe" });
      bystander.send({ v: 1, id: "after", type: "ping" });
      await bystander.waitFor((event) => event.type === "pong", "the bystander's pong");
      expect(bystander.frames.some((frame) => frame.type === "browser.screenshot")).toBe(false);
      await harness.api("POST", "/api/projects/site/devserver/stop");
    },
  );
});
