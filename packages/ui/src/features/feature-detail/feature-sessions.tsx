/**
 * The sessions that worked on a feature (role, model, outcome, tokens, cost, duration), and one session's log in a
 * panel, read page by page from its byte offset (logs are kept after the session and across restarts).
 */
import type { Feature, SessionLogPageResponse, SessionOutcome } from "@autowright/protocol";
import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, ScrollText } from "lucide-react";
import { useEffect, useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { getSession, getSessionLog, listSessions } from "../../api/projects.ts";
import { cn } from "../../lib/cn.ts";
import { formatCost, formatTokens } from "../../lib/format.ts";
import { useProjectStore } from "../../state/project-context.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { durationBetween, formatDateTime, formatDuration } from "./detail-format.ts";

const outcomeTones: Record<SessionOutcome, "done" | "failed" | "input" | "neutral" | "pending"> = {
  passed: "done",
  not_passed: "pending",
  failed: "failed",
  rate_limited: "input",
  auth_failed: "failed",
  cancelled: "neutral",
  timed_out: "failed",
};

/** The sessions table of a feature. */
export function FeatureSessions(props: {
  readonly feature: Feature;
  readonly onOpenSession: (sessionId: string) => void;
}) {
  const store = useProjectStore();
  // Asked again when the feature changes (a session that ends changes its feature): no polling.
  const sessions = useQuery({
    queryKey: ["sessions", store.project, props.feature.id, props.feature.updatedAt],
    queryFn: () => listSessions(store.project),
    retry: false,
  });
  if (sessions.isPending) return <p className="text-sm text-muted">Loading the sessions…</p>;
  if (sessions.isError)
    return (
      <div role="alert" className="space-y-2 text-sm">
        <p className="text-status-failed">The sessions could not be loaded: {errorMessage(sessions.error)}</p>
        <Button size="sm" onClick={() => void sessions.refetch()}>
          Try again
        </Button>
      </div>
    );
  const mine = sessions.data.sessions.filter((session) => session.featureIds.includes(props.feature.id));
  if (mine.length === 0)
    return <p className="text-sm text-muted">No session has worked on this feature yet.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-border">
      <table className="w-full text-left text-xs">
        <caption className="sr-only">Sessions of feature #{props.feature.id}, newest first</caption>
        <thead className="bg-surface-muted text-muted">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">
              Started
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Role
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Model
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Outcome
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Tokens in / out
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Cost
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Duration
            </th>
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Log</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {mine.map((session) => {
            const duration = durationBetween(session.startedAt, session.endedAt);
            return (
              <tr key={session.id} className="border-t border-border" data-testid={`session-${session.id}`}>
                <td className="px-3 py-2 whitespace-nowrap">
                  <time dateTime={session.startedAt}>{formatDateTime(session.startedAt)}</time>
                </td>
                <td className="px-3 py-2">{session.role}</td>
                <td className="max-w-40 truncate px-3 py-2 font-mono" title={session.model ?? undefined}>
                  {session.model ?? "—"}
                </td>
                <td className="px-3 py-2">
                  {session.outcome === null ? (
                    <Badge tone="progress">{session.endedAt === null ? "running" : "unknown"}</Badge>
                  ) : (
                    <Badge tone={outcomeTones[session.outcome]}>{session.outcome.replace("_", " ")}</Badge>
                  )}
                </td>
                <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums">
                  {formatTokens(session.usage.inputTokens)} / {formatTokens(session.usage.outputTokens)}
                </td>
                <td className="px-3 py-2 text-right tabular-nums">{formatCost(session.usage.costUsd)}</td>
                <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums">
                  {duration === undefined ? "—" : formatDuration(duration)}
                </td>
                <td className="px-2 py-1 text-right">
                  <Button
                    size="sm"
                    variant="ghost"
                    className="h-7"
                    onClick={() => props.onOpenSession(session.id)}
                    aria-label={`View the log of session ${session.id}`}
                  >
                    <ScrollText aria-hidden />
                    Log
                  </Button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** One session's log, in a panel with a way back. */
export function SessionLogPanel(props: { readonly sessionId: string; readonly onBack: () => void }) {
  const store = useProjectStore();
  const detail = useQuery({
    queryKey: ["session", store.project, props.sessionId],
    queryFn: () => getSession(store.project, props.sessionId),
    retry: false,
  });
  const [pages, setPages] = useState<SessionLogPageResponse[]>([]);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (detail.data !== undefined) setPages([detail.data.log]);
  }, [detail.data]);
  const last = pages.at(-1);
  const lines = pages.flatMap((page) => page.lines);
  const more = last !== undefined && last.nextOffset < last.size;

  const loadMore = async () => {
    if (last === undefined) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await getSessionLog(store.project, props.sessionId, last.nextOffset);
      setPages((current) => [...current, page]);
    } catch (error) {
      setMoreError(errorMessage(error));
    } finally {
      setLoadingMore(false);
    }
  };

  const session = detail.data?.session;
  return (
    <section aria-label={`Log of session ${props.sessionId}`} className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <Button size="sm" variant="ghost" onClick={props.onBack}>
          <ArrowLeft aria-hidden />
          Back
        </Button>
        <h3 className="text-sm font-semibold">
          Session <code className="font-mono text-xs">{props.sessionId}</code>
        </h3>
        {session === undefined ? null : (
          <span className="text-xs text-muted">
            {session.role} · {session.model ?? "no model"} · {session.outcome?.replace("_", " ") ?? "running"}
            {session.summary === null ? "" : ` · ${session.summary}`}
          </span>
        )}
      </div>
      {detail.isPending ? <p className="text-sm text-muted">Loading the log…</p> : null}
      {detail.isError ? (
        <p role="alert" className="text-sm text-status-failed">
          The log could not be loaded: {errorMessage(detail.error)}
        </p>
      ) : null}
      {detail.data === undefined ? null : (
        <>
          {lines.length === 0 ? (
            <p className="text-sm text-muted">This session wrote no log.</p>
          ) : (
            <pre
              className="max-h-[55vh] overflow-auto rounded-md bg-surface-muted p-2.5 font-mono text-xs leading-relaxed"
              data-testid="session-log"
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
              tabIndex={0}
            >
              {lines.map((line, index) => (
                <span
                  // biome-ignore lint/suspicious/noArrayIndexKey: log lines are positional.
                  key={index}
                  className={cn(
                    "block whitespace-pre-wrap break-words",
                    line.level === "error" && "text-status-failed",
                    line.level === "warn" && "text-status-input",
                    line.level === "debug" && "text-muted",
                  )}
                >
                  <span className="text-muted">{line.at.slice(11, 19)} </span>
                  {line.level === "info" ? "" : `${line.level.toUpperCase()} `}
                  <span>{line.line}</span>
                  {"\n"}
                </span>
              ))}
            </pre>
          )}
          <div className="flex items-center gap-3 text-xs text-muted">
            <span>
              {lines.length} {lines.length === 1 ? "line" : "lines"}
              {last === undefined
                ? ""
                : ` · ${Math.round(last.nextOffset / 1024)} of ${Math.max(1, Math.round(last.size / 1024))} KiB`}
            </span>
            {more ? (
              <Button size="sm" onClick={() => void loadMore()} disabled={loadingMore}>
                {loadingMore ? "Loading…" : "Load more"}
              </Button>
            ) : null}
            {moreError === undefined ? null : (
              <span role="alert" className="text-status-failed">
                The next page could not be loaded: {moreError}
              </span>
            )}
          </div>
        </>
      )}
    </section>
  );
}
