/**
 * Maestro, the orchestrator's card: an animated conductor, what it is doing (`orchestrator.state` and `message`),
 * its capacity (agents by kind, ready and blocked features, slots used), and the ticker of its recent decisions
 * (`snapshot.decisions`, newest first), collapsed to the latest one.
 */
import type { DecisionSnapshot, OrchestratorState } from "@autowright/protocol";
import { ChevronDown } from "lucide-react";
import { Collapsible } from "radix-ui";
import { useMemo, useState } from "react";
import { cn } from "../../lib/cn.ts";
import { formatRelative } from "../../lib/format.ts";
import { useNow } from "../../lib/use-now.ts";
import { useProjectView } from "../../state/project-context.tsx";
import { decisionLooks } from "./decision-kinds.ts";
import { FeatureLink } from "./feature-link.tsx";
import "./maestro.css";

/** What Maestro is doing, per orchestrator state. */
export const orchestratorStateText: Record<OrchestratorState, string> = {
  idle: "Standing by",
  initializing: "Setting up features",
  scheduling: "Planning next moves",
  spawning: "Deploying agents",
  monitoring: "Watching progress",
  draining: "Letting agents finish",
  paused: "Paused",
  rate_limited: "Waiting for the rate limit",
  stalled: "Stalled",
  complete: "Mission accomplished!",
};

type Pose = "conduct" | "hold" | "rest" | "bow" | "sleep" | "puzzled";

function poseOf(state: OrchestratorState): { pose: Pose; notes: boolean } {
  switch (state) {
    case "scheduling":
    case "initializing":
      return { pose: "conduct", notes: false };
    case "spawning":
      return { pose: "conduct", notes: true };
    case "monitoring":
      return { pose: "hold", notes: true };
    case "draining":
      return { pose: "hold", notes: false };
    case "complete":
      return { pose: "bow", notes: false };
    case "rate_limited":
      return { pose: "sleep", notes: false };
    case "stalled":
      return { pose: "puzzled", notes: false };
    default:
      return { pose: "rest", notes: false };
  }
}

