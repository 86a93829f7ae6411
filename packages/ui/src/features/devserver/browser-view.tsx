/**
 * The Browser view: the app being built, live. While mounted and the dev server runs, it asks the server for
 * pictures of the dev server's page (`store.watchBrowser()`), and shows the latest beside the dev server's controls
 * and its output.
 */

import { useQuery } from "@tanstack/react-query";
import { ExternalLink, Globe, ImageOff, Loader2, Play, Settings2, Square } from "lucide-react";
import { type ReactNode, useEffect, useState } from "react";
import { getDevServerConfig } from "../../api/devserver.ts";
import { formatRelative } from "../../lib/format.ts";
import { useNow } from "../../lib/use-now.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { Card } from "../../ui/card.tsx";
import { formatLogTime } from "../logs/log-filter.ts";
import { VirtualLogList } from "../logs/virtual-log-list.tsx";
import { commandLine, DevServerConfigDialog } from "./devserver-config-dialog.tsx";
import {
  devServerConfigQueryKey,
  devServerStatusLabels,
  useDevServerActions,
  useDevServerStatus,
  useSeedDevServerLog,
} from "./use-devserver.ts";

/** The Browser view. */
export function BrowserView() {
  const store = useProjectStore();
  const running = useDevServerStatus().status === "running";
  // Watched while the app runs: asking before would only get the server's "not running" error.
  useEffect(() => (running ? store.watchBrowser() : undefined), [store, running]);
  useSeedDevServerLog();
  return (
    <div className="flex h-full min-h-0 gap-4 p-4" data-testid="browser-view">
      <Screenshot />
      <aside aria-label="Dev server" className="flex w-80 shrink-0 flex-col gap-4 2xl:w-96">
        <DevServerCard />
        <Card className="flex min-h-0 flex-1 flex-col overflow-hidden">
          <h2 className="border-b border-border px-4 py-2.5 text-sm font-semibold">Output</h2>
          <VirtualLogList
            ring={store.devServerLogs}
            label="Dev server output"
            columns="plain"
            emptyMessage="No output yet."
          />
        </Card>
      </aside>
    </div>
  );
}

function Screenshot() {
  const screenshot = useProjectView((view) => view.screenshot);
  const devServer = useDevServerStatus();
  const actions = useDevServerActions();
  const now = useNow();
  const running = devServer.status === "running";
  const shown = running ? screenshot : undefined;
  return (
    <Card className="flex min-w-0 flex-1 flex-col overflow-hidden">
      <div className="flex h-11 items-center gap-2 border-b border-border px-3 text-sm">
        <span className="flex gap-1" aria-hidden>
          <span className="size-2.5 rounded-full bg-status-failed/60" />
          <span className="size-2.5 rounded-full bg-status-input/60" />
          <span className="size-2.5 rounded-full bg-status-done/60" />
        </span>
        <div className="flex h-7 min-w-0 flex-1 items-center gap-2 rounded-md bg-surface-muted px-2.5 text-xs text-muted">
          <Globe className="size-3.5 shrink-0" aria-hidden />
          {shown !== undefined ? (
            <a
              href={shown.url}
              target="_blank"
              rel="noreferrer"
              className="truncate text-foreground hover:underline"
            >
              {shown.url}
              <span className="sr-only"> (opens in a new tab)</span>
            </a>
          ) : (
            <span className="truncate">{running ? (devServer.url ?? "") : "Not running"}</span>
          )}
        </div>
        {shown === undefined ? null : (
          <span className="shrink-0 text-xs text-muted tabular-nums" title={shown.at}>
            Updated {formatRelative(shown.at, now)}
          </span>
        )}
      </div>
      <div className="relative flex min-h-0 flex-1 items-center justify-center bg-surface-muted p-4">
        {shown !== undefined ? (
          <img
            src={shown.src}
            alt={`The app at ${shown.url}, as of ${formatLogTime(shown.at)}`}
            className="max-h-full max-w-full rounded-md border border-border bg-white object-contain shadow-sm"
            data-testid="browser-screenshot"
          />
        ) : running ? (
          <EmptyState
            icon={<Loader2 className="size-8 animate-spin text-accent" aria-hidden />}
            title="Waiting for the first picture…"
            text="The server takes a picture of the app every few seconds while its dev server runs."
          />
        ) : devServer.status === "starting" ? (
          <EmptyState
            icon={<Loader2 className="size-8 animate-spin text-accent" aria-hidden />}
            title="Starting the dev server…"
            text="The picture appears as soon as the app answers."
          />
        ) : (
          <EmptyState
            icon={<ImageOff className="size-8 text-muted" aria-hidden />}
            title={
              devServer.status === "crashed"
                ? "The dev server crashed. Restart it to see the app"
                : "Start the dev server to see the app"
            }
            text={
              devServer.status === "crashed"
                ? "Its last output is on the right."
                : "The app the agents build runs here, live, as they change it."
            }
          >
            <Button variant="primary" onClick={actions.start} disabled={actions.busy}>
              {actions.starting ? <Loader2 className="animate-spin" aria-hidden /> : <Play aria-hidden />}
              {devServer.status === "crashed" ? "Restart the dev server" : "Start the dev server"}
            </Button>
          </EmptyState>
        )}
      </div>
    </Card>
  );
}

