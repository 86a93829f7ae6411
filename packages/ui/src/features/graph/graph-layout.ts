/**
 * The dependency graph's pure part: which nodes and edges the backlog makes (an edge from each dependency to its
 * dependent), a key that changes only when that structure does (so a status change restyles without a new
 * layout), and the automatic layout with dagre. Features that neither depend on anything nor are depended on are
 * packed in a grid beside the layered part instead of one endless column. No React, no DOM: it also runs in the
 * layout worker.
 */

import type { Feature } from "@autowright/protocol";
import dagre from "@dagrejs/dagre";

/** The layout's direction: left to right (dependencies on the left) or top to bottom. */
export type GraphDirection = "LR" | "TB";

/** One edge: `source` is the dependency, `target` the feature that depends on it. */
export interface GraphEdgeRef {
  readonly id: string;
  readonly source: number;
  readonly target: number;
}

/** The nodes and edges of a backlog, with a key that identifies them. */
export interface GraphStructure {
  /** Feature ids, in the backlog's order (priority, then id). */
  readonly nodeIds: readonly number[];
  readonly edges: readonly GraphEdgeRef[];
  /** Dependencies on features that are not in the backlog (deleted): not drawn, but counted. */
  readonly missingDependencies: number;
  /** Equal for two structures with the same nodes and edges. */
  readonly key: string;
}

/** Where the layout put each node (top-left corner, as xyflow wants it). */
export interface GraphLayout {
  readonly key: string;
  readonly direction: GraphDirection;
  readonly positions: ReadonlyMap<number, { readonly x: number; readonly y: number }>;
  /** The bounding box of every node. */
  readonly width: number;
  readonly height: number;
}

/** The size every node is drawn at (the layout uses the same, so nothing overlaps). */
export const graphNodeSize = { width: 232, height: 88 } as const;

/** Above this many nodes the layout trades some quality for speed (tight-tree ranking, no order refinement). */
export const largeGraphNodes = 400;

const gap = { node: 28, rank: 72, grid: 24, section: 100 } as const;

/** The edge id of a dependency. */
export function edgeId(source: number, target: number): string {
  return `${source}->${target}`;
}

/** The nodes and edges of `features` (a self-dependency is no edge; an unknown dependency is counted as missing). */
export function graphStructure(features: ReadonlyMap<number, Feature> | readonly Feature[]): GraphStructure {
  const list = [
    ...(Array.isArray(features) ? features : (features as ReadonlyMap<number, Feature>).values()),
  ];
  list.sort((left, right) => left.priority - right.priority || left.id - right.id);
  const known = new Set(list.map((feature) => feature.id));
  const edges: GraphEdgeRef[] = [];
  const seen = new Set<string>();
  let missingDependencies = 0;
  for (const feature of list) {
    for (const dependency of feature.dependencies) {
      if (dependency === feature.id) continue;
      if (!known.has(dependency)) {
        missingDependencies += 1;
        continue;
      }
      const id = edgeId(dependency, feature.id);
      if (seen.has(id)) continue;
      seen.add(id);
      edges.push({ id, source: dependency, target: feature.id });
    }
  }
  const nodeIds = list.map((feature) => feature.id);
  const key = `${nodeIds.join(",")}|${edges.map((edge) => edge.id).join(",")}`;
  return { nodeIds, edges, missingDependencies, key };
}

/**
 * Lays `structure` out in `direction`: dagre for every node with an edge (dependencies before dependents), a grid
 * for the rest, after the layered part. A cycle (the backlog refuses them, but a stale or imported one could have
 * one) is broken by dagre's acyclic pass: every node still gets a position.
 */
