import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, generateText, stepCountIs, streamText, tool } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type ModelScript, sessionVariables } from "./script.ts";
import { startScriptedModelServer } from "./server.ts";

const variables = sessionVariables({ sessionId: "s-2", cwd: "/repo", features: [{ id: 9, name: "Logout" }] });

/** Turn 0: text and a bash call; turn 1: two tool calls; turn 2: the final text. */
const script: ModelScript = {
  turns: [
    {
      text: "Running the test.",
      toolCalls: [{ name: "bash", input: { command: "node --test test/feature-{{featureId}}.test.js" } }],
    },
    {
      toolCalls: [
        { name: "write_file", input: { path: "notes/{{featureId}}.md", content: "# {{featureName}}\n" } },
        { name: "feature_ready_for_verification", input: { feature_id: "{{featureId}}" } },
      ],
    },
    { text: "Feature {{featureId}} is ready.", usage: { inputTokens: 321, outputTokens: 9 } },
  ],
};

const userMessage = { role: "user", content: "Implement feature 9." };
const tools = [{ type: "function", function: { name: "bash", parameters: { type: "object" } } }];

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer secret" },
    body: JSON.stringify(body),
  });
}

function dataLines(text: string): string[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      expect(block.startsWith("data: ")).toBe(true);
      return block.slice("data: ".length);
    });
}

describe("scripted OpenAI server over fetch", () => {
  it("streams chunks with tool calls, finish reason, usage and [DONE]", async () => {
    await using server = await startScriptedModelServer({ wire: "openai", script, variables });
    const response = await post(`${server.openaiBaseUrl}/chat/completions`, {
      model: "local-model",
      messages: [{ role: "system", content: "You code." }, userMessage],
      tools,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.status).toBe(200);
    const lines = dataLines(await response.text());
    expect(lines.at(-1)).toBe("[DONE]");
    const chunks = lines.slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
    const choices = chunks.map((chunk) => (chunk["choices"] as Record<string, unknown>[])[0]);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: "chat.completion.chunk", model: "local-model" });
      expect(chunk["id"]).toBe(chunks[0]?.["id"]);
    }
    expect(choices.map((choice) => choice?.["delta"])).toEqual([
      { role: "assistant", content: "" },
      { content: "Running the test." },
      {
        tool_calls: [
          {
            index: 0,
            id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/),
            type: "function",
            function: { name: "bash", arguments: "" },
          },
        ],
      },
      {
        tool_calls: [
          { index: 0, function: { arguments: '{"command":"node --test test/feature-9.test.js"}' } },
        ],
      },
      {},
      undefined,
    ]);
    expect(choices.map((choice) => choice?.["finish_reason"])).toEqual([
      null,
      null,
      null,
      null,
      "tool_calls",
      undefined,
    ]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });
    expect(server.requests.map((request) => [request.kind, request.turnIndex, request.path])).toEqual([
      ["turn", 0, "/v1/chat/completions"],
    ]);
    expect(server.requests[0]?.headers["authorization"]).toBe("[redacted]");
  });

  it("leaves out the usage chunk unless asked, and answers stream: false with one completion", async () => {
    await using server = await startScriptedModelServer({ wire: "openai", script, variables });
    const conversation = [
      userMessage,
      {
        role: "assistant",
        content: "Running the test.",
        tool_calls: [{ id: "a", type: "function", function: { name: "bash", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "a", content: "ok" },
    ];
    const streamed = dataLines(
      await (
        await post(`${server.url}/v1/chat/completions`, {
          model: "m",
          messages: conversation,
          tools,
          stream: true,
        })
      ).text(),
    );
    expect(streamed.some((line) => line.includes('"usage"'))).toBe(false);
    const calls = streamed
      .slice(0, -1)
      .flatMap(
        (line) =>
          (JSON.parse(line) as { choices: { delta: { tool_calls?: unknown[] } }[] }).choices[0]?.delta
            .tool_calls ?? [],
      );
    expect(calls).toHaveLength(4);

    const plain = (await (
      await post(`${server.url}/v1/chat/completions`, { model: "m", messages: conversation, tools })
    ).json()) as Record<string, unknown>;
    expect(plain).toMatchObject({
      object: "chat.completion",
      model: "m",
      choices: [
        {
          index: 0,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                type: "function",
                function: { name: "write_file", arguments: '{"path":"notes/9.md","content":"# Logout\\n"}' },
              },
              {
                type: "function",
                function: { name: "feature_ready_for_verification", arguments: '{"feature_id":9}' },
              },
            ],
          },
        },
      ],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });
    expect(server.requests.map((request) => request.turnIndex)).toEqual([1, 1]);
  });

  it("treats only tool-less max_tokens <= 1 requests as side calls", async () => {
    await using server = await startScriptedModelServer({ wire: "openai", script, variables });
    const side = (await (
      await post(`${server.url}/v1/chat/completions`, { model: "m", max_tokens: 1, messages: [userMessage] })
    ).json()) as { choices: { message: { content: string } }[] };
    expect(side.choices[0]?.message.content).toBe("Scripted session");
    const titled = (await (
      await post(`${server.url}/v1/chat/completions`, {
        model: "m",
        messages: [{ role: "system", content: "Write a title for this session." }, userMessage],
      })
    ).json()) as { choices: { finish_reason: string }[] };
    expect(titled.choices[0]?.finish_reason).toBe("tool_calls");
    expect(server.requests.map((request) => [request.kind, request.turnIndex])).toEqual([
      ["side", undefined],
      ["turn", 0],
    ]);
  });

  it("lists models", async () => {
    await using server = await startScriptedModelServer({ wire: "openai", script, variables });
    expect(await (await fetch(`${server.openaiBaseUrl}/models`)).json()).toEqual({
      object: "list",
      data: [{ id: "scripted-model", object: "model", created: 0, owned_by: "autowright" }],
    });
  });

  it("fails loudly on an unscripted turn with an OpenAI error body", async () => {
    await using server = await startScriptedModelServer({
      wire: "openai",
      script: { turns: [{ text: "one" }] },
    });
    const response = await post(`${server.url}/v1/chat/completions`, {
      model: "m",
      tools,
      messages: [userMessage, { role: "assistant", content: "one" }, { role: "user", content: "again" }],
    });
    expect(response.status).toBe(500);
    const message =
      "scripted openai server: unscripted request for turn 1 (0-based); the script has 1 turn(s)";
    expect(await response.json()).toEqual({
      error: { message, type: "server_error", param: null, code: "server_error" },
    });
    expect(server.errors).toEqual([
      { method: "POST", path: "/v1/chat/completions", status: 500, message, turnIndex: 1 },
    ]);
    expect((await post(`${server.url}/v1/messages`, {})).status).toBe(404);
  });

  it.each([
    [429, { retryAfterSeconds: 12 }, "rate_limit_error", "rate_limit_exceeded", "12"],
    [401, {}, "invalid_request_error", "invalid_api_key", null],
  ] as const)(
    "answers a scripted %i with its body and retry-after",
    async (status, extra, type, code, retryAfter) => {
      await using server = await startScriptedModelServer({
        wire: "openai",
        script: { turns: [{ error: { status, message: "scripted failure", ...extra } }] },
      });
      const response = await post(`${server.url}/v1/chat/completions`, {
        model: "m",
        tools,
        messages: [userMessage],
      });
      expect(response.status).toBe(status);
      expect(response.headers.get("retry-after")).toBe(retryAfter);
      expect(await response.json()).toEqual({
        error: { message: "scripted failure", type, param: null, code },
      });
    },
  );
});

