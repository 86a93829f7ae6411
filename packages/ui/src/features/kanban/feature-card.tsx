/**
 * One card of the board: category, priority, name, the start of the description, what blocks it, the agent working
 * on it with its latest thought, and the hints a person should see (regressed, unverified, a question, attempts).
 * The whole card opens the feature (a real button stretched over it); in the pending column it can be dragged, and
 * Alt+Arrow keys move it in the queue.
 */
import type { AgentSnapshot, Feature } from "@autowright/protocol";
import { AlertTriangle, CircleHelp, Link2, RotateCcw } from "lucide-react";
import { type DragEvent, type KeyboardEvent, memo } from "react";
import { cn } from "../../lib/cn.ts";
import { Badge } from "../../ui/badge.tsx";
import { Mascot, mascotStateLabel } from "../mission-control/mascot.tsx";
import { CategoryBadge } from "./category-badge.tsx";

/** How a card is moved in the queue from the keyboard. */
export type CardMove = "up" | "down" | "top" | "bottom";

/** Where a dragged card would land, relative to this card. */
export type DropSide = "before" | "after";

/** The props of {@link FeatureCard}. */
export interface FeatureCardProps {
  readonly feature: Feature;
  readonly agent: AgentSnapshot | undefined;
  /** The dependencies that do not pass, comma-joined (a string, so an unchanged card does not re-render). */
  readonly blockedBy: string;
  readonly reorderable: boolean;
  readonly dragging: boolean;
  readonly drop: DropSide | undefined;
  /** The id of the element that explains the keyboard moves (shared by every card). */
  readonly movesHintId?: string;
  readonly onOpen: (id: number) => void;
  readonly onMove?: (id: number, move: CardMove) => void;
  readonly onDragStart?: (id: number, event: DragEvent<HTMLElement>) => void;
  readonly onDragEnd?: () => void;
  readonly onDragOver?: (id: number, event: DragEvent<HTMLElement>) => void;
  readonly onDrop?: (id: number, event: DragEvent<HTMLElement>) => void;
}

const moveKeys: Record<string, CardMove> = {
  ArrowUp: "up",
  ArrowDown: "down",
  Home: "top",
  End: "bottom",
};

/** A card. */
export const FeatureCard = memo(function FeatureCard(props: FeatureCardProps) {
  const { feature, agent } = props;
  const blocked = props.blockedBy === "" ? [] : props.blockedBy.split(",");
  const question = feature.humanInput !== null && feature.humanInput.response === null;
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    const move = moveKeys[event.key];
    if (!props.reorderable || !event.altKey || move === undefined || props.onMove === undefined) return;
    event.preventDefault();
    props.onMove(feature.id, move);
  };
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard reaches the card through its button (Enter, Space, Alt+Arrows).
    <article
      data-testid={`feature-card-${feature.id}`}
      data-status={feature.status}
      data-dragging={props.dragging ? "true" : undefined}
      data-drop={props.drop}
      draggable={props.reorderable}
      onDragStart={props.reorderable ? (event) => props.onDragStart?.(feature.id, event) : undefined}
      onDragEnd={props.reorderable ? () => props.onDragEnd?.() : undefined}
      onDragOver={
        props.onDragOver === undefined ? undefined : (event) => props.onDragOver?.(feature.id, event)
      }
      onDrop={props.onDrop === undefined ? undefined : (event) => props.onDrop?.(feature.id, event)}
      // The click of the stretched button (Enter and Space included) bubbles here, and so does a click on what
      // paints above it (the animated mascot): one handler for the whole card.
      onClick={() => props.onOpen(feature.id)}
      className={cn(
        "feature-card group relative rounded-lg border border-border bg-surface p-3 shadow-xs transition-shadow hover:border-accent/50 hover:shadow-sm",
        props.reorderable && "cursor-grab active:cursor-grabbing",
        agent !== undefined && "border-status-progress/40",
      )}
    >
      <div className="flex items-center gap-1.5">
        <CategoryBadge category={feature.category} className="min-w-0" />
        {/* The id is what "blocked by #3" and the detail name; the priority is the queue position's number. */}
        <span className="ml-auto flex shrink-0 items-baseline gap-1.5 font-mono text-[11px] text-muted">
          <span title={`Priority ${feature.priority}`}>
            <span className="sr-only">Priority </span>
            <span aria-hidden>P</span>
            {feature.priority}
          </span>
          <span className="font-semibold text-foreground/70" aria-hidden>
            #{feature.id}
          </span>
        </span>
      </div>
      <h3 className="mt-1.5 text-sm leading-snug font-medium">
        <button
          type="button"
          onKeyDown={onKeyDown}
          aria-describedby={props.reorderable ? props.movesHintId : undefined}
          aria-keyshortcuts={props.reorderable ? "Alt+ArrowUp Alt+ArrowDown Alt+Home Alt+End" : undefined}
          className="line-clamp-2 text-left break-words outline-none after:absolute after:inset-0 after:rounded-lg focus-visible:after:outline-2 focus-visible:after:outline-offset-2 focus-visible:after:outline-ring"
        >
          <span className="sr-only">Feature {feature.id}: </span>
          {feature.name}
        </button>
      </h3>
      {feature.description === "" ? null : (
        <p className="mt-1 line-clamp-2 text-xs break-words text-muted">{feature.description}</p>
      )}
      <CardBadges feature={feature} blocked={blocked} question={question} />
      {agent === undefined ? null : (
        <div className="mt-2.5 flex gap-2 rounded-md bg-status-soft-progress/60 p-2" data-testid="card-agent">
          <Mascot name={agent.name} state={agent.state} size={28} />
          <div className="min-w-0 flex-1 text-xs">
            <p className="flex flex-wrap items-baseline gap-x-1.5">
              <span className="font-medium">{agent.name}</span>
              <span className="text-muted">{mascotStateLabel(agent.state)}</span>
            </p>
            {agent.thought === undefined || agent.thought === "" ? null : (
              <p className="mt-0.5 line-clamp-2 break-words text-foreground/80 italic">{agent.thought}</p>
            )}
          </div>
        </div>
      )}
    </article>
  );
});

function CardBadges(props: {
  readonly feature: Feature;
  readonly blocked: readonly string[];
  readonly question: boolean;
}) {
  const { feature, blocked, question } = props;
  const badges = [
    feature.status === "regressed" ? (
      <Badge key="regressed" tone="failed">
        <RotateCcw aria-hidden />
        regressed
      </Badge>
    ) : null,
    blocked.length > 0 ? (
      <Badge key="blocked" tone="input" title="These dependencies do not pass yet">
        <Link2 aria-hidden />
        blocked by {blocked.map((id) => `#${id}`).join(", ")}
      </Badge>
    ) : null,
    question ? (
      <Badge key="question" tone="input">
        <CircleHelp aria-hidden />
        question waiting
      </Badge>
    ) : null,
    feature.status === "passing" && feature.unverified ? (
      <Badge key="unverified" tone="neutral" title="Passed without any check running">
        ✓ unverified
      </Badge>
    ) : null,
    feature.attempts > 0 && feature.status !== "passing" ? (
      <Badge key="attempts" tone={feature.status === "failed" ? "failed" : "neutral"}>
        {feature.status === "failed" ? <AlertTriangle aria-hidden /> : null}
        {feature.attempts === 1 ? "1 attempt" : `${feature.attempts} attempts`}
      </Badge>
    ) : null,
  ].filter((badge) => badge !== null);
  if (badges.length === 0) return null;
  return <div className="mt-2 flex flex-wrap gap-1">{badges}</div>;
}
