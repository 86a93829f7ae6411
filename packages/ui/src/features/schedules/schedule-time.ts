/**
 * Schedule times as the user reads them: a schedule is a wall-clock start on some weekdays in its own IANA time
 * zone; the dashboard shows it (and edits it) in the browser's zone. Pure functions of `Intl`, no clock of their
 * own (the reference instant is passed in).
 */
import { type Schedule, type ScheduleNextResponse, type Weekday, weekdays } from "@autowright/protocol";

/** The browser's IANA time zone (what new and edited schedules are stored in). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** True when two zone names are the same zone (`Asia/Calcutta` is `Asia/Kolkata`). */
export function sameZone(first: string, second: string): boolean {
  if (first === second) return true;
  try {
    const canonical = (zone: string) =>
      new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
    return canonical(first) === canonical(second);
  } catch {
    return false;
  }
}

interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** 0 = Monday. */
  readonly weekday: number;
}

const shortWeekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
const partFormats = new Map<string, Intl.DateTimeFormat>();

function zonedParts(instant: number, timeZone: string): ZonedParts {
  let format = partFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    partFormats.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts["year"]),
    month: Number(parts["month"]),
    day: Number(parts["day"]),
    hour: Number(parts["hour"]) % 24,
    minute: Number(parts["minute"]),
    weekday: shortWeekdays.indexOf((parts["weekday"] ?? "Mon") as (typeof shortWeekdays)[number]),
  };
}

function offsetMinutes(instant: number, timeZone: string): number {
  const parts = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  return Math.round((asUtc - Math.floor(instant / 60_000) * 60_000) / 60_000);
}

/** The instant at which the wall clock of `timeZone` shows this date and time (the later side of a DST gap). */
export function zonedTimeToInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - offsetMinutes(guess, timeZone) * 60_000;
  return guess - offsetMinutes(first, timeZone) * 60_000;
}

const pad = (value: number) => String(value).padStart(2, "0");

/** Days in Monday-first order, each once. */
export function orderedDays(days: Iterable<Weekday>): Weekday[] {
  const set = new Set(days);
  return weekdays.filter((day) => set.has(day));
}

/**
 * A schedule's days and start time as they fall in another zone, for the week that starts at `reference` (one
 * clock change can move the start time by an hour on some days; the first day's time is taken).
 */
export function convertSchedule(
  days: readonly Weekday[],
  startTime: string,
  fromZone: string,
  toZone: string,
  reference: number,
): { readonly days: Weekday[]; readonly startTime: string; readonly dayShift: number } {
  if (sameZone(fromZone, toZone)) return { days: orderedDays(days), startTime, dayShift: 0 };
  const [hour = 0, minute = 0] = startTime.split(":").map(Number);
  const today = zonedParts(reference, fromZone);
  const converted = orderedDays(days).map((day) => {
    const ahead = (weekdays.indexOf(day) - today.weekday + 7) % 7;
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
    const instant = zonedTimeToInstant(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      hour,
      minute,
      fromZone,
    );
    const local = zonedParts(instant, toZone);
    const shift = ((((local.weekday - weekdays.indexOf(day)) % 7) + 10) % 7) - 3;
    return {
      day: weekdays[local.weekday] as Weekday,
      time: `${pad(local.hour)}:${pad(local.minute)}`,
      shift,
    };
  });
  const first = converted[0];
  return {
    days: orderedDays(converted.map((item) => item.day)),
    startTime: first?.time ?? startTime,
    dayShift: first?.shift ?? 0,
  };
}

/** A schedule as the user reads it, in `zone` (default: the browser's). */
export function scheduleInZone(
  schedule: Pick<Schedule, "days" | "startTime" | "timeZone">,
  reference: number,
  zone: string = localTimeZone(),
) {
  return convertSchedule(schedule.days, schedule.startTime, schedule.timeZone, zone, reference);
}

/** `Every day`, `Weekdays`, `Weekends`, or `Mon, Wed, Fri`. */
export function formatDays(days: readonly Weekday[]): string {
  const ordered = orderedDays(days);
  const key = ordered.join(",");
  if (ordered.length === 7) return "Every day";
  if (key === "monday,tuesday,wednesday,thursday,friday") return "Weekdays";
  if (key === "saturday,sunday") return "Weekends";
  return ordered.map((day) => shortWeekdays[weekdays.indexOf(day)]).join(", ");
}

/** The short name of a day (`Mon`). */
export function shortDay(day: Weekday): string {
  return shortWeekdays[weekdays.indexOf(day)] ?? day;
}

