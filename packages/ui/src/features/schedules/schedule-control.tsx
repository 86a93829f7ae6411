/**
 * Schedules in the header: a badge with what the scheduler does ("Running until 18:00", "Next: Mon 09:00"), and a
 * dialog to list, create, edit, enable and delete schedules, all in the user's local time. The badge's answer is
 * fetched again when the run's status changes (the scheduler starts and stops runs) and once at the next boundary
 * it announced (a window opening or closing): never in a loop.
 */
import type { Schedule, ScheduleNextResponse } from "@autowright/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CalendarClock, Loader2, Pencil, Plus, Trash2, Zap } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { errorMessage } from "../../api/client.ts";
import {
  createSchedule,
  deleteSchedule,
  getScheduleNext,
  listSchedules,
  patchSchedule,
} from "../../api/schedules.ts";
import { cn } from "../../lib/cn.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { ConfirmDialog } from "../../ui/confirm-dialog.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { Switch } from "../../ui/switch.tsx";
import { useStreamReopened } from "../terminal/use-stream-reopened.ts";
import {
  emptyScheduleForm,
  ScheduleForm,
  type ScheduleFormErrors,
  type ScheduleFormValues,
  scheduleRequest,
  scheduleToForm,
  serverErrors,
} from "./schedule-form.tsx";
import {
  formatDays,
  formatDuration,
  formatWallTime,
  localTimeZone,
  nextBoundary,
  sameZone,
  scheduleInZone,
  scheduleSummary,
  windowEnd,
} from "./schedule-time.ts";

/** The query keys of a project's schedules (the list, and `next` under it). */
export const schedulesQueryKey = (project: string) => ["schedules", project] as const;
const nextQueryKey = (project: string) => ["schedules", project, "next"] as const;
const listQueryKey = (project: string) => ["schedules", project, "list"] as const;

const summaryTone = {
  neutral: "text-foreground",
  progress: "text-status-progress",
  input: "text-status-input",
  failed: "text-status-failed",
} as const;

/** The header's schedule badge and dialog. */
export function ScheduleControl() {
  const project = useProjectStore().project;
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const next = useQuery({ queryKey: nextQueryKey(project), queryFn: () => getScheduleNext(project) });
  const runStatus = useProjectView((view) => view.live.snapshot.run.status);
  const previousStatus = useRef(runStatus);

  useEffect(() => {
    if (previousStatus.current === runStatus) return;
    previousStatus.current = runStatus;
    void queryClient.invalidateQueries({ queryKey: schedulesQueryKey(project) });
  }, [runStatus, project, queryClient]);

  useStreamReopened(() => void queryClient.invalidateQueries({ queryKey: schedulesQueryKey(project) }));

  const boundary = next.data === undefined ? undefined : nextBoundary(next.data);
  useEffect(() => {
    if (boundary === undefined) return;
    // One refetch when the scheduler's answer changes by itself; capped to what a timer can hold.
    const delay = Math.min(Math.max(boundary - Date.now() + 1_000, 1_000), 2 ** 31 - 1);
    const timer = window.setTimeout(
      () => void queryClient.invalidateQueries({ queryKey: nextQueryKey(project) }),
      delay,
    );
    return () => window.clearTimeout(timer);
  }, [boundary, project, queryClient]);

  const summary = next.data === undefined ? undefined : scheduleSummary(next.data, Date.now());
  const label = next.isError ? "Schedules (unavailable)" : (summary?.text ?? "Schedules");
  return (
    <>
      <Button
        size="sm"
        variant="secondary"
        onClick={() => setOpen(true)}
        title={next.isError ? errorMessage(next.error) : summary?.detail}
        aria-label={`Schedules: ${label}`}
        data-testid="schedule-badge"
        className="h-8 text-xs"
      >
        <CalendarClock aria-hidden className={cn(summary !== undefined && summaryTone[summary.tone])} />
        <span
          className={cn("max-w-48 truncate 2xl:max-w-64", summary !== undefined && summaryTone[summary.tone])}
        >
          {label}
        </span>
      </Button>
      <ScheduleDialog open={open} onOpenChange={setOpen} next={next.data} />
    </>
  );
}

type Mode =
  | { readonly kind: "list" }
  | { readonly kind: "new" }
  | { readonly kind: "edit"; readonly schedule: Schedule };

