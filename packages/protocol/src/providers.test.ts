import { describe, expect, it } from "vitest";
import { providerSchema, settingsSchema } from "./index.ts";
import {
  defaultModel,
  modelsOfRun,
  providerCredentialNames,
  providerTable,
  unpricedModels,
} from "./providers.ts";

describe("the provider table", () => {
  it("has a row for every provider, with a default model for every orchestrated role", () => {
    expect(Object.keys(providerTable).sort()).toEqual([...providerSchema.options].sort());
    for (const provider of providerSchema.options) {
      for (const role of ["initializer", "coding", "testing"] as const) {
        expect(defaultModel(provider, role)).not.toBe("");
      }
      const row = providerTable[provider];
      expect(row.runtime === "tool-loop").toBe(row.wire !== undefined);
    }
  });

  it("lists every provider's credential variables once", () => {
    expect(providerCredentialNames).toEqual(
      expect.arrayContaining([
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "CLAUDE_CODE_OAUTH_TOKEN",
        "OPENAI_API_KEY",
      ]),
    );
    expect(new Set(providerCredentialNames).size).toBe(providerCredentialNames.length);
  });

  it("resolves each role's model: the override, then the setting, then the provider's default", () => {
    const settings = settingsSchema.parse({ models: { testing: "claude-haiku-4-5" } });
    expect(modelsOfRun("anthropic", settings)).toEqual({
      initializer: "claude-sonnet-4-5",
      coding: "claude-sonnet-4-5",
      testing: "claude-haiku-4-5",
    });
    expect(modelsOfRun("anthropic", settings, "claude-opus-4-1").testing).toBe("claude-opus-4-1");
  });

  it("names the models whose cost cannot be known", () => {
    const settings = settingsSchema.parse({});
    expect(unpricedModels("anthropic", settings)).toEqual([]);
    expect(unpricedModels("openai-compatible", settings)).toEqual(["qwen2.5-coder"]);
    expect(unpricedModels("anthropic", settings, "claude-next")).toEqual(["claude-next"]);
    // Claude Code reports the cost itself, so any model can be budgeted.
    expect(unpricedModels("claude", settings, "claude-next")).toEqual([]);
    const priced = settingsSchema.parse({
      modelPrices: { "qwen2.5-coder": { inputPerMTok: 0.2, outputPerMTok: 0.6 } },
    });
    expect(unpricedModels("openai-compatible", priced)).toEqual([]);
  });
});
