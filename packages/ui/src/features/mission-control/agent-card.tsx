/**
 * One running agent (`snapshot.agents`): its mascot animated for its state, name and role, what it is doing, its
 * feature(s), its current tool and latest thought, the model, how long it has run, and a button to its log.
 */
import type { AgentSnapshot } from "@autowright/protocol";
import { Clock, Cpu, ScrollText, Wrench } from "lucide-react";
import type { CSSProperties } from "react";
import { cn } from "../../lib/cn.ts";
import { useNow } from "../../lib/use-now.ts";
import { Button } from "../../ui/button.tsx";
import { FeatureLink } from "./feature-link.tsx";
import { Mascot, mascotColor } from "./mascot.tsx";
import { agentStateText, agentStateTone, formatDuration, roleBadge, roleLabel } from "./mission-format.ts";

const busyStates = new Set(["thinking", "working", "testing"]);

/** The card of one running agent; `onShowLog` opens its log (kept open by the parent when the agent ends). */
export function AgentCard(props: { readonly agent: AgentSnapshot; readonly onShowLog: () => void }) {
  const { agent } = props;
  const now = useNow();
  const color = mascotColor(agent.name);
  const busy = busyStates.has(agent.state);
  const stateText = agentStateText(agent.state, now, agent.resetAt);
  return (
    <article
      data-testid={`agent-card-${agent.agentId}`}
      data-state={agent.state}
      aria-label={`${agent.name}, ${roleLabel[agent.role]}`}
      className="agent-card group relative flex min-w-0 flex-col gap-3 overflow-hidden rounded-xl border border-border bg-surface p-3.5 shadow-sm"
      style={{ "--mascot": color } as CSSProperties}
    >
      <span
        className={cn("absolute inset-x-0 top-0 h-1", busy && "agent-card-stripe")}
        style={busy ? undefined : { background: color }}
        aria-hidden
      />
      <header className="flex items-start gap-3">
        <div
          className="flex size-14 shrink-0 items-center justify-center rounded-2xl"
          style={{ background: `color-mix(in oklab, ${color} 18%, transparent)` }}
        >
          <Mascot name={agent.name} state={agent.state} size={48} />
        </div>
        <div className="min-w-0 flex-1 pt-0.5">
          <div className="flex items-center gap-2">
            <h4 className="truncate text-[0.95rem] font-semibold tracking-tight">{agent.name}</h4>
            <span
              className="rounded border border-border px-1.5 py-px font-mono text-[10px] font-semibold tracking-wider text-muted"
              title={roleLabel[agent.role]}
            >
              {roleBadge[agent.role]}
            </span>
          </div>
          <p
            className={cn(
              "mt-0.5 flex items-center gap-1.5 text-sm font-medium",
              agentStateTone(agent.state),
            )}
            data-testid="agent-state"
          >
            <span
              className={cn("size-1.5 shrink-0 rounded-full bg-current", busy && "animate-pulse")}
              aria-hidden
            />
            <span className="min-w-0">{stateText}</span>
          </p>
        </div>
        <Button
          size="icon"
          variant="ghost"
          className="-mt-1 -mr-1 shrink-0 text-muted"
          aria-label={`Show ${agent.name}'s log`}
          title="Log"
          onClick={props.onShowLog}
        >
          <ScrollText aria-hidden />
        </Button>
      </header>

      {agent.featureIds.length === 0 ? null : (
        <ul
          className="space-y-0.5 text-sm"
          aria-label={agent.featureIds.length > 1 ? "Batch of features" : "Feature"}
        >
          {agent.featureIds.map((featureId, index) => (
            <li key={featureId} className="flex min-w-0">
              <FeatureLink featureId={featureId} name={agent.featureNames[index]} className="font-medium" />
            </li>
          ))}
        </ul>
      )}

      <div
        className="relative rounded-lg bg-surface-muted px-3 py-2 text-sm"
        data-testid="agent-thought"
        title={agent.thought}
      >
        <span className="absolute -top-1.5 left-5 size-3 rotate-45 bg-surface-muted" aria-hidden />
        {agent.thought === undefined ? (
          <p className="relative text-muted italic">Getting started…</p>
        ) : (
          <p className="relative line-clamp-3 break-words">
            <span className="sr-only">Latest thought: </span>
            {agent.thought}
          </p>
        )}
      </div>

      <footer className="mt-auto flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted">
        {agent.tool === undefined ? null : (
          <span className="inline-flex min-w-0 items-center gap-1" data-testid="agent-tool">
            <Wrench className="size-3 shrink-0" aria-hidden />
            <span className="sr-only">Tool:</span>
            <code className="truncate rounded bg-surface-muted px-1 font-mono text-foreground">
              {agent.tool}
            </code>
          </span>
        )}
        <span className="inline-flex min-w-0 items-center gap-1" title={`Model ${agent.model}`}>
          <Cpu className="size-3 shrink-0" aria-hidden />
          <span className="sr-only">Model:</span>
          <span className="truncate">{agent.model}</span>
        </span>
        {agent.startedAt === undefined ? null : (
          <span className="ml-auto inline-flex items-center gap-1 tabular-nums" title="Running for">
            <Clock className="size-3" aria-hidden />
            <span className="sr-only">Running for</span>
            {formatDuration(now - Date.parse(agent.startedAt))}
          </span>
        )}
      </footer>
    </article>
  );
}
