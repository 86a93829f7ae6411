import { describe, expect, it } from "vitest";
import { classifyProviderError, resetTimeFromHeaders } from "./provider-errors.ts";

const now = new Date("2026-01-01T00:00:00.000Z");
const unixSeconds = (iso: string): string => String(Date.parse(iso) / 1000);

describe("resetTimeFromHeaders", () => {
  it.each([
    ["retry-after in seconds", { "retry-after": "120" }, "2026-01-01T00:02:00.000Z"],
    [
      "retry-after as an HTTP date",
      { "retry-after": "Thu, 01 Jan 2026 00:05:00 GMT" },
      "2026-01-01T00:05:00.000Z",
    ],
    [
      "anthropic-ratelimit-unified-reset in unix seconds",
      { "anthropic-ratelimit-unified-reset": unixSeconds("2026-01-01T01:00:00Z") },
      "2026-01-01T01:00:00.000Z",
    ],
    [
      "anthropic-ratelimit-requests-reset as ISO",
      { "anthropic-ratelimit-requests-reset": "2026-01-01T00:10:00Z" },
      "2026-01-01T00:10:00.000Z",
    ],
    [
      "anthropic-ratelimit-tokens-reset as ISO",
      { "anthropic-ratelimit-tokens-reset": "2026-01-01T00:03:30Z" },
      "2026-01-01T00:03:30.000Z",
    ],
    ["x-ratelimit-reset-requests 6m0s", { "x-ratelimit-reset-requests": "6m0s" }, "2026-01-01T00:06:00.000Z"],
    [
      "x-ratelimit-reset-requests 120ms",
      { "x-ratelimit-reset-requests": "120ms" },
      "2026-01-01T00:00:00.120Z",
    ],
    ["x-ratelimit-reset-tokens 1.5s", { "x-ratelimit-reset-tokens": "1.5s" }, "2026-01-01T00:00:01.500Z"],
    ["x-ratelimit-reset-tokens 1h2m3s", { "x-ratelimit-reset-tokens": "1h2m3s" }, "2026-01-01T01:02:03.000Z"],
    ["header names in any case", { "Retry-After": "30" }, "2026-01-01T00:00:30.000Z"],
    ["a Headers object", new Headers({ "Retry-After": "45" }), "2026-01-01T00:00:45.000Z"],
    [
      "a Headers object with an OpenAI duration",
      new Headers({ "x-ratelimit-reset-requests": "6m0s" }),
      "2026-01-01T00:06:00.000Z",
    ],
    [
      "the latest of several",
      {
        "retry-after": "30",
        "anthropic-ratelimit-requests-reset": "2026-01-01T00:10:00Z",
        "anthropic-ratelimit-unified-reset": unixSeconds("2026-01-01T00:07:00Z"),
        "x-ratelimit-reset-requests": "6m0s",
      },
      "2026-01-01T00:10:00.000Z",
    ],
    [
      "the latest of several, a duration winning",
      { "retry-after": "30", "x-ratelimit-reset-tokens": "2h" },
      "2026-01-01T02:00:00.000Z",
    ],
    ["no rate-limit header", { "content-type": "application/json" }, null],
    ["an empty record", {}, null],
    ["an empty Headers object", new Headers(), null],
    ["unparsable values", { "retry-after": "soon", "x-ratelimit-reset-requests": "later" }, null],
    ["a non-string value", { "retry-after": 30 }, null],
    ["null", null, null],
    ["undefined", undefined, null],
    ["a string", "retry-after: 30", null],
  ])("%s", (_name, headers, expected) => {
    expect(resetTimeFromHeaders(headers, now)).toBe(expected);
  });
});

describe("classifyProviderError", () => {
  const withStatus = (message: string, fields: Record<string, unknown>): Error =>
    Object.assign(new Error(message), fields);

  it.each([
    [
      "429 via statusCode, with responseHeaders",
      withStatus("Too Many Requests", { statusCode: 429, responseHeaders: { "retry-after": "60" } }),
      { kind: "rate_limited", resetAt: "2026-01-01T00:01:00.000Z", message: "Too Many Requests" },
    ],
    [
      "429 via status, with a Headers object",
      withStatus("rate limited", {
        status: 429,
        headers: new Headers({ "anthropic-ratelimit-requests-reset": "2026-01-01T00:10:00Z" }),
      }),
      { kind: "rate_limited", resetAt: "2026-01-01T00:10:00.000Z", message: "rate limited" },
    ],
    [
      "429 without headers",
      withStatus("slow down", { statusCode: 429 }),
      { kind: "rate_limited", resetAt: null, message: "slow down" },
    ],
    [
      "401 via statusCode",
      withStatus("invalid x-api-key", { statusCode: 401 }),
      { kind: "auth_failed", message: "invalid x-api-key" },
    ],
    [
      "403 via status",
      withStatus("forbidden", { status: 403 }),
      { kind: "auth_failed", message: "forbidden" },
    ],
    [
      "500 via statusCode",
      withStatus("overloaded", { statusCode: 500 }),
      { kind: "failed", message: "overloaded" },
    ],
    [
      "statusCode wins over status",
      withStatus("mixed", { statusCode: 401, status: 429 }),
      { kind: "auth_failed", message: "mixed" },
    ],
    [
      "a 429 in lastError (AI SDK RetryError)",
      withStatus("Failed after 3 attempts. Last error: Too Many Requests", {
        reason: "maxRetriesExceeded",
        lastError: withStatus("Too Many Requests", {
          statusCode: 429,
          responseHeaders: { "x-ratelimit-reset-requests": "6m0s" },
        }),
      }),
      { kind: "rate_limited", resetAt: "2026-01-01T00:06:00.000Z", message: "Too Many Requests" },
    ],
    [
      "a 401 in cause",
      new Error("request failed", { cause: withStatus("invalid token", { status: 401 }) }),
      { kind: "auth_failed", message: "invalid token" },
    ],
    [
      "a 403 two causes deep",
      new Error("outer", {
        cause: new Error("middle", { cause: withStatus("denied", { statusCode: 403 }) }),
      }),
      { kind: "auth_failed", message: "denied" },
    ],
    [
      "a 500 in lastError",
      withStatus("Failed after 3 attempts", {
        lastError: withStatus("Internal Server Error", { statusCode: 500 }),
      }),
      { kind: "failed", message: "Internal Server Error" },
    ],
    ["a plain Error", new Error("socket hang up"), { kind: "failed", message: "socket hang up" }],
    ["a string", "something odd", { kind: "failed", message: "something odd" }],
    ["null", null, { kind: "failed", message: "null" }],
    ["a non-numeric status", withStatus("weird", { status: "429" }), { kind: "failed", message: "weird" }],
  ])("%s", (_name, error, expected) => {
    expect(classifyProviderError(error, now)).toEqual(expected);
  });
});