function ScheduleDialog(props: {
  readonly open: boolean;
  readonly onOpenChange: (open: boolean) => void;
  readonly next: ScheduleNextResponse | undefined;
}) {
  const project = useProjectStore().project;
  const queryClient = useQueryClient();
  const { notifyError } = useNotify();
  const [mode, setMode] = useState<Mode>({ kind: "list" });
  const [errors, setErrors] = useState<ScheduleFormErrors>({});
  const [deleting, setDeleting] = useState<Schedule | undefined>(undefined);
  const timeZone = localTimeZone();
  const list = useQuery({
    queryKey: listQueryKey(project),
    queryFn: () => listSchedules(project),
    enabled: props.open,
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: schedulesQueryKey(project) });

  useEffect(() => {
    if (!props.open) {
      setMode({ kind: "list" });
      setErrors({});
    }
  }, [props.open]);

  const save = useMutation({
    mutationFn: (values: ScheduleFormValues) => {
      const body = scheduleRequest(values, timeZone);
      return mode.kind === "edit"
        ? patchSchedule(project, mode.schedule.id, body)
        : createSchedule(project, body);
    },
    onSuccess: () => {
      setMode({ kind: "list" });
      setErrors({});
      refresh();
    },
    onError: (error) => setErrors(serverErrors(error)),
  });
  const toggle = useMutation({
    mutationFn: (input: { id: number; enabled: boolean }) =>
      patchSchedule(project, input.id, { enabled: input.enabled }),
    onSettled: refresh,
    onError: (error) => notifyError("The schedule could not be changed", error),
  });
  const remove = useMutation({
    mutationFn: (id: number) => deleteSchedule(project, id),
    onSuccess: () => setDeleting(undefined),
    onSettled: refresh,
    onError: (error) => notifyError("The schedule could not be deleted", error),
  });

  const formId = "schedule-form";
  const editing = mode.kind !== "list";
  const summary = props.next === undefined ? undefined : scheduleSummary(props.next, Date.now());
  return (
    <>
      <Dialog
        open={props.open}
        onOpenChange={props.onOpenChange}
        title={mode.kind === "new" ? "New schedule" : mode.kind === "edit" ? "Edit schedule" : "Schedules"}
        description={
          editing
            ? "When the server runs the agents by itself. Times are yours."
            : `Windows in which the server runs this project's agents by itself. Shown in your time (${timeZone}).`
        }
        footer={
          editing ? (
            <>
              {/* Keyed: React must not reuse the list's buttons, or the click that opened the form would submit it. */}
              <Button
                key="back"
                onClick={() => {
                  setMode({ kind: "list" });
                  setErrors({});
                }}
              >
                Back
              </Button>
              <Button key="submit" variant="primary" type="submit" form={formId} disabled={save.isPending}>
                {save.isPending ? <Loader2 className="animate-spin" aria-hidden /> : null}
                {mode.kind === "new" ? "Create schedule" : "Save"}
              </Button>
            </>
          ) : (
            <>
              <Button key="close" onClick={() => props.onOpenChange(false)}>
                Close
              </Button>
              <Button key="new" variant="primary" onClick={() => setMode({ kind: "new" })}>
                <Plus aria-hidden />
                New schedule
              </Button>
            </>
          )
        }
      >
        {editing ? (
          <ScheduleForm
            key={mode.kind === "edit" ? mode.schedule.id : "new"}
            id={formId}
            initial={mode.kind === "edit" ? scheduleToForm(mode.schedule, Date.now()) : emptyScheduleForm()}
            errors={errors}
            onErrors={setErrors}
            onSubmit={(values) => {
              setErrors({});
              save.mutate(values);
            }}
            timeZone={timeZone}
            {...(mode.kind === "edit" ? { storedZone: mode.schedule.timeZone } : {})}
          />
        ) : (
          <div className="space-y-4">
            {summary === undefined ? null : (
              <p className={cn("rounded-md bg-surface-muted px-3 py-2 text-sm", summaryTone[summary.tone])}>
                {summary.detail}
              </p>
            )}
            {list.isError ? (
              <div role="alert" className="space-y-2 text-sm">
                <p className="font-medium text-status-failed">The schedules could not be loaded</p>
                <p className="text-muted">{errorMessage(list.error)}</p>
                <Button size="sm" onClick={() => void list.refetch()}>
                  Try again
                </Button>
              </div>
            ) : list.data === undefined ? (
              <p className="flex items-center gap-2 text-sm text-muted">
                <Loader2 className="size-4 animate-spin" aria-hidden />
                Loading the schedules…
              </p>
            ) : list.data.schedules.length === 0 ? (
              <div className="rounded-lg border border-dashed border-border px-4 py-8 text-center text-sm text-muted">
                No schedule yet. A schedule runs the agents on the days and hours you choose — overnight, say
                — and stops them when its window ends.
              </div>
            ) : (
              <ul className="divide-y divide-border rounded-lg border border-border" aria-label="Schedules">
                {list.data.schedules.map((schedule) => (
                  <ScheduleRow
                    key={schedule.id}
                    schedule={schedule}
                    timeZone={timeZone}
                    active={props.next?.active?.scheduleIds.includes(schedule.id) ?? false}
                    onToggle={(enabled) => toggle.mutate({ id: schedule.id, enabled })}
                    onEdit={() => {
                      setErrors({});
                      setMode({ kind: "edit", schedule });
                    }}
                    onDelete={() => setDeleting(schedule)}
                    busy={toggle.isPending && toggle.variables?.id === schedule.id}
                  />
                ))}
              </ul>
            )}
          </div>
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== undefined}
        onOpenChange={(value) => {
          if (!value) setDeleting(undefined);
        }}
        title="Delete this schedule?"
        confirmLabel="Delete"
        danger
        busy={remove.isPending}
        onConfirm={() => {
          if (deleting !== undefined) remove.mutate(deleting.id);
        }}
      >
        {deleting === undefined ? null : (
          <p>{describeSchedule(deleting, timeZone)}. A run it started stops when no other window is open.</p>
        )}
      </ConfirmDialog>
    </>
  );
}

/** `Weekdays 09:00–17:00 (8 h)` in `timeZone`. */
function describeSchedule(schedule: Schedule, timeZone: string): string {
  const local = scheduleInZone(schedule, Date.now(), timeZone);
  const end = windowEnd(local.startTime, schedule.durationMinutes);
  return `${formatDays(local.days)} ${formatWallTime(local.startTime)}–${formatWallTime(end.time)}${
    end.daysLater > 0 ? ` (+${end.daysLater} d)` : ""
  }, ${formatDuration(schedule.durationMinutes)}`;
}

function ScheduleRow(props: {
  readonly schedule: Schedule;
  readonly timeZone: string;
  readonly active: boolean;
  readonly busy: boolean;
  readonly onToggle: (enabled: boolean) => void;
  readonly onEdit: () => void;
  readonly onDelete: () => void;
}) {
  const { schedule } = props;
  const local = scheduleInZone(schedule, Date.now(), props.timeZone);
  const end = windowEnd(local.startTime, schedule.durationMinutes);
  const otherZone = !sameZone(schedule.timeZone, props.timeZone);
  const title = `${formatWallTime(local.startTime)} – ${formatWallTime(end.time)}`;
  return (
    <li
      className={cn("flex items-center gap-3 px-3 py-3", !schedule.enabled && "opacity-70")}
      data-testid="schedule-row"
    >
      <Switch
        hideLabel
        label={`Enable the schedule ${formatDays(local.days)} ${title}`}
        checked={schedule.enabled}
        onCheckedChange={props.onToggle}
        disabled={props.busy}
      />
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
          <span className="font-medium tabular-nums">
            {title}
            {end.daysLater > 0 ? <span className="text-muted"> (+{end.daysLater} d)</span> : null}
          </span>
          {props.active ? <Badge tone="progress">Open now</Badge> : null}
          {schedule.enabled ? null : <Badge>Disabled</Badge>}
        </p>
        <p className="mt-1 flex flex-wrap items-center gap-1.5 text-xs text-muted">
          <span className="font-medium text-foreground">{formatDays(local.days)}</span>
          <span aria-hidden>·</span>
          <span>{formatDuration(schedule.durationMinutes)}</span>
          <span aria-hidden>·</span>
          <span>
            {schedule.maxConcurrency} {schedule.maxConcurrency === 1 ? "agent" : "agents"}
          </span>
          <span aria-hidden>·</span>
          <span>{schedule.model ?? "settings' model"}</span>
          {schedule.yolo ? (
            <Badge tone="input">
              <Zap aria-hidden />
              YOLO
            </Badge>
          ) : null}
          {otherZone ? (
            <span>
              · set as {formatWallTime(schedule.startTime)} in {schedule.timeZone}
            </span>
          ) : null}
          {schedule.crashCount > 0 ? (
            <Badge tone="failed">
              crashed {schedule.crashCount} {schedule.crashCount === 1 ? "time" : "times"} this window
            </Badge>
          ) : null}
        </p>
      </div>
      <Button size="icon" variant="ghost" aria-label={`Edit the schedule ${title}`} onClick={props.onEdit}>
        <Pencil aria-hidden />
      </Button>
      <Button
        size="icon"
        variant="ghost"
        aria-label={`Delete the schedule ${title}`}
        onClick={props.onDelete}
      >
        <Trash2 aria-hidden />
      </Button>
    </li>
  );
}
