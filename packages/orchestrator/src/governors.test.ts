import { describe, expect, it } from "vitest";
import { addUsage, budgetExceeded } from "./governors.ts";

describe("the budget governor", () => {
  it("adds known costs and counts the unknown ones apart", () => {
    expect(
      addUsage([
        { inputTokens: 10, outputTokens: 5, costUsd: 0.5 },
        { inputTokens: 1, outputTokens: 1, costUsd: null },
        { inputTokens: 0, outputTokens: 0, costUsd: 0.25 },
      ]),
    ).toEqual({ costUsd: 0.75, unpriced: 1, tokens: 17 });
  });

  it("stops a cost budget that spending of unknown cost makes impossible to keep", () => {
    expect(
      budgetExceeded({ maxCostUsd: 10, maxTokens: null }, { costUsd: 1, unpriced: 1, tokens: 5 }),
    ).toEqual({
      governor: "budget",
      reason:
        "the cost of some of the run's sessions is unknown (their model has no price), so the budget of $10 cannot be kept",
    });
  });

  it("keeps a token budget whatever the cost: an unknown cost does not stop a run without a cost budget", () => {
    expect(
      budgetExceeded({ maxCostUsd: null, maxTokens: 100 }, { costUsd: 0, unpriced: 3, tokens: 100 }),
    ).toBe(undefined);
    expect(
      budgetExceeded({ maxCostUsd: null, maxTokens: 100 }, { costUsd: 0, unpriced: 3, tokens: 101 })?.reason,
    ).toBe("the run used 101 tokens, more than the budget of 100");
  });
});
