/**
 * The governors of a run: the budget (cost and tokens), the provider's rate limits (which pause the run) and its
 * refusal of the credentials (which stops it). Pure decisions; the orchestrator acts on them.
 */
import type { SessionOutcome, Settings, Usage } from "@autowright/protocol";

/** Why a governor stopped the run. */
export type GovernorStop = {
  readonly reason: string;
  readonly governor: "auth_failed" | "budget";
};

/** What the run has spent so far: the sessions that ended, plus the running ones. */
export interface Spending {
  /** The cost of the parts whose cost is known. */
  readonly costUsd: number;
  /** How many parts have an unknown cost (their tokens are counted, their dollars are not). */
  readonly unpriced: number;
  readonly tokens: number;
}

/** Adds up the usage of sessions (tokens in and out; cost where known, and how many parts are unknown). */
export function addUsage(usages: Iterable<Usage>): Spending {
  let costUsd = 0;
  let unpriced = 0;
  let tokens = 0;
  for (const usage of usages) {
    if (usage.costUsd === null) unpriced += 1;
    else costUsd += usage.costUsd;
    tokens += usage.inputTokens + usage.outputTokens;
  }
  return { costUsd, unpriced, tokens };
}

/**
 * The budget governor: a stop when the run spent more than `maxCostUsd` or `maxTokens`, else undefined. A cost
 * budget with spending of unknown cost stops too: it can no longer be kept (a run with an unpriced model is refused
 * before it starts, so this only guards a runtime that reports no cost).
 */
export function budgetExceeded(
  limits: Pick<Settings, "maxCostUsd" | "maxTokens">,
  spent: Spending,
): GovernorStop | undefined {
  const { maxCostUsd, maxTokens } = limits;
  const reason =
    maxCostUsd !== null && spent.costUsd > maxCostUsd
      ? `the run's cost $${spent.costUsd.toFixed(2)} passed the budget of $${maxCostUsd}`
      : maxCostUsd !== null && spent.unpriced > 0
        ? `the cost of some of the run's sessions is unknown (their model has no price), so the budget of $${maxCostUsd} cannot be kept`
        : maxTokens !== null && spent.tokens > maxTokens
          ? `the run used ${spent.tokens} tokens, more than the budget of ${maxTokens}`
          : undefined;
  return reason === undefined ? undefined : { reason, governor: "budget" };
}

/** The authentication governor: a session refused by the provider stops the whole run. */
export function authenticationStop(outcome: SessionOutcome, summary: string): GovernorStop | undefined {
  return outcome === "auth_failed"
    ? { reason: `the model provider refused the credentials: ${summary}`, governor: "auth_failed" }
    : undefined;
}

/** The rate-limit governor: no new session starts before the latest reset a provider announced. */
export class RateLimitGate {
  readonly #fallbackMs: number;
  #until = 0;

  /** `fallbackMs`: how long to wait when the provider gives no reset time. */
  constructor(fallbackMs: number) {
    this.#fallbackMs = fallbackMs;
  }

  /** Records a rate limit; returns when the run may spawn again (milliseconds since the epoch). */
  limit(resetAt: string | null, now: number): number {
    const parsed = resetAt === null ? Number.NaN : Date.parse(resetAt);
    const until = Number.isNaN(parsed) ? now + this.#fallbackMs : parsed;
    this.#until = Math.max(this.#until, until);
    return this.#until;
  }

  /** Milliseconds until the run may spawn again (0 when it may now). */
  remaining(now: number): number {
    return Math.max(0, this.#until - now);
  }

  /** When the current limit ends (milliseconds since the epoch; 0 when none was recorded). */
  get until(): number {
    return this.#until;
  }
}
