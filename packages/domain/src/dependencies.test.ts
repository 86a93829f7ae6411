import type { FeatureId } from "@autowright/protocol";
import { AppError } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import type { DependencyViolation } from "./dependencies.ts";
import { assertDependencyChanges, formatCycle, validateDependencyChanges } from "./dependencies.ts";

type Lists = Record<number, FeatureId[]>;

function toMap(lists: Lists): Map<FeatureId, FeatureId[]> {
  return new Map(Object.entries(lists).map(([id, dependencies]) => [Number(id), dependencies]));
}

// 1 ← 2 ← 3 ← 4 (4 depends on 3, which depends on 2, …), plus imported problems: a cycle 10 ↔ 11, a dangling
// id (12 → 404) and a self-edge (20 → 20).
const backlog: Lists = { 1: [], 2: [1], 3: [2], 4: [3], 10: [11], 11: [10], 12: [404], 20: [20] };

const cases: { name: string; changes: Lists; max?: number; expected: DependencyViolation[] }[] = [
  { name: "a valid new feature", changes: { 5: [4, 1] }, expected: [] },
  { name: "a valid edit of an existing feature", changes: { 4: [1, 2, 3] }, expected: [] },
  { name: "new features depending on each other without a cycle", changes: { 5: [6], 6: [1] }, expected: [] },
  { name: "removing every dependency", changes: { 4: [] }, expected: [] },
  {
    name: "a self-dependency",
    changes: { 4: [4] },
    expected: [
      { featureId: 4, dependencyId: 4, code: "dependency_self", message: "feature 4 depends on itself" },
    ],
  },
  {
    name: "an unknown dependency",
    changes: { 4: [99] },
    expected: [
      {
        featureId: 4,
        dependencyId: 99,
        code: "dependency_unknown",
        message: "feature 4 depends on unknown feature 99",
      },
    ],
  },
  {
    name: "a duplicate dependency (reported once however often it repeats)",
    changes: { 4: [3, 3, 3] },
    expected: [
      {
        featureId: 4,
        dependencyId: 3,
        code: "dependency_duplicate",
        message: "feature 4 lists dependency 3 more than once",
      },
    ],
  },
  {
    name: "too many dependencies",
    changes: { 4: [1, 2, 3] },
    max: 2,
    expected: [
      {
        featureId: 4,
        code: "dependency_limit",
        message: "feature 4 has 3 dependencies, more than the limit of 2",
      },
    ],
  },
  {
    name: "a cycle through an existing chain",
    changes: { 1: [4] },
    expected: [
      {
        featureId: 1,
        dependencyId: 4,
        code: "dependency_cycle",
        message: "dependencies would form a cycle: 1 → 4 → 3 → 2 → 1",
        cycle: [1, 4, 3, 2],
      },
    ],
  },
  {
    name: "a cycle between two new features",
    changes: { 6: [5], 5: [6] },
    expected: [
      {
        featureId: 5,
        dependencyId: 6,
        code: "dependency_cycle",
        message: "dependencies would form a cycle: 5 → 6 → 5",
        cycle: [5, 6],
      },
    ],
  },
  {
    name: "the shortest cycle through the smallest new edge",
    changes: { 2: [1, 4], 3: [2, 1] },
    expected: [
      {
        featureId: 2,
        dependencyId: 4,
        code: "dependency_cycle",
        message: "dependencies would form a cycle: 2 → 4 → 3 → 2",
        cycle: [2, 4, 3],
      },
    ],
  },
  { name: "a pre-existing cycle left as it is", changes: { 10: [11] }, expected: [] },
  { name: "a new feature depending on a pre-existing cycle", changes: { 13: [10, 11] }, expected: [] },
  { name: "a pre-existing dangling id left as it is", changes: { 12: [404, 1] }, expected: [] },
  { name: "breaking a pre-existing cycle", changes: { 10: [] }, expected: [] },
  { name: "a pre-existing self-edge left as it is", changes: { 20: [20, 1] }, expected: [] },
  {
    name: "a new cycle that joins a pre-existing one (reported once)",
    changes: { 10: [11, 13], 13: [10] },
    expected: [
      {
        featureId: 10,
        dependencyId: 13,
        code: "dependency_cycle",
        message: "dependencies would form a cycle: 10 → 13 → 10",
        cycle: [10, 13],
      },
    ],
  },
  {
    name: "two separate new cycles",
    changes: { 1: [2], 11: [10, 12], 12: [11] },
    expected: [
      {
        featureId: 1,
        dependencyId: 2,
        code: "dependency_cycle",
        message: "dependencies would form a cycle: 1 → 2 → 1",
        cycle: [1, 2],
      },
      {
        featureId: 11,
        dependencyId: 12,
        code: "dependency_cycle",
        message: "dependencies would form a cycle: 11 → 12 → 11",
        cycle: [11, 12],
      },
    ],
  },
  {
    name: "several violations, ordered by feature id then dependency id",
    changes: { 7: [99, 7, 1, 1], 5: [98] },
    max: 3,
    expected: [
      {
        featureId: 5,
        dependencyId: 98,
        code: "dependency_unknown",
        message: "feature 5 depends on unknown feature 98",
      },
      {
        featureId: 7,
        code: "dependency_limit",
        message: "feature 7 has 4 dependencies, more than the limit of 3",
      },
      {
        featureId: 7,
        dependencyId: 1,
        code: "dependency_duplicate",
        message: "feature 7 lists dependency 1 more than once",
      },
      { featureId: 7, dependencyId: 7, code: "dependency_self", message: "feature 7 depends on itself" },
      {
        featureId: 7,
        dependencyId: 99,
        code: "dependency_unknown",
        message: "feature 7 depends on unknown feature 99",
      },
    ],
  },
];

