/**
 * One column of the board: its header (status, count) and its cards. A long column is virtualised (only the cards
 * in view are in the DOM), so 2,000 features stay smooth; a short one renders plainly. An empty column is a thin
 * strip with its name and count.
 */
import type { AgentSnapshot, Feature } from "@autowright/protocol";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type DragEvent, type RefObject, useEffect, useRef } from "react";
import { cn } from "../../lib/cn.ts";
import type { boardColumns, ColumnId } from "./board-model.ts";
import { type CardMove, type DropSide, FeatureCard } from "./feature-card.tsx";

/** Above this many cards a column only renders the ones in view. */
export const virtualThreshold = 40;

const toneDot: Record<(typeof boardColumns)[number]["tone"], string> = {
  pending: "bg-status-pending",
  progress: "bg-status-progress",
  verifying: "bg-status-verifying",
  input: "bg-status-input",
  failed: "bg-status-failed",
  done: "bg-status-done",
};

/** Where a dragged card would land in the pending column. */
export type DropTarget = { readonly id: number; readonly side: DropSide } | { readonly end: true };

/** The props of {@link KanbanColumn}. */
export interface KanbanColumnProps {
  readonly column: (typeof boardColumns)[number];
  readonly features: readonly Feature[];
  readonly allFeatures: ReadonlyMap<number, Feature>;
  readonly agents: ReadonlyMap<number, AgentSnapshot>;
  readonly compact: boolean;
  /** A note beside the count ("5 blocked"). */
  readonly note?: string;
  readonly reorderable: boolean;
  readonly draggingId: number | undefined;
  readonly dropTarget: DropTarget | undefined;
  readonly movesHintId: string;
  /** A card to focus (and scroll to) once it is in its new place. */
  readonly focusId: number | undefined;
  readonly onOpen: (id: number) => void;
  readonly onMove: (id: number, move: CardMove) => void;
  readonly onDragStart: (id: number, event: DragEvent<HTMLElement>) => void;
  readonly onDragEnd: () => void;
  readonly onDragOverCard: (id: number, event: DragEvent<HTMLElement>) => void;
  readonly onDragOverEnd: (event: DragEvent<HTMLElement>) => void;
  readonly onDrop: (event: DragEvent<HTMLElement>) => void;
}

/** A column. */
export function KanbanColumn(props: KanbanColumnProps) {
  const { column, features } = props;
  const headingId = `kanban-heading-${column.id}`;
  if (features.length === 0) {
    return (
      <section
        data-testid={`kanban-column-${column.id}`}
        data-collapsed="true"
        aria-labelledby={headingId}
        className={cn(
          "flex w-11 shrink-0 flex-col items-center gap-2 rounded-xl border border-dashed border-border bg-surface-muted/50 py-3",
          props.compact ? "min-h-32" : "",
        )}
      >
        <span className={cn("size-2 rounded-full", toneDot[column.tone])} aria-hidden />
        <span className="text-xs font-medium text-muted tabular-nums">0</span>
        <h2
          id={headingId}
          className="text-xs font-medium whitespace-nowrap text-muted [writing-mode:vertical-rl]"
        >
          {column.label}
          <span className="sr-only">: empty</span>
        </h2>
      </section>
    );
  }
  return (
    <section
      data-testid={`kanban-column-${column.id}`}
      aria-labelledby={headingId}
      className="flex max-w-[24rem] min-w-[13.5rem] flex-1 basis-0 flex-col rounded-xl border border-border bg-surface-muted/60"
    >
      <header className="flex items-center gap-2 px-3 pt-3 pb-2">
        <span className={cn("size-2 shrink-0 rounded-full", toneDot[column.tone])} aria-hidden />
        <h2 id={headingId} className="truncate text-sm font-semibold">
          {column.label}
        </h2>
        <span
          className="rounded-full bg-surface px-1.5 text-xs font-medium text-muted tabular-nums"
          data-testid={`kanban-count-${column.id}`}
        >
          <span className="sr-only">, </span>
          {features.length}
          <span className="sr-only"> {features.length === 1 ? "feature" : "features"}</span>
        </span>
        {props.note === undefined ? null : (
          <span className="ml-auto truncate text-xs text-muted">{props.note}</span>
        )}
      </header>
      <ColumnBody {...props} />
    </section>
  );
}

