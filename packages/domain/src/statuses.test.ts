import type { FeatureStatus } from "@autowright/protocol";
import { AppError, featureStatuses } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import { assertTransition, canTransition, countsAsFailed, statusAfterFailure } from "./statuses.ts";

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
  "regressed→failed",
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

describe("statusAfterFailure", () => {
  it.each([
    { attempts: 0, countAttempt: true, maxAttempts: 3, expected: "pending" },
    { attempts: 1, countAttempt: true, maxAttempts: 3, expected: "pending" },
    { attempts: 2, countAttempt: true, maxAttempts: 3, expected: "failed" },
    { attempts: 0, countAttempt: true, maxAttempts: 1, expected: "failed" },
    { attempts: 2, countAttempt: false, maxAttempts: 3, expected: "pending" },
    { attempts: 5, countAttempt: false, maxAttempts: 3, expected: "pending" },
  ] as const)(
    "after $attempts attempts of $maxAttempts, counting one: $countAttempt → $expected",
    ({ attempts, countAttempt, maxAttempts, expected }) => {
      expect(statusAfterFailure({ attempts }, { countAttempt, maxAttempts })).toBe(expected);
    },
  );

  it("gives a status the machine allows from every status work is given back from", () => {
    for (const from of ["in_progress", "verifying", "regressed"] as const) {
      for (const attempts of [0, 2]) {
        const to = statusAfterFailure({ attempts }, { countAttempt: true, maxAttempts: 3 });
        expect(canTransition(from, to), `${from} → ${to}`).toBe(true);
      }
    }
  });
});

describe("countsAsFailed", () => {
  it.each([
    { status: "failed", attempts: 0, expected: true },
    { status: "pending", attempts: 3, expected: true },
    { status: "pending", attempts: 2, expected: false },
    { status: "in_progress", attempts: 3, expected: false },
    { status: "passing", attempts: 5, expected: false },
  ] as const)("$status with $attempts of 3 attempts: $expected", ({ status, attempts, expected }) => {
    expect(countsAsFailed({ status, attempts }, { maxAttempts: 3 })).toBe(expected);
  });
});
