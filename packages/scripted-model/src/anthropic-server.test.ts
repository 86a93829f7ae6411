import { createAnthropic } from "@ai-sdk/anthropic";
import Anthropic from "@anthropic-ai/sdk";
import { generateText, stepCountIs, streamText, tool } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ModelScript } from "./script.ts";
import { sessionVariables } from "./script.ts";
import { startScriptedModelServer } from "./server.ts";

const variables = sessionVariables({
  sessionId: "s-1",
  cwd: "/repo",
  features: [{ id: 7, name: "Greeting" }],
});
const longText =
  "This answer is long enough to be streamed in several pieces by the scripted server, ".repeat(2);

/** Turn 0: text and a backlog tool call; turn 1: the final text. */
const script: ModelScript = {
  turns: [
    {
      text: "Handing over feature {{featureId}}.",
      toolCalls: [
        { name: "feature_ready_for_verification", input: { feature_id: "{{featureId}}", summary: "done" } },
      ],
    },
    { text: "All done.", usage: { inputTokens: 1234, outputTokens: 56 } },
  ],
};

interface ParsedEvent {
  event: string;
  data: Record<string, unknown>;
}

function parseServerSentEvents(text: string): ParsedEvent[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((line) => line.startsWith("event: "))?.slice("event: ".length) ?? "";
      const data = lines.find((line) => line.startsWith("data: "))?.slice("data: ".length) ?? "{}";
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

const userMessage = { role: "user", content: "Implement feature 7." };

function messagesRequest(messages: unknown[], extra: Record<string, unknown> = {}) {
  return {
    model: "claude-test",
    max_tokens: 1024,
    messages,
    tools: [{ name: "t", input_schema: {} }],
    ...extra,
  };
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "secret-key" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("scripted Anthropic server over fetch", () => {
  it("streams a turn as Anthropic SSE and picks the turn from the conversation", async () => {
    await using server = await startScriptedModelServer({ wire: "anthropic", script, variables });
    const response = await post(
      `${server.url}/v1/messages?beta=true`,
      messagesRequest([userMessage], { stream: true }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = parseServerSentEvents(await response.text());
    expect(events.map((event) => event.event)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const event of events) expect(event.data["type"]).toBe(event.event);
    const start = events[0]?.data["message"] as Record<string, unknown>;
    expect(start).toMatchObject({ type: "message", role: "assistant", model: "claude-test", content: [] });
    expect(String(start["id"])).toMatch(/^msg_01[A-Za-z0-9]{22}$/);
    expect(events[2]?.data).toEqual({
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    });
    expect(events[3]?.data).toEqual({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: "Handing over feature 7." },
    });
    const toolStart = events[5]?.data["content_block"] as Record<string, unknown>;
    expect(toolStart).toMatchObject({ type: "tool_use", name: "feature_ready_for_verification", input: {} });
    expect(String(toolStart["id"])).toMatch(/^toolu_01[A-Za-z0-9]{22}$/);
    expect(events[6]?.data).toEqual({
      type: "content_block_delta",
      index: 1,
      delta: { type: "input_json_delta", partial_json: '{"feature_id":7,"summary":"done"}' },
    });
    expect(events[8]?.data).toMatchObject({
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { output_tokens: expect.any(Number) },
    });

    const followUp = await post(
      `${server.url}/v1/messages?beta=true`,
      messagesRequest(
        [
          userMessage,
          { role: "assistant", content: [{ type: "text", text: "Handing over feature 7." }] },
          { role: "assistant", content: [{ type: "tool_use", id: toolStart["id"], name: "x", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: toolStart["id"], content: "ok" }] },
        ],
        { stream: true },
      ),
    );
    const final = parseServerSentEvents(await followUp.text());
    expect(final.map((event) => event.event)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(final[3]?.data["delta"]).toEqual({ type: "text_delta", text: "All done." });
    expect(final[0]?.data["message"]).toMatchObject({ usage: { input_tokens: 1234 } });
    expect(final[5]?.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 56 },
    });

    expect(server.requests.map((request) => [request.kind, request.turnIndex, request.path])).toEqual([
      ["turn", 0, "/v1/messages?beta=true"],
      ["turn", 1, "/v1/messages?beta=true"],
    ]);
    expect(server.requests[0]?.headers["x-api-key"]).toBe("[redacted]");
    expect(server.requests[0]?.body).toEqual(messagesRequest([userMessage], { stream: true }));
    expect(server.errors).toEqual([]);
  });

  it("splits long text and tool input into several deltas that join back", async () => {
    const input = { content: "x".repeat(150) };
    await using server = await startScriptedModelServer({
      wire: "anthropic",
      script: { turns: [{ text: longText, toolCalls: [{ name: "Write", input }] }] },
    });
    const response = await post(
      `${server.url}/v1/messages`,
      messagesRequest([userMessage], { stream: true }),
    );
    const deltas = parseServerSentEvents(await response.text())
      .filter((event) => event.event === "content_block_delta")
      .map((event) => event.data["delta"] as Record<string, string>);
    const text = deltas.filter((delta) => delta["type"] === "text_delta").map((delta) => delta["text"]);
    const json = deltas
      .filter((delta) => delta["type"] === "input_json_delta")
      .map((delta) => delta["partial_json"]);
    expect(text.length).toBe(Math.ceil(longText.length / 64));
    expect(text.join("")).toBe(longText);
    expect(json.length).toBe(Math.ceil(JSON.stringify(input).length / 64));
    expect(JSON.parse(json.join(""))).toEqual(input);
  });

  it("answers stream: false with one message, and a retried request with the same turn", async () => {
    await using server = await startScriptedModelServer({ wire: "anthropic", script, variables });
    const first = (await (
      await post(`${server.url}/v1/messages`, messagesRequest([userMessage]))
    ).json()) as Record<string, unknown>;
    const retry = (await (
      await post(`${server.url}/v1/messages`, messagesRequest([userMessage]))
    ).json()) as Record<string, unknown>;
    for (const message of [first, retry]) {
      expect(message).toMatchObject({
        type: "message",
        role: "assistant",
        model: "claude-test",
        stop_reason: "tool_use",
        stop_sequence: null,
        content: [
          { type: "text", text: "Handing over feature 7." },
          {
            type: "tool_use",
            name: "feature_ready_for_verification",
            input: { feature_id: 7, summary: "done" },
          },
        ],
      });
    }
    expect(server.requests.map((request) => request.turnIndex)).toEqual([0, 0]);
  });

  it("answers count_tokens, models and HEAD probes without using turns", async () => {
    await using server = await startScriptedModelServer({ wire: "anthropic", script, variables });
    const body = JSON.stringify(messagesRequest([userMessage]));
    const count = await post(`${server.url}/v1/messages/count_tokens?beta=true`, body);
    expect(await count.json()).toEqual({ input_tokens: Math.ceil(body.length / 4) });
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toEqual(["scripted-model"]);
    expect((await fetch(`${server.url}/api/hello`, { method: "HEAD" })).status).toBe(200);
    const turn = (await (await post(`${server.url}/v1/messages`, messagesRequest([userMessage]))).json()) as {
      stop_reason: string;
    };
    expect(turn.stop_reason).toBe("tool_use");
    expect(server.requests.map((request) => request.kind)).toEqual([
      "count-tokens",
      "models",
      "probe",
      "turn",
    ]);
    expect(server.errors).toEqual([]);
  });

  it("answers Claude Code's side calls with canned text without using a turn", async () => {
    await using server = await startScriptedModelServer({ wire: "anthropic", script, variables });
    // The session-title request the Claude Code CLI (2.1.x) sends: no tools, a title prompt, a JSON schema.
    const titleRequest = {
      model: "claude-test",
      max_tokens: 128000,
      stream: true,
      tools: [],
      system: [
        { type: "text", text: "You are a Claude agent, built on Anthropic's Claude Agent SDK." },
        { type: "text", text: 'You are naming a coding session… Return JSON with a single "title" field.' },
      ],
      messages: [{ role: "user", content: [{ type: "text", text: "<session>\nImplement it\n</session>" }] }],
      output_config: {
        format: {
          type: "json_schema",
          schema: { type: "object", properties: { title: { type: "string" } }, required: ["title"] },
        },
      },
    };
    const title = parseServerSentEvents(
      await (await post(`${server.url}/v1/messages?beta=true`, titleRequest)).text(),
    );
    expect(title.find((event) => event.event === "content_block_delta")?.data["delta"]).toEqual({
      type: "text_delta",
      text: '{"title":"Scripted session"}',
    });
    const quota = (await (
      await post(`${server.url}/v1/messages`, {
        model: "m",
        max_tokens: 1,
        messages: [{ role: "user", content: "quota" }],
      })
    ).json()) as { content: unknown };
    expect(quota.content).toEqual([{ type: "text", text: "Scripted session" }]);
    const turn = (await (await post(`${server.url}/v1/messages`, messagesRequest([userMessage]))).json()) as {
      content: { type: string }[];
    };
    expect(turn.content.map((block) => block.type)).toEqual(["text", "tool_use"]);
    // Without tools, but neither tiny nor asking for a title: an ordinary turn.
    const toolless = (await (
      await post(`${server.url}/v1/messages`, { model: "m", max_tokens: 100, messages: [userMessage] })
    ).json()) as { stop_reason: string };
    expect(toolless.stop_reason).toBe("tool_use");
    expect(server.requests.map((request) => [request.kind, request.turnIndex])).toEqual([
      ["side", undefined],
      ["side", undefined],
      ["turn", 0],
      ["turn", 0],
    ]);
  });

  it("fails loudly on unscripted requests, bad bodies and unknown routes", async () => {
    await using server = await startScriptedModelServer({
      wire: "anthropic",
      script: { turns: [{ text: "only" }] },
    });
    const beyond = await post(
      `${server.url}/v1/messages`,
      messagesRequest([
        userMessage,
        { role: "assistant", content: "only" },
        { role: "user", content: "more" },
      ]),
    );
    expect(beyond.status).toBe(500);
    const message =
      "scripted anthropic server: unscripted request for turn 1 (0-based); the script has 1 turn(s)";
    expect(await beyond.json()).toEqual({ type: "error", error: { type: "api_error", message } });
    expect((await post(`${server.url}/v1/messages`, "{not json")).status).toBe(400);
    expect((await post(`${server.url}/v1/messages`, { model: "m" })).status).toBe(400);
    expect((await post(`${server.url}/v1/complete`, {})).status).toBe(404);
    expect(server.errors).toEqual([
      { method: "POST", path: "/v1/messages", status: 500, message, turnIndex: 1 },
      {
        method: "POST",
        path: "/v1/messages",
        status: 400,
        message: "scripted anthropic server: POST /v1/messages body is not JSON",
        turnIndex: undefined,
      },
      {
        method: "POST",
        path: "/v1/messages",
        status: 400,
        message: "scripted anthropic server: POST /v1/messages body has no messages list",
        turnIndex: undefined,
      },
      {
        method: "POST",
        path: "/v1/complete",
        status: 404,
        message: "scripted anthropic server: no route POST /v1/complete",
        turnIndex: undefined,
      },
    ]);
  });

  it("rejects a script with an unknown placeholder at start", async () => {
    await expect(
      startScriptedModelServer({
        wire: "anthropic",
        script: { turns: [{ text: "{{featureTitle}}" }] },
        variables,
      }),
    ).rejects.toThrow("turns[0].text: unknown placeholder {{featureTitle}}");
  });

  it("answers scripted errors with status, Anthropic error body and rate-limit headers", async () => {
    await using server = await startScriptedModelServer({
      wire: "anthropic",
      script: { turns: [{ error: { status: 529 } }] },
    });
    const response = await post(`${server.url}/v1/messages`, messagesRequest([userMessage]));
    expect(response.status).toBe(529);
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: "Scripted overload: the model is overloaded." },
    });
    expect(response.headers.get("retry-after")).toBeNull();
    expect(server.errors).toEqual([]);
  });

  it("serves several conversations at once, each at its own turn", async () => {
    await using server = await startScriptedModelServer({
      wire: "anthropic",
      script,
      variables,
      latencyMs: 50,
    });
    const later = [userMessage, { role: "assistant", content: "x" }, { role: "user", content: "y" }];
    const [atStart, atEnd] = (await Promise.all([
      post(`${server.url}/v1/messages`, messagesRequest([userMessage])).then((response) => response.json()),
      post(`${server.url}/v1/messages`, messagesRequest(later)).then((response) => response.json()),
    ])) as { stop_reason: string }[];
    expect(atStart?.stop_reason).toBe("tool_use");
    expect(atEnd?.stop_reason).toBe("end_turn");
  });

  it("waits latencyMs before a turn but answers side calls at once", async () => {
    await using server = await startScriptedModelServer({
      wire: "anthropic",
      script,
      variables,
      latencyMs: 200,
    });
    const started = performance.now();
    await (await post(`${server.url}/v1/messages`, messagesRequest([userMessage]))).json();
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);

    await using slow = await startScriptedModelServer({
      wire: "anthropic",
      script,
      variables,
      latencyMs: 30_000,
    });
    const pendingTurn = post(`${slow.url}/v1/messages`, messagesRequest([userMessage])).then(
      () => "turn",
      () => "turn failed",
    );
    const side = post(`${slow.url}/v1/messages`, { model: "m", max_tokens: 1, messages: [userMessage] }).then(
      async (response) =>
        `side ${response.status} ${JSON.stringify(((await response.json()) as { content: unknown }).content)}`,
    );
    expect(await Promise.race([pendingTurn, side])).toBe(
      'side 200 [{"type":"text","text":"Scripted session"}]',
    );
    await slow.close();
    expect(await pendingTurn).toBe("turn failed");
    expect(slow.errors).toEqual([]);
  });
});