/** `45 min`, `8 h`, `8 h 30 min`, `2 d 4 h`. */
export function formatDuration(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days} d`);
  if (hours > 0) parts.push(`${hours} h`);
  if (rest > 0 && days === 0) parts.push(`${rest} min`);
  return parts.join(" ") || "0 min";
}

/** A wall-clock `HH:MM` in the user's locale (`09:00`, or `9:00 AM`). */
export function formatWallTime(time: string): string {
  const [hour = 0, minute = 0] = time.split(":").map(Number);
  return new Date(Date.UTC(2026, 0, 5, hour, minute)).toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "UTC",
  });
}

/** When a window that starts at `startTime` and lasts `durationMinutes` ends: the time and how many days later. */
export function windowEnd(startTime: string, durationMinutes: number): { time: string; daysLater: number } {
  const [hour = 0, minute = 0] = startTime.split(":").map(Number);
  const end = hour * 60 + minute + durationMinutes;
  return {
    time: `${pad(Math.floor((end % 1440) / 60))}:${pad(end % 60)}`,
    daysLater: Math.floor(end / 1440),
  };
}

function sameLocalDay(a: number, b: number): boolean {
  const first = new Date(a);
  const second = new Date(b);
  return (
    first.getFullYear() === second.getFullYear() &&
    first.getMonth() === second.getMonth() &&
    first.getDate() === second.getDate()
  );
}

/** An instant in the user's zone: `18:00` today, `Mon 09:00` within the week, `12 Jan 09:00` further. */
export function formatWhen(at: string, now: number, options: { readonly todayWord?: boolean } = {}): string {
  const instant = Date.parse(at);
  const clock = new Date(instant).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (sameLocalDay(instant, now)) return options.todayWord ? `today ${clock}` : clock;
  const date = new Date(instant);
  if (instant - now < 6 * 86_400_000 && instant > now - 86_400_000) {
    return `${date.toLocaleDateString("en-US", { weekday: "short" })} ${clock}`;
  }
  return `${date.toLocaleDateString([], { day: "numeric", month: "short" })} ${clock}`;
}

/** What the header badge says about the scheduler, with its tone and a longer explanation. */
export interface ScheduleSummary {
  readonly text: string;
  readonly tone: "neutral" | "progress" | "input" | "failed";
  readonly detail: string;
}

/** The badge of `GET …/schedules/next` at `now`. */
export function scheduleSummary(next: ScheduleNextResponse, now: number): ScheduleSummary {
  const active = next.active;
  if (active !== undefined) {
    const until = formatWhen(active.until, now);
    if (next.running && next.scheduledRun)
      return {
        text: `Running until ${until}`,
        tone: "progress",
        detail: `A scheduled run is on; the scheduler stops it at ${until}.`,
      };
    if (next.running)
      return {
        text: `Open until ${until}`,
        tone: "progress",
        detail: `A schedule's window is open until ${until}; the current run was started by hand.`,
      };
    if (active.hold !== undefined)
      return {
        text: `Held until ${formatWhen(active.hold.until, now)}`,
        tone: "input",
        detail: `The scheduler will not start the run before ${formatWhen(active.hold.until, now)}: ${active.hold.reason}.`,
      };
    if (active.restartAt !== undefined)
      return {
        text: `Restart at ${formatWhen(active.restartAt, now)}`,
        tone: "failed",
        detail: `The scheduled run crashed; the scheduler restarts it at ${formatWhen(active.restartAt, now)}.`,
      };
    return {
      text: `Open until ${until}`,
      tone: "progress",
      detail: `A schedule's window is open until ${until}; the scheduler starts the run.`,
    };
  }
  if (next.next !== undefined) {
    const when = formatWhen(next.next.start, now, { todayWord: true });
    return {
      text: `Next: ${when}`,
      tone: "neutral",
      detail: `The next scheduled run starts ${when} and ends ${formatWhen(next.next.end, now, { todayWord: true })}.`,
    };
  }
  return {
    text: "Schedules",
    tone: "neutral",
    detail: next.hasSchedules ? "No window is coming up." : "No schedule is enabled.",
  };
}

/** The next instant at which the scheduler's answer changes by itself (a window opens or closes, a hold ends). */
export function nextBoundary(next: ScheduleNextResponse): number | undefined {
  const times = [next.active?.until, next.active?.hold?.until, next.active?.restartAt, next.next?.start]
    .filter((value): value is string => value !== undefined)
    .map((value) => Date.parse(value));
  return times.length === 0 ? undefined : Math.min(...times);
}
