/**
 * One agent's log: its lines of the live log ring (`store.logs` filtered by `agentId`), virtualised and following
 * the end while scrolled to it, with a copy button; and the full session log from the server (the agent id is the
 * session id), page by page.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { Copy, Loader2 } from "lucide-react";
import { Tabs } from "radix-ui";
import { useEffect, useMemo, useRef, useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { getSession, getSessionLog } from "../../api/projects.ts";
import { cn } from "../../lib/cn.ts";
import { useLogVersion, useProjectStore } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { useNotify } from "../../ui/notices.tsx";

/** A line as the dialog shows it. */
interface ShownLine {
  readonly key: string;
  readonly at: string;
  readonly level: string;
  readonly line: string;
}

const levelTone: Record<string, string> = {
  error: "text-status-failed",
  warn: "text-status-input-strong",
  debug: "text-muted",
  info: "text-foreground",
};

function timeOf(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime())
    ? ""
    : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A virtualised list of lines that keeps to the end while the user is there. */
function LineList(props: {
  readonly lines: readonly ShownLine[];
  readonly label: string;
  readonly empty: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const atEnd = useRef(true);
  const virtualizer = useVirtualizer({
    count: props.lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 20,
    overscan: 20,
    // Until the first measurement (and where there is none, as in tests), assume the dialog's usual size.
    initialRect: { width: 800, height: 480 },
  });
  useEffect(() => {
    if (atEnd.current && props.lines.length > 0)
      virtualizer.scrollToIndex(props.lines.length - 1, { align: "end" });
  }, [props.lines.length, virtualizer]);
  if (props.lines.length === 0) {
    return (
      <div className="flex h-[min(60vh,32rem)] items-center justify-center rounded-lg border border-border bg-surface-muted text-sm text-muted">
        {props.empty}
      </div>
    );
  }
  return (
    <div
      ref={scroller}
      role="log"
      aria-label={props.label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable log must be reachable by keyboard to scroll it.
      tabIndex={0}
      onScroll={(event) => {
        const element = event.currentTarget;
        atEnd.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
      }}
      className="h-[min(60vh,32rem)] overflow-auto rounded-lg border border-border bg-surface-muted font-mono text-xs"
    >
      <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const line = props.lines[item.index];
          if (line === undefined) return null;
          return (
            <div
              key={line.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="absolute left-0 flex w-full gap-3 px-3 py-0.5 hover:bg-surface"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <time dateTime={line.at} className="shrink-0 text-muted tabular-nums">
                {timeOf(line.at)}
              </time>
              <span className={cn("min-w-0 flex-1 break-all whitespace-pre-wrap", levelTone[line.level])}>
                {line.line}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function CopyButton(props: { readonly lines: readonly ShownLine[] }) {
  const { notify, notifyError } = useNotify();
  return (
    <Button
      size="sm"
      disabled={props.lines.length === 0}
      onClick={() => {
        const text = props.lines
          .map((line) => `${line.at} ${line.level.toUpperCase()} ${line.line}`)
          .join("\n");
        navigator.clipboard
          .writeText(text)
          .then(() => notify({ tone: "success", title: `Copied ${props.lines.length} lines` }))
          .catch((error: unknown) => notifyError("Could not copy the log", error));
      }}
    >
      <Copy aria-hidden />
      Copy
    </Button>
  );
}

function LiveLog(props: { readonly agentId: string; readonly name: string }) {
  const store = useProjectStore();
  const version = useLogVersion(store.logs);
  const lines = useMemo<ShownLine[]>(() => {
    void version;
    return store.logs
      .toArray()
      .filter((line) => line.agentId === props.agentId)
      .map((line) => ({ key: String(line.id), at: line.at, level: line.level, line: line.line }));
  }, [store.logs, version, props.agentId]);
  return (
    <div className="space-y-2">
      <div className="flex items-center justify-between gap-2">
        <p className="text-xs text-muted" aria-live="polite">
          {lines.length} {lines.length === 1 ? "line" : "lines"} since this page opened
        </p>
        <CopyButton lines={lines} />
      </div>
      <LineList
        lines={lines}
        label={`${props.name}'s live log`}
        empty={`No log lines from ${props.name} yet.`}
      />
    </div>
  );
}

function SessionLog(props: { readonly agentId: string; readonly name: string }) {
  const store = useProjectStore();
  const query = useInfiniteQuery({
    queryKey: ["session-log", store.project, props.agentId],
    initialPageParam: -1,
    queryFn: async ({ pageParam }) =>
      pageParam < 0
        ? (await getSession(store.project, props.agentId)).log
        : await getSessionLog(store.project, props.agentId, pageParam),
    getNextPageParam: (page) => (page.nextOffset < page.size ? page.nextOffset : undefined),
    staleTime: 0,
  });
  const lines = useMemo<ShownLine[]>(
    () =>
      (query.data?.pages ?? []).flatMap((page, pageIndex) =>
        page.lines.map((line, index) => ({
          key: `${pageIndex}-${index}`,
          at: line.at,
          level: line.level,
          line: line.line,
        })),
      ),
    [query.data],
  );
  if (query.isPending) {
    return (
      <p className="flex items-center gap-2 py-8 text-sm text-muted">
        <Loader2 className="size-4 animate-spin" aria-hidden /> Loading the session log…
      </p>
    );
  }
  if (query.data === undefined) {
    return (
      <div
        role="alert"
        className="space-y-2 rounded-lg border border-status-failed/40 bg-status-soft-failed p-3 text-sm"
      >
        <p className="font-medium text-status-failed">The session log could not be loaded</p>
        <p className="text-muted">
          {query.error === null ? "No answer from the server." : errorMessage(query.error)}
        </p>
        <Button size="sm" onClick={() => void query.refetch()}>
          Try again
        </Button>
      </div>
    );
  }
  const last = query.data.pages.at(-1);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-xs text-muted">
          {lines.length} lines{last?.truncated ? " (the log was cut at its size limit)" : ""}
        </p>
        <div className="flex gap-2">
          <Button size="sm" onClick={() => void query.refetch()} disabled={query.isFetching}>
            Refresh
          </Button>
          {query.hasNextPage ? (
            <Button size="sm" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
              {query.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          ) : null}
          <CopyButton lines={lines} />
        </div>
      </div>
      {query.isError ? (
        <p role="alert" className="text-sm text-status-failed">
          More of the log could not be loaded: {errorMessage(query.error)}
        </p>
      ) : null}
      <LineList lines={lines} label={`${props.name}'s session log`} empty="The session log is empty." />
    </div>
  );
}

/** The log dialog of agent `agentId` (named `name`). */
export function AgentLogDialog(props: {
  readonly agentId: string;
  readonly name: string;
  readonly open: boolean;
  readonly onOpenChange: (open: boolean) => void;
}) {
  const [tab, setTab] = useState("live");
  return (
    <Dialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title={`${props.name}'s log`}
      description={`Session ${props.agentId}`}
      wide
    >
      <Tabs.Root value={tab} onValueChange={setTab}>
        <Tabs.List
          aria-label="Which log"
          className="mb-3 inline-flex rounded-lg bg-surface-muted p-1 text-sm"
        >
          {[
            ["live", "Live"],
            ["session", "Full session log"],
          ].map(([value, label]) => (
            <Tabs.Trigger
              key={value}
              value={value as string}
              className="rounded-md px-3 py-1 text-muted data-[state=active]:bg-surface data-[state=active]:text-foreground data-[state=active]:shadow-sm"
            >
              {label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value="live">
          <LiveLog agentId={props.agentId} name={props.name} />
        </Tabs.Content>
        <Tabs.Content value="session">
          <SessionLog agentId={props.agentId} name={props.name} />
        </Tabs.Content>
      </Tabs.Root>
    </Dialog>
  );
}
