/**
 * Model prices, to turn token usage into dollars where the runtime does not report a cost itself.
 * Source: Anthropic public list prices (anthropic.com/pricing), as of 2026-12-03; cache write is the 5-minute rate.
 * The replay provider's `scripted` model is offline and priced at 0 explicitly.
 */

import { z } from "zod";

/** A model's price in USD per million tokens (the `modelPrices` setting holds these, by model name). */
export const modelPriceSchema = z.object({
  inputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
  cacheWritePerMTok: z.number().nonnegative().default(0),
  cacheReadPerMTok: z.number().nonnegative().default(0),
});
/** USD per million tokens. */
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** Tokens of a session, by kind (cache tokens are optional; absent means none). */
export interface TokenCounts {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheWriteTokens?: number;
  readonly cacheReadTokens?: number;
}

function price(input: number, output: number, cacheWrite: number, cacheRead: number): ModelPrice {
  return {
    inputPerMTok: input,
    outputPerMTok: output,
    cacheWritePerMTok: cacheWrite,
    cacheReadPerMTok: cacheRead,
  };
}

/** The known prices, by model name. */
export const modelPrices: Readonly<Record<string, ModelPrice>> = {
  "claude-sonnet-4-5": price(3, 15, 3.75, 0.3),
  "claude-opus-4-1": price(15, 75, 18.75, 1.5),
  "claude-haiku-4-5": price(1, 5, 1.25, 0.1),
  scripted: price(0, 0, 0, 0),
};

/** The price of `model` (overrides first), or null when it is unknown. */
export function priceOf(model: string, overrides?: Readonly<Record<string, ModelPrice>>): ModelPrice | null {
  return overrides?.[model] ?? modelPrices[model] ?? null;
}

/** What `usage` on `model` cost in USD, or null when the model has no price (never 0 for unknown). */
export function costOf(
  model: string,
  usage: TokenCounts,
  overrides?: Readonly<Record<string, ModelPrice>>,
): number | null {
  const known = priceOf(model, overrides);
  if (known === null) return null;
  return (
    (usage.inputTokens * known.inputPerMTok +
      usage.outputTokens * known.outputPerMTok +
      (usage.cacheWriteTokens ?? 0) * known.cacheWritePerMTok +
      (usage.cacheReadTokens ?? 0) * known.cacheReadPerMTok) /
    1_000_000
  );
}