describe("scripted Anthropic server with @anthropic-ai/sdk", () => {
  it("streams a tool call and a final message", async () => {
    await using server = await startScriptedModelServer({ wire: "anthropic", script, variables });
    const client = new Anthropic({ baseURL: server.url, apiKey: "test-key", maxRetries: 0 });
    const tools = [
      {
        name: "feature_ready_for_verification",
        input_schema: { type: "object" as const, properties: { feature_id: { type: "number" } } },
      },
    ];
    const first = await client.messages
      .stream({ model: "claude-test", max_tokens: 1024, tools, messages: [{ role: "user", content: "Go" }] })
      .finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content).toMatchObject([
      { type: "text", text: "Handing over feature 7." },
      { type: "tool_use", name: "feature_ready_for_verification", input: { feature_id: 7, summary: "done" } },
    ]);
    const toolUse = first.content[1];
    if (toolUse?.type !== "tool_use") throw new Error("expected a tool_use block");
    const second = await client.messages.create({
      model: "claude-test",
      max_tokens: 1024,
      tools,
      messages: [
        { role: "user", content: "Go" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: toolUse.id, content: "ok" }] },
      ],
    });
    expect(second.content).toEqual([{ type: "text", text: "All done." }]);
    expect(second.usage).toMatchObject({ input_tokens: 1234, output_tokens: 56 });
  });

  it.each([
    {
      status: 429 as const,
      errorType: "rate_limit_error",
      headers: {
        "retry-after": "30",
        "anthropic-ratelimit-requests-reset": "2030-01-02T03:04:05.000Z",
        "anthropic-ratelimit-unified-reset": "1893553445",
        "anthropic-ratelimit-unified-status": "rejected",
      },
    },
    { status: 401 as const, errorType: "authentication_error", headers: { "retry-after": null } },
  ])("surfaces a scripted $status with its headers", async ({ status, errorType, headers }) => {
    await using server = await startScriptedModelServer({
      wire: "anthropic",
      script: {
        turns: [
          status === 429
            ? {
                error: {
                  status,
                  message: "limit hit",
                  retryAfterSeconds: 30,
                  resetAt: "2030-01-02T03:04:05Z",
                },
              }
            : { error: { status, message: "bad key" } },
        ],
      },
    });
    const client = new Anthropic({ baseURL: server.url, apiKey: "test-key", maxRetries: 0 });
    const error = await client.messages
      .create({ model: "claude-test", max_tokens: 10, messages: [{ role: "user", content: "Go" }] })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    if (!(error instanceof Anthropic.APIError)) return;
    expect(error.status).toBe(status);
    expect(error.error).toEqual({
      type: "error",
      error: { type: errorType, message: status === 429 ? "limit hit" : "bad key" },
    });
    for (const [name, value] of Object.entries(headers)) expect(error.headers?.get(name)).toBe(value);
  });
});

