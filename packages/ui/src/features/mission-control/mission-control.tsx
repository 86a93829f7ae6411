/**
 * Mission Control: Maestro (the orchestrator), one card per running agent, and the activity feed, under a header
 * that says in a word what the run is doing. Collapsible (remembered), so the board below can have the room.
 */
import type { LiveState } from "@autowright/protocol";
import { ChevronDown, Radar } from "lucide-react";
import { useEffect, useState } from "react";
import { cn } from "../../lib/cn.ts";
import { useProjectView } from "../../state/project-context.tsx";
import { ActivityFeed } from "./activity-feed.tsx";
import { AgentCard } from "./agent-card.tsx";
import { AgentLogDialog } from "./agent-log-dialog.tsx";
import { Maestro } from "./maestro.tsx";
import { Mascot, mascotNames } from "./mascot.tsx";
import "./mission-control.css";

const collapsedKey = "autowright-mission-collapsed";

type HeaderTone = "progress" | "input" | "done" | "neutral" | "accent" | "failed";

/** The header badge: how many agents are active, or the run's phase. */
export function missionSummary(live: LiveState): { label: string; tone: HeaderTone } {
  const { run, orchestrator, agents } = live.snapshot;
  if (run.status === "completed" || orchestrator.state === "complete")
    return { label: "Complete", tone: "done" };
  if (run.status === "paused" || orchestrator.state === "paused") return { label: "Paused", tone: "input" };
  if (orchestrator.state === "initializing") return { label: "Initializing", tone: "accent" };
  if (agents.length > 0)
    return { label: `${agents.length} ${agents.length === 1 ? "agent" : "agents"} active`, tone: "progress" };
  if (run.status === "rate_limited") return { label: "Rate limited", tone: "input" };
  if (run.status === "stalled") return { label: "Stalled", tone: "input" };
  if (run.status === "crashed") return { label: "Crashed", tone: "failed" };
  if (run.status === "starting" || run.status === "running" || run.status === "draining")
    return { label: "Orchestrating", tone: "accent" };
  return { label: "Idle", tone: "neutral" };
}

const summaryTone: Record<HeaderTone, { pill: string; dot: string }> = {
  progress: { pill: "bg-status-soft-progress", dot: "bg-status-progress" },
  input: { pill: "bg-status-soft-input", dot: "bg-status-input" },
  done: { pill: "bg-status-soft-done", dot: "bg-status-done" },
  neutral: { pill: "bg-surface-muted", dot: "bg-status-pending" },
  accent: { pill: "bg-accent-soft", dot: "bg-accent" },
  failed: { pill: "bg-status-soft-failed", dot: "bg-status-failed" },
};

function readCollapsed(): boolean {
  try {
    return window.localStorage.getItem(collapsedKey) === "1";
  } catch {
    return false;
  }
}

function EmptyAgents(props: {
  readonly running: boolean;
  readonly completed: boolean;
  readonly paused: boolean;
}) {
  return (
    <div
      className="flex flex-col items-center justify-center gap-3 rounded-xl border border-dashed border-border bg-surface/60 px-6 py-8 text-center"
      data-testid="agents-empty"
    >
      <div className="flex -space-x-2 opacity-70" aria-hidden>
        {mascotNames.slice(0, 3).map((name) => (
          <Mascot key={name} name={name} size={40} className="mascot-still" />
        ))}
      </div>
      <div>
        <p className="text-sm font-medium">
          {props.running
            ? "No agent is running right now"
            : props.paused
              ? "No agents running — press Resume"
              : "No agents running — press Start"}
        </p>
        <p className="mt-0.5 text-sm text-muted">
          {props.running
            ? "Maestro starts the next one as soon as a feature is ready."
            : props.paused
              ? "The run is paused: no new agent starts until you resume it."
              : props.completed
                ? "Every feature passes. Add features to build more."
                : "Each agent appears here with its mascot, its feature and what it is thinking."}
        </p>
      </div>
    </div>
  );
}

/** The Mission Control section of the dashboard. */
export function MissionControl() {
  const live = useProjectView((view) => view.live);
  const agents = live.snapshot.agents;
  const [collapsed, setCollapsed] = useState(readCollapsed);
  // The log dialog lives here, not in the card: it stays open when its agent ends.
  const [logAgent, setLogAgent] = useState<{ agentId: string; name: string } | undefined>(undefined);
  useEffect(() => {
    try {
      window.localStorage.setItem(collapsedKey, collapsed ? "1" : "0");
    } catch {
      // Storage can be unavailable (private mode): the choice then lasts for the page.
    }
  }, [collapsed]);
  const summary = missionSummary(live);
  const runActive = ["starting", "running", "draining", "rate_limited"].includes(live.snapshot.run.status);
  return (
    <section aria-labelledby="mission-control-title" data-testid="mission-control" className="space-y-3">
      <header className="flex items-center gap-3">
        <h2
          id="mission-control-title"
          className="flex items-center gap-2 text-base font-semibold tracking-tight"
        >
          <Radar className="size-4 text-accent" aria-hidden />
          Mission Control
        </h2>
        <span
          className={cn(
            "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap text-foreground",
            summaryTone[summary.tone].pill,
          )}
          data-testid="mission-summary"
        >
          <span
            className={cn(
              "size-1.5 rounded-full",
              summaryTone[summary.tone].dot,
              summary.tone === "progress" && "animate-pulse",
            )}
            aria-hidden
          />
          {summary.label}
        </span>
        <button
          type="button"
          className="ml-auto inline-flex items-center gap-1 rounded-md px-2 py-1 text-xs font-medium text-muted hover:bg-surface-muted hover:text-foreground"
          aria-expanded={!collapsed}
          aria-controls="mission-control-body"
          onClick={() => setCollapsed(!collapsed)}
        >
          <ChevronDown
            className={cn("size-3.5 transition-transform", collapsed && "-rotate-90")}
            aria-hidden
          />
          {collapsed ? "Show" : "Hide"}
        </button>
      </header>
      {collapsed ? null : (
        <div id="mission-control-body" className="@container">
          <div className="grid items-start gap-4 @4xl:grid-cols-[minmax(0,1fr)_20rem] @7xl:grid-cols-[minmax(0,1fr)_24rem]">
            <div className="min-w-0 space-y-4">
              <Maestro />
              {agents.length === 0 ? (
                <EmptyAgents
                  running={runActive}
                  completed={live.snapshot.run.status === "completed"}
                  paused={summary.label === "Paused"}
                />
              ) : (
                <ul
                  className="grid grid-cols-[repeat(auto-fill,minmax(17rem,1fr))] gap-3"
                  aria-label="Running agents"
                >
                  {agents.map((agent) => (
                    <li key={agent.agentId} className="flex min-w-0 [&>article]:flex-1">
                      <AgentCard
                        agent={agent}
                        onShowLog={() => setLogAgent({ agentId: agent.agentId, name: agent.name })}
                      />
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <ActivityFeed className="max-h-[30rem] @4xl:max-h-[34rem]" />
          </div>
        </div>
      )}
      {logAgent === undefined ? null : (
        <AgentLogDialog
          agentId={logAgent.agentId}
          name={logAgent.name}
          open
          onOpenChange={(open) => {
            if (!open) setLogAgent(undefined);
          }}
        />
      )}
    </section>
  );
}
