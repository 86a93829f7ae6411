/**
 * The form of a schedule, in the user's local time: a start time, a duration in hours and minutes, the days, and
 * the run's options. It is stored in the browser's time zone; the server's validation errors land on their fields.
 */
import {
  concurrencyCeiling,
  maxScheduleDurationMinutes,
  type Schedule,
  type ScheduleCreateRequest,
  type Weekday,
  weekdays,
} from "@autowright/protocol";
import { type FormEvent, useId, useState } from "react";
import { ApiError } from "../../api/client.ts";
import { cn } from "../../lib/cn.ts";
import { Field, Input, Select } from "../../ui/field.tsx";
import { Switch } from "../../ui/switch.tsx";
import { orderedDays, sameZone, scheduleInZone, shortDay } from "./schedule-time.ts";

/** What the form holds (strings as typed). */
export interface ScheduleFormValues {
  readonly startTime: string;
  readonly hours: string;
  readonly minutes: string;
  readonly days: readonly Weekday[];
  readonly enabled: boolean;
  readonly yolo: boolean;
  /** "" for the settings' default. */
  readonly maxConcurrency: string;
  /** "" for the settings' model. */
  readonly model: string;
}

/** The fields an error can belong to. */
export type ScheduleField = "startTime" | "duration" | "days" | "maxConcurrency" | "model" | "form";

/** Errors by field. */
export type ScheduleFormErrors = Partial<Record<ScheduleField, string>>;

/** The form of a new schedule: weekdays 09:00 for 8 hours. */
export function emptyScheduleForm(): ScheduleFormValues {
  return {
    startTime: "09:00",
    hours: "8",
    minutes: "0",
    days: ["monday", "tuesday", "wednesday", "thursday", "friday"],
    enabled: true,
    yolo: false,
    maxConcurrency: "",
    model: "",
  };
}

/** The form of an existing schedule, converted to the user's time zone. */
export function scheduleToForm(schedule: Schedule, reference: number, zone?: string): ScheduleFormValues {
  const local = scheduleInZone(schedule, reference, zone);
  return {
    startTime: local.startTime,
    hours: String(Math.floor(schedule.durationMinutes / 60)),
    minutes: String(schedule.durationMinutes % 60),
    days: local.days,
    enabled: schedule.enabled,
    yolo: schedule.yolo,
    maxConcurrency: String(schedule.maxConcurrency),
    model: schedule.model ?? "",
  };
}

/** The form's own checks (the server checks again). */
export function validateScheduleForm(values: ScheduleFormValues): ScheduleFormErrors {
  const errors: ScheduleFormErrors = {};
  if (!/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(values.startTime)) errors.startTime = "Choose a start time.";
  const hours = Number(values.hours === "" ? "0" : values.hours);
  const minutes = Number(values.minutes === "" ? "0" : values.minutes);
  if (!Number.isInteger(hours) || !Number.isInteger(minutes) || hours < 0 || minutes < 0 || minutes > 59)
    errors.duration = "Hours and minutes are whole numbers (minutes 0 to 59).";
  else {
    const total = hours * 60 + minutes;
    if (total < 1) errors.duration = "A window lasts at least one minute.";
    else if (total > maxScheduleDurationMinutes) errors.duration = "A window lasts at most seven days.";
  }
  if (values.days.length === 0) errors.days = "Choose at least one day.";
  if (values.model.length > 200) errors.model = "A model name has at most 200 characters.";
  return errors;
}

/** The body of `POST …/schedules` (and of a full `PATCH`) for `values`, stored in `timeZone`. */
export function scheduleRequest(values: ScheduleFormValues, timeZone: string): ScheduleCreateRequest {
  const hours = Number(values.hours === "" ? "0" : values.hours);
  const minutes = Number(values.minutes === "" ? "0" : values.minutes);
  const model = values.model.trim();
  return {
    days: orderedDays(values.days),
    startTime: values.startTime,
    durationMinutes: hours * 60 + minutes,
    timeZone,
    enabled: values.enabled,
    yolo: values.yolo,
    model: model === "" ? null : model,
    ...(values.maxConcurrency === "" ? {} : { maxConcurrency: Number(values.maxConcurrency) }),
  };
}

const fieldOfPath: Record<string, ScheduleField> = {
  startTime: "startTime",
  durationMinutes: "duration",
  days: "days",
  maxConcurrency: "maxConcurrency",
  model: "model",
};

/** A failed save's errors by field (the server's `issues`, or its `maxConcurrency` refusal); the rest on the form. */
export function serverErrors(error: unknown): ScheduleFormErrors {
  const errors: Partial<Record<ScheduleField, string>> = {};
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ApiError) || error.code !== "invalid_input") return { form: message };
  const details = error.details as
    | { issues?: { path?: unknown; message?: unknown }[]; maxConcurrency?: unknown }
    | undefined;
  if (details?.maxConcurrency !== undefined) return { maxConcurrency: message };
  const unplaced: string[] = [];
  for (const issue of details?.issues ?? []) {
    const path = typeof issue.path === "string" ? issue.path : "";
    const text = typeof issue.message === "string" ? issue.message : message;
    const key = path.replace(/^body\.?/, "").split(".")[0] ?? "";
    const field = fieldOfPath[key];
    if (field === undefined) unplaced.push(path === "" ? text : `${path}: ${text}`);
    else errors[field] = errors[field] === undefined ? text : `${errors[field]}; ${text}`;
  }
  if (unplaced.length > 0) errors.form = unplaced.join("; ");
  if (Object.keys(errors).length === 0) errors.form = message;
  return errors;
}

