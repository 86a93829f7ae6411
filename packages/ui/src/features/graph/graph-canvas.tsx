/**
 * The dependency graph's canvas (loaded on demand: xyflow and dagre stay out of the board's first bundle). Nodes
 * come from the backlog and edges from each feature's dependencies (dependency → dependent); the layout is
 * recomputed only when the set of nodes or edges changes, a status change only restyles the nodes it touches
 * (node and data objects are reused while their feature and agents are the same, so xyflow and the memoised node
 * component skip the rest). Only what is in view is rendered, so 2,000 nodes stay usable.
 */
import type { AgentSnapshot, Feature } from "@autowright/protocol";
import {
  Background,
  BackgroundVariant,
  Controls,
  type Edge,
  MarkerType,
  MiniMap,
  type NodeHandle,
  type NodeTypes,
  Panel,
  Position,
  ReactFlow,
  ReactFlowProvider,
  type ReactFlowState,
  useReactFlow,
  useStore,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "./graph.css";
import { ArrowDownNarrowWide, ArrowRightFromLine, Loader2, Search } from "lucide-react";
import { type FormEvent, type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { cn } from "../../lib/cn.ts";
import { formatCount } from "../../lib/format.ts";
import { useShortcut } from "../../lib/shortcuts.ts";
import { useTheme } from "../../lib/theme.ts";
import {
  type GraphDirection,
  graphNodeSize,
  graphStructure,
  initialViewport,
  unmetDependencies,
} from "./graph-layout.ts";
import { GraphLegend, type StatusCounts } from "./graph-legend.tsx";
import { type FeatureNode, type FeatureNodeData, FeatureNodeView, type NodeAgent } from "./graph-node.tsx";
import { appearanceOf, statusAppearances } from "./graph-status.ts";
import { useGraphLayout, useStableStructure } from "./use-graph-layout.ts";

/** Above this many nodes only those in view are rendered (below, all: cheap, and panning never pops nodes in). */
const visibleOnlyAbove = 150;
/** Where the legend (left, when open) and the toolbar (top) sit over the canvas: a first view keeps clear of them. */
const panelInsets = (legendOpen: boolean) => ({
  top: 96,
  right: 32,
  bottom: 32,
  left: legendOpen ? 240 : 32,
});
const legendKey = "autowright-graph-legend";
const { width: nodeWidth, height: nodeHeight } = graphNodeSize;
/** Where the (invisible, 1 px) handles sit on a node, per direction: the edges' ends. */
const nodeHandles: Record<GraphDirection, NodeHandle[]> = {
  LR: [
    { type: "target", position: Position.Left, x: 0, y: nodeHeight / 2, width: 1, height: 1 },
    { type: "source", position: Position.Right, x: nodeWidth - 1, y: nodeHeight / 2, width: 1, height: 1 },
  ],
  TB: [
    { type: "target", position: Position.Top, x: nodeWidth / 2, y: 0, width: 1, height: 1 },
    { type: "source", position: Position.Bottom, x: nodeWidth / 2, y: nodeHeight - 1, width: 1, height: 1 },
  ],
};
const selectWidth = (state: ReactFlowState) => state.width;
const selectHeight = (state: ReactFlowState) => state.height;
const nodeTypes: NodeTypes = { feature: FeatureNodeView };
const directionKey = "autowright-graph-direction";
/** How long a node found by the search stays highlighted. */
const highlightMs = 2_500;

/** The direction remembered in localStorage (left to right by default). */
export function readDirection(): GraphDirection {
  try {
    return localStorage.getItem(directionKey) === "TB" ? "TB" : "LR";
  } catch {
    return "LR";
  }
}

/** Whether the legend is open: as the user left it, else open on wide screens only. */
function readLegendOpen(): boolean {
  try {
    const stored = localStorage.getItem(legendKey);
    if (stored !== null) return stored === "open";
  } catch {
    // Private mode: the default.
  }
  return typeof window !== "undefined" && window.innerWidth >= 1600;
}

function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode: the choice lasts for this page.
  }
}

/** The canvas's inputs. */
export interface GraphCanvasProps {
  readonly features: ReadonlyMap<number, Feature>;
  readonly agents: readonly AgentSnapshot[];
  /** The feature open in the dialog, drawn with an outline. */
  readonly currentFeatureId: number | undefined;
  readonly onOpenFeature: (featureId: number) => void;
}