describe("scripted Anthropic server with @ai-sdk/anthropic", () => {
  const readyTool = (calls: unknown[]) =>
    tool({
      description: "Hand a feature to verification",
      inputSchema: z.object({ feature_id: z.number(), summary: z.string() }),
      execute: async (input) => {
        calls.push(input);
        return `feature ${input.feature_id} is ready for verification`;
      },
    });

  it("runs a generateText tool loop to the final text", async () => {
    await using server = await startScriptedModelServer({ wire: "anthropic", script, variables });
    const calls: unknown[] = [];
    const provider = createAnthropic({ baseURL: server.anthropicBaseUrl, apiKey: "test-key" });
    const result = await generateText({
      model: provider("claude-sonnet-4-5"),
      tools: { feature_ready_for_verification: readyTool(calls) },
      stopWhen: stepCountIs(5),
      maxRetries: 0,
      prompt: "Implement feature 7.",
    });
    expect(calls).toEqual([{ feature_id: 7, summary: "done" }]);
    expect(result.text).toBe("All done.");
    expect(result.steps.map((step) => step.finishReason)).toEqual(["tool-calls", "stop"]);
    expect(result.usage).toMatchObject({ inputTokens: 1234, outputTokens: 56 });
    expect(result.totalUsage.inputTokens).toBeGreaterThan(1234);
    const toolCallId = result.steps[0]?.toolCalls[0]?.toolCallId;
    const second = server.requests[1]?.body as { messages: { role: string; content: unknown }[] } | undefined;
    expect(second?.messages.at(-1)).toMatchObject({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: toolCallId }],
    });
    expect(server.requests.map((request) => [request.path, request.turnIndex])).toEqual([
      ["/v1/messages", 0],
      ["/v1/messages", 1],
    ]);
  });

  it("runs a streamText tool loop to the final text", async () => {
    await using server = await startScriptedModelServer({ wire: "anthropic", script, variables });
    const calls: unknown[] = [];
    const provider = createAnthropic({ baseURL: server.anthropicBaseUrl, apiKey: "test-key" });
    const result = streamText({
      model: provider("claude-sonnet-4-5"),
      tools: { feature_ready_for_verification: readyTool(calls) },
      stopWhen: stepCountIs(5),
      maxRetries: 0,
      prompt: "Implement feature 7.",
    });
    expect(await result.text).toBe("All done.");
    expect(calls).toEqual([{ feature_id: 7, summary: "done" }]);
    expect((server.requests[0]?.body as { stream: boolean } | undefined)?.stream).toBe(true);
  });

  it("surfaces a scripted 429 with retry-after as an APICallError", async () => {
    await using server = await startScriptedModelServer({
      wire: "anthropic",
      script: { turns: [{ error: { status: 429, retryAfterSeconds: 12 } }] },
    });
    const provider = createAnthropic({ baseURL: server.anthropicBaseUrl, apiKey: "test-key" });
    const error = await generateText({
      model: provider("claude-sonnet-4-5"),
      maxRetries: 0,
      prompt: "Hi",
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      statusCode: 429,
      message: "Scripted rate limit: too many requests.",
      responseHeaders: expect.objectContaining({ "retry-after": "12" }),
    });
  });
});