describe("scripted OpenAI server with @ai-sdk/openai-compatible", () => {
  const loopTools = (calls: { name: string; input: unknown }[]) => ({
    bash: tool({
      inputSchema: z.object({ command: z.string() }),
      execute: async (input) => {
        calls.push({ name: "bash", input });
        return "# pass 1\n# fail 0";
      },
    }),
    write_file: tool({
      inputSchema: z.object({ path: z.string(), content: z.string() }),
      execute: async (input) => {
        calls.push({ name: "write_file", input });
        return "written";
      },
    }),
    feature_ready_for_verification: tool({
      inputSchema: z.object({ feature_id: z.number() }),
      execute: async (input) => {
        calls.push({ name: "feature_ready_for_verification", input });
        return "ready";
      },
    }),
  });
  const expectedCalls = [
    { name: "bash", input: { command: "node --test test/feature-9.test.js" } },
    { name: "write_file", input: { path: "notes/9.md", content: "# Logout\n" } },
    { name: "feature_ready_for_verification", input: { feature_id: 9 } },
  ];

  it("runs a generateText tool loop to the final text", async () => {
    await using server = await startScriptedModelServer({ wire: "openai", script, variables });
    const calls: { name: string; input: unknown }[] = [];
    const provider = createOpenAICompatible({
      name: "scripted",
      baseURL: `${server.url}/v1`,
      includeUsage: true,
    });
    const result = await generateText({
      model: provider("local-model"),
      tools: loopTools(calls),
      stopWhen: stepCountIs(5),
      maxRetries: 0,
      prompt: "Implement feature 9.",
    });
    expect(calls).toEqual(expectedCalls);
    expect(result.text).toBe("Feature 9 is ready.");
    expect(result.steps.map((step) => step.finishReason)).toEqual(["tool-calls", "tool-calls", "stop"]);
    expect(result.usage).toMatchObject({ inputTokens: 321, outputTokens: 9 });
    expect(server.requests.map((request) => request.turnIndex)).toEqual([0, 1, 2]);
    const last = server.requests[2]?.body as
      | { messages: { role: string; tool_call_id?: string }[] }
      | undefined;
    const lastMessages = last?.messages ?? [];
    expect(
      lastMessages.filter((message) => message.role === "tool").map((message) => message.tool_call_id),
    ).toEqual(result.steps.flatMap((step) => step.toolCalls.map((call) => call.toolCallId)));
  });

  it("runs a streamText tool loop to the final text", async () => {
    await using server = await startScriptedModelServer({ wire: "openai", script, variables });
    const calls: { name: string; input: unknown }[] = [];
    const provider = createOpenAICompatible({
      name: "scripted",
      baseURL: server.openaiBaseUrl,
      includeUsage: true,
    });
    const result = streamText({
      model: provider("local-model"),
      tools: loopTools(calls),
      stopWhen: stepCountIs(5),
      maxRetries: 0,
      prompt: "Implement feature 9.",
    });
    expect(await result.text).toBe("Feature 9 is ready.");
    expect(calls).toEqual(expectedCalls);
    expect(await result.usage).toMatchObject({ inputTokens: 321, outputTokens: 9 });
    expect(server.requests.map((request) => (request.body as { stream: boolean }).stream)).toEqual([
      true,
      true,
      true,
    ]);
  });

  it("surfaces a scripted 429 with retry-after as an APICallError", async () => {
    await using server = await startScriptedModelServer({
      wire: "openai",
      script: { turns: [{ error: { status: 429, retryAfterSeconds: 7, message: "Slow down." } }] },
    });
    const provider = createOpenAICompatible({ name: "scripted", baseURL: server.openaiBaseUrl });
    const error = await generateText({ model: provider("local-model"), maxRetries: 0, prompt: "Hi" }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      statusCode: 429,
      message: "Slow down.",
      isRetryable: true,
      responseHeaders: expect.objectContaining({ "retry-after": "7" }),
    });
  });
});
