import { settingsSchema } from "@autowright/protocol";
import { startScriptedModelServer } from "@autowright/scripted-model";
import { describe, expect, it } from "vitest";
import { chatModelName, chatModelOptions } from "./chat-model.ts";
import { createChatFixture, recordFrames } from "./chat-test-support.ts";

const settings = (patch: Record<string, unknown>) => settingsSchema.parse(patch);

describe("chatModelOptions", () => {
  it.each([
    [
      "anthropic from the environment",
      settings({ provider: "anthropic" }),
      { ANTHROPIC_API_KEY: "key-a", ANTHROPIC_BASE_URL: "http://127.0.0.1:9/" },
      { wire: "anthropic", baseUrl: "http://127.0.0.1:9/", apiKey: "key-a", model: "claude-sonnet-4-5" },
    ],
    [
      "openai-compatible with the baseUrl setting and the chat model",
      settings({
        provider: "openai-compatible",
        baseUrl: "http://127.0.0.1:11434/v1",
        models: { chat: "llama3" },
      }),
      {},
      { wire: "openai-compatible", baseUrl: "http://127.0.0.1:11434/v1", apiKey: undefined, model: "llama3" },
    ],
    [
      "the environment's base URL before the setting",
      settings({ provider: "openai-compatible", baseUrl: "http://127.0.0.1:1/v1" }),
      { OPENAI_BASE_URL: "http://127.0.0.1:2/v1", OPENAI_API_KEY: "key-o" },
      {
        wire: "openai-compatible",
        baseUrl: "http://127.0.0.1:2/v1",
        apiKey: "key-o",
        model: "qwen2.5-coder",
      },
    ],
    [
      "claude through the Anthropic API key",
      settings({ provider: "claude" }),
      { ANTHROPIC_API_KEY: "key-c" },
      { wire: "anthropic", baseUrl: undefined, apiKey: "key-c", model: "claude-sonnet-4-5" },
    ],
  ])("%s", (_name, chosen, environment, expected) => {
    expect(chatModelOptions(chosen, environment)).toEqual(expected);
  });

  it.each([
    ["claude without an API key", settings({ provider: "claude" }), { CLAUDE_CODE_OAUTH_TOKEN: "t" }],
    ["openai-compatible without a base URL", settings({ provider: "openai-compatible" }), {}],
  ])("refuses %s", (_name, chosen, environment) => {
    expect(() => chatModelOptions(chosen, environment)).toThrow(
      expect.objectContaining({ code: "invalid_input" }),
    );
  });

  it("names the chat model: the setting, else the provider's default", () => {
    expect(chatModelName(settings({ provider: "replay" }))).toBe("scripted");
    expect(chatModelName(settings({ provider: "anthropic", models: { chat: "claude-haiku" } }))).toBe(
      "claude-haiku",
    );
  });
});

describe("a chat on a real provider setting", () => {
  it("takes the credentials from the server's environment and never shows them", async () => {
    const key = "sk-live-abcdefghijklmnopqrstuvwxyz";
    await using server = await startScriptedModelServer({
      wire: "openai",
      script: { turns: [{ text: `Your key ${key} works.` }] },
    });
    await using fixture = createChatFixture({
      settings: { provider: "openai-compatible" },
      environment: { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: key },
    });
    const chat = fixture.manager.create("assistant");
    const frames = recordFrames(chat);
    const result = await chat.send({ text: "Does my key work?" });
    expect(result.message.status).toBe("completed");
    expect(server.requests[0]?.headers["authorization"]).toBe("[redacted]");
    expect(JSON.stringify(server.requests[0]?.body)).not.toContain(key);
    expect(JSON.stringify(frames)).not.toContain(key);
    expect(JSON.stringify(fixture.manager.detail(chat.id))).not.toContain(key);
    expect(JSON.stringify(result.message.parts)).toContain("Your key [redacted] works.");
  });

  it("fails the turn with a clear error when the provider cannot be used", async () => {
    await using fixture = createChatFixture({ settings: { provider: "claude" }, environment: {} });
    const chat = fixture.manager.create("assistant");
    const frames = recordFrames(chat);
    const result = await chat.send({ text: "Hello" });
    expect(result.message).toMatchObject({ status: "failed", error: { code: "invalid_input" } });
    expect(frames).toContainEqual(expect.objectContaining({ type: "chat.error", code: "invalid_input" }));
  });
});
