/**
 * Run schedules: windows of time in which the server runs a project's agents by itself. A schedule is a local start
 * time on some days of the week, in the user's IANA time zone, for a duration of real elapsed minutes (at most seven
 * days). A window that crosses midnight belongs to the day it starts. Shapes of the REST surface
 * `/api/projects/:name/schedules` are here too.
 */
import { z } from "zod";
import { projectNameSchema, timestampSchema } from "./common.ts";
import { concurrencyCeiling } from "./project.ts";

/** The days of the week, Monday first (the order of `days` everywhere). */
export const weekdays = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
] as const;

/** A day of the week. */
export const weekdaySchema = z.enum(weekdays);
/** A day of the week. */
export type Weekday = z.infer<typeof weekdaySchema>;

/** A local wall-clock time, `"HH:MM"` from 00:00 to 23:59. */
export const localTimeSchema = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'a time is "HH:MM", from 00:00 to 23:59');
/** A local wall-clock time, `"HH:MM"`. */
export type LocalTime = z.infer<typeof localTimeSchema>;

/** The longest window: seven days, in minutes. */
export const maxScheduleDurationMinutes = 7 * 24 * 60;

/** The most schedules one project may have. */
export const maxSchedulesPerProject = 50;

/** True when `value` is a time zone this runtime's `Intl` knows (an IANA name such as `Europe/Berlin`, or `UTC`). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name, checked with `Intl` (the browser's `Intl.DateTimeFormat().resolvedOptions().timeZone`). */
export const timeZoneSchema = z
  .string()
  .min(1)
  .max(100)
  .refine(isTimeZone, { message: "an IANA time zone such as Europe/Berlin or UTC" });

/** A schedule id: a positive integer, never reused. */
export const scheduleIdSchema = z.number().int().positive();
/** A schedule id. */
export type ScheduleId = z.infer<typeof scheduleIdSchema>;

const daysSchema = z
  .array(weekdaySchema)
  .min(1, "a schedule needs at least one day")
  .max(weekdays.length)
  .refine((days) => new Set(days).size === days.length, { message: "a day appears twice" });

const durationSchema = z.number().int().min(1).max(maxScheduleDurationMinutes);
const maxConcurrencySchema = z.number().int().min(1).max(concurrencyCeiling);
const modelSchema = z.string().min(1).max(200).nullable();

/** What a schedule is made of, every field given: what the store writes. */
export const scheduleDraftSchema = z.object({
  /** The days a window starts on (in the schedule's time zone), at least one, Monday first. */
  days: daysSchema,
  /** The local start time; on a day it does not exist (spring forward), the window starts when the clock jumps. */
  startTime: localTimeSchema,
  /** Real elapsed minutes, 1 to 10080 (seven days). */
  durationMinutes: durationSchema,
  timeZone: timeZoneSchema,
  enabled: z.boolean(),
  /** The run's yolo mode (no testing agents, no regression checks). */
  yolo: z.boolean(),
  /** The run's model; null for the settings' one. */
  model: modelSchema,
  /** How many agents the scheduled run has at once. */
  maxConcurrency: maxConcurrencySchema,
});
/** A schedule's fields. */
export type ScheduleDraft = z.infer<typeof scheduleDraftSchema>;

/** A stored schedule. `crashCount` counts the crashes of its run in the current window (0 once a window completes). */
export const scheduleSchema = scheduleDraftSchema.extend({
  id: scheduleIdSchema,
  crashCount: z.number().int().nonnegative(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
/** A stored schedule. */
export type Schedule = z.infer<typeof scheduleSchema>;

/** A schedule id in a URL path: decimal digits only, then a positive integer. */
const scheduleIdParamSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, "a schedule id is a positive integer")
  .transform(Number)
  .pipe(scheduleIdSchema);

/** `/api/projects/:name/schedules/:id`; `id` arrives as a string and parses to a number. */
export const scheduleParamsSchema = z.object({ name: projectNameSchema, id: scheduleIdParamSchema });
/** Schedule path parameters. */
export type ScheduleParams = z.infer<typeof scheduleParamsSchema>;

/**
 * `POST /api/projects/:name/schedules`. `days`, `startTime`, `durationMinutes` and `timeZone` are required;
 * `maxConcurrency` defaults to the settings' `maxConcurrency` and may not exceed `concurrencyCap`.
 */
export const scheduleCreateRequestSchema = z.strictObject({
  days: daysSchema,
  startTime: localTimeSchema,
  durationMinutes: durationSchema,
  timeZone: timeZoneSchema,
  enabled: z.boolean().optional(),
  yolo: z.boolean().optional(),
  model: modelSchema.optional(),
  maxConcurrency: maxConcurrencySchema.optional(),
});
/** `POST …/schedules` body. */
export type ScheduleCreateRequest = z.infer<typeof scheduleCreateRequestSchema>;

/** `PATCH /api/projects/:name/schedules/:id`: any of the fields, at least one; unknown keys are refused. */
export const schedulePatchRequestSchema = z
  .strictObject({
    days: daysSchema.optional(),
    startTime: localTimeSchema.optional(),
    durationMinutes: durationSchema.optional(),
    timeZone: timeZoneSchema.optional(),
    enabled: z.boolean().optional(),
    yolo: z.boolean().optional(),
    model: modelSchema.optional(),
    maxConcurrency: maxConcurrencySchema.optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: "a patch needs at least one field",
  });
/** `PATCH …/schedules/:id` body; also what the store's `update` takes. */
export type SchedulePatchRequest = z.infer<typeof schedulePatchRequestSchema>;

/** One schedule (`GET`/`PATCH …/schedules/:id`, `POST …/schedules`). */
export const scheduleResponseSchema = z.object({ schedule: scheduleSchema });
/** A one-schedule response. */
export type ScheduleResponse = z.infer<typeof scheduleResponseSchema>;

/** `GET …/schedules`: every schedule, by start time then id. */
export const scheduleListResponseSchema = z.object({ schedules: z.array(scheduleSchema) });
/** A schedule list response. */
export type ScheduleListResponse = z.infer<typeof scheduleListResponseSchema>;

/** One window of one schedule: from `start` (inclusive) to `end` (exclusive). */
export const scheduleWindowTimesSchema = z.object({
  scheduleId: scheduleIdSchema,
  start: timestampSchema,
  end: timestampSchema,
});
/** One window of one schedule. */
export type ScheduleWindowTimes = z.infer<typeof scheduleWindowTimesSchema>;

/**
 * `GET …/schedules/next`: what the scheduler is doing and will do. `active` is there while a window is open: the
 * window whose schedule the run uses, when the last open window ends (`until`), and, when the scheduler will not
 * start the run before some instant, why (`hold`: the run was stopped or ended inside the window, or crashed too
 * often) or when it restarts a crashed run (`restartAt`). `next` is the next window to start.
 */
export const scheduleNextResponseSchema = z.object({
  /** True when at least one schedule is enabled. */
  hasSchedules: z.boolean(),
  /** True while the project's run is active, whoever started it. */
  running: z.boolean(),
  /** True while the active run is one the scheduler started (and so will stop when the windows end). */
  scheduledRun: z.boolean(),
  active: scheduleWindowTimesSchema
    .extend({
      until: timestampSchema,
      scheduleIds: z.array(scheduleIdSchema),
      hold: z.object({ reason: z.string(), until: timestampSchema }).optional(),
      restartAt: timestampSchema.optional(),
    })
    .optional(),
  next: scheduleWindowTimesSchema.optional(),
});
/** `GET …/schedules/next` response. */
export type ScheduleNextResponse = z.infer<typeof scheduleNextResponseSchema>;