/** The conductor: baton moving while planning or deploying, notes while agents play, resting, bowing at the end. */
export function MaestroAvatar(props: {
  readonly state: OrchestratorState;
  readonly size?: number;
  readonly className?: string;
}) {
  const { pose, notes } = poseOf(props.state);
  const size = props.size ?? 72;
  const eyesClosed = pose === "sleep" || pose === "bow";
  return (
    <svg
      viewBox="0 0 80 80"
      width={size}
      height={size}
      role="img"
      aria-label={`Maestro, ${orchestratorStateText[props.state].toLowerCase()}`}
      data-pose={pose}
      className={cn("maestro shrink-0 overflow-visible", props.className)}
    >
      {notes ? (
        <g className="maestro-notes" fill="currentColor">
          <g className="maestro-note">
            <ellipse cx={10} cy={30} rx={3.2} ry={2.4} transform="rotate(-20 10 30)" />
            <path d="M13 29V17L19 15V18L13 20" stroke="currentColor" strokeWidth={1.6} fill="none" />
          </g>
          <g className="maestro-note">
            <ellipse cx={16} cy={14} rx={2.6} ry={2} transform="rotate(-20 16 14)" />
            <path d="M18.5 13V4" stroke="currentColor" strokeWidth={1.4} />
          </g>
        </g>
      ) : null}
      <g className="maestro-figure">
        {/* left arm, holding the score */}
        <path
          d="M27 58C21 58 18 54 17 49"
          fill="none"
          stroke="#1e293b"
          strokeWidth={5}
          strokeLinecap="round"
        />
        <rect
          x={11}
          y={42}
          width={10}
          height={8}
          rx={1}
          fill="#fef3c7"
          stroke="#92400e"
          strokeWidth={1.2}
          transform="rotate(-12 16 46)"
        />
        {/* tuxedo, shirt and bow tie */}
        <path
          d="M22 80L25 57C28 52 34 50 40 50C46 50 52 52 55 57L58 80Z"
          fill="#1e293b"
          stroke="#64748b"
          strokeWidth={1.2}
        />
        <path d="M34 51L40 68L46 51C44 50.3 42 50 40 50C38 50 36 50.3 34 51Z" fill="#f8fafc" />
        <path
          d="M34 50L40 53L34 56ZM46 50L40 53L46 56Z"
          fill="#e11d48"
          stroke="#881337"
          strokeWidth={0.8}
          strokeLinejoin="round"
        />
        <circle cx={40} cy={53} r={1.4} fill="#881337" />
        <circle cx={40} cy={61} r={0.9} fill="#334155" />
        <circle cx={40} cy={65} r={0.9} fill="#334155" />
        {/* head: a friendly robot with a maestro's mane */}
        <g className="maestro-head">
          <rect
            x={27}
            y={22}
            width={26}
            height={25}
            rx={10}
            fill="#e0e7ff"
            stroke="#3730a3"
            strokeWidth={1.8}
          />
          <path
            d="M26 32C22 26 25 19 31 19C32 14 38 12 42 15C46 12 53 14 53 20C58 21 59 28 55 33C54 28 51 25 47 24C43 22 36 22 32 24C29 26 27 28 26 32Z"
            fill="#f8fafc"
            stroke="#94a3b8"
            strokeWidth={1.2}
            strokeLinejoin="round"
          />
          {eyesClosed ? (
            <g fill="none" stroke="#1e1b4b" strokeWidth={1.8} strokeLinecap="round">
              <path
                d={
                  pose === "bow"
                    ? "M32 34Q34.5 31.5 37 34M43 34Q45.5 31.5 48 34"
                    : "M32 34Q34.5 36 37 34M43 34Q45.5 36 48 34"
                }
              />
            </g>
          ) : (
            <g className="maestro-eyes" fill="#1e1b4b">
              <circle cx={34.5} cy={34} r={2.2} />
              <circle cx={45.5} cy={34} r={2.2} />
            </g>
          )}
          {pose === "puzzled" ? (
            <path
              d="M35 41.5Q38 40 40 41.5T45 41.5"
              fill="none"
              stroke="#1e1b4b"
              strokeWidth={1.6}
              strokeLinecap="round"
            />
          ) : (
            <path
              d="M35 40Q40 44 45 40"
              fill="none"
              stroke="#1e1b4b"
              strokeWidth={1.6}
              strokeLinecap="round"
            />
          )}
          <ellipse cx={30.5} cy={39} rx={2} ry={1.2} fill="#fb7185" opacity={0.5} />
          <ellipse cx={49.5} cy={39} rx={2} ry={1.2} fill="#fb7185" opacity={0.5} />
        </g>
        {/* right arm with the baton, turning at the shoulder */}
        <g className="maestro-arm">
          <path
            d="M53 58C58 57 62 53 64 48"
            fill="none"
            stroke="#1e293b"
            strokeWidth={5}
            strokeLinecap="round"
          />
          <circle cx={64} cy={47} r={3} fill="#e0e7ff" stroke="#3730a3" strokeWidth={1.2} />
          <path d="M65 45L75 28" stroke="#fbbf24" strokeWidth={2} strokeLinecap="round" />
          <circle className="maestro-baton-tip" cx={75} cy={28} r={1.6} fill="#fde68a" />
        </g>
      </g>
      {pose === "sleep" ? (
        <g className="maestro-zzz" fill="currentColor" fontWeight={700} fontFamily="ui-sans-serif, system-ui">
          <text x={56} y={20} fontSize={9}>
            z
          </text>
          <text x={63} y={12} fontSize={11}>
            z
          </text>
        </g>
      ) : null}
      {pose === "puzzled" ? (
        <text x={58} y={18} fontSize={14} fontWeight={800} fill="currentColor" className="maestro-question">
          ?
        </text>
      ) : null}
      {pose === "bow" ? (
        <g className="maestro-sparkles" fill="#facc15">
          <path d="M10 14l1.5 3.5L15 19l-3.5 1.5L10 24l-1.5-3.5L5 19l3.5-1.5Z" />
          <path d="M68 8l1 2.5 2.5 1-2.5 1-1 2.5-1-2.5-2.5-1 2.5-1Z" />
        </g>
      ) : null}
    </svg>
  );
}

