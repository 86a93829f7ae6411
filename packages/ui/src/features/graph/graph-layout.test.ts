import { describe, expect, it } from "vitest";
import { makeFeature } from "../../test-support.ts";
import {
  deserializeLayout,
  edgeId,
  type GraphLayout,
  graphNodeSize,
  graphStructure,
  initialViewport,
  largeGraphNodes,
  layoutGraph,
  readableZoom,
  serializeLayout,
  unmetDependencies,
} from "./graph-layout.ts";
import { appearanceOf, blockedAppearance, legendEntries, statusAppearances } from "./graph-status.ts";

/** A diamond and a tail: 1 → 2, 1 → 3, 2 → 4, 3 → 4, 4 → 5; 6 and 7 stand alone. */
function diamond() {
  return [
    makeFeature(1),
    makeFeature(2, { dependencies: [1] }),
    makeFeature(3, { dependencies: [1] }),
    makeFeature(4, { dependencies: [2, 3] }),
    makeFeature(5, { dependencies: [4] }),
    makeFeature(6),
    makeFeature(7),
  ];
}

function overlaps(layout: GraphLayout): [number, number] | undefined {
  const entries = [...layout.positions];
  for (let left = 0; left < entries.length; left++)
    for (let right = left + 1; right < entries.length; right++) {
      const [a, p] = entries[left] ?? [0, { x: 0, y: 0 }];
      const [b, q] = entries[right] ?? [0, { x: 0, y: 0 }];
      if (Math.abs(p.x - q.x) < graphNodeSize.width && Math.abs(p.y - q.y) < graphNodeSize.height)
        return [a, b];
    }
  return undefined;
}

function position(layout: GraphLayout, id: number) {
  const found = layout.positions.get(id);
  if (found === undefined) throw new Error(`no position for ${id}`);
  return found;
}

describe("graphStructure", () => {
  it("makes one edge per dependency, from the dependency to the dependent", () => {
    const structure = graphStructure(diamond());
    expect(structure.nodeIds).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(structure.edges.map((edge) => [edge.source, edge.target])).toEqual([
      [1, 2],
      [1, 3],
      [2, 4],
      [3, 4],
      [4, 5],
    ]);
    expect(structure.edges[0]?.id).toBe(edgeId(1, 2));
    expect(structure.missingDependencies).toBe(0);
  });

  it("orders nodes by priority, skips self-dependencies and duplicates, and counts unknown dependencies", () => {
    const structure = graphStructure([
      makeFeature(1, { priority: 5 }),
      makeFeature(2, { priority: 1, dependencies: [2, 1, 1, 99] }),
    ]);
    expect(structure.nodeIds).toEqual([2, 1]);
    expect(structure.edges.map((edge) => edge.id)).toEqual(["1->2"]);
    expect(structure.missingDependencies).toBe(1);
  });

  it("accepts the store's map and keeps the key through status changes only", () => {
    const features = diamond();
    const map = new Map(features.map((feature) => [feature.id, feature]));
    const before = graphStructure(map);
    map.set(3, makeFeature(3, { dependencies: [1], status: "passing", name: "Renamed" }));
    expect(graphStructure(map).key).toBe(before.key);
    map.set(5, makeFeature(5, { dependencies: [4, 1] }));
    expect(graphStructure(map).key).not.toBe(before.key);
    map.set(8, makeFeature(8));
    const added = graphStructure(map);
    expect(added.nodeIds).toContain(8);
  });
});

