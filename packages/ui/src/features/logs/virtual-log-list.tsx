/**
 * A virtualised list of log lines: fixed-height monospace rows, only the visible window in the DOM (so 50,000 lines
 * scroll like 50), following the newest line until the user scrolls up, then holding the lines they read in place
 * (also while old lines fall out of the ring) with a "jump to latest" button.
 */
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDownToLine } from "lucide-react";
import { memo, type ReactNode, useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import { cn } from "../../lib/cn.ts";
import type { LogLine, LogRing } from "../../state/log-store.ts";
import { useLogVersion } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import {
  arrayRows,
  FilteredLog,
  formatLogTime,
  indexOfId,
  type LogFilter,
  type LogRows,
  logPredicate,
} from "./log-filter.ts";

/** The height of one row, in pixels (the list is virtualised with it: rows never wrap). */
export const logRowHeight = 20;

/** The lines of `ring` that pass `filter`, re-rendered on every append or clear. */
export function useFilteredLog(
  ring: LogRing,
  filter: LogFilter,
): { readonly rows: FilteredLog; readonly version: number } {
  const version = useLogVersion(ring);
  const { agentId, featureId, minimumLevel, text } = filter;
  const rows = useMemo(
    () => new FilteredLog(ring, logPredicate({ agentId, featureId, minimumLevel, text })),
    [ring, agentId, featureId, minimumLevel, text],
  );
  // Idempotent for a given ring version, so calling it while rendering is safe.
  rows.sync();
  return { rows, version };
}

const levelStyles: Record<LogLine["level"], string> = {
  debug: "text-muted",
  info: "text-status-progress",
  warn: "text-status-input",
  error: "text-status-failed",
};

const sourceLabels: Record<LogLine["source"], string> = {
  orchestrator: "maestro",
  agent: "agent",
  verifier: "verifier",
  devserver: "dev",
};

/** How much of a line the rows show: everything (agents) or the time and the text (a process's output). */
export type LogColumns = "full" | "plain";

/** Props of {@link LogRowsView}. */
export interface LogRowsViewProps {
  readonly rows: LogRows;
  /** Changes whenever the rows' contents change (the ring's version). */
  readonly version: number;
  /** The accessible name of the scroll region. */
  readonly label: string;
  readonly agentNames?: ReadonlyMap<string, string>;
  readonly columns?: LogColumns;
  readonly onOpenFeature?: (featureId: number) => void;
  /** Shown when there is no row. */
  readonly emptyMessage?: ReactNode;
  /** When this changes (a new filter), the list follows the newest line again. */
  readonly resetKey?: unknown;
  readonly className?: string;
}

/** The virtualised rows of any {@link LogRows}. */
export function LogRowsView(props: LogRowsViewProps) {
  const { rows, version } = props;
  const count = rows.count;
  const scrollRef = useRef<HTMLElement>(null);
  const [following, setFollowing] = useState(true);
  const followingRef = useRef(true);
  // The line at the top of the viewport while the user reads older lines, and how far into it they scrolled.
  const anchorRef = useRef<{ id: number; offset: number } | undefined>(undefined);
  const [lastResetKey, setLastResetKey] = useState(props.resetKey);

  const follow = useCallback((value: boolean) => {
    followingRef.current = value;
    setFollowing(value);
    if (value) anchorRef.current = undefined;
  }, []);

  if (lastResetKey !== props.resetKey) {
    setLastResetKey(props.resetKey);
    followingRef.current = true;
    anchorRef.current = undefined;
    setFollowing(true);
  }

  const getItemKey = useCallback((index: number) => rows.at(index)?.id ?? -index - 1, [rows]);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => logRowHeight,
    overscan: 12,
    getItemKey,
  });

  const rememberAnchor = useCallback(() => {
    const element = scrollRef.current;
    if (element === null) return;
    const index = Math.floor(element.scrollTop / logRowHeight);
    const line = rows.at(index);
    anchorRef.current =
      line === undefined ? undefined : { id: line.id, offset: element.scrollTop - index * logRowHeight };
  }, [rows]);

  const onScroll = useCallback(() => {
    const element = scrollRef.current;
    if (element === null) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= logRowHeight;
    if (atBottom !== followingRef.current) follow(atBottom);
    if (!atBottom) rememberAnchor();
  }, [follow, rememberAnchor]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every change of the rows (count or version).
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (element === null) return;
    if (followingRef.current) {
      element.scrollTop = element.scrollHeight;
      return;
    }
    const anchor = anchorRef.current;
    if (anchor === undefined) return;
    const index = indexOfId(rows, anchor.id);
    if (index < 0) return;
    const top = index * logRowHeight + anchor.offset;
    if (Math.abs(element.scrollTop - top) >= 1) element.scrollTop = top;
  }, [count, version, rows]);

  const jumpToLatest = () => {
    follow(true);
    const element = scrollRef.current;
    if (element !== null) element.scrollTop = element.scrollHeight;
  };

  const items = virtualizer.getVirtualItems();
  const columns = props.columns ?? "full";
  return (
    <div className={cn("relative min-h-0 flex-1", props.className)}>
      <section
        ref={scrollRef}
        aria-label={props.label}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
        tabIndex={0}
        onScroll={onScroll}
        onWheel={(event) => {
          // Leave the bottom at once: a burst of lines must not pull the reader back down.
          const element = scrollRef.current;
          const scrollable = element !== null && element.scrollHeight > element.clientHeight;
          if (event.deltaY < 0 && scrollable && followingRef.current) follow(false);
        }}
        onKeyDown={(event) => {
          if (["ArrowUp", "PageUp", "Home"].includes(event.key) && followingRef.current) follow(false);
        }}
        className="absolute inset-0 overflow-auto font-mono text-xs"
      >
        {count === 0 ? (
          <div className="flex h-full items-center justify-center p-4 font-sans text-sm text-muted">
            {props.emptyMessage ?? "No lines yet."}
          </div>
        ) : (
          <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const line = rows.at(item.index);
              if (line === undefined) return null;
              return (
                <LogRow
                  key={item.key}
                  line={line}
                  top={item.start}
                  columns={columns}
                  agentNames={props.agentNames}
                  onOpenFeature={props.onOpenFeature}
                />
              );
            })}
          </div>
        )}
      </section>
      {following || count === 0 ? null : (
        <Button
          size="sm"
          variant="primary"
          onClick={jumpToLatest}
          className="absolute right-5 bottom-3 shadow-md"
        >
          <ArrowDownToLine aria-hidden />
          Jump to latest
        </Button>
      )}
    </div>
  );
}

