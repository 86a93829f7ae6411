import type { AgentRole, SessionOutcome } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import type { RuntimeResult } from "./runtime.ts";
import { outcomeOf } from "./worker.ts";

type AbortReason = "cancelled" | "timed_out" | "orphaned" | undefined;

const results: Record<RuntimeResult["kind"], RuntimeResult> = {
  completed: { kind: "completed", summary: "done" },
  failed: { kind: "failed", summary: "crashed" },
  rate_limited: { kind: "rate_limited", summary: "429", resetAt: "2026-01-01T00:00:00.000Z" },
  auth_failed: { kind: "auth_failed", summary: "401" },
};
const kinds = Object.keys(results) as RuntimeResult["kind"][];
const roles: readonly AgentRole[] = ["initializer", "coding", "testing", "chat"];

describe("outcomeOf", () => {
  const aborted: [RuntimeResult["kind"], AbortReason, AgentRole, SessionOutcome][] = kinds.flatMap((kind) =>
    roles.flatMap((role) => [
      [kind, "timed_out", role, "timed_out"] as [
        RuntimeResult["kind"],
        AbortReason,
        AgentRole,
        SessionOutcome,
      ],
      [kind, "cancelled", role, "cancelled"] as [
        RuntimeResult["kind"],
        AbortReason,
        AgentRole,
        SessionOutcome,
      ],
      [kind, "orphaned", role, "cancelled"] as [
        RuntimeResult["kind"],
        AbortReason,
        AgentRole,
        SessionOutcome,
      ],
    ]),
  );

  it.each(aborted)("a %s result stopped by %s (%s) is %s", (kind, abortReason, role, expected) => {
    expect(outcomeOf(results[kind], abortReason, { role, featureIds: [1, 2] }, new Set([1, 2]))).toBe(
      expected,
    );
  });

  it.each([
    ["completed", "initializer", "passed"],
    ["completed", "coding", "passed"],
    ["completed", "testing", "passed"],
    ["completed", "chat", "passed"],
    ["failed", "initializer", "failed"],
    ["failed", "coding", "failed"],
    ["failed", "testing", "failed"],
    ["failed", "chat", "failed"],
    ["rate_limited", "initializer", "rate_limited"],
    ["rate_limited", "coding", "rate_limited"],
    ["rate_limited", "testing", "rate_limited"],
    ["rate_limited", "chat", "rate_limited"],
    ["auth_failed", "initializer", "auth_failed"],
    ["auth_failed", "coding", "auth_failed"],
    ["auth_failed", "testing", "auth_failed"],
    ["auth_failed", "chat", "auth_failed"],
  ] as const)("a %s result of a %s session with every feature submitted is %s", (kind, role, expected) => {
    expect(outcomeOf(results[kind], undefined, { role, featureIds: [1, 2] }, new Set([1, 2]))).toBe(expected);
  });

  it.each([
    ["coding", [1, 2], [1, 2], "passed"],
    ["coding", [1, 2], [2, 1, 3], "passed"],
    ["coding", [1, 2], [1], "not_passed"],
    ["coding", [1, 2], [], "not_passed"],
    ["coding", [1, 2], [3], "not_passed"],
    ["coding", [], [], "not_passed"],
    ["coding", [], [1], "not_passed"],
    ["testing", [1, 2], [], "passed"],
    ["initializer", [], [], "passed"],
    ["chat", [], [], "passed"],
  ] as const)(
    "a completed %s session assigned %j having submitted %j is %s",
    (role, featureIds, submitted, expected) => {
      expect(
        outcomeOf(
          results.completed,
          undefined,
          { role, featureIds: [...featureIds] },
          new Set<number>(submitted),
        ),
      ).toBe(expected);
    },
  );
});
