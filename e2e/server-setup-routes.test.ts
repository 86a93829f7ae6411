/**
 * The set-up routes on a real listening server. `POST /api/providers/test` against fake model servers (node:http
 * on loopback): a working key, a refused key (401), nothing listening, a model the server does not list, bad
 * bodies; the key is never echoed back and nothing is saved. `POST /api/demo`: the demo project is created in
 * `<home>/demo`, a second call reuses it, its replay run starts and the initializer turns the spec into features;
 * a user's own project named `demo` elsewhere is not taken over.
 */
import { mkdirSync, realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServerHarness, startServerHarness } from "./support/server-harness.ts";

let harness: ServerHarness;
const fakes: Server[] = [];

beforeEach(async () => {
  harness = await startServerHarness();
});
afterEach(async () => {
  await harness.close();
  for (const fake of fakes.splice(0)) await new Promise((resolve) => fake.close(resolve));
});

/** A request a fake model server received. */
interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

/** A fake model server on loopback answering with `handle`; its base URL and what it received. */
async function fakeModelServer(
  handle: (request: Received) => { status: number; body: unknown },
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    request.on("end", () => {
      const entry = { method: request.method ?? "", url: request.url ?? "", headers: request.headers, body };
      received.push(entry);
      const answer = handle(entry);
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(JSON.stringify(answer.body));
    });
  });
  fakes.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const anthropicKey = "sk-ant-test-key-0123456789";

/** An Anthropic Messages endpoint that accepts only {@link anthropicKey}. */
function anthropicHandler(request: Received): { status: number; body: unknown } {
  if (request.method !== "POST" || request.url !== "/v1/messages")
    return { status: 404, body: { type: "error", error: { type: "not_found_error", message: "not found" } } };
  if (request.headers["x-api-key"] !== anthropicKey)
    return {
      status: 401,
      body: {
        type: "error",
        error: {
          type: "authentication_error",
          message: `invalid x-api-key ${String(request.headers["x-api-key"])}`,
        },
      },
    };
  return {
    status: 200,
    body: {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5",
      content: [{ type: "text", text: "p" }],
      stop_reason: "max_tokens",
      usage: { input_tokens: 1, output_tokens: 1 },
    },
  };
}

