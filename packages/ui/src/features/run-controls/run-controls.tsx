/**
 * Start, stop, pause, resume, concurrency and YOLO. The buttons follow the run's status from the stream (never a
 * guess from what was clicked); every failure is shown with the server's message.
 */
import type { RunStatus } from "@autowright/protocol";
import { Minus, Pause, Play, Plus, Square } from "lucide-react";
import { useState } from "react";
import { pauseRun, resumeRun, setRunConcurrency, startRun, stopRun } from "../../api/projects.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { Switch } from "../../ui/switch.tsx";

/** The statuses in which a run is alive (it can be stopped). */
export const activeRunStatuses: ReadonlySet<RunStatus> = new Set([
  "starting",
  "running",
  "draining",
  "paused",
  "rate_limited",
]);

const statusLabels: Record<RunStatus, string> = {
  stopped: "Stopped",
  starting: "Starting",
  running: "Running",
  draining: "Pausing…",
  paused: "Paused",
  rate_limited: "Rate limited",
  stalled: "Stalled",
  completed: "Completed",
  crashed: "Crashed",
};

/** The tone of a run status badge. */
export function runStatusTone(status: RunStatus) {
  switch (status) {
    case "running":
    case "starting":
      return "progress" as const;
    case "completed":
      return "done" as const;
    case "crashed":
    case "stalled":
      return "failed" as const;
    case "paused":
    case "draining":
    case "rate_limited":
      return "input" as const;
    default:
      return "neutral" as const;
  }
}

/** The run's controls. */
export function RunControls() {
  const store = useProjectStore();
  const project = store.project;
  const run = useProjectView((view) => view.live.snapshot.run);
  const orchestrator = useProjectView((view) => view.live.snapshot.orchestrator);
  const { notifyError } = useNotify();
  const [busy, setBusy] = useState(false);
  const [yolo, setYolo] = useState(false);
  const [concurrency, setConcurrency] = useState<number | undefined>(undefined);
  const active = activeRunStatuses.has(run.status);
  const shownConcurrency = concurrency ?? orchestrator.maxConcurrency;

  const act = async (label: string, action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
    } catch (error) {
      notifyError(label, error);
    } finally {
      setBusy(false);
    }
  };

  const changeConcurrency = (next: number) => {
    if (next < 1 || next > 10) return;
    setConcurrency(next);
    if (active) void act("Could not change the concurrency", () => setRunConcurrency(project, next));
  };

  return (
    <fieldset className="flex flex-wrap items-center gap-2" aria-label="Run controls">
      <Badge tone={runStatusTone(run.status)} data-testid="run-status">
        {statusLabels[run.status]}
      </Badge>
      {active ? (
        <>
          {run.status === "paused" || run.status === "draining" ? (
            <Button
              size="sm"
              onClick={() => act("Could not resume", () => resumeRun(project))}
              disabled={busy}
            >
              <Play aria-hidden /> Resume
            </Button>
          ) : (
            <Button size="sm" onClick={() => act("Could not pause", () => pauseRun(project))} disabled={busy}>
              <Pause aria-hidden /> Pause
            </Button>
          )}
          <Button
            size="sm"
            variant="danger"
            onClick={() => act("Could not stop", () => stopRun(project))}
            disabled={busy}
          >
            <Square aria-hidden /> Stop
          </Button>
        </>
      ) : (
        <Button
          size="sm"
          variant="primary"
          onClick={() =>
            act("Could not start the run", () =>
              startRun(project, { yolo, ...(concurrency === undefined ? {} : { concurrency }) }),
            )
          }
          disabled={busy}
        >
          <Play aria-hidden /> {yolo ? "Start (YOLO)" : "Start"}
        </Button>
      )}
      <fieldset className="flex items-center rounded-md border border-border" aria-label="Concurrency">
        <Button
          size="icon"
          variant="ghost"
          aria-label="Fewer agents"
          onClick={() => changeConcurrency(shownConcurrency - 1)}
          disabled={busy || shownConcurrency <= 1}
        >
          <Minus aria-hidden />
        </Button>
        <span className="w-16 text-center text-xs tabular-nums" aria-live="polite" data-testid="concurrency">
          {shownConcurrency} {shownConcurrency === 1 ? "agent" : "agents"}
        </span>
        <Button
          size="icon"
          variant="ghost"
          aria-label="More agents"
          onClick={() => changeConcurrency(shownConcurrency + 1)}
          disabled={busy || shownConcurrency >= 10}
        >
          <Plus aria-hidden />
        </Button>
      </fieldset>
      {active ? null : <Switch checked={yolo} onCheckedChange={setYolo} label="YOLO" />}
    </fieldset>
  );
}