const LogRow = memo(function LogRow(props: {
  readonly line: LogLine;
  readonly top: number;
  readonly columns: LogColumns;
  readonly agentNames: ReadonlyMap<string, string> | undefined;
  readonly onOpenFeature: ((featureId: number) => void) | undefined;
}) {
  const { line, onOpenFeature } = props;
  const agentName =
    line.agentId === undefined
      ? undefined
      : (props.agentNames?.get(line.agentId) ?? line.agentId.slice(0, 8));
  return (
    <div
      data-testid="log-line"
      className={cn(
        "absolute top-0 left-0 flex w-full items-center gap-2 px-3 whitespace-pre hover:bg-surface-muted",
        line.level === "error" && "bg-status-soft-failed",
      )}
      style={{ height: logRowHeight, transform: `translateY(${props.top}px)` }}
    >
      <span className="w-16 shrink-0 text-muted tabular-nums">{formatLogTime(line.at)}</span>
      {props.columns === "full" ? (
        <>
          <span className={cn("w-10 shrink-0 font-semibold uppercase", levelStyles[line.level])}>
            {line.level}
          </span>
          <span className="w-16 shrink-0 truncate text-muted">{sourceLabels[line.source]}</span>
          <span className="w-24 shrink-0 truncate text-accent" title={agentName}>
            {agentName ?? ""}
          </span>
          <span className="w-12 shrink-0">
            {line.featureId === undefined ? null : onOpenFeature === undefined ? (
              <span className="text-muted">#{line.featureId}</span>
            ) : (
              <button
                type="button"
                className="rounded text-muted hover:text-accent hover:underline"
                onClick={() => onOpenFeature(line.featureId as number)}
                aria-label={`Open feature #${line.featureId}`}
              >
                #{line.featureId}
              </button>
            )}
          </span>
        </>
      ) : null}
      <span className="min-w-0 flex-1 truncate text-foreground" title={line.line}>
        {line.line}
      </span>
    </div>
  );
});

/** Props of {@link VirtualLogList}: an array of lines, or a ring with an optional filter. */
export type VirtualLogListProps = Omit<LogRowsViewProps, "rows" | "version"> &
  ({ readonly lines: readonly LogLine[] } | { readonly ring: LogRing; readonly filter?: LogFilter });

/**
 * A ready-made virtualised log list for other screens: pass `lines`, or a `ring` (e.g. `store.logs`) and a
 * `filter` (e.g. `{ agentId }`).
 */
export function VirtualLogList(props: VirtualLogListProps) {
  if ("ring" in props) {
    const { ring, filter, ...rest } = props;
    return <RingLogList ring={ring} filter={filter ?? {}} {...rest} />;
  }
  const { lines, ...rest } = props;
  return <ArrayLogList lines={lines} {...rest} />;
}

function RingLogList(
  props: Omit<LogRowsViewProps, "rows" | "version"> & { readonly ring: LogRing; readonly filter: LogFilter },
) {
  const { ring, filter, ...rest } = props;
  const { rows, version } = useFilteredLog(ring, filter);
  return <LogRowsView rows={rows} version={version} {...rest} />;
}

function ArrayLogList(
  props: Omit<LogRowsViewProps, "rows" | "version"> & { readonly lines: readonly LogLine[] },
) {
  const { lines, ...rest } = props;
  const rows = useMemo(() => arrayRows(lines), [lines]);
  const version = useVersionOf(lines);
  return <LogRowsView rows={rows} version={version} {...rest} />;
}

function useVersionOf(value: unknown): number {
  const state = useRef({ value, version: 0 });
  if (state.current.value !== value) state.current = { value, version: state.current.version + 1 };
  return state.current.version;
}
