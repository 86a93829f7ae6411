/**
 * One feature in the dependency graph: a real button (click or Enter opens the feature: the click bubbles to the
 * canvas's `onNodeClick`, which also gives xyflow's node wrapper its pointer events) with the status's colour,
 * icon and label, `#id` and name, and the mascots of the agents working on it. Memoised: xyflow re-renders a node
 * only when its data object changes, and the canvas keeps those objects while the feature and its agents do. Far
 * zoomed out it draws only a coloured tile with the id (text would be unreadable and 2,000 mascots are costly).
 */
import type { AgentRole, AgentState, Feature } from "@autowright/protocol";
import {
  Handle,
  type Node,
  type NodeProps,
  Position,
  type ReactFlowState,
  useStore,
  useStoreApi,
} from "@xyflow/react";
import { memo } from "react";
import { cn } from "../../lib/cn.ts";
import { Mascot, mascotStateLabel } from "../mission-control/mascot.tsx";
import { type GraphDirection, graphNodeSize } from "./graph-layout.ts";
import { appearanceOf, toneTextClass } from "./graph-status.ts";

/** An agent shown on a node. */
export interface NodeAgent {
  readonly agentId: string;
  readonly name: string;
  readonly state: AgentState;
  readonly role: AgentRole;
}

/** What a node draws. */
export type FeatureNodeData = {
  readonly feature: Feature;
  /** Dependencies that do not pass yet. */
  readonly unmet: number;
  readonly agents: readonly NodeAgent[];
  readonly direction: GraphDirection;
  /** The feature open in the dialog. */
  readonly current: boolean;
  /** Just found by the search. */
  readonly highlighted: boolean;
};

/** A feature node. */
export type FeatureNode = Node<FeatureNodeData, "feature">;

/** Below this zoom, nodes are drawn as plain tiles. */
export const compactZoom = 0.45;

const isCompact = (state: ReactFlowState) => state.transform[2] < compactZoom;
const maxMascots = 2;

/** The accessible name of a node. */
export function featureNodeLabel(data: FeatureNodeData): string {
  const look = appearanceOf(data.feature.status, data.unmet);
  const parts = [look.label];
  if (data.unmet > 0 && data.feature.status === "pending")
    parts.push(`waiting for ${data.unmet} ${data.unmet === 1 ? "dependency" : "dependencies"}`);
  for (const agent of data.agents) parts.push(`${agent.name} ${mascotStateLabel(agent.state)}`);
  return `#${data.feature.id} ${data.feature.name} (${parts.join("; ")})`;
}

function FeatureNodeComponent(props: NodeProps<FeatureNode>) {
  const { data } = props;
  const compact = useStore(isCompact);
  const store = useStoreApi();
  const { feature } = data;
  const look = appearanceOf(feature.status, data.unmet);
  const Icon = look.icon;
  const horizontal = data.direction === "LR";
  const shown = data.agents.slice(0, maxMascots);
  const hidden = data.agents.length - shown.length;
  const working = data.agents.length > 0;

  // Tabbing to a node outside the viewport brings it into view (nodes are buttons, not xyflow's focusable wrappers).
  const onFocus = () => {
    const { transform, width, height, setCenter } = store.getState();
    const [panX, panY, zoom] = transform;
    const left = props.positionAbsoluteX * zoom + panX;
    const top = props.positionAbsoluteY * zoom + panY;
    const inside =
      left >= 0 &&
      top >= 0 &&
      left + graphNodeSize.width * zoom <= width &&
      top + graphNodeSize.height * zoom <= height;
    if (!inside)
      void setCenter(
        props.positionAbsoluteX + graphNodeSize.width / 2,
        props.positionAbsoluteY + graphNodeSize.height / 2,
        { zoom: Math.max(zoom, 0.8), duration: 200 },
      );
  };

  return (
    <>
      <Handle
        type="target"
        position={horizontal ? Position.Left : Position.Top}
        isConnectable={false}
        className="graph-handle"
      />
      <button
        type="button"
        data-testid={`graph-node-${feature.id}`}
        data-status={feature.status}
        aria-label={featureNodeLabel(data)}
        title={`${feature.category ? `${feature.category} · ` : ""}${feature.name}`}
        onFocus={onFocus}
        style={{ width: graphNodeSize.width, height: graphNodeSize.height }}
        className={cn(
          "nopan group relative flex cursor-pointer flex-col rounded-lg border border-l-4 text-left text-foreground shadow-sm transition-shadow hover:shadow-md",
          look.className,
          working && "ring-2 ring-[var(--node-tone)] ring-offset-2 ring-offset-background",
          data.current && "outline-2 outline-offset-4 outline-accent",
          data.highlighted && "graph-node-found",
          compact ? "items-center justify-center gap-1 px-2" : "gap-1 px-3 py-2",
        )}
      >
        {compact ? (
          <>
            <Icon className={cn("size-8", toneTextClass(look.tone))} aria-hidden />
            <span className="font-mono text-2xl font-semibold">#{feature.id}</span>
          </>
        ) : (
          <>
            <span
              className={cn("flex h-6 min-w-0 shrink-0 items-center gap-1.5 text-[13px]", working && "pr-24")}
            >
              <Icon className={cn("size-3.5 shrink-0", toneTextClass(look.tone))} aria-hidden />
              {/* The label in the text colour: the status tokens as text on their soft backgrounds miss 4.5:1. */}
              <span className="shrink-0 font-semibold">{look.label}</span>
              {data.unmet > 0 && feature.status === "pending" ? (
                <span className="truncate text-muted">· by {data.unmet}</span>
              ) : feature.category && !working ? (
                <span className="truncate text-muted">· {feature.category}</span>
              ) : null}
            </span>
            <span className="line-clamp-2 text-[15px] leading-snug">
              <span className="mr-1 font-mono text-xs text-muted">#{feature.id}</span>
              <span className="font-medium">{feature.name}</span>
            </span>
          </>
        )}
        {working && !compact ? (
          // On the node's top edge, half outside it: the badge reads at any zoom where text does.
          <span className="absolute -top-4 right-2 flex items-center gap-1 rounded-full bg-surface py-0.5 pr-2 pl-0.5 shadow-md ring-1 ring-[var(--node-tone)]">
            <span className="flex items-center -space-x-2">
              {shown.map((agent) => (
                <span
                  key={agent.agentId}
                  title={`${agent.name} (${agent.role}): ${mascotStateLabel(agent.state)}`}
                >
                  <Mascot name={agent.name} state={agent.state} size={30} />
                </span>
              ))}
            </span>
            <span className="text-xs font-semibold">
              {shown.map((agent) => agent.name).join(", ")}
              {hidden > 0 ? ` +${hidden}` : ""}
            </span>
          </span>
        ) : null}
      </button>
      <Handle
        type="source"
        position={horizontal ? Position.Right : Position.Bottom}
        isConnectable={false}
        className="graph-handle"
      />
    </>
  );
}

/** The node component (`nodeTypes.feature`). */
export const FeatureNodeView = memo(FeatureNodeComponent);