export function layoutGraph(structure: GraphStructure, direction: GraphDirection): GraphLayout {
  const { width, height } = graphNodeSize;
  const linked = new Set<number>();
  for (const edge of structure.edges) {
    linked.add(edge.source);
    linked.add(edge.target);
  }
  const positions = new Map<number, { x: number; y: number }>();
  let layeredWidth = 0;
  let layeredHeight = 0;
  if (linked.size > 0) {
    const large = linked.size > largeGraphNodes;
    const graph = new dagre.graphlib.Graph({ multigraph: false });
    graph.setGraph({
      rankdir: direction,
      nodesep: direction === "LR" ? gap.node : gap.node + 12,
      ranksep: direction === "LR" ? gap.rank : gap.rank - 24,
      marginx: 0,
      marginy: 0,
      ranker: large ? "tight-tree" : "network-simplex",
    });
    graph.setDefaultEdgeLabel(() => ({}));
    for (const id of structure.nodeIds) if (linked.has(id)) graph.setNode(String(id), { width, height });
    for (const edge of structure.edges) graph.setEdge(String(edge.source), String(edge.target));
    dagre.layout(graph, { disableOptimalOrderHeuristic: large });
    for (const id of structure.nodeIds) {
      if (!linked.has(id)) continue;
      const node = graph.node(String(id));
      const x = Math.round((node?.x ?? 0) - width / 2);
      const y = Math.round((node?.y ?? 0) - height / 2);
      positions.set(id, { x, y });
      layeredWidth = Math.max(layeredWidth, x + width);
      layeredHeight = Math.max(layeredHeight, y + height);
    }
  }
  const loose = structure.nodeIds.filter((id) => !linked.has(id));
  let totalWidth = layeredWidth;
  let totalHeight = layeredHeight;
  if (loose.length > 0) {
    const cellWidth = width + gap.grid;
    const cellHeight = height + gap.grid;
    // Roughly square on its own, and at least as wide (LR: as tall) as the layered part it sits beside.
    const square = Math.max(1, Math.ceil(Math.sqrt((loose.length * cellHeight) / cellWidth)));
    const columns =
      direction === "LR"
        ? Math.min(loose.length, Math.max(square, Math.floor((layeredWidth + gap.grid) / cellWidth)))
        : Math.min(loose.length, square);
    const rows = Math.ceil(loose.length / columns);
    const originX = direction === "LR" || linked.size === 0 ? 0 : layeredWidth + gap.section;
    const originY = direction === "LR" && linked.size > 0 ? layeredHeight + gap.section : 0;
    loose.forEach((id, index) => {
      positions.set(id, {
        x: originX + (index % columns) * cellWidth,
        y: originY + Math.floor(index / columns) * cellHeight,
      });
    });
    totalWidth = Math.max(totalWidth, originX + columns * cellWidth - gap.grid);
    totalHeight = Math.max(totalHeight, originY + rows * cellHeight - gap.grid);
  }
  return { key: structure.key, direction, positions, width: totalWidth, height: totalHeight };
}

/** The space the panels over the canvas take on each side, in pixels. */
export interface Insets {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

/** The zoom below which the nodes' text is too small to read: a first view never goes under it. */
export const readableZoom = 0.5;

/**
 * The first view of a layout in a `width`×`height` canvas, clear of the panels (`insets`): the whole graph when it
 * fits at a readable zoom (centred, at most 110 %), else its beginning (top-left: the first ranks, where work
 * starts) at the readable zoom, centred along any axis that does fit.
 */
export function initialViewport(
  layout: GraphLayout,
  canvas: { readonly width: number; readonly height: number },
  insets: Insets,
): { x: number; y: number; zoom: number } {
  const availableWidth = Math.max(120, canvas.width - insets.left - insets.right);
  const availableHeight = Math.max(120, canvas.height - insets.top - insets.bottom);
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  for (const { x, y } of layout.positions.values()) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
  }
  if (!Number.isFinite(minX)) return { x: insets.left, y: insets.top, zoom: 1 };
  const graphWidth = Math.max(graphNodeSize.width, layout.width - minX);
  const graphHeight = Math.max(graphNodeSize.height, layout.height - minY);
  const fit = Math.min(availableWidth / graphWidth, availableHeight / graphHeight, 1.1);
  const zoom = Math.max(fit, readableZoom);
  const place = (size: number, available: number, start: number, min: number) =>
    size * zoom <= available ? start + (available - size * zoom) / 2 - min * zoom : start - min * zoom;
  return {
    x: Math.round(place(graphWidth, availableWidth, insets.left, minX)),
    y: Math.round(place(graphHeight, availableHeight, insets.top, minY)),
    zoom,
  };
}

/** How many of `feature`'s dependencies do not pass yet (unknown ones count: they cannot pass). */
export function unmetDependencies(feature: Feature, features: ReadonlyMap<number, Feature>): number {
  let unmet = 0;
  for (const dependency of feature.dependencies) {
    if (dependency === feature.id) continue;
    if (features.get(dependency)?.status !== "passing") unmet += 1;
  }
  return unmet;
}

/** The layout as plain data for `postMessage` (a Map survives structured cloning, but an array is cheaper). */
export interface SerializedLayout {
  readonly key: string;
  readonly direction: GraphDirection;
  readonly positions: readonly (readonly [number, number, number])[];
  readonly width: number;
  readonly height: number;
}

/** The layout as plain data. */
export function serializeLayout(layout: GraphLayout): SerializedLayout {
  return {
    key: layout.key,
    direction: layout.direction,
    positions: [...layout.positions].map(([id, position]) => [id, position.x, position.y] as const),
    width: layout.width,
    height: layout.height,
  };
}

/** The layout back from plain data. */
export function deserializeLayout(data: SerializedLayout): GraphLayout {
  return {
    key: data.key,
    direction: data.direction,
    positions: new Map(data.positions.map(([id, x, y]) => [id, { x, y }])),
    width: data.width,
    height: data.height,
  };
}
