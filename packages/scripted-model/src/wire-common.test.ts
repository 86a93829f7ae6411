import { describe, expect, it } from "vitest";
import { chunkString, estimateTokens, retryAfterHeader, turnIndexOf } from "./wire-common.ts";

const roles = (...names: string[]) => names.map((role) => ({ role }));

describe("turnIndexOf", () => {
  it.each([
    [roles(), 0],
    [roles("user"), 0],
    [roles("system", "user"), 0],
    [roles("user", "assistant", "user"), 1],
    // Claude Code splits one answer into consecutive assistant messages; they are one turn.
    [roles("user", "assistant", "assistant", "user"), 1],
    [roles("user", "system", "assistant", "user", "assistant", "user"), 2],
    // OpenAI: an assistant message with tool calls, then one tool message per call.
    [roles("system", "user", "assistant", "tool", "tool", "assistant", "tool"), 2],
  ])("%j → %i", (messages, index) => {
    expect(turnIndexOf(messages)).toBe(index);
  });
});

describe("chunkString", () => {
  it.each([
    ["", 3, [""]],
    ["abcdefg", 3, ["abc", "def", "g"]],
    ["a😀b😀", 2, ["a😀", "b😀"]],
  ])("%j by %i", (text, size, pieces) => {
    expect(chunkString(text, size)).toEqual(pieces);
  });
});

describe("estimateTokens", () => {
  it.each([
    [0, 1],
    [4, 1],
    [5, 2],
    [400, 100],
  ])("%i characters → %i tokens", (characters, tokens) => {
    expect(estimateTokens(characters)).toBe(tokens);
  });
});

describe("retryAfterHeader", () => {
  const now = new Date("2030-01-01T00:00:00.000Z");
  it.each([
    [{ status: 429 as const }, undefined],
    [{ status: 429 as const, retryAfterSeconds: 0 }, "0"],
    [{ status: 429 as const, retryAfterSeconds: 5, resetAt: "2030-01-01T01:00:00Z" }, "5"],
    [{ status: 429 as const, resetAt: "2030-01-01T00:00:09.200Z" }, "10"],
    [{ status: 429 as const, resetAt: "2029-12-31T00:00:00Z" }, "0"],
  ])("%j → %s", (error, header) => {
    expect(retryAfterHeader(error, now)).toBe(header);
  });
});