/** The form itself; `onSubmit` gets the values once they pass the form's checks. */
export function ScheduleForm(props: {
  readonly id: string;
  readonly initial: ScheduleFormValues;
  readonly errors: ScheduleFormErrors;
  readonly onSubmit: (values: ScheduleFormValues) => void;
  readonly onErrors: (errors: ScheduleFormErrors) => void;
  readonly timeZone: string;
  readonly storedZone?: string;
}) {
  const [values, setValues] = useState(props.initial);
  const set = (change: Partial<ScheduleFormValues>) => setValues((current) => ({ ...current, ...change }));
  const errors = props.errors;
  const daysLabel = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateScheduleForm(values);
    if (Object.keys(found).length > 0) {
      props.onErrors(found);
      return;
    }
    props.onSubmit(values);
  };
  const toggleDay = (day: Weekday) =>
    set({
      days: values.days.includes(day)
        ? values.days.filter((item) => item !== day)
        : orderedDays([...values.days, day]),
    });
  return (
    <form id={props.id} onSubmit={submit} className="space-y-4" noValidate>
      {errors.form === undefined ? null : (
        <p role="alert" className="rounded-md bg-status-soft-failed px-3 py-2 text-sm text-status-failed">
          {errors.form}
        </p>
      )}
      <div className="grid grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)] gap-4">
        <Field label="Starts at" error={errors.startTime} hint={`Your time (${props.timeZone})`}>
          {(id, describedBy) => (
            <Input
              id={id}
              type="time"
              required
              value={values.startTime}
              onChange={(event) => set({ startTime: event.target.value })}
              aria-describedby={describedBy}
              aria-invalid={errors.startTime !== undefined}
            />
          )}
        </Field>
        <fieldset className="space-y-1.5">
          <legend className="mb-1.5 text-sm font-medium">Runs for</legend>
          <div className="flex items-center gap-2">
            <Input
              type="number"
              min={0}
              max={168}
              aria-label="Hours"
              className="w-20"
              value={values.hours}
              onChange={(event) => set({ hours: event.target.value })}
              aria-invalid={errors.duration !== undefined}
            />
            <span className="text-sm text-muted">h</span>
            <Input
              type="number"
              min={0}
              max={59}
              aria-label="Minutes"
              className="w-20"
              value={values.minutes}
              onChange={(event) => set({ minutes: event.target.value })}
              aria-invalid={errors.duration !== undefined}
            />
            <span className="text-sm text-muted">min</span>
          </div>
          {errors.duration === undefined ? (
            <p className="text-xs text-muted">
              Up to seven days; a window past midnight belongs to its first day.
            </p>
          ) : (
            <p role="alert" className="text-xs text-status-failed">
              {errors.duration}
            </p>
          )}
        </fieldset>
      </div>
      <fieldset aria-describedby={errors.days === undefined ? undefined : daysLabel}>
        <legend className="mb-1.5 text-sm font-medium">On</legend>
        <div className="flex flex-wrap items-center gap-1.5">
          {weekdays.map((day) => {
            const on = values.days.includes(day);
            return (
              <button
                key={day}
                type="button"
                aria-pressed={on}
                aria-label={day[0]?.toUpperCase() + day.slice(1)}
                onClick={() => toggleDay(day)}
                className={cn(
                  "h-8 w-12 rounded-md border text-sm font-medium",
                  on
                    ? "border-accent bg-accent text-accent-foreground"
                    : "border-border bg-surface text-muted hover:bg-surface-muted",
                )}
              >
                {shortDay(day)}
              </button>
            );
          })}
          <span className="mx-1 h-5 w-px bg-border" aria-hidden />
          <button
            type="button"
            className="rounded px-1.5 text-xs text-accent hover:underline"
            onClick={() => set({ days: ["monday", "tuesday", "wednesday", "thursday", "friday"] })}
          >
            Weekdays
          </button>
          <button
            type="button"
            className="rounded px-1.5 text-xs text-accent hover:underline"
            onClick={() => set({ days: [...weekdays] })}
          >
            Every day
          </button>
        </div>
        {errors.days === undefined ? null : (
          <p id={daysLabel} role="alert" className="mt-1.5 text-xs text-status-failed">
            {errors.days}
          </p>
        )}
      </fieldset>
      <div className="grid grid-cols-2 gap-4">
        <Field
          label="Agents at once"
          error={errors.maxConcurrency}
          hint="Capped by the settings' concurrency cap."
        >
          {(id, describedBy) => (
            <Select
              id={id}
              value={values.maxConcurrency}
              onChange={(event) => set({ maxConcurrency: event.target.value })}
              aria-describedby={describedBy}
              aria-invalid={errors.maxConcurrency !== undefined}
            >
              <option value="">Settings' default</option>
              {Array.from({ length: concurrencyCeiling }, (_, index) => index + 1).map((count) => (
                <option key={count} value={String(count)}>
                  {count}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Model" error={errors.model} hint="Empty: the settings' model.">
          {(id, describedBy) => (
            <Input
              id={id}
              value={values.model}
              placeholder="Settings' model"
              maxLength={200}
              onChange={(event) => set({ model: event.target.value })}
              aria-describedby={describedBy}
              aria-invalid={errors.model !== undefined}
            />
          )}
        </Field>
      </div>
      <div className="flex flex-wrap gap-6">
        <Switch label="Enabled" checked={values.enabled} onCheckedChange={(enabled) => set({ enabled })} />
        <Switch
          label="YOLO (no testing agents, no regression checks)"
          checked={values.yolo}
          onCheckedChange={(yolo) => set({ yolo })}
        />
      </div>
      {props.storedZone !== undefined && !sameZone(props.storedZone, props.timeZone) ? (
        <p className="rounded-md bg-surface-muted px-3 py-2 text-xs text-muted">
          This schedule was set in {props.storedZone}; it is shown in your time and will be saved in{" "}
          {props.timeZone}.
        </p>
      ) : null}
    </form>
  );
}