function CapacityBadge(props: { readonly label: string; readonly value: number; readonly tone: string }) {
  return (
    <li
      className="inline-flex items-center gap-1.5 rounded-md border border-border bg-surface px-2 py-1 text-xs"
      data-testid={`capacity-${props.label.toLowerCase()}`}
    >
      <span
        className={cn(
          "size-1.5 rounded-full",
          props.value === 0 ? "bg-border" : cn("bg-current", props.tone),
        )}
        aria-hidden
      />
      <span className="text-muted">{props.label}</span>
      <span className={cn("font-semibold tabular-nums", props.value === 0 && "text-muted")}>
        {props.value}
      </span>
    </li>
  );
}

function SlotPips(props: { readonly used: number; readonly max: number }) {
  const shown = Math.min(props.max, 10);
  return (
    <li
      className="inline-flex items-center gap-1.5 rounded-md border border-border bg-surface px-2 py-1 text-xs"
      data-testid="capacity-slots"
    >
      <span className="flex gap-0.5" aria-hidden>
        {Array.from({ length: shown }, (_, index) => (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: the pips are positions, they have no identity.
            key={index}
            className={cn("h-2.5 w-1.5 rounded-sm", index < props.used ? "bg-accent" : "bg-border")}
          />
        ))}
      </span>
      <span className="font-semibold tabular-nums">
        {props.used} of {props.max}
      </span>
      <span className="text-muted">slots</span>
    </li>
  );
}

function DecisionRow(props: {
  readonly decision: DecisionSnapshot;
  readonly now: number;
  readonly compact?: boolean;
}) {
  const look = decisionLooks[props.decision.kind];
  const Icon = look.icon;
  return (
    <div className={cn("flex min-w-0 items-start gap-2 text-sm", props.compact ? "py-0" : "py-1.5")}>
      <Icon className={cn("mt-0.5 size-4 shrink-0", look.tone)} aria-label={look.label} />
      <p className={cn("min-w-0 flex-1", props.compact ? "truncate" : "break-words")}>
        {props.decision.message}
      </p>
      {props.decision.featureId === undefined ? null : (
        <FeatureLink featureId={props.decision.featureId} className="shrink-0 text-xs" />
      )}
      <time
        dateTime={props.decision.at}
        className="shrink-0 text-xs whitespace-nowrap text-muted tabular-nums"
        title={new Date(props.decision.at).toLocaleString()}
      >
        {formatRelative(props.decision.at, props.now)}
      </time>
    </div>
  );
}

