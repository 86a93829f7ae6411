import { createRedactor } from "@autowright/agent-runtime";
import { describe, expect, it } from "vitest";
import { DeltaRedactor, redactDeep } from "./chat.ts";

const redact = createRedactor({ SERVICE_TOKEN: "abcdefgh-secret-1234" });

describe("DeltaRedactor", () => {
  it.each([
    ["a secret split over deltas", ["the key is abcd", "efgh-secr", "et-1234 and more"]],
    ["a secret at the very end", ["key: abcdefgh-", "secret-1234"]],
    ["a known key shape", ["use sk-ant-", "api03-abcdefghijkl", "mnop now"]],
  ])("never shows %s", (_name, deltas) => {
    const redactor = new DeltaRedactor(redact);
    const shown = [...deltas.map((delta) => redactor.push(delta)), redactor.flush()].join("");
    expect(shown).not.toContain("abcdefgh-secret-1234");
    expect(shown).not.toContain("sk-ant-api03");
    expect(shown).toBe(redact(deltas.join("")));
  });

  it("holds back only the last word, and gives up holding after 4 KiB", () => {
    const redactor = new DeltaRedactor(redact);
    expect(redactor.push("hello wor")).toBe("hello ");
    expect(redactor.push("ld")).toBe("");
    expect(redactor.flush()).toBe("world");
    expect(redactor.push("x".repeat(5_000))).toHaveLength(5_000);
  });
});

describe("redactDeep", () => {
  it("redacts every string of a JSON-like value", () => {
    expect(
      redactDeep({ a: ["abcdefgh-secret-1234", 1], b: { c: "ok abcdefgh-secret-1234" }, d: null }, redact),
    ).toEqual({ a: ["[redacted]", 1], b: { c: "ok [redacted]" }, d: null });
  });
});