function ColumnBody(props: KanbanColumnProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useRef<Scrollable | undefined>(undefined);
  const virtual = props.features.length > virtualThreshold;
  const dropAtEnd = props.dropTarget !== undefined && "end" in props.dropTarget;
  const dragHandlers =
    props.column.id === ("pending" satisfies ColumnId) && props.reorderable
      ? {
          onDragOver: (event: DragEvent<HTMLDivElement>) => {
            if (props.draggingId === undefined) return;
            event.preventDefault();
            event.dataTransfer.dropEffect = "move";
            if ((event.target as HTMLElement).closest(".feature-card") === null) props.onDragOverEnd(event);
          },
          onDrop: props.onDrop,
        }
      : {};
  return (
    <div
      ref={scroller}
      {...dragHandlers}
      className={cn(
        "min-h-0 flex-1 overflow-y-auto px-2 pb-2 [scrollbar-gutter:stable]",
        props.compact && "max-h-[24rem]",
      )}
    >
      {virtual ? (
        <VirtualCards {...props} scroller={scroller} virtualizer={virtualizer} />
      ) : (
        <ol className="space-y-2 pt-1">
          {props.features.map((feature) => (
            <li key={feature.id}>
              <Card {...props} feature={feature} />
            </li>
          ))}
        </ol>
      )}
      {dropAtEnd ? <div className="mx-1 mt-1.5 h-[3px] rounded-full bg-accent" aria-hidden /> : null}
      <FocusAfterMove {...props} scroller={scroller} virtualizer={virtualizer} />
    </div>
  );
}

function Card(props: KanbanColumnProps & { readonly feature: Feature }) {
  const { feature, dropTarget } = props;
  const blockedBy =
    feature.status === "passing"
      ? ""
      : feature.dependencies.filter((id) => props.allFeatures.get(id)?.status !== "passing").join(",");
  const reorderable = props.reorderable && props.column.id === "pending";
  const drop =
    dropTarget !== undefined && "id" in dropTarget && dropTarget.id === feature.id
      ? dropTarget.side
      : undefined;
  return (
    <FeatureCard
      feature={feature}
      agent={props.agents.get(feature.id)}
      blockedBy={blockedBy}
      reorderable={reorderable}
      dragging={props.draggingId === feature.id}
      drop={drop}
      movesHintId={props.movesHintId}
      onOpen={props.onOpen}
      onMove={props.onMove}
      onDragStart={props.onDragStart}
      onDragEnd={props.onDragEnd}
      {...(reorderable ? { onDragOver: props.onDragOverCard } : {})}
    />
  );
}

/** What scrolls a long column to a card. */
interface Scrollable {
  scrollToIndex(index: number): void;
}

interface ScrollRefs {
  readonly scroller: RefObject<HTMLDivElement | null>;
  readonly virtualizer: RefObject<Scrollable | undefined>;
}

function VirtualCards(props: KanbanColumnProps & ScrollRefs) {
  const virtualizer = useVirtualizer({
    count: props.features.length,
    getScrollElement: () => props.scroller.current,
    estimateSize: () => 118,
    overscan: 6,
    getItemKey: (index) => props.features[index]?.id ?? index,
    initialRect: { width: 260, height: 600 },
  });
  const { virtualizer: shared } = props;
  useEffect(() => {
    shared.current = virtualizer;
    return () => {
      shared.current = undefined;
    };
  }, [shared, virtualizer]);
  return (
    <ol className="relative pt-1" style={{ height: virtualizer.getTotalSize() }}>
      {virtualizer.getVirtualItems().map((item) => {
        const feature = props.features[item.index];
        if (feature === undefined) return null;
        return (
          <li
            key={item.key}
            data-index={item.index}
            ref={virtualizer.measureElement}
            className="absolute inset-x-0 top-0 pb-2"
            style={{ transform: `translateY(${item.start}px)` }}
          >
            <Card {...props} feature={feature} />
          </li>
        );
      })}
    </ol>
  );
}

function FocusAfterMove(props: KanbanColumnProps & ScrollRefs) {
  const { focusId, features, scroller, virtualizer } = props;
  useEffect(() => {
    if (focusId === undefined) return;
    const index = features.findIndex((feature) => feature.id === focusId);
    if (index === -1) return;
    virtualizer.current?.scrollToIndex(index);
    const frame = requestAnimationFrame(() => {
      const button = scroller.current?.querySelector<HTMLButtonElement>(
        `[data-testid="feature-card-${focusId}"] button`,
      );
      if (button !== null && button !== undefined && document.activeElement !== button) button.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [focusId, features, scroller, virtualizer]);
  return null;
}
