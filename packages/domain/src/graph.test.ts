import { describe, expect, it } from "vitest";
import type { AdjacencyGraph } from "./graph.ts";
import {
  buildAdjacencyGraph,
  condense,
  groupByComponent,
  hasSelfLoop,
  popcount32,
  reverseGraph,
  stronglyConnectedComponents,
} from "./graph.ts";

function successorsOf(graph: AdjacencyGraph, node: number): number[] {
  return [...graph.targets.subarray(graph.offsets[node], graph.offsets[node + 1])];
}

/** The components as sorted node lists, sorted by first node. */
function componentSets(componentOf: Int32Array): number[][] {
  const groups = new Map<number, number[]>();
  componentOf.forEach((component, node) => {
    if (component < 0) return;
    groups.set(component, [...(groups.get(component) ?? []), node]);
  });
  return [...groups.values()].sort((left, right) => (left[0] ?? 0) - (right[0] ?? 0));
}

describe("stronglyConnectedComponents", () => {
  const cases: { name: string; successors: number[][]; expected: number[][] }[] = [
    { name: "an empty graph", successors: [], expected: [] },
    { name: "isolated nodes", successors: [[], [], []], expected: [[0], [1], [2]] },
    { name: "a self-loop", successors: [[0], []], expected: [[0], [1]] },
    {
      name: "two cycles joined by an edge plus a loner",
      successors: [[1], [2], [0, 3], [4], [3], []],
      expected: [[0, 1, 2], [3, 4], [5]],
    },
    { name: "a diamond", successors: [[1, 2], [3], [3], []], expected: [[0], [1], [2], [3]] },
  ];

  it.each(cases)("finds the components of $name", ({ successors, expected }) => {
    const graph = buildAdjacencyGraph(successors);
    const components = stronglyConnectedComponents(graph);
    expect(componentSets(components.componentOf)).toEqual(expected);
    expect(components.componentCount).toBe(expected.length);
    // Reverse topological numbering: every edge between components goes to a smaller index.
    for (let node = 0; node < graph.nodeCount; node++) {
      for (const target of successorsOf(graph, node)) {
        const from = components.componentOf[node] ?? -1;
        const to = components.componentOf[target] ?? -1;
        if (from !== to) expect(from).toBeGreaterThan(to);
      }
    }
  });

  it("visits only what the roots reach", () => {
    const graph = buildAdjacencyGraph([[1], [0], [3], [], [0]]);
    const components = stronglyConnectedComponents(graph, [2]);
    expect([...components.componentOf]).toEqual([-1, -1, 1, 0, -1]);
    expect(components.componentCount).toBe(2);
  });

  it("handles a 10,000-long chain without recursion", () => {
    const size = 10_000;
    const graph = buildAdjacencyGraph(
      Array.from({ length: size }, (_, node) => (node + 1 < size ? [node + 1] : [])),
    );
    const components = stronglyConnectedComponents(graph);
    expect(components.componentCount).toBe(size);
    expect(components.componentOf[size - 1]).toBe(0);
    expect(components.componentOf[0]).toBe(size - 1);
  });

  it("handles a 10,000-long cycle as one component", () => {
    const size = 10_000;
    const graph = buildAdjacencyGraph(Array.from({ length: size }, (_, node) => [(node + 1) % size]));
    const components = stronglyConnectedComponents(graph);
    expect(components.componentCount).toBe(1);
    expect(components.componentSizes[0]).toBe(size);
  });
});

describe("condensation helpers", () => {
  const graph = buildAdjacencyGraph([[1, 2], [0, 2, 2], [3], []]);
  const components = stronglyConnectedComponents(graph);
  const grouping = groupByComponent(components);

  it("groups nodes by component index", () => {
    const groups = Array.from({ length: components.componentCount }, (_, component) =>
      [
        ...grouping.nodes.subarray(
          grouping.componentStart[component],
          grouping.componentStart[component + 1],
        ),
      ].sort(),
    );
    expect(groups).toEqual([[3], [2], [0, 1]]);
  });

  it("condenses with deduplicated edges and no self-edges", () => {
    const condensed = condense(graph, components, grouping);
    expect(condensed.nodeCount).toBe(3);
    expect([0, 1, 2].map((component) => successorsOf(condensed, component))).toEqual([[], [0], [1]]);
  });

  it("reverses a graph keeping successors ascending", () => {
    const reversed = reverseGraph(buildAdjacencyGraph([[2], [2], [], [0, 1]]));
    expect([0, 1, 2, 3].map((node) => successorsOf(reversed, node))).toEqual([[3], [3], [0, 1], []]);
  });

  it.each([
    [[[0], []], 0, true],
    [[[1], [0]], 0, false],
    [[[1, 0]], 0, true],
  ] as const)("hasSelfLoop(%j, %i) is %s", (successors, node, expected) => {
    expect(hasSelfLoop(buildAdjacencyGraph(successors.map((list) => [...list])), node)).toBe(expected);
  });

  it("drops out-of-range successors", () => {
    const built = buildAdjacencyGraph([[1, 5, -1], [0]]);
    expect(successorsOf(built, 0)).toEqual([1]);
  });
});

describe("popcount32", () => {
  it.each([
    [0, 0],
    [1, 1],
    [0xff, 8],
    [0x80000000, 1],
    [0x55555555, 16],
    [0xffffffff, 32],
    [-1, 32],
  ])("popcount32(%i) = %i", (word, expected) => {
    expect(popcount32(word)).toBe(expected);
  });
});
