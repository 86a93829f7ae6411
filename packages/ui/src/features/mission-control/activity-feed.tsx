/**
 * The activity feed (`view.activity`): what the agents said and what Maestro decided, newest first, the last 20
 * with "show more".
 */
import { Activity, Sparkles } from "lucide-react";
import { useMemo, useState } from "react";
import { cn } from "../../lib/cn.ts";
import { formatRelative } from "../../lib/format.ts";
import { useNow } from "../../lib/use-now.ts";
import { useProjectView } from "../../state/project-context.tsx";
import type { ActivityItem } from "../../state/project-view.ts";
import { FeatureLink } from "./feature-link.tsx";
import { MaestroAvatar } from "./maestro.tsx";
import { Mascot } from "./mascot.tsx";

const pageSize = 20;

function Avatar(props: { readonly item: ActivityItem }) {
  if (props.item.kind === "decision") {
    return (
      <span
        className="flex size-7 shrink-0 items-center justify-center rounded-full bg-accent-soft text-accent"
        aria-hidden
      >
        <MaestroAvatar state="idle" size={24} className="maestro-still" />
      </span>
    );
  }
  if (props.item.agentName !== undefined) {
    return (
      <span
        className="flex size-7 shrink-0 items-center justify-center rounded-full bg-surface-muted"
        aria-hidden
      >
        <Mascot name={props.item.agentName} size={24} className="mascot-still" />
      </span>
    );
  }
  return (
    <span className="flex size-7 shrink-0 items-center justify-center rounded-full bg-surface-muted text-muted">
      <Sparkles className="size-3.5" aria-hidden />
    </span>
  );
}

/** The feed. */
export function ActivityFeed(props: { readonly className?: string }) {
  const activity = useProjectView((view) => view.activity);
  const now = useNow(5_000);
  const [shown, setShown] = useState(pageSize);
  const newestFirst = useMemo(() => [...activity].reverse(), [activity]);
  const visible = newestFirst.slice(0, shown);
  return (
    <section
      aria-label="Activity"
      data-testid="activity-feed"
      className={cn(
        "flex min-h-0 flex-col rounded-xl border border-border bg-surface shadow-sm",
        props.className,
      )}
    >
      <h3 className="flex items-center gap-2 border-b border-border px-4 py-3 text-sm font-semibold">
        <Activity className="size-4 text-accent" aria-hidden />
        Activity
        {newestFirst.length > 0 ? (
          <span className="ml-auto text-xs font-normal text-muted tabular-nums">
            {newestFirst.length} events
          </span>
        ) : null}
      </h3>
      {visible.length === 0 ? (
        <p className="px-4 py-6 text-center text-sm text-muted">
          Nothing has happened yet. What the agents think and what Maestro decides shows up here.
        </p>
      ) : (
        <ol className="min-h-0 flex-1 overflow-y-auto px-2 py-1" aria-label="Recent activity, newest first">
          {visible.map((item) => (
            <li
              key={item.key}
              className="activity-item flex gap-2.5 rounded-lg px-2 py-2 hover:bg-surface-muted"
            >
              <Avatar item={item} />
              <div className="min-w-0 flex-1 text-sm">
                <div className="flex items-baseline gap-2">
                  <span className="truncate font-medium">
                    {item.kind === "decision" ? "Maestro" : (item.agentName ?? "Agent")}
                  </span>
                  {item.featureId === undefined ? null : (
                    <FeatureLink featureId={item.featureId} className="shrink-0 text-xs" />
                  )}
                  <time
                    dateTime={item.at}
                    className="ml-auto shrink-0 text-xs whitespace-nowrap text-muted tabular-nums"
                    title={new Date(item.at).toLocaleString()}
                  >
                    {formatRelative(item.at, now)}
                  </time>
                </div>
                <p className="line-clamp-3 break-words text-muted">{item.message}</p>
              </div>
            </li>
          ))}
          {newestFirst.length > shown ? (
            <li className="px-2 py-2">
              <button
                type="button"
                className="w-full rounded-md py-1.5 text-sm font-medium text-accent hover:bg-accent-soft"
                onClick={() => setShown((count) => count + pageSize)}
              >
                Show more ({newestFirst.length - shown} older)
              </button>
            </li>
          ) : null}
        </ol>
      )}
    </section>
  );
}
