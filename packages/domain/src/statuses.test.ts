import type { FeatureStatus } from "@autowright/protocol";
import { AppError, featureStatuses } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import { assertTransition, canTransition } from "./statuses.ts";

// The expected machine, written out independently of the implementation's table.
const allowed = new Set<string>([
  "pending→in_progress",
  "in_progress→pending",
  "in_progress→verifying",
  "in_progress→needs_input",
  "in_progress→failed",
  "verifying→passing",
  "verifying→pending",
  "verifying→failed",
  "needs_input→pending",
  "passing→regressed",
  "passing→pending",
  "regressed→pending",
  "regressed→in_progress",
  "failed→pending",
]);

const everyPair: [FeatureStatus, FeatureStatus, boolean][] = featureStatuses.flatMap((from) =>
  featureStatuses.map((to): [FeatureStatus, FeatureStatus, boolean] => [
    from,
    to,
    allowed.has(`${from}→${to}`),
  ]),
);

describe("canTransition", () => {
  it("covers all 49 pairs", () => {
    expect(everyPair).toHaveLength(49);
  });

  it.each(everyPair)("%s → %s is %s", (from, to, expected) => {
    expect(canTransition(from, to)).toBe(expected);
  });

  it.each([
    ["pending", "failed"],
    ["pending", "passing"],
    ["needs_input", "in_progress"],
    ["failed", "in_progress"],
    ["pending", "pending"],
    ["passing", "passing"],
  ] as const)("rejects %s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });
});

describe("assertTransition", () => {
  it.each([...allowed].map((pair) => pair.split("→") as [FeatureStatus, FeatureStatus]))(
    "accepts %s → %s",
    (from, to) => {
      expect(() => assertTransition(from, to)).not.toThrow();
    },
  );

  it.each([
    ["pending", "failed"],
    ["verifying", "in_progress"],
    ["regressed", "regressed"],
  ] as const)("throws invalid_transition naming both statuses for %s → %s", (from, to) => {
    let caught: unknown;
    try {
      assertTransition(from, to);
    } catch (error) {
      caught = error;
    }
    expect(AppError.isInstance(caught)).toBe(true);
    const error = caught as AppError;
    expect(error.code).toBe("invalid_transition");
    expect(error.message).toContain(`from ${from} to ${to}`);
    expect(error.details).toMatchObject({ from, to });
  });
});
