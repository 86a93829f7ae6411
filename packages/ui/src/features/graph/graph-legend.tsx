/**
 * The graph's legend: each status with its icon, label and how many nodes have it, what the edges mean and what
 * the mascots on a node say. Collapsible, so it never hides much of a small screen.
 */
import type { FeatureStatus } from "@autowright/protocol";
import { ChevronDown, ChevronUp } from "lucide-react";
import { cn } from "../../lib/cn.ts";
import { formatCount } from "../../lib/format.ts";
import { legendEntries, toneTextClass } from "./graph-status.ts";

/** How many nodes have each status (`blocked`: pending with unmet dependencies, not counted as pending). */
export type StatusCounts = Readonly<Partial<Record<FeatureStatus | "blocked", number>>>;

/** The legend. */
export function GraphLegend(props: {
  readonly counts: StatusCounts;
  readonly open: boolean;
  readonly onOpenChange: (open: boolean) => void;
}) {
  const { open } = props;
  return (
    <section
      aria-label="Legend"
      className="w-52 rounded-lg border border-border bg-surface/95 text-xs shadow-sm backdrop-blur"
    >
      <button
        type="button"
        className="flex w-full items-center justify-between gap-2 rounded-lg px-3 py-2 font-semibold"
        aria-expanded={open}
        onClick={() => props.onOpenChange(!open)}
      >
        Legend
        {open ? (
          <ChevronUp className="size-3.5" aria-hidden />
        ) : (
          <ChevronDown className="size-3.5" aria-hidden />
        )}
      </button>
      {open ? (
        <div className="space-y-2 border-t border-border px-3 pt-2 pb-3">
          <ul className="space-y-1">
            {legendEntries.map(({ key, appearance }) => {
              const Icon = appearance.icon;
              const count = props.counts[key] ?? 0;
              return (
                <li key={key} className={cn("flex items-center gap-2", count === 0 && "opacity-60")}>
                  <span
                    className={cn(
                      "flex size-5 items-center justify-center rounded border border-l-[3px]",
                      appearance.className,
                    )}
                  >
                    <Icon className={cn("size-3", toneTextClass(appearance.tone))} aria-hidden />
                  </span>
                  <span className="flex-1">{appearance.label}</span>
                  <span className="font-mono tabular-nums text-muted">{formatCount(count)}</span>
                </li>
              );
            })}
          </ul>
          <ul className="space-y-1 border-t border-border pt-2 text-muted">
            <li className="flex items-center gap-2">
              <svg width="28" height="8" aria-hidden className="shrink-0">
                <line x1="0" y1="4" x2="28" y2="4" stroke="var(--status-done)" strokeWidth="2" />
              </svg>
              Dependency met
            </li>
            <li className="flex items-center gap-2">
              <svg width="28" height="8" aria-hidden className="shrink-0">
                <line
                  x1="0"
                  y1="4"
                  x2="28"
                  y2="4"
                  stroke="var(--muted)"
                  strokeWidth="2"
                  strokeDasharray="5 3"
                />
              </svg>
              Waiting on it
            </li>
            <li className="flex items-center gap-2">
              <span className="size-4 shrink-0 rounded-full ring-2 ring-status-progress ring-offset-1 ring-offset-surface" />
              An agent works on it
            </li>
          </ul>
        </div>
      ) : null}
    </section>
  );
}
