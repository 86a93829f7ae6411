import type { FeatureId, Lease, StallReason } from "@autowright/protocol";
import { progressSchema, readyReportSchema } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import type { BacklogAnalysis, SchedulingFeature } from "./scheduling.ts";
import {
  analyzeBacklog,
  buildBatches,
  compareScores,
  computeProgress,
  isLeaseActive,
  isStalled,
  toReadyReport,
} from "./scheduling.ts";

const now = Date.parse("2025-06-01T12:00:00.000Z");
const options = { maxAttempts: 3, now };

function feature(
  id: FeatureId,
  dependencies: FeatureId[] = [],
  overrides: Partial<SchedulingFeature> = {},
): SchedulingFeature {
  return {
    id,
    priority: 0,
    category: "",
    status: "pending",
    dependencies,
    attempts: 0,
    lease: null,
    ...overrides,
  };
}

function passing(id: FeatureId, dependencies: FeatureId[] = []): SchedulingFeature {
  return feature(id, dependencies, { status: "passing" });
}

function leaseExpiringIn(milliseconds: number): Lease {
  return { owner: "session-1", expiresAt: new Date(now + milliseconds).toISOString() };
}

function stalledOf(analysis: BacklogAnalysis): [FeatureId, StallReason][] {
  return analysis.stalled.map((entry) => [entry.id, entry.reason]);
}