function EmptyState(props: {
  readonly icon: ReactNode;
  readonly title: string;
  readonly text: string;
  readonly children?: ReactNode;
}) {
  return (
    <div className="flex max-w-sm flex-col items-center gap-3 text-center">
      {props.icon}
      <p className="text-base font-medium">{props.title}</p>
      <p className="text-sm text-muted">{props.text}</p>
      {props.children}
    </div>
  );
}

function DevServerCard() {
  const devServer = useDevServerStatus();
  const project = useProjectStore().project;
  const config = useQuery({
    queryKey: devServerConfigQueryKey(project),
    queryFn: () => getDevServerConfig(project),
  });
  const command =
    devServer.command ?? (config.data?.effective == null ? undefined : commandLine(config.data.effective));
  const actions = useDevServerActions();
  const [configOpen, setConfigOpen] = useState(false);
  const status = devServerStatusLabels[devServer.status];
  const alive = devServer.status === "running" || devServer.status === "starting";
  return (
    <Card className="space-y-3 p-4">
      <div className="flex items-center gap-2">
        <h2 className="flex-1 text-sm font-semibold">Dev server</h2>
        <Badge tone={status.tone}>{status.label}</Badge>
        <Button
          size="icon"
          variant="ghost"
          aria-label="Dev server command"
          title="Dev server command"
          onClick={() => setConfigOpen(true)}
        >
          <Settings2 aria-hidden />
        </Button>
      </div>
      <dl className="grid grid-cols-[5rem_1fr] gap-x-2 gap-y-1 text-xs">
        <dt className="text-muted">Command</dt>
        <dd className="truncate font-mono" title={command}>
          {command ??
            (config.data === undefined ? (
              "—"
            ) : (
              <span className="font-sans text-status-failed">None found: set one</span>
            ))}
        </dd>
        <dt className="text-muted">Address</dt>
        <dd className="truncate">
          {devServer.url !== undefined && devServer.status === "running" ? (
            <a href={devServer.url} target="_blank" rel="noreferrer" className="text-accent hover:underline">
              {devServer.url}
              <span className="sr-only"> (opens in a new tab)</span>
            </a>
          ) : (
            "—"
          )}
        </dd>
      </dl>
      <div className="flex flex-wrap gap-2">
        {alive ? (
          <Button size="sm" onClick={actions.stop} disabled={actions.busy}>
            {actions.stopping ? <Loader2 className="animate-spin" aria-hidden /> : <Square aria-hidden />}
            Stop
          </Button>
        ) : (
          <Button size="sm" variant="primary" onClick={actions.start} disabled={actions.busy}>
            {actions.starting ? <Loader2 className="animate-spin" aria-hidden /> : <Play aria-hidden />}
            {devServer.status === "crashed" ? "Restart" : "Start"}
          </Button>
        )}
        {devServer.status === "running" && devServer.url !== undefined ? (
          <a
            href={devServer.url}
            target="_blank"
            rel="noreferrer"
            className="inline-flex h-8 items-center gap-1.5 rounded-md border border-border px-2.5 text-sm font-medium hover:bg-surface-muted"
          >
            <ExternalLink className="size-4" aria-hidden />
            Open
            <span className="sr-only"> the app (new tab)</span>
          </a>
        ) : null}
      </div>
      <DevServerConfigDialog open={configOpen} onOpenChange={setConfigOpen} />
    </Card>
  );
}