describe("layoutGraph", () => {
  it("gives every node a position, none overlapping", () => {
    for (const direction of ["LR", "TB"] as const) {
      const layout = layoutGraph(graphStructure(diamond()), direction);
      expect([...layout.positions.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (const { x, y } of layout.positions.values()) {
        expect(Number.isFinite(x)).toBe(true);
        expect(Number.isFinite(y)).toBe(true);
      }
      expect(overlaps(layout)).toBeUndefined();
      expect(layout.direction).toBe(direction);
    }
  });

  it("puts dependencies left of their dependents left to right, above them top to bottom", () => {
    const structure = graphStructure(diamond());
    const horizontal = layoutGraph(structure, "LR");
    const vertical = layoutGraph(structure, "TB");
    for (const edge of structure.edges) {
      expect(position(horizontal, edge.source).x + graphNodeSize.width).toBeLessThanOrEqual(
        position(horizontal, edge.target).x,
      );
      expect(position(vertical, edge.source).y + graphNodeSize.height).toBeLessThanOrEqual(
        position(vertical, edge.target).y,
      );
    }
  });

  it("packs the features without edges in a grid below the layered part (left to right)", () => {
    const layout = layoutGraph(graphStructure(diamond()), "LR");
    const layeredBottom = Math.max(
      ...[1, 2, 3, 4, 5].map((id) => position(layout, id).y + graphNodeSize.height),
    );
    expect(position(layout, 6).y).toBeGreaterThan(layeredBottom);
    expect(position(layout, 7).y).toBe(position(layout, 6).y);
    expect(position(layout, 7).x).toBeGreaterThan(position(layout, 6).x);
    expect(layout.height).toBeGreaterThanOrEqual(position(layout, 6).y + graphNodeSize.height);
  });

  it("lays out a backlog without any dependency as a roughly square grid", () => {
    const structure = graphStructure(Array.from({ length: 100 }, (_, index) => makeFeature(index + 1)));
    const layout = layoutGraph(structure, "LR");
    expect(layout.positions.size).toBe(100);
    expect(overlaps(layout)).toBeUndefined();
    const ratio = layout.width / layout.height;
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2.5);
  });

  it("survives a cycle (which the backlog refuses) and still places every node", () => {
    const structure = graphStructure([
      makeFeature(1, { dependencies: [3] }),
      makeFeature(2, { dependencies: [1] }),
      makeFeature(3, { dependencies: [2] }),
      makeFeature(4, { dependencies: [4] }),
    ]);
    expect(structure.edges).toHaveLength(3);
    for (const direction of ["LR", "TB"] as const) {
      const layout = layoutGraph(structure, direction);
      expect([...layout.positions.keys()].sort()).toEqual([1, 2, 3, 4]);
      expect(overlaps(layout)).toBeUndefined();
    }
  });

  it("lays out a large graph (the fast ranking) with dependencies still before dependents", () => {
    const count = largeGraphNodes + 100;
    const features = Array.from({ length: count }, (_, index) => {
      const id = index + 1;
      return makeFeature(id, {
        dependencies: id > 1 && id % 4 !== 0 ? [Math.max(1, id - 1 - (id % 7))] : [],
      });
    });
    const structure = graphStructure(features);
    const layout = layoutGraph(structure, "LR");
    expect(layout.positions.size).toBe(count);
    for (const edge of structure.edges)
      expect(position(layout, edge.source).x).toBeLessThan(position(layout, edge.target).x);
  });

  it("round-trips through the worker's plain data", () => {
    const layout = layoutGraph(graphStructure(diamond()), "TB");
    const copy = deserializeLayout(JSON.parse(JSON.stringify(serializeLayout(layout))));
    expect(copy).toEqual(layout);
  });
});

describe("initialViewport", () => {
  const insets = { top: 100, right: 20, bottom: 20, left: 240 };

  it("fits a small graph whole, clear of the panels, never above 110 %", () => {
    const layout = layoutGraph(graphStructure(diamond()), "LR");
    const view = initialViewport(layout, { width: 3000, height: 2000 }, insets);
    expect(view.zoom).toBe(1.1);
    const narrow = initialViewport(layout, { width: 1100, height: 700 }, insets);
    expect(narrow.zoom).toBeLessThan(1.1);
    expect(narrow.zoom).toBeGreaterThanOrEqual(readableZoom);
    // Every node is on screen and right of the legend.
    for (const { x, y } of layout.positions.values()) {
      const left = x * narrow.zoom + narrow.x;
      const top = y * narrow.zoom + narrow.y;
      expect(left).toBeGreaterThanOrEqual(insets.left - 0.5);
      expect(top).toBeGreaterThanOrEqual(insets.top - 0.5);
      expect(left + graphNodeSize.width * narrow.zoom).toBeLessThanOrEqual(1100 - insets.right + 0.5);
      expect(top + graphNodeSize.height * narrow.zoom).toBeLessThanOrEqual(700 - insets.bottom + 0.5);
    }
  });

  it("starts a graph too big to read whole at its beginning, at a readable zoom", () => {
    const features = Array.from({ length: 300 }, (_, index) =>
      makeFeature(index + 1, { dependencies: index > 0 ? [index] : [] }),
    );
    const layout = layoutGraph(graphStructure(features), "LR");
    const view = initialViewport(layout, { width: 1000, height: 700 }, insets);
    expect(view.zoom).toBe(readableZoom);
    // The chain's first node is at the left edge of the free area.
    expect(position(layout, 1).x * view.zoom + view.x).toBeCloseTo(insets.left, 0);
  });

  it("copes with an empty layout", () => {
    const layout = layoutGraph(graphStructure([]), "LR");
    expect(initialViewport(layout, { width: 800, height: 600 }, insets)).toEqual({ x: 240, y: 100, zoom: 1 });
  });
});

describe("unmetDependencies", () => {
  it("counts dependencies that do not pass, unknown ones included", () => {
    const features = new Map(
      [
        makeFeature(1, { status: "passing" }),
        makeFeature(2, { status: "in_progress" }),
        makeFeature(3, { dependencies: [1, 2, 42] }),
      ].map((feature) => [feature.id, feature]),
    );
    expect(unmetDependencies(features.get(3) ?? makeFeature(3), features)).toBe(2);
    expect(unmetDependencies(features.get(1) ?? makeFeature(1), features)).toBe(0);
  });
});

describe("status appearance", () => {
  it("gives every status its own label and icon, on the status tokens", () => {
    const looks = Object.values(statusAppearances);
    expect(new Set(looks.map((look) => look.label)).size).toBe(looks.length);
    expect(new Set(looks.map((look) => look.icon)).size).toBe(looks.length);
    expect(statusAppearances.pending.tone).toBe("pending");
    expect(statusAppearances.in_progress.tone).toBe("progress");
    expect(statusAppearances.verifying.tone).toBe("verifying");
    expect(statusAppearances.needs_input.tone).toBe("input");
    expect(statusAppearances.failed.tone).toBe("failed");
    expect(statusAppearances.regressed.tone).toBe("failed");
    expect(statusAppearances.passing.tone).toBe("done");
    for (const look of looks) {
      expect(look.className).toContain(`bg-status-soft-${look.tone}`);
      expect(look.color).toBe(`var(--status-${look.tone})`);
    }
  });

  it("marks only work in flight as active", () => {
    const active = Object.entries(statusAppearances)
      .filter(([, look]) => look.active)
      .map(([status]) => status);
    expect(active.sort()).toEqual(["in_progress", "verifying"]);
  });

  it("shows a pending feature with unmet dependencies as blocked, and nothing else", () => {
    expect(appearanceOf("pending", 2)).toBe(blockedAppearance);
    expect(appearanceOf("pending", 0)).toBe(statusAppearances.pending);
    expect(appearanceOf("in_progress", 3)).toBe(statusAppearances.in_progress);
    expect(blockedAppearance.icon).not.toBe(statusAppearances.pending.icon);
  });

  it("lists every status and blocked in the legend", () => {
    expect(legendEntries.map((entry) => entry.key).sort()).toEqual(
      [...Object.keys(statusAppearances), "blocked"].sort(),
    );
  });
});
