import { describe, expect, it } from "vitest";
import { costOf, priceOf } from "./prices.ts";

describe("prices", () => {
  it("prices a known model, cache tokens included", () => {
    const cost = costOf("claude-sonnet-4-5", {
      inputTokens: 1_000_000,
      outputTokens: 1_000_000,
      cacheWriteTokens: 1_000_000,
      cacheReadTokens: 1_000_000,
    });
    expect(cost).toBeCloseTo(3 + 15 + 3.75 + 0.3, 10);
  });

  it("answers null, never 0, for an unknown model", () => {
    expect(priceOf("qwen-local")).toBeNull();
    expect(costOf("qwen-local", { inputTokens: 10, outputTokens: 10 })).toBeNull();
  });

  it("prices the offline scripted model at 0", () => {
    expect(costOf("scripted", { inputTokens: 5_000, outputTokens: 5_000 })).toBe(0);
  });

  it("takes overrides first", () => {
    const overrides = {
      "qwen-local": { inputPerMTok: 1, outputPerMTok: 2, cacheWritePerMTok: 0, cacheReadPerMTok: 0 },
    };
    expect(costOf("qwen-local", { inputTokens: 1_000_000, outputTokens: 500_000 }, overrides)).toBe(2);
  });
});