describe("validateDependencyChanges", () => {
  it.each(cases)("reports $name", ({ changes, max, expected }) => {
    const violations = validateDependencyChanges({
      graph: toMap(backlog),
      changes: toMap(changes),
      maxPerFeature: max ?? 10,
    });
    expect(violations).toEqual(expected);
  });

  it("detects duplicates in long lists too", () => {
    const long = [...Array.from({ length: 40 }, (_, index) => index + 1), 7, 7, 9];
    const graph = new Map(Array.from({ length: 40 }, (_, index) => [index + 1, [] as FeatureId[]]));
    const violations = validateDependencyChanges({
      graph,
      changes: new Map([[41, long]]),
      maxPerFeature: 100,
    });
    expect(violations.map((violation) => [violation.code, violation.dependencyId])).toEqual([
      ["dependency_duplicate", 7],
      ["dependency_duplicate", 9],
    ]);
  });

  it("treats long previous lists as old edges", () => {
    const previous = Array.from({ length: 30 }, (_, index) => index + 2);
    const graph = new Map<FeatureId, FeatureId[]>([
      [1, previous],
      ...previous.map((id): [number, number[]] => [id, [1]]),
    ]);
    // Every edge 1 → k already existed alongside k → 1: pre-existing cycles, nothing new.
    const violations = validateDependencyChanges({
      graph,
      changes: new Map([[1, previous]]),
      maxPerFeature: 50,
    });
    expect(violations).toEqual([]);
  });

  it("reports a 10,000-long cycle closed by one edge, without overflowing the stack", () => {
    const size = 10_000;
    const graph = new Map<FeatureId, FeatureId[]>();
    for (let id = 1; id <= size; id++) graph.set(id, id < size ? [id + 1] : []);
    const violations = validateDependencyChanges({
      graph,
      changes: new Map([[size, [1]]]),
      maxPerFeature: 10,
    });
    expect(violations).toHaveLength(1);
    const [violation] = violations;
    expect(violation?.code).toBe("dependency_cycle");
    expect(violation?.featureId).toBe(size);
    expect(violation?.cycle).toHaveLength(size);
    expect(violation?.cycle?.slice(0, 3)).toEqual([size, 1, 2]);
    expect(violation?.cycle?.at(-1)).toBe(size - 1);
  });

  it("validates a whole 10,000-feature backlog given as changes", () => {
    const changes = new Map<FeatureId, FeatureId[]>();
    for (let id = 1; id <= 10_000; id++) {
      changes.set(id, id <= 100 ? [] : [id - 100, id - 99, id - 50, id - 1]);
    }
    expect(validateDependencyChanges({ graph: new Map(), changes, maxPerFeature: 4 })).toEqual([]);
  });
});

describe("assertDependencyChanges", () => {
  it("does nothing for a valid edit", () => {
    expect(() =>
      assertDependencyChanges({ graph: toMap(backlog), changes: toMap({ 5: [4] }), maxPerFeature: 10 }),
    ).not.toThrow();
  });

  it("throws the first violation's code with every message and the violations as details", () => {
    let caught: unknown;
    try {
      assertDependencyChanges({ graph: toMap(backlog), changes: toMap({ 4: [4, 99] }), maxPerFeature: 10 });
    } catch (error) {
      caught = error;
    }
    expect(AppError.isInstance(caught)).toBe(true);
    const error = caught as AppError;
    expect(error.code).toBe("dependency_self");
    expect(error.message).toBe("feature 4 depends on itself; feature 4 depends on unknown feature 99");
    expect(error.details).toEqual({
      violations: [
        { featureId: 4, dependencyId: 4, code: "dependency_self", message: "feature 4 depends on itself" },
        {
          featureId: 4,
          dependencyId: 99,
          code: "dependency_unknown",
          message: "feature 4 depends on unknown feature 99",
        },
      ],
    });
  });
});

describe("formatCycle", () => {
  it.each([
    [[], ""],
    [[7], "7 → 7"],
    [[1, 2, 3], "1 → 2 → 3 → 1"],
  ])("formats %j as %j", (cycle, expected) => {
    expect(formatCycle(cycle)).toBe(expected);
  });
});
