/**
 * The windows of run schedules: when a schedule's run is meant to be on. A window starts at the schedule's local
 * start time on each of its days, in the schedule's time zone, and lasts its duration in real elapsed minutes; a
 * window that crosses midnight belongs to the day it starts. Daylight saving time: a start time the clock skips
 * (02:30 on a spring-forward day) starts at the first instant after it, when the clock jumps; a start time the clock
 * shows twice (fall back) starts at its first occurrence. Instants are milliseconds since the epoch; `now` is
 * always a parameter.
 */
import { type Schedule, type Weekday, weekdays } from "@autowright/protocol";

/** The fields of a schedule that decide its windows. */
export type WindowSchedule = Pick<
  Schedule,
  "id" | "days" | "startTime" | "durationMinutes" | "timeZone" | "enabled"
>;

/** One window of one schedule: from `start` (inclusive) to `end` (exclusive), in epoch milliseconds. */
export interface ScheduleWindow {
  readonly scheduleId: number;
  readonly start: number;
  readonly end: number;
}

/** A civil date (the proleptic Gregorian calendar): `month` 1–12, `day` 1–31. */
export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const minuteMs = 60_000;
const dayMs = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock time at `instant` in `timeZone`, as if it were UTC milliseconds (seconds precision). */
function wallClockOf(instant: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return Date.UTC(
    fields["year"] ?? 0,
    (fields["month"] ?? 1) - 1,
    fields["day"] ?? 1,
    fields["hour"] ?? 0,
    fields["minute"] ?? 0,
    fields["second"] ?? 0,
  );
}

/** The zone's offset from UTC at `instant`, in milliseconds (local = UTC + offset). */
function offsetAt(instant: number, timeZone: string): number {
  return wallClockOf(instant, timeZone) - Math.floor(instant / 1000) * 1000;
}

/** The local civil date at `instant` in `timeZone`. */
export function civilDateAt(instant: number, timeZone: string): CivilDate {
  const wall = new Date(wallClockOf(instant, timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/** The day of the week of a civil date. */
export function weekdayOf(date: CivilDate): Weekday {
  const sundayFirst = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return weekdays[(sundayFirst + 6) % 7] as Weekday;
}

/** The civil date `days` days after `date` (before, when negative). */
export function addDays(date: CivilDate, days: number): CivilDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/**
 * The instant the clocks of `timeZone` show `time` ("HH:MM") on `date`. When they show it twice (fall back), the
 * first; when they skip it (spring forward), the first instant after it: the moment the clock jumps.
 */
export function zonedInstant(date: CivilDate, time: string, timeZone: string): number {
  const key = `${timeZone} ${date.year}-${date.month}-${date.day} ${time}`;
  let instant = resolvedInstants.get(key);
  if (instant === undefined) {
    if (resolvedInstants.size >= maxResolvedInstants) resolvedInstants.clear();
    instant = resolveInstant(date, time, timeZone);
    resolvedInstants.set(key, instant);
  }
  return instant;
}

// The scheduler asks for the same few dates over and over, and Intl is slow (~20 µs a call): answers are kept.
const resolvedInstants = new Map<string, number>();
const maxResolvedInstants = 10_000;

function resolveInstant(date: CivilDate, time: string, timeZone: string): number {
  const [hours, minutes] = time.split(":").map(Number);
  const wall = Date.UTC(date.year, date.month - 1, date.day, hours ?? 0, minutes ?? 0);
  // The offsets a day either side are those before and after any transition near `wall` (zones change at most
  // once in two days).
  const offsetBefore = offsetAt(wall - dayMs, timeZone);
  const offsetAfter = offsetAt(wall + dayMs, timeZone);
  const candidates = [wall - offsetBefore, wall - offsetAfter]
    .filter((instant) => instant + offsetAt(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first !== undefined) return first;
  // A gap: `wall` does not exist. The transition lies between the two candidates; find its minute.
  let low = wall - offsetAfter;
  let high = wall - offsetBefore;
  while (high - low > minuteMs) {
    const middle = low + Math.floor((high - low) / minuteMs / 2) * minuteMs;
    if (offsetAt(middle, timeZone) === offsetAfter) high = middle;
    else low = middle;
  }
  return offsetAt(low, timeZone) === offsetAfter ? low : high;
}

/** The window of `schedule` that starts on `date`, whether or not `date` is one of its days. */
function windowOn(schedule: WindowSchedule, date: CivilDate): ScheduleWindow {
  const start = zonedInstant(date, schedule.startTime, schedule.timeZone);
  return { scheduleId: schedule.id, start, end: start + schedule.durationMinutes * minuteMs };
}

/**
 * The windows of `schedule` that start on the local dates from `from` to `to` (both inclusive), in order. Days
 * that are not the schedule's give none; a disabled schedule has none.
 */
export function windowsBetween(schedule: WindowSchedule, from: CivilDate, to: CivilDate): ScheduleWindow[] {
  if (!schedule.enabled) return [];
  const windows: ScheduleWindow[] = [];
  const last = Date.UTC(to.year, to.month - 1, to.day);
  for (let date = from; Date.UTC(date.year, date.month - 1, date.day) <= last; date = addDays(date, 1)) {
    if (schedule.days.includes(weekdayOf(date))) windows.push(windowOn(schedule, date));
  }
  return windows;
}

// A window lasts at most seven days, so one open at `now` started at most eight local dates before (a day of
// slack for offsets).
const lookBackDays = 8;
// Every schedule has a day, so one of its windows starts within eight local dates (a day of slack for gaps).
const lookAheadDays = 8;

/**
 * Every window open at `now` (`start <= now < end`) of the enabled schedules, the most recently started first
 * (ties: the lower schedule id first).
 */
export function activeWindows(schedules: readonly WindowSchedule[], now: number): ScheduleWindow[] {
  const open: ScheduleWindow[] = [];
  for (const schedule of schedules) {
    if (!schedule.enabled) continue;
    const today = civilDateAt(now, schedule.timeZone);
    for (const window of windowsBetween(schedule, addDays(today, -lookBackDays), today)) {
      if (window.start <= now && now < window.end) open.push(window);
    }
  }
  return open.sort((a, b) => b.start - a.start || a.scheduleId - b.scheduleId);
}

/**
 * The window that governs `now`: of the windows open at `now`, the most recently started (ties: the lower
 * schedule id). Undefined when none is open.
 */
export function activeWindow(schedules: readonly WindowSchedule[], now: number): ScheduleWindow | undefined {
  return activeWindows(schedules, now)[0];
}

/**
 * The first window of the enabled schedules that starts after `now` (strictly; ties: the lower schedule id).
 * Undefined when no schedule is enabled.
 */
export function nextWindowStart(
  schedules: readonly WindowSchedule[],
  now: number,
): ScheduleWindow | undefined {
  let next: ScheduleWindow | undefined;
  for (const schedule of schedules) {
    if (!schedule.enabled) continue;
    const today = civilDateAt(now, schedule.timeZone);
    for (const window of windowsBetween(schedule, addDays(today, -1), addDays(today, lookAheadDays))) {
      if (window.start <= now) continue;
      if (
        next === undefined ||
        window.start < next.start ||
        (window.start === next.start && window.scheduleId < next.scheduleId)
      ) {
        next = window;
      }
      break;
    }
  }
  return next;
}