/** The graph canvas (default export for `React.lazy`). */
export default function GraphCanvas(props: GraphCanvasProps) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}

interface NodeCacheEntry {
  readonly node: FeatureNode;
}

function sameAgents(left: readonly NodeAgent[], right: readonly NodeAgent[]): boolean {
  if (left.length !== right.length) return false;
  return left.every(
    (agent, index) =>
      agent.agentId === right[index]?.agentId &&
      agent.state === right[index]?.state &&
      agent.name === right[index]?.name,
  );
}

const noAgents: readonly NodeAgent[] = [];

function Canvas(props: GraphCanvasProps) {
  const { features, agents } = props;
  const flow = useReactFlow();
  const { dark } = useTheme();
  const [direction, setDirection] = useState<GraphDirection>(readDirection);
  const [legendOpen, setLegendOpen] = useState(readLegendOpen);
  const [highlighted, setHighlighted] = useState<number | undefined>(undefined);
  const [searchError, setSearchError] = useState<string | undefined>(undefined);
  const searchInput = useRef<HTMLInputElement>(null);

  const structure = useStableStructure(useMemo(() => graphStructure(features), [features]));
  const { layout, computing, error } = useGraphLayout(structure, direction);

  const agentsByFeature = useMemo(() => {
    const map = new Map<number, NodeAgent[]>();
    for (const agent of agents)
      for (const featureId of agent.featureIds) {
        const list = map.get(featureId) ?? [];
        list.push({ agentId: agent.agentId, name: agent.name, state: agent.state, role: agent.role });
        map.set(featureId, list);
      }
    return map;
  }, [agents]);

  const cache = useRef(new Map<number, NodeCacheEntry>());
  const nodes = useMemo(() => {
    if (layout === undefined) return [];
    const next: FeatureNode[] = [];
    const nextCache = new Map<number, NodeCacheEntry>();
    for (const [id, position] of layout.positions) {
      const feature = features.get(id);
      if (feature === undefined) continue;
      const unmet = unmetDependencies(feature, features);
      const nodeAgents = agentsByFeature.get(id) ?? noAgents;
      const current = props.currentFeatureId === id;
      const isHighlighted = highlighted === id;
      const previous = cache.current.get(id)?.node;
      const reusable =
        previous !== undefined &&
        previous.data.feature === feature &&
        previous.data.unmet === unmet &&
        previous.data.direction === layout.direction &&
        previous.data.current === current &&
        previous.data.highlighted === isHighlighted &&
        sameAgents(previous.data.agents, nodeAgents) &&
        previous.position.x === position.x &&
        previous.position.y === position.y;
      const node: FeatureNode = reusable
        ? previous
        : {
            id: String(id),
            type: "feature",
            position,
            width: graphNodeSize.width,
            height: graphNodeSize.height,
            // Known size and handles: xyflow need not render every node once to measure it (2,000 nodes would be
            // 28,000 elements for a frame), so only what is in view is ever mounted.
            measured: graphNodeSize,
            handles: nodeHandles[layout.direction],
            data: {
              feature,
              unmet,
              agents: nodeAgents,
              direction: layout.direction,
              current,
              highlighted: isHighlighted,
            } satisfies FeatureNodeData,
          };
      nextCache.set(id, { node });
      next.push(node);
    }
    cache.current = nextCache;
    return next;
  }, [layout, features, agentsByFeature, props.currentFeatureId, highlighted]);

  const edges = useMemo<Edge[]>(() => {
    if (layout === undefined) return [];
    return structure.edges
      .filter((edge) => layout.positions.has(edge.source) && layout.positions.has(edge.target))
      .map((edge) => {
        const met = features.get(edge.source)?.status === "passing";
        const target = features.get(edge.target);
        const active = target !== undefined && statusAppearances[target.status].active;
        const color = met ? "var(--status-done)" : "var(--graph-edge-waiting)";
        return {
          id: edge.id,
          source: String(edge.source),
          target: String(edge.target),
          animated: active && !met,
          focusable: false,
          selectable: false,
          className: met ? "graph-edge-met" : "graph-edge-waiting",
          style: {
            stroke: color,
            strokeWidth: met ? 1.75 : 1.5,
            ...(met || active ? {} : { strokeDasharray: "6 4" }),
          },
          markerEnd: { type: MarkerType.ArrowClosed, color, width: 18, height: 18 },
        };
      });
  }, [layout, structure, features]);

  const counts = useMemo(() => {
    const result: Partial<Record<string, number>> = {};
    for (const feature of features.values()) {
      const look = appearanceOf(feature.status, unmetDependencies(feature, features));
      const key = look === statusAppearances[feature.status] ? feature.status : "blocked";
      result[key] = (result[key] ?? 0) + 1;
    }
    return result as StatusCounts;
  }, [features]);

  // A new layout (another structure or direction) gets a first view; a restyle does not move anything.
  const canvasWidth = useStore(selectWidth);
  const canvasHeight = useStore(selectHeight);
  const placedFor = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (layout === undefined || canvasWidth === 0 || canvasHeight === 0) return;
    const key = `${layout.direction}|${layout.key}`;
    if (placedFor.current === key) return;
    const first = placedFor.current === undefined;
    placedFor.current = key;
    void flow.setViewport(
      initialViewport(layout, { width: canvasWidth, height: canvasHeight }, panelInsets(legendOpen)),
      {
        duration: first ? 0 : 250,
      },
    );
  }, [layout, flow, canvasWidth, canvasHeight, legendOpen]);

  const toggleDirection = useCallback(() => {
    setDirection((previous) => {
      const next = previous === "LR" ? "TB" : "LR";
      remember(directionKey, next);
      return next;
    });
  }, []);

  const find = (query: string): void => {
    const text = query.trim().replace(/^#/, "");
    if (text === "") return;
    const byId = /^\d+$/.test(text) ? features.get(Number(text)) : undefined;
    const lower = text.toLowerCase();
    const match =
      byId ?? [...features.values()].find((feature) => feature.name.toLowerCase().includes(lower));
    const position = match === undefined ? undefined : layout?.positions.get(match.id);
    if (match === undefined || position === undefined) {
      setSearchError(`No feature matches “${query.trim()}”.`);
      return;
    }
    setSearchError(undefined);
    setHighlighted(match.id);
    void flow
      .setCenter(position.x + graphNodeSize.width / 2, position.y + graphNodeSize.height / 2, {
        zoom: Math.max(flow.getZoom(), 1),
        duration: 300,
      })
      .then(() => {
        document
          .querySelector<HTMLElement>(`[data-testid="graph-node-${match.id}"]`)
          ?.focus({ preventScroll: true });
      });
  };

  useEffect(() => {
    if (highlighted === undefined) return;
    const timer = setTimeout(() => setHighlighted(undefined), highlightMs);
    return () => clearTimeout(timer);
  }, [highlighted]);

  useShortcut(
    "/",
    "Find a feature in the graph",
    "Graph",
    useCallback(() => searchInput.current?.focus(), []),
  );
  useShortcut("o", "Switch the graph between left-to-right and top-to-bottom", "Graph", toggleDirection);

  const { onOpenFeature } = props;
  const onNodeClick = useCallback(
    (_event: unknown, node: FeatureNode) => onOpenFeature(node.data.feature.id),
    [onOpenFeature],
  );

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    find(new FormData(event.currentTarget).get("query")?.toString() ?? "");
  };

  if (error !== undefined && layout === undefined)
    return (
      <div role="alert" className="flex h-full items-center justify-center p-6 text-sm text-status-failed">
        The graph could not be laid out: {error}
      </div>
    );

  return (
    <ReactFlow
      className="autowright-graph"
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodeClick={onNodeClick}
      colorMode={dark ? "dark" : "light"}
      onlyRenderVisibleElements={nodes.length > visibleOnlyAbove}
      nodesDraggable={false}
      nodesConnectable={false}
      nodesFocusable={false}
      edgesFocusable={false}
      elementsSelectable={false}
      deleteKeyCode={null}
      selectionKeyCode={null}
      minZoom={0.05}
      maxZoom={2}
      proOptions={{ hideAttribution: true }}
      aria-label="Dependency graph"
    >
      <Background variant={BackgroundVariant.Dots} gap={24} size={1.2} />
      <Panel position="top-left">
        <GraphLegend
          counts={counts}
          open={legendOpen}
          onOpenChange={(open) => {
            setLegendOpen(open);
            remember(legendKey, open ? "open" : "closed");
          }}
        />
      </Panel>
      <Panel position="top-right" className="flex flex-col items-end gap-2">
        <div className="flex items-center gap-2 rounded-lg border border-border bg-surface/95 p-1.5 shadow-sm backdrop-blur">
          <form aria-label="Find a feature" onSubmit={onSubmit} className="flex items-center gap-1">
            <label className="relative flex items-center">
              <span className="sr-only">Find a feature by #id or name</span>
              <Search className="pointer-events-none absolute left-2 size-3.5 text-muted" aria-hidden />
              <input
                ref={searchInput}
                name="query"
                type="search"
                placeholder="Find #id or name  /"
                onChange={() => setSearchError(undefined)}
                aria-invalid={searchError !== undefined}
                aria-describedby={searchError === undefined ? undefined : "graph-search-error"}
                className="h-8 w-48 rounded-md border border-border bg-surface pr-2 pl-7 text-sm text-foreground placeholder:text-muted"
              />
            </label>
          </form>
          <fieldset className="m-0 flex rounded-md border border-border p-0">
            <legend className="sr-only">Layout direction</legend>
            <DirectionButton
              label="Left to right"
              pressed={direction === "LR"}
              onPress={() => direction !== "LR" && toggleDirection()}
            >
              <ArrowRightFromLine aria-hidden />
            </DirectionButton>
            <DirectionButton
              label="Top to bottom"
              pressed={direction === "TB"}
              onPress={() => direction !== "TB" && toggleDirection()}
            >
              <ArrowDownNarrowWide aria-hidden />
            </DirectionButton>
          </fieldset>
        </div>
        {searchError === undefined ? null : (
          <p
            id="graph-search-error"
            role="alert"
            className="rounded-md border border-border bg-surface px-2 py-1 text-xs text-status-failed shadow-sm"
          >
            {searchError}
          </p>
        )}
        <p
          className="flex items-center gap-1.5 rounded-md bg-surface/90 px-2 py-1 text-xs text-muted"
          aria-live="polite"
          data-testid="graph-summary"
        >
          {computing ? (
            <>
              <Loader2 className="size-3.5 animate-spin" aria-hidden />
              Laying out {formatCount(structure.nodeIds.length)} features…
            </>
          ) : (
            <>
              {formatCount(structure.nodeIds.length)}{" "}
              {structure.nodeIds.length === 1 ? "feature" : "features"}
              {" · "}
              {formatCount(structure.edges.length)}{" "}
              {structure.edges.length === 1 ? "dependency" : "dependencies"}
              {structure.missingDependencies > 0
                ? ` · ${structure.missingDependencies} on deleted features`
                : ""}
            </>
          )}
        </p>
      </Panel>
      <Controls
        showInteractive={false}
        aria-label="Zoom and fit"
        fitViewOptions={{
          padding: { top: "96px", left: legendOpen ? "240px" : "32px", right: "32px", bottom: "32px" },
          duration: 200,
        }}
      />
      <MiniMap
        pannable
        zoomable
        ariaLabel="Minimap of the graph"
        nodeColor={minimapColor}
        nodeStrokeWidth={0}
        nodeBorderRadius={8}
        maskColor="var(--graph-minimap-mask)"
      />
    </ReactFlow>
  );
}

function minimapColor(node: FeatureNode): string {
  return appearanceOf(node.data.feature.status, node.data.unmet).color;
}

function DirectionButton(props: {
  readonly label: string;
  readonly pressed: boolean;
  readonly onPress: () => void;
  readonly children: ReactNode;
}) {
  return (
    <button
      type="button"
      aria-label={props.label}
      aria-pressed={props.pressed}
      title={`${props.label} (O)`}
      onClick={props.onPress}
      className={cn(
        "flex size-8 items-center justify-center first:rounded-l-md last:rounded-r-md [&_svg]:size-4",
        props.pressed
          ? "bg-accent-soft text-accent"
          : "text-muted hover:bg-surface-muted hover:text-foreground",
      )}
    >
      {props.children}
    </button>
  );
}
