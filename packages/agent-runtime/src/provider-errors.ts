/**
 * Turns a model provider's failure into what the orchestrator needs: a rate limit with its reset time, an
 * authentication failure, or anything else. Decided from status codes and headers, never from message text.
 */

/** The class of a provider failure. */
export type ProviderFailure =
  | { readonly kind: "rate_limited"; readonly resetAt: string | null; readonly message: string }
  | { readonly kind: "auth_failed"; readonly message: string }
  | { readonly kind: "failed"; readonly message: string };

interface ErrorWithStatus {
  statusCode?: unknown;
  status?: unknown;
  responseHeaders?: unknown;
  headers?: unknown;
  message?: unknown;
  lastError?: unknown;
  cause?: unknown;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== "object") return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name && typeof value === "string") return value;
  }
  return undefined;
}

/** Parses OpenAI's `x-ratelimit-reset-*` durations (`1s`, `6m0s`, `120ms`) into milliseconds. */
function parseDuration(text: string): number | undefined {
  let total = 0;
  let matched = false;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    matched = true;
    const amount = Number(match[1]);
    total +=
      match[2] === "ms"
        ? amount
        : match[2] === "s"
          ? amount * 1_000
          : match[2] === "m"
            ? amount * 60_000
            : amount * 3_600_000;
  }
  return matched ? total : undefined;
}

/** The reset time a 429 response announces, from the headers providers use. */
export function resetTimeFromHeaders(headers: unknown, now: Date): string | null {
  const candidates: Date[] = [];
  for (const name of [
    "anthropic-ratelimit-unified-reset",
    "anthropic-ratelimit-requests-reset",
    "anthropic-ratelimit-tokens-reset",
  ]) {
    const value = headerValue(headers, name);
    if (value === undefined) continue;
    const asNumber = Number(value);
    const date =
      Number.isFinite(asNumber) && /^\d+$/.test(value) ? new Date(asNumber * 1_000) : new Date(value);
    if (!Number.isNaN(date.getTime())) candidates.push(date);
  }
  const retryAfter = headerValue(headers, "retry-after");
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    const date = Number.isFinite(seconds) ? new Date(now.getTime() + seconds * 1_000) : new Date(retryAfter);
    if (!Number.isNaN(date.getTime())) candidates.push(date);
  }
  for (const name of ["x-ratelimit-reset-requests", "x-ratelimit-reset-tokens"]) {
    const value = headerValue(headers, name);
    const milliseconds = value === undefined ? undefined : parseDuration(value);
    if (milliseconds !== undefined) candidates.push(new Date(now.getTime() + milliseconds));
  }
  if (candidates.length === 0) return null;
  return new Date(Math.max(...candidates.map((date) => date.getTime()))).toISOString();
}

/** Classifies an error thrown by a model client (AI SDK, Anthropic SDK, fetch). */
export function classifyProviderError(error: unknown, now: Date = new Date()): ProviderFailure {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === "object"; depth += 1) {
    const candidate = current as ErrorWithStatus;
    const status = typeof candidate.statusCode === "number" ? candidate.statusCode : candidate.status;
    const message = typeof candidate.message === "string" ? candidate.message : String(current);
    if (status === 429) {
      return {
        kind: "rate_limited",
        resetAt: resetTimeFromHeaders(candidate.responseHeaders ?? candidate.headers, now),
        message,
      };
    }
    if (status === 401 || status === 403) return { kind: "auth_failed", message };
    if (typeof status === "number") return { kind: "failed", message };
    current = candidate.lastError ?? candidate.cause;
  }
  return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
}