describe("POST /api/providers/test", () => {
  it("reaches an Anthropic endpoint with a one-token message and the key from the body, never echoing it", async () => {
    const fake = await fakeModelServer(anthropicHandler);
    const answer = await harness.api("POST", "/api/providers/test", {
      provider: "anthropic",
      baseUrl: fake.url,
      model: "claude-sonnet-4-5",
      apiKey: anthropicKey,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, model: "claude-sonnet-4-5" });
    expect(answer.body.latencyMs).toBeGreaterThanOrEqual(0);
    expect(answer.body.message).toContain(fake.url);
    expect(JSON.stringify(answer.body)).not.toContain(anthropicKey);
    expect(fake.received).toHaveLength(1);
    const sent = JSON.parse(fake.received[0]?.body ?? "{}");
    expect(sent).toMatchObject({ model: "claude-sonnet-4-5", max_tokens: 1 });
    expect(fake.received[0]?.headers["anthropic-version"]).toBeDefined();

    // Nothing was saved: the key in the body was for this test only.
    const settings = await harness.api("GET", "/api/settings");
    expect(settings.body.secrets.ANTHROPIC_API_KEY).toEqual({ set: false });
  });

  it("says the key was refused on a 401, without quoting the key even when the server does", async () => {
    const fake = await fakeModelServer(anthropicHandler);
    const wrongKey = "sk-ant-wrong-key-987654321";
    const answer = await harness.api("POST", "/api/providers/test", {
      provider: "anthropic",
      baseUrl: `${fake.url}/`,
      apiKey: wrongKey,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.ok).toBe(false);
    expect(answer.body.message).toMatch(/the key was refused \(HTTP 401\)/i);
    expect(answer.body.message).toContain("invalid x-api-key");
    expect(JSON.stringify(answer.body)).not.toContain(wrongKey);
    expect(fake.received[0]?.url, "a trailing slash does not double").toBe("/v1/messages");
  });

  it("uses the saved secret when the body has no key", async () => {
    const fake = await fakeModelServer(anthropicHandler);
    const saved = await harness.api("PATCH", "/api/settings", {
      secrets: { ANTHROPIC_API_KEY: anthropicKey },
    });
    expect(saved.status).toBe(200);
    const answer = await harness.api("POST", "/api/providers/test", {
      provider: "anthropic",
      baseUrl: fake.url,
    });
    expect(answer.body).toMatchObject({ ok: true });
    expect(fake.received[0]?.headers["x-api-key"]).toBe(anthropicKey);
    expect(JSON.stringify(answer.body)).not.toContain(anthropicKey);
  });

  it("lists an OpenAI-compatible server's models with the bearer key and finds the model (Ollama's :latest too)", async () => {
    const fake = await fakeModelServer((request) =>
      request.method === "GET" && request.url === "/v1/models"
        ? {
            status: 200,
            body: {
              object: "list",
              data: [
                { id: "llama3.2:latest", object: "model" },
                { id: "qwen2.5-coder:latest", object: "model" },
              ],
            },
          }
        : { status: 404, body: { error: { message: "no such route" } } },
    );
    const found = await harness.api("POST", "/api/providers/test", {
      provider: "openai-compatible",
      baseUrl: `${fake.url}/v1`,
      model: "qwen2.5-coder",
      apiKey: "ollama-key-abcdef",
    });
    expect(found.body).toMatchObject({ ok: true, model: "qwen2.5-coder:latest" });
    expect(fake.received[0]?.headers.authorization).toBe("Bearer ollama-key-abcdef");
    expect(JSON.stringify(found.body)).not.toContain("ollama-key-abcdef");

    const missing = await harness.api("POST", "/api/providers/test", {
      provider: "openai-compatible",
      baseUrl: `${fake.url}/v1`,
      model: "deepseek-coder",
    });
    expect(missing.body.ok).toBe(false);
    expect(missing.body.message).toMatch(/deepseek-coder is not among its 2 models/);
    expect(fake.received[1]?.headers.authorization, "no key: no bearer").toBeUndefined();

    const wrongPath = await harness.api("POST", "/api/providers/test", {
      provider: "openai-compatible",
      baseUrl: fake.url,
    });
    expect(wrongPath.body.ok).toBe(false);
    expect(wrongPath.body.message).toMatch(/HTTP 404.*base URL/);
  });

  it("says nothing listens when the connection is refused", async () => {
    const port = await closedPort();
    for (const provider of ["anthropic", "openai-compatible"] as const) {
      const answer = await harness.api("POST", "/api/providers/test", {
        provider,
        baseUrl: `http://127.0.0.1:${port}/v1`,
        apiKey: "sk-some-key-123456",
      });
      expect(answer.status, provider).toBe(200);
      expect(answer.body, provider).toMatchObject({ ok: false });
      expect(answer.body.message, provider).toMatch(
        new RegExp(`nothing listens at http://127\\.0\\.0\\.1:${port}`, "i"),
      );
    }
  });

  it("answers the offline model at once, and refuses bad bodies with invalid_input", async () => {
    const replay = await harness.api("POST", "/api/providers/test", { provider: "replay" });
    expect(replay.body).toMatchObject({ ok: true });

    const bad = [
      {},
      { provider: "gpt" },
      { provider: "anthropic", baseUrl: "ftp://127.0.0.1/" },
      { provider: "anthropic", baseUrl: "not a url" },
      { provider: "anthropic", apiKey: "" },
      { provider: "anthropic", unknown: true },
    ];
    for (const body of bad) {
      const answer = await harness.api("POST", "/api/providers/test", body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code, JSON.stringify(body)).toBe("invalid_input");
    }
    const notJson = await harness.api("POST", "/api/providers/test", "{not json");
    expect(notJson.status).toBe(400);
  });
});

describe("POST /api/demo", { timeout: 180_000 }, () => {
  it("creates the demo in <home>/demo, reuses it on a second call, and its replay run turns the spec into features", async () => {
    const first = await harness.api("POST", "/api/demo");
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.project).toMatchObject({
      name: "demo",
      path: join(realpathSync(harness.home.path), "demo"),
      hasSpec: true,
    });
    expect(first.body.run).toMatchObject({ active: true, provider: "replay", maxConcurrency: 2 });

    const second = await harness.api("POST", "/api/demo");
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.project.path).toBe(first.body.project.path);
    expect(second.body.run.active).toBe(true);
    const listed = await harness.api("GET", "/api/projects");
    expect(listed.body.projects.map((project: { name: string }) => project.name)).toEqual(["demo"]);

    const expected = [
      "Add a todo with a title",
      "Mark a todo as done or not done",
      "Edit the title of a todo",
      "Delete a todo",
      "Filter the list: all, active, done",
      "Keep the todos across page reloads",
    ];
    const deadline = Date.now() + 90_000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      const features = await harness.api("GET", "/api/projects/demo/features");
      names = features.body.features.map((feature: { name: string }) => feature.name);
      if (names.length >= expected.length) break;
      const run = await harness.api("GET", "/api/projects/demo/run");
      if (!run.body.active)
        throw new Error(
          `the demo run ended before the initializer made the features: ${JSON.stringify(run.body)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(names, "the initializer turned the demo spec's six bullets into features within 90 s").toEqual(
      expected,
    );

    // Started once: the second call did not start another run (a conflict would have been a 409).
    const stopped = await harness.api("POST", "/api/projects/demo/run/stop");
    expect(stopped.body.active).toBe(false);
  });

  it("does not take over a user's own project named demo", async () => {
    const root = join(harness.work.path, "demo");
    mkdirSync(root);
    const own = await harness.api("POST", "/api/projects", { name: "demo", path: root });
    expect(own.status).toBe(201);
    const answer = await harness.api("POST", "/api/demo");
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe("project_exists");
    expect(answer.body.error.message).toContain(realpathSync(root));
    const run = await harness.api("GET", "/api/projects/demo/run");
    expect(run.body.active, "no run was started in the user's project").toBe(false);
  });
});

describe("the folder browser's start", () => {
  it("starts in the first allowed folder when the home folder is not allowed, and names the allowed folders", async () => {
    const listed = await harness.api("GET", "/api/fs/list");
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    const work = realpathSync(harness.work.path);
    expect(listed.body).toMatchObject({ path: work, parent: null, roots: [work] });

    const project = join(work, "from-the-browser");
    const created = await harness.api("POST", "/api/projects", { name: "browsed", path: project });
    expect(created.status, "a folder inside an allowed root is created").toBe(201);
    const document = (await harness.api("GET", "/api/openapi.json")).body;
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/api/providers/test", "/api/demo"]));
  });
});
