/**
 * The dev server in the header: its status (from the stream), start or stop, a link to the running app, and the
 * command dialog. Failures are told with the server's message.
 */

import { useQueryClient } from "@tanstack/react-query";
import { ExternalLink, Globe, Loader2, Play, Settings2, Square } from "lucide-react";
import { useState } from "react";
import { cn } from "../../lib/cn.ts";
import { useProjectStore } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import { useStreamReopened } from "../terminal/use-stream-reopened.ts";
import { DevServerConfigDialog } from "./devserver-config-dialog.tsx";
import {
  devServerQueryKey,
  devServerStatusLabels,
  useDevServerActions,
  useDevServerStatus,
} from "./use-devserver.ts";

const dotTone = {
  neutral: "bg-status-pending",
  progress: "bg-status-progress animate-pulse",
  done: "bg-status-done",
  failed: "bg-status-failed",
} as const;

/** The header's dev server control. */
export function DevServerControl() {
  const devServer = useDevServerStatus();
  const actions = useDevServerActions();
  const queryClient = useQueryClient();
  const project = useProjectStore().project;
  useStreamReopened(() => void queryClient.invalidateQueries({ queryKey: devServerQueryKey(project) }));
  const [configOpen, setConfigOpen] = useState(false);
  const status = devServerStatusLabels[devServer.status];
  const alive = devServer.status === "running" || devServer.status === "starting";
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset's legend cannot sit in a one-line toolbar.
    <div
      role="group"
      aria-label="Dev server"
      className="flex h-8 items-center rounded-md border border-border bg-surface"
      data-testid="devserver-control"
    >
      <span
        className="flex items-center gap-1.5 px-2 text-xs"
        title={devServer.command === undefined ? undefined : `Command: ${devServer.command}`}
      >
        <Globe className="size-3.5 text-muted" aria-hidden />
        <span className="hidden text-muted 2xl:inline">Dev server</span>
        <span className={cn("size-2 rounded-full", dotTone[status.tone])} aria-hidden />
        <span className="font-medium" data-testid="devserver-status">
          {status.label}
        </span>
      </span>
      <span className="h-5 w-px bg-border" aria-hidden />
      {alive ? (
        <Button
          size="sm"
          variant="ghost"
          className="h-7 rounded-none px-2 text-xs"
          onClick={actions.stop}
          disabled={actions.busy}
          aria-label="Stop the dev server"
          title="Stop the dev server"
        >
          {actions.stopping ? <Loader2 className="animate-spin" aria-hidden /> : <Square aria-hidden />}
          <span className="hidden 2xl:inline">Stop</span>
        </Button>
      ) : (
        <Button
          size="sm"
          variant="ghost"
          className="h-7 rounded-none px-2 text-xs"
          onClick={actions.start}
          disabled={actions.busy}
          aria-label={devServer.status === "crashed" ? "Restart the dev server" : "Start the dev server"}
          title={devServer.status === "crashed" ? "Restart the dev server" : "Start the dev server"}
        >
          {actions.starting ? <Loader2 className="animate-spin" aria-hidden /> : <Play aria-hidden />}
          <span className="hidden 2xl:inline">{devServer.status === "crashed" ? "Restart" : "Start"}</span>
        </Button>
      )}
      {devServer.status === "running" && devServer.url !== undefined ? (
        <a
          href={devServer.url}
          target="_blank"
          rel="noreferrer"
          className="flex h-7 items-center gap-1 px-2 text-xs font-medium text-accent hover:bg-surface-muted"
          title={`Open ${devServer.url} in a new tab`}
          aria-label={`Open the app at ${devServer.url} (new tab)`}
        >
          <ExternalLink className="size-3.5" aria-hidden />
          <span className="hidden 2xl:inline">Open</span>
        </a>
      ) : null}
      <Button
        size="icon"
        variant="ghost"
        className="size-7 rounded-l-none"
        aria-label="Dev server command"
        title="Dev server command"
        onClick={() => setConfigOpen(true)}
      >
        <Settings2 aria-hidden />
      </Button>
      <DevServerConfigDialog open={configOpen} onOpenChange={setConfigOpen} />
    </div>
  );
}
