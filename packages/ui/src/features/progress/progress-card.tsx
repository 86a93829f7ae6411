/**
 * The progress card: passing of total with a bar split by status (`snapshot.progress`), the chart of progress over
 * time (`view.progressHistory`), and what the run has used so far (`view.usage`: cost, tokens, sessions).
 */
import { Coins, Hash, Layers } from "lucide-react";
import type { ReactNode } from "react";
import { cn } from "../../lib/cn.ts";
import { formatCost, formatCount, formatTokens } from "../../lib/format.ts";
import { useNow } from "../../lib/use-now.ts";
import { useProjectView } from "../../state/project-context.tsx";
import { ProgressChart } from "./progress-chart.tsx";

interface Segment {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly bar: string;
  readonly dot: string;
}

function Stat(props: {
  readonly icon: typeof Coins;
  readonly label: string;
  readonly value: ReactNode;
  readonly detail?: string;
  readonly testId: string;
}) {
  const Icon = props.icon;
  return (
    <div className="flex min-w-0 items-baseline justify-between gap-4">
      <dt className="flex shrink-0 items-center gap-1.5 text-xs text-muted">
        <Icon className="size-3.5 self-center" aria-hidden />
        {props.label}
      </dt>
      <dd className="min-w-0 text-right">
        <span className="text-sm font-semibold tabular-nums" data-testid={props.testId}>
          {props.value}
        </span>
        {props.detail === undefined ? null : (
          <span className="block text-[11px] text-muted tabular-nums">{props.detail}</span>
        )}
      </dd>
    </div>
  );
}

/** The progress card of the open project. */
export function ProgressCard() {
  const progress = useProjectView((view) => view.live.snapshot.progress);
  const runStatus = useProjectView((view) => view.live.snapshot.run.status);
  const history = useProjectView((view) => view.progressHistory);
  const usage = useProjectView((view) => view.usage);
  const now = useNow(15_000);
  const active = ["starting", "running", "draining", "rate_limited"].includes(runStatus);
  const total = progress.total;
  const percentage = total === 0 ? 0 : Math.round((progress.passing / total) * 100);
  const segments: Segment[] = [
    {
      key: "passing",
      label: "passing",
      value: progress.passing,
      bar: "bg-status-done",
      dot: "bg-status-done",
    },
    {
      key: "verifying",
      label: "verifying",
      value: progress.verifying,
      bar: "bg-status-verifying",
      dot: "bg-status-verifying",
    },
    {
      key: "in-progress",
      label: "in progress",
      value: progress.inProgress,
      bar: "bg-status-progress",
      dot: "bg-status-progress",
    },
    {
      key: "needs-input",
      label: "needs input",
      value: progress.needsInput,
      bar: "bg-status-input",
      dot: "bg-status-input",
    },
    {
      key: "failed",
      label: "failed",
      value: progress.failed,
      bar: "bg-status-failed",
      dot: "bg-status-failed",
    },
  ];
  const cost = usage.costUsd === null ? "—" : `${usage.costPartial ? "≥ " : ""}${formatCost(usage.costUsd)}`;
  return (
    <section
      aria-labelledby="progress-title"
      data-testid="progress-card"
      className="@container rounded-xl border border-border bg-surface p-4 shadow-sm"
    >
      <div className="grid gap-x-6 gap-y-4 @3xl:grid-cols-[minmax(15rem,1fr)_minmax(0,1.3fr)_auto]">
        <div className="min-w-0">
          <div className="flex items-baseline justify-between gap-3">
            <h2 id="progress-title" className="text-xs font-medium tracking-wide text-muted uppercase">
              Progress
            </h2>
            <span
              className="text-sm font-semibold text-status-done tabular-nums"
              data-testid="progress-percentage"
            >
              {percentage}%
            </span>
          </div>
          <p className="mt-1 flex items-baseline gap-2">
            <span className="text-3xl font-semibold tracking-tight tabular-nums" data-testid="progress-count">
              {progress.passing} / {total}
            </span>
            <span className="text-sm text-muted">features passing</span>
          </p>
          <div
            role="progressbar"
            aria-label="Features passing"
            aria-valuemin={0}
            aria-valuemax={total}
            aria-valuenow={progress.passing}
            aria-valuetext={`${progress.passing} of ${total} features passing`}
            className="mt-3 flex h-2.5 w-full overflow-hidden rounded-full bg-surface-muted"
          >
            {total === 0
              ? null
              : segments.map((segment) =>
                  segment.value === 0 ? null : (
                    <span
                      key={segment.key}
                      className={cn("h-full transition-[width] duration-700 ease-out", segment.bar)}
                      style={{ width: `${(segment.value / total) * 100}%` }}
                    />
                  ),
                )}
          </div>
          <ul className="mt-2.5 flex flex-wrap gap-x-3 gap-y-1 text-xs" aria-label="Features by status">
            {segments.slice(1).map((segment) => (
              <li
                key={segment.key}
                className="inline-flex items-center gap-1.5"
                data-testid={`progress-${segment.key}`}
              >
                <span
                  className={cn("size-2 rounded-full", segment.value === 0 ? "bg-border" : segment.dot)}
                  aria-hidden
                />
                <span className={cn("font-medium tabular-nums", segment.value === 0 && "text-muted")}>
                  {segment.value}
                </span>
                <span className="text-muted">{segment.label}</span>
              </li>
            ))}
            {progress.pending + progress.blocked > 0 ? (
              <li className="inline-flex items-center gap-1.5" data-testid="progress-waiting">
                <span className="size-2 rounded-full bg-border" aria-hidden />
                <span className="font-medium tabular-nums">{progress.pending + progress.blocked}</span>
                <span className="text-muted">waiting</span>
              </li>
            ) : null}
          </ul>
        </div>
        <div className="min-w-0">
          <ProgressChart points={history} {...(active ? { until: now } : {})} />
        </div>
        <dl className="grid content-start gap-x-6 gap-y-2.5 @xl:grid-cols-3 @3xl:w-52 @3xl:grid-cols-1 @3xl:border-l @3xl:border-border @3xl:pl-6">
          <Stat
            icon={Coins}
            label="Cost so far"
            value={cost}
            testId="usage-cost"
            {...(usage.costPartial ? { detail: "some sessions had no price" } : {})}
          />
          <Stat
            icon={Hash}
            label="Tokens"
            value={formatTokens(usage.inputTokens + usage.outputTokens)}
            detail={`${formatTokens(usage.inputTokens)} in · ${formatTokens(usage.outputTokens)} out`}
            testId="usage-tokens"
          />
          <Stat icon={Layers} label="Sessions" value={formatCount(usage.sessions)} testId="usage-sessions" />
        </dl>
      </div>
    </section>
  );
}