/** The decisions ticker: the latest one, and all of the recent ones when opened. */
function DecisionTicker(props: { readonly decisions: readonly DecisionSnapshot[] }) {
  const [open, setOpen] = useState(false);
  const now = useNow();
  const newestFirst = useMemo(() => [...props.decisions].reverse(), [props.decisions]);
  const latest = newestFirst[0];
  return (
    <Collapsible.Root
      open={open}
      onOpenChange={setOpen}
      className="border-t border-border"
      data-testid="decisions"
    >
      <div className="flex items-center gap-2 px-4 py-2">
        <Collapsible.Trigger
          className="flex shrink-0 items-center gap-1 rounded text-xs font-medium text-muted hover:text-foreground"
          aria-label={open ? "Hide recent decisions" : `Show all ${newestFirst.length} recent decisions`}
          disabled={newestFirst.length === 0}
        >
          <ChevronDown
            className={cn("size-3.5 transition-transform", open ? "rotate-0" : "-rotate-90")}
            aria-hidden
          />
          Decisions
          <span className="rounded-full bg-surface-muted px-1.5 tabular-nums">{newestFirst.length}</span>
        </Collapsible.Trigger>
        <div className="min-w-0 flex-1" data-testid="decision-latest">
          {latest === undefined ? (
            <p className="text-sm text-muted">No decisions yet — they appear here once a run starts.</p>
          ) : open ? null : (
            <DecisionRow decision={latest} now={now} compact />
          )}
        </div>
      </div>
      <Collapsible.Content>
        <ol
          className="max-h-72 divide-y divide-border overflow-y-auto px-4 pb-2"
          aria-label="Recent decisions, newest first"
        >
          {newestFirst.map((decision) => (
            <li key={decision.seq}>
              <DecisionRow decision={decision} now={now} />
            </li>
          ))}
        </ol>
      </Collapsible.Content>
    </Collapsible.Root>
  );
}

function stateTone(state: OrchestratorState): string {
  switch (state) {
    case "complete":
      return "text-status-done";
    case "paused":
    case "rate_limited":
    case "stalled":
      return "text-status-input-strong";
    case "idle":
      return "text-muted";
    default:
      return "text-accent";
  }
}

/** The orchestrator's card. */
export function Maestro() {
  const orchestrator = useProjectView((view) => view.live.snapshot.orchestrator);
  const decisions = useProjectView((view) => view.live.snapshot.decisions);
  const running = orchestrator.codingAgents + orchestrator.testingAgents;
  const active = !["idle", "paused", "complete", "stalled", "rate_limited"].includes(orchestrator.state);
  return (
    <section
      aria-label="Maestro, the orchestrator"
      data-testid="maestro"
      data-state={orchestrator.state}
      className="overflow-hidden rounded-xl border border-border bg-surface shadow-sm"
    >
      <div className="flex flex-wrap items-center gap-x-4 gap-y-3 p-4">
        <div className="relative flex size-[76px] shrink-0 items-center justify-center rounded-2xl bg-accent-soft text-accent">
          <MaestroAvatar state={orchestrator.state} size={68} />
        </div>
        <div className="min-w-[12rem] flex-1">
          <div className="flex flex-wrap items-baseline gap-x-2">
            <h3 className="text-base font-semibold tracking-tight">Maestro</h3>
            <p
              className={cn("flex items-center gap-1.5 text-sm font-medium", stateTone(orchestrator.state))}
              data-testid="maestro-state"
            >
              {active ? (
                <span className="relative flex size-2" aria-hidden>
                  <span className="absolute inline-flex size-full animate-ping rounded-full bg-accent opacity-60" />
                  <span className="relative inline-flex size-2 rounded-full bg-accent" />
                </span>
              ) : null}
              {orchestratorStateText[orchestrator.state]}
            </p>
          </div>
          <p className="mt-0.5 line-clamp-2 text-sm text-muted" data-testid="maestro-message">
            {orchestrator.message}
          </p>
        </div>
        <ul className="flex flex-wrap items-center gap-1.5" aria-label="Capacity">
          <CapacityBadge label="Coding" value={orchestrator.codingAgents} tone="text-status-progress" />
          <CapacityBadge label="Testing" value={orchestrator.testingAgents} tone="text-status-verifying" />
          <CapacityBadge
            label="Verifying"
            value={orchestrator.verifyingAgents ?? 0}
            tone="text-status-verifying"
          />
          <CapacityBadge label="Ready" value={orchestrator.readyCount} tone="text-status-done" />
          <CapacityBadge label="Blocked" value={orchestrator.blockedCount} tone="text-status-pending" />
          <SlotPips used={running} max={orchestrator.maxConcurrency} />
        </ul>
      </div>
      <DecisionTicker decisions={decisions} />
    </section>
  );
}