/** A small deterministic PRNG for generated backlogs. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

// 1 has a diamond below it (2 and 3 both lead to 4): three dependents, not four paths.
// 5 fans out to three direct dependents. 9 has none.
const diamondBacklog: SchedulingFeature[] = [
  feature(1, [], { priority: 5 }),
  feature(2, [1]),
  feature(3, [1]),
  feature(4, [2, 3]),
  feature(5, [], { priority: 1 }),
  feature(6, [5]),
  feature(7, [5]),
  feature(8, [5]),
  feature(9),
];

describe("analyzeBacklog: scores and ready order", () => {
  const analysis = analyzeBacklog(diamondBacklog, options);

  it("counts each transitive dependent once (diamonds are not double-counted)", () => {
    expect(analysis.scores.get(1)).toEqual({ dependents: 3, depth: 0, priority: 5 });
    expect(analysis.scores.get(2)).toEqual({ dependents: 1, depth: 1, priority: 0 });
    expect(analysis.scores.get(4)).toEqual({ dependents: 0, depth: 2, priority: 0 });
    expect(analysis.scores.get(5)).toEqual({ dependents: 3, depth: 0, priority: 1 });
    expect(analysis.scores.get(404)).toBeUndefined();
  });

  it("orders by dependents, then priority when they tie", () => {
    expect(analysis.ready).toEqual([5, 1, 9]);
  });

  it("lists blocked features with their unmet dependencies", () => {
    expect(analysis.blocked).toEqual([
      { id: 2, blockedBy: [1] },
      { id: 3, blockedBy: [1] },
      { id: 4, blockedBy: [2, 3] },
      { id: 6, blockedBy: [5] },
      { id: 7, blockedBy: [5] },
      { id: 8, blockedBy: [5] },
    ]);
    expect(analysis.stalled).toEqual([]);
    expect(analysis.cycles).toEqual([]);
  });

  it("exposes scores as a read-only map over every feature", () => {
    expect(analysis.scores.size).toBe(9);
    expect(analysis.scores.has(9)).toBe(true);
    expect(analysis.scores.has(10)).toBe(false);
    expect([...analysis.scores.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Map(analysis.scores).get(7)).toEqual({ dependents: 0, depth: 1, priority: 0 });
    const visited: FeatureId[] = [];
    analysis.scores.forEach((score, id) => {
      if (score.dependents > 0) visited.push(id);
    });
    expect(visited).toEqual([1, 2, 3, 5]);
    expect([...analysis.scores.values()].filter((score) => score.depth === 2)).toHaveLength(1);
    expect([...analysis.scores.entries()][0]).toEqual([1, { dependents: 3, depth: 0, priority: 5 }]);
  });

  it("uses the longest path from a root as depth, shallower first", () => {
    const backlog = [
      passing(20),
      passing(21, [20]),
      passing(22, [21]),
      feature(30, [20, 22]),
      feature(31, [21]),
      feature(32, [20]),
    ];
    const result = analyzeBacklog(backlog, options);
    expect([30, 31, 32].map((id) => result.scores.get(id)?.depth)).toEqual([3, 2, 1]);
    expect(result.ready).toEqual([32, 31, 30]);
  });

  it("orders any integer priority, negative and above 10, then by id", () => {
    const backlog = [
      feature(1, [], { priority: 15 }),
      feature(2, [], { priority: -3 }),
      feature(3, [], { priority: 2 }),
      feature(4, [], { priority: 10 }),
      feature(5, [], { priority: 2 }),
      feature(6, [], { priority: 1000 }),
    ];
    expect(analyzeBacklog(backlog, options).ready).toEqual([2, 3, 5, 4, 1, 6]);
  });

  it("lets cycle members count each other plus everything downstream", () => {
    const backlog = [feature(9), feature(1, [2, 9]), feature(2, [1]), feature(3, [2])];
    const { scores } = analyzeBacklog(backlog, options);
    expect([9, 1, 2, 3].map((id) => scores.get(id))).toEqual([
      { dependents: 3, depth: 0, priority: 0 },
      { dependents: 2, depth: 1, priority: 0 },
      { dependents: 2, depth: 1, priority: 0 },
      { dependents: 0, depth: 2, priority: 0 },
    ]);
  });

  it.each([
    { name: "an acyclic backlog", seed: 7, backEdges: 0 },
    { name: "a backlog with imported cycles", seed: 11, backEdges: 40 },
  ])("matches a brute-force count of dependents on $name", ({ seed, backEdges }) => {
    const random = createRandom(seed);
    const size = 700;
    const dependencies: FeatureId[][] = Array.from({ length: size + 1 }, () => []);
    for (let id = 2; id <= size; id++) {
      const count = Math.floor(random() * 5);
      for (let index = 0; index < count; index++) {
        const dependency = 1 + Math.floor(random() * (id - 1));
        if (!dependencies[id]?.includes(dependency)) dependencies[id]?.push(dependency);
      }
    }
    for (let index = 0; index < backEdges; index++) {
      const from = 1 + Math.floor(random() * size);
      const to = 1 + Math.floor(random() * size);
      if (from !== to && !dependencies[from]?.includes(to)) dependencies[from]?.push(to);
    }
    const backlog = Array.from({ length: size }, (_, index) => feature(index + 1, dependencies[index + 1]));
    const { scores } = analyzeBacklog(backlog, options);

    const dependentsOf: FeatureId[][] = Array.from({ length: size + 1 }, () => []);
    dependencies.forEach((list, id) => {
      for (const dependency of list) dependentsOf[dependency]?.push(id);
    });
    for (let id = 1; id <= size; id++) {
      const seen = new Set<FeatureId>();
      const stack = [id];
      while (stack.length > 0) {
        for (const dependent of dependentsOf[stack.pop() ?? 0] ?? []) {
          if (!seen.has(dependent)) {
            seen.add(dependent);
            stack.push(dependent);
          }
        }
      }
      seen.delete(id);
      expect(scores.get(id)?.dependents, `dependents of ${id}`).toBe(seen.size);
    }
    if (backEdges === 0) {
      const depth: number[] = [];
      for (let id = 1; id <= size; id++) {
        depth[id] = Math.max(-1, ...(dependencies[id] ?? []).map((dependency) => depth[dependency] ?? 0)) + 1;
        expect(scores.get(id)?.depth, `depth of ${id}`).toBe(depth[id]);
      }
    }
  });
});

describe("analyzeBacklog: readiness", () => {
  const cases: { name: string; backlog: SchedulingFeature[]; ready: FeatureId[] }[] = [
    { name: "a pending feature", backlog: [feature(1)], ready: [1] },
    { name: "a live lease", backlog: [feature(1, [], { lease: leaseExpiringIn(60_000) })], ready: [] },
    { name: "an expired lease", backlog: [feature(1, [], { lease: leaseExpiringIn(-1) })], ready: [1] },
    {
      name: "a lease expiring right now",
      backlog: [feature(1, [], { lease: leaseExpiringIn(0) })],
      ready: [1],
    },
    {
      name: "an unparsable lease",
      backlog: [feature(1, [], { lease: { owner: "session-1", expiresAt: "soon" } })],
      ready: [1],
    },
    { name: "attempts below the limit", backlog: [feature(1, [], { attempts: 2 })], ready: [1] },
    { name: "attempts at the limit", backlog: [feature(1, [], { attempts: 3 })], ready: [] },
    { name: "needs_input", backlog: [feature(1, [], { status: "needs_input" })], ready: [] },
    { name: "in_progress", backlog: [feature(1, [], { status: "in_progress" })], ready: [] },
    { name: "verifying", backlog: [feature(1, [], { status: "verifying" })], ready: [] },
    { name: "regressed", backlog: [feature(1, [], { status: "regressed" })], ready: [] },
    { name: "failed", backlog: [feature(1, [], { status: "failed" })], ready: [] },
    { name: "passing", backlog: [passing(1)], ready: [] },
    { name: "a passing dependency", backlog: [passing(1), feature(2, [1])], ready: [2] },
    { name: "a pending dependency", backlog: [feature(1), feature(2, [1])], ready: [1] },
    { name: "a missing dependency", backlog: [feature(2, [99])], ready: [] },
    {
      name: "a failed dependency",
      backlog: [feature(1, [], { status: "failed" }), feature(2, [1])],
      ready: [],
    },
  ];

  it.each(cases)("with $name, ready is $ready", ({ backlog, ready }) => {
    expect(analyzeBacklog(backlog, options).ready).toEqual(ready);
  });

  it("lists every unmet dependency of a pending feature once, missing ids included", () => {
    const backlog = [
      passing(1),
      feature(3),
      feature(9, [], { status: "failed" }),
      feature(5, [9, 3, 99, 3, 1]),
      feature(6, [3], { status: "in_progress" }),
    ];
    expect(analyzeBacklog(backlog, options).blocked).toEqual([{ id: 5, blockedBy: [3, 9, 99] }]);
  });

  it("keeps the first of duplicate ids", () => {
    const backlog = [feature(1), passing(1), feature(2, [1])];
    const analysis = analyzeBacklog(backlog, options);
    expect(analysis.ready).toEqual([1]);
    expect(analysis.blocked).toEqual([{ id: 2, blockedBy: [1] }]);
  });
});

describe("analyzeBacklog: stall analysis", () => {
  const cases: {
    name: string;
    backlog: SchedulingFeature[];
    stalled: [FeatureId, StallReason][];
    cycles?: FeatureId[][];
    ready?: FeatureId[];
  }[] = [
    {
      name: "a cycle from imported data, and what depends on it",
      backlog: [feature(1, [2]), feature(2, [1]), feature(3, [2]), feature(4)],
      stalled: [
        [1, "cycle"],
        [2, "cycle"],
        [3, "cycle"],
      ],
      cycles: [[1, 2]],
      ready: [4],
    },
    {
      name: "a self-dependency",
      backlog: [feature(5, [5])],
      stalled: [[5, "cycle"]],
      cycles: [[5]],
      ready: [],
    },
    {
      name: "a missing dependency, transitively",
      backlog: [feature(1, [99]), feature(2, [1])],
      stalled: [
        [1, "missing_dependency"],
        [2, "missing_dependency"],
      ],
    },
    {
      name: "a failed dependency, transitively",
      backlog: [feature(1, [], { status: "failed" }), feature(2, [1]), feature(3, [2])],
      stalled: [
        [2, "dependency_failed"],
        [3, "dependency_failed"],
      ],
    },
    {
      name: "a pending dependency with exhausted attempts (treated as failed)",
      backlog: [feature(1, [], { attempts: 3 }), feature(2, [1])],
      stalled: [[2, "dependency_failed"]],
      ready: [],
    },
    {
      name: "needs_input, itself and transitively",
      backlog: [feature(1, [], { status: "needs_input" }), feature(2, [1]), feature(3, [2])],
      stalled: [
        [1, "waiting_for_input"],
        [2, "waiting_for_input"],
        [3, "waiting_for_input"],
      ],
    },
    {
      name: "several reasons at once (cycle > missing > failed > input)",
      backlog: [
        feature(1, [2]),
        feature(2, [1]),
        feature(3, [98]),
        feature(4, [], { status: "failed" }),
        feature(5, [], { status: "needs_input" }),
        feature(6, [1, 3, 4, 5]),
        feature(7, [3, 4, 5]),
        feature(8, [4, 5]),
        feature(9, [5]),
      ],
      stalled: [
        [1, "cycle"],
        [2, "cycle"],
        [3, "missing_dependency"],
        [5, "waiting_for_input"],
        [6, "cycle"],
        [7, "missing_dependency"],
        [8, "dependency_failed"],
        [9, "waiting_for_input"],
      ],
      cycles: [[1, 2]],
    },
    {
      name: "a passing feature between a failed one and a pending one",
      backlog: [feature(1, [], { status: "failed" }), passing(2, [1]), feature(3, [2])],
      stalled: [],
      ready: [3],
    },
    {
      name: "a cycle through a passing feature (reported, but nothing is stuck)",
      backlog: [passing(1, [2]), feature(2, [1])],
      stalled: [],
      cycles: [[1, 2]],
      ready: [2],
    },
    {
      name: "a failed cycle member (not listed, its dependents are)",
      backlog: [feature(1, [2], { status: "failed" }), feature(2, [1]), feature(3, [1])],
      stalled: [
        [2, "cycle"],
        [3, "cycle"],
      ],
      cycles: [[1, 2]],
    },
    {
      name: "waiting behind a regressed feature (a testing agent can fix it)",
      backlog: [feature(1, [], { status: "regressed" }), feature(2, [1])],
      stalled: [],
      ready: [],
    },
    {
      name: "an ordinary chain of pending work",
      backlog: [passing(1), feature(2, [1]), feature(3, [2])],
      stalled: [],
      ready: [2],
    },
    {
      name: "several imported cycles",
      backlog: [
        feature(7, [8]),
        feature(8, [7]),
        feature(3, [4]),
        feature(4, [5]),
        feature(5, [3]),
        feature(1),
      ],
      stalled: [
        [3, "cycle"],
        [4, "cycle"],
        [5, "cycle"],
        [7, "cycle"],
        [8, "cycle"],
      ],
      cycles: [
        [3, 4, 5],
        [7, 8],
      ],
      ready: [1],
    },
  ];

  it.each(cases)("handles $name", ({ backlog, stalled, cycles, ready }) => {
    const analysis = analyzeBacklog(backlog, options);
    expect(stalledOf(analysis)).toEqual(stalled);
    expect(analysis.cycles).toEqual(cycles ?? []);
    if (ready !== undefined) expect(analysis.ready).toEqual(ready);
  });
});

describe("analyzeBacklog: size", () => {
  const size = 10_000;

  it("handles a 10,000-long chain without overflowing the stack", () => {
    const backlog = Array.from({ length: size }, (_, index) =>
      feature(index + 1, index === 0 ? [] : [index]),
    );
    const analysis = analyzeBacklog(backlog, options);
    expect(analysis.ready).toEqual([1]);
    expect(analysis.scores.get(1)).toEqual({ dependents: size - 1, depth: 0, priority: 0 });
    expect(analysis.scores.get(size)).toEqual({ dependents: 0, depth: size - 1, priority: 0 });
    expect(analysis.blocked).toHaveLength(size - 1);
    expect(analysis.stalled).toEqual([]);
  });

  it("reports a 10,000-long imported cycle without looping", () => {
    const backlog = Array.from({ length: size }, (_, index) =>
      feature(index + 1, [index === 0 ? size : index]),
    );
    const analysis = analyzeBacklog(backlog, options);
    expect(analysis.ready).toEqual([]);
    expect(analysis.cycles).toHaveLength(1);
    expect(analysis.cycles[0]).toHaveLength(size);
    expect(analysis.stalled).toHaveLength(size);
    expect(analysis.stalled.every((entry) => entry.reason === "cycle")).toBe(true);
    expect(analysis.scores.get(1)?.dependents).toBe(size - 1);
  });
});

describe("toReadyReport", () => {
  it("drops the scores and matches the protocol schema", () => {
    const report = toReadyReport(
      analyzeBacklog([feature(1, [2]), feature(2, [1]), ...diamondBacklog.slice(4)], options),
    );
    expect(report).toEqual({
      ready: [5, 9],
      blocked: [
        { id: 1, blockedBy: [2] },
        { id: 2, blockedBy: [1] },
        { id: 6, blockedBy: [5] },
        { id: 7, blockedBy: [5] },
        { id: 8, blockedBy: [5] },
      ],
      stalled: [
        { id: 1, reason: "cycle" },
        { id: 2, reason: "cycle" },
      ],
      cycles: [[1, 2]],
    });
    expect(readyReportSchema.parse(report)).toEqual(report);
  });
});

describe("isStalled", () => {
  it.each([
    { name: "something is ready", backlog: [feature(1)], running: 0, expected: false },
    {
      name: "a session is running",
      backlog: [feature(1, [2]), feature(2, [1])],
      running: 1,
      expected: false,
    },
    { name: "everything passes", backlog: [passing(1), passing(2)], running: 0, expected: false },
    { name: "an empty backlog", backlog: [], running: 0, expected: false },
    {
      name: "only failed work remains",
      backlog: [passing(1), feature(2, [], { status: "failed" })],
      running: 0,
      expected: true,
    },
    { name: "only a cycle remains", backlog: [feature(1, [2]), feature(2, [1])], running: 0, expected: true },
    {
      name: "only a question remains",
      backlog: [feature(1, [], { status: "needs_input" })],
      running: 0,
      expected: true,
    },
  ])("is $expected when $name", ({ backlog, running, expected }) => {
    expect(isStalled(backlog, analyzeBacklog(backlog, options), running)).toBe(expected);
  });
});

describe("buildBatches", () => {
  // 1 → {2, 4}, 2 → 3 (arrows to dependents); 5 (category b) and 6 stand alone.
  const backlog = [
    feature(1, [], { category: "a" }),
    feature(2, [1], { category: "a" }),
    feature(3, [2], { category: "a" }),
    feature(4, [1], { category: "a" }),
    feature(5, [], { category: "b" }),
    feature(6, [], { category: "a" }),
  ];
  const analysis = analyzeBacklog(backlog, options);

  it("starts from the ready order", () => {
    expect(analysis.ready).toEqual([1, 5, 6]);
  });

  it.each([
    { name: "single features", batchSize: 1, slots: 2, exclude: undefined, expected: [[1], [5]] },
    { name: "the best dependent first", batchSize: 2, slots: 1, exclude: undefined, expected: [[1, 2]] },
    {
      name: "extensions by score (shallower dependent 4 before 3), then single batches",
      batchSize: 3,
      slots: 3,
      exclude: undefined,
      expected: [[1, 2, 4], [5], [6]],
    },
    { name: "at most `slots` batches", batchSize: 3, slots: 0, exclude: undefined, expected: [] },
    {
      name: "excluded features left out",
      batchSize: 2,
      slots: 5,
      exclude: new Set([1, 6]),
      expected: [[5]],
    },
  ] as const)("builds $name", ({ batchSize, slots, exclude, expected }) => {
    expect(buildBatches(backlog, analysis, { ...options, batchSize, slots, exclude })).toEqual(expected);
  });

  it("starts the features in `first` before the others, keeping ready order within each group", () => {
    const roots = [feature(1), feature(2), feature(3), feature(4), feature(5)];
    const analysis = analyzeBacklog(roots, options);
    const build = (first: ReadonlySet<number>, slots: number) =>
      buildBatches(roots, analysis, { ...options, batchSize: 1, slots, first });
    expect(build(new Set([4, 2]), 3)).toEqual([[2], [4], [1]]);
    expect(build(new Set(), 2)).toEqual([[1], [2]]);
    // Not ready (unknown here) changes nothing.
    expect(build(new Set([99]), 2)).toEqual([[1], [2]]);
  });

  it("fills remaining room with ready features of the same category", () => {
    const roots = [
      feature(1, [], { category: "a" }),
      feature(2, [], { category: "b" }),
      feature(3, [], { category: "a" }),
      feature(4, [], { category: "a" }),
      feature(7, [], { category: "a" }),
    ];
    const batches = buildBatches(roots, analyzeBacklog(roots, options), {
      ...options,
      batchSize: 3,
      slots: 3,
    });
    expect(batches).toEqual([[1, 3, 4], [2], [7]]);
  });

  const skipped: { name: string; candidate: SchedulingFeature }[] = [
    { name: "needs_input", candidate: feature(2, [1], { status: "needs_input", priority: -10 }) },
    { name: "exhausted attempts", candidate: feature(2, [1], { attempts: 3, priority: -10 }) },
    { name: "a live lease", candidate: feature(2, [1], { lease: leaseExpiringIn(60_000), priority: -10 }) },
    { name: "an unmet other dependency", candidate: feature(2, [1, 9], { priority: -10 }) },
    { name: "a missing other dependency", candidate: feature(2, [1, 99], { priority: -10 }) },
    { name: "in_progress", candidate: feature(2, [1], { status: "in_progress", priority: -10 }) },
  ];

  it.each(skipped)("skips a dependent with $name", ({ candidate }) => {
    const features = [
      feature(1),
      candidate,
      feature(6, [1], { priority: 50 }),
      feature(9, [], { status: "in_progress" }),
    ];
    expect(
      buildBatches(features, analyzeBacklog(features, options), { ...options, batchSize: 2, slots: 1 }),
    ).toEqual([[1, 6]]);
  });

  it.each([
    { name: "an expired lease", candidate: feature(2, [1], { lease: leaseExpiringIn(-1), priority: -10 }) },
    { name: "its other dependency passing", candidate: feature(2, [1, 9], { priority: -10 }) },
    { name: "attempts below the limit", candidate: feature(2, [1], { attempts: 2, priority: -10 }) },
  ])("takes a dependent with $name", ({ candidate }) => {
    const features = [feature(1), candidate, feature(6, [1], { priority: 50 }), passing(9)];
    expect(
      buildBatches(features, analyzeBacklog(features, options), { ...options, batchSize: 2, slots: 1 }),
    ).toEqual([[1, 2]]);
  });

  it("takes a dependent whose dependencies are all in the batch", () => {
    const features = [feature(1), feature(2, [1]), feature(3, [1, 2]), feature(4, [], { category: "x" })];
    expect(
      buildBatches(features, analyzeBacklog(features, options), { ...options, batchSize: 3, slots: 2 }),
    ).toEqual([[1, 2, 3], [4]]);
  });
});

describe("computeProgress", () => {
  it.each([
    {
      name: "every status",
      backlog: [
        passing(1),
        passing(2),
        feature(3, [], { status: "in_progress" }),
        feature(4, [], { status: "verifying" }),
        feature(5, [], { status: "needs_input" }),
        feature(6, [], { status: "failed" }),
        feature(7, [1]),
        feature(8, [3]),
        feature(9, [99]),
        feature(10, [], { status: "regressed" }),
        feature(11),
      ],
      expected: {
        unverified: 0,
        passing: 2,
        inProgress: 1,
        verifying: 1,
        needsInput: 1,
        failed: 1,
        pending: 3,
        blocked: 2,
        total: 11,
        percentage: 18.2,
      },
    },
    {
      name: "an empty backlog",
      backlog: [],
      expected: {
        unverified: 0,
        passing: 0,
        inProgress: 0,
        verifying: 0,
        needsInput: 0,
        failed: 0,
        pending: 0,
        blocked: 0,
        total: 0,
        percentage: 0,
      },
    },
    {
      name: "a third passing",
      backlog: [passing(1), feature(2), feature(3)],
      expected: {
        unverified: 0,
        passing: 1,
        inProgress: 0,
        verifying: 0,
        needsInput: 0,
        failed: 0,
        pending: 2,
        blocked: 0,
        total: 3,
        percentage: 33.3,
      },
    },
    {
      name: "two thirds passing",
      backlog: [passing(1), passing(2), feature(3, [4]), feature(4, [], { status: "failed" })],
      expected: {
        unverified: 0,
        passing: 2,
        inProgress: 0,
        verifying: 0,
        needsInput: 0,
        failed: 1,
        pending: 0,
        blocked: 1,
        total: 4,
        percentage: 50,
      },
    },
    {
      name: "everything passing",
      backlog: [passing(1), passing(2), passing(3)],
      expected: {
        unverified: 0,
        passing: 3,
        inProgress: 0,
        verifying: 0,
        needsInput: 0,
        failed: 0,
        pending: 0,
        blocked: 0,
        total: 3,
        percentage: 100,
      },
    },
  ])("counts $name", ({ backlog, expected }) => {
    const progress = computeProgress(backlog, { maxAttempts: 3 });
    expect(progress).toEqual(expected);
    expect(progressSchema.parse(progress)).toEqual(progress);
  });

  it("rounds to one decimal", () => {
    const backlog = [passing(1), passing(2), feature(3)];
    expect(computeProgress(backlog, { maxAttempts: 3 }).percentage).toBe(66.7);
  });

  it("counts a pending feature whose attempts are exhausted as failed, not as pending or blocked", () => {
    const backlog = [
      feature(1, [], { attempts: 3 }),
      feature(2, [99], { attempts: 4 }),
      feature(3, [], { attempts: 2 }),
      feature(4, [], { status: "failed", attempts: 3 }),
    ];
    expect(computeProgress(backlog, { maxAttempts: 3 })).toMatchObject({ failed: 3, pending: 1, blocked: 0 });
    expect(computeProgress(backlog, { maxAttempts: 5 })).toMatchObject({ failed: 1, pending: 2, blocked: 1 });
  });

  it("counts unverified passes, which are also passing", () => {
    const backlog = [
      { ...passing(1), unverified: true },
      { ...passing(2), unverified: false },
      passing(3),
      feature(4),
    ];
    const progress = computeProgress(backlog, { maxAttempts: 3 });
    expect(progress).toMatchObject({ passing: 3, unverified: 1, pending: 1, total: 4, percentage: 75 });
    expect(progressSchema.parse(progress)).toEqual(progress);
  });
});

describe("isLeaseActive", () => {
  it.each([
    { name: "no lease", lease: null, expected: false },
    { name: "a future expiry", lease: leaseExpiringIn(1), expected: true },
    { name: "an expiry right now", lease: leaseExpiringIn(0), expected: false },
    { name: "a past expiry", lease: leaseExpiringIn(-60_000), expected: false },
    { name: "an unparsable expiry", lease: { owner: "session-1", expiresAt: "never" }, expected: false },
  ])("is $expected for $name", ({ lease, expected }) => {
    expect(isLeaseActive(lease, now)).toBe(expected);
  });
});

describe("compareScores", () => {
  const base = { dependents: 2, depth: 1, priority: 0 };
  it.each([
    { name: "more dependents first", left: { ...base, dependents: 3 }, right: base, leftId: 9, sign: -1 },
    { name: "shallower first", left: { ...base, depth: 0 }, right: base, leftId: 9, sign: -1 },
    { name: "smaller priority first", left: { ...base, priority: -1 }, right: base, leftId: 9, sign: -1 },
    { name: "smaller id last resort", left: base, right: base, leftId: 1, sign: -1 },
    { name: "larger id after", left: base, right: base, leftId: 9, sign: 1 },
  ])("puts $name", ({ left, right, leftId, sign }) => {
    expect(Math.sign(compareScores({ id: leftId, score: left }, { id: 5, score: right }))).toBe(sign);
  });
});
