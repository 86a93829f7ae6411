/**
 * The chart of progress over time: passing features as a stepped area (progress only moves when a feature
 * passes or is added), the total as a dashed step line, times in local time, and a sentence for screen readers.
 */
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { formatClock } from "../../lib/format.ts";
import type { ProgressPoint } from "../../state/project-view.ts";

const height = 96;
const padding = { top: 8, right: 8, bottom: 18, left: 26 };

function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (element === null) return;
    setWidth(element.clientWidth);
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver((entries) => {
      const entry = entries[0];
      if (entry !== undefined) setWidth(Math.round(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

function label(at: number, span: number): string {
  const date = new Date(at);
  if (span > 20 * 3_600_000)
    return `${date.toLocaleDateString([], { month: "short", day: "numeric" })} ${formatClock(date.toISOString())}`;
  if (span < 10 * 60_000)
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return formatClock(date.toISOString());
}

/** The points in time order (a snapshot's point can arrive before the replay of older events). */
function inTimeOrder(points: readonly ProgressPoint[]): readonly ProgressPoint[] {
  for (let index = 1; index < points.length; index += 1) {
    if ((points[index]?.at ?? "") < (points[index - 1]?.at ?? "")) {
      return [...points].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    }
  }
  return points;
}

/** A sentence that says what the chart shows. */
export function progressSummary(points: readonly ProgressPoint[]): string {
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined) return "No progress recorded yet.";
  if (points.length === 1)
    return `${last.passing} of ${last.total} features passing at ${formatClock(last.at)}.`;
  return `Progress over time: from ${first.passing} of ${first.total} passing at ${formatClock(first.at)} to ${last.passing} of ${last.total} at ${formatClock(last.at)}.`;
}

/** The chart; `until` is the right edge (now while a run is active, else the last point). */
export function ProgressChart(props: { readonly points: readonly ProgressPoint[]; readonly until?: number }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const gradientId = `progress-fill-${useId().replace(/[^a-zA-Z0-9_-]/g, "")}`;
  const points = useMemo(() => inTimeOrder(props.points), [props.points]);
  const summary = progressSummary(points);
  const geometry = useMemo(() => {
    const first = points[0];
    const last = points.at(-1);
    if (first === undefined || last === undefined || points.length < 2 || width < 80) return undefined;
    const start = Date.parse(first.at);
    const end = Math.max(Date.parse(last.at), props.until ?? 0, start + 1_000);
    const maxTotal = Math.max(1, ...points.map((point) => point.total));
    const plotWidth = width - padding.left - padding.right;
    const plotHeight = height - padding.top - padding.bottom;
    const x = (at: number) => padding.left + ((at - start) / (end - start)) * plotWidth;
    const y = (value: number) => padding.top + plotHeight - (value / maxTotal) * plotHeight;
    const step = (value: (point: ProgressPoint) => number) => {
      let path = "";
      points.forEach((point, index) => {
        const px = x(Date.parse(point.at)).toFixed(1);
        const py = y(value(point)).toFixed(1);
        path += index === 0 ? `M${px} ${py}` : `H${px}V${py}`;
      });
      return `${path}H${x(end).toFixed(1)}`;
    };
    const passingLine = step((point) => point.passing);
    const area = `${passingLine}V${y(0).toFixed(1)}H${x(start).toFixed(1)}Z`;
    return {
      passingLine,
      area,
      totalLine: step((point) => point.total),
      maxTotal,
      baseline: y(0),
      top: y(maxTotal),
      ticks: [start, (start + end) / 2, end].map((at) => ({ at, x: x(at), text: label(at, end - start) })),
      lastX: x(Date.parse(last.at)),
      lastY: y(last.passing),
    };
  }, [points, props.until, width]);

  return (
    <div ref={ref} className="relative min-w-0">
      <p className="sr-only" data-testid="progress-chart-summary">
        {summary}
      </p>
      {geometry === undefined ? (
        <div
          className="flex items-center justify-center rounded-lg border border-dashed border-border text-xs text-muted"
          style={{ height }}
          aria-hidden
        >
          {points.length < 2 ? "The chart fills in as features pass." : ""}
        </div>
      ) : (
        <svg width={width} height={height} role="img" aria-label={summary} className="block overflow-visible">
          <defs>
            <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
              <stop offset="0%" stopColor="var(--status-done)" stopOpacity={0.35} />
              <stop offset="100%" stopColor="var(--status-done)" stopOpacity={0.02} />
            </linearGradient>
          </defs>
          <g className="text-muted" fontSize={10} fill="currentColor">
            <line
              x1={padding.left}
              x2={width - padding.right}
              y1={geometry.baseline}
              y2={geometry.baseline}
              stroke="var(--border)"
            />
            <line
              x1={padding.left}
              x2={width - padding.right}
              y1={geometry.top}
              y2={geometry.top}
              stroke="var(--border)"
              strokeDasharray="2 3"
            />
            <text x={padding.left - 6} y={geometry.top + 3} textAnchor="end">
              {geometry.maxTotal}
            </text>
            <text x={padding.left - 6} y={geometry.baseline + 3} textAnchor="end">
              0
            </text>
            {geometry.ticks.map((tick, index) => (
              <text
                key={tick.at}
                x={tick.x}
                y={height - 4}
                textAnchor={index === 0 ? "start" : index === geometry.ticks.length - 1 ? "end" : "middle"}
              >
                {tick.text}
              </text>
            ))}
          </g>
          <path
            d={geometry.totalLine}
            fill="none"
            stroke="var(--muted)"
            strokeWidth={1}
            strokeDasharray="3 3"
            opacity={0.6}
          />
          <path d={geometry.area} fill={`url(#${gradientId})`} />
          <path
            d={geometry.passingLine}
            fill="none"
            stroke="var(--status-done)"
            strokeWidth={2}
            strokeLinejoin="round"
          />
          <circle
            cx={geometry.lastX}
            cy={geometry.lastY}
            r={3.5}
            fill="var(--status-done)"
            stroke="var(--surface)"
            strokeWidth={1.5}
          />
        </svg>
      )}
    </div>
  );
}
