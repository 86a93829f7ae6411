/**
 * Invariants: windows are in the schedule's own time zone with daylight saving handled (a skipped start time starts
 * when the clock jumps, a repeated one at its first occurrence, durations are real minutes), a window belongs to the
 * day it starts, and disabled schedules have none. Expected instants are written out by hand in UTC.
 */
import type { Weekday } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import {
  activeWindow,
  activeWindows,
  type CivilDate,
  civilDateAt,
  nextWindowStart,
  type WindowSchedule,
  weekdayOf,
  windowsBetween,
  zonedInstant,
} from "./schedule-windows.ts";

const at = (iso: string): number => Date.parse(iso);
const date = (iso: string): CivilDate => {
  const [year, month, day] = iso.split("-").map(Number);
  return { year: year ?? 0, month: month ?? 0, day: day ?? 0 };
};
const everyDay: Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

function schedule(overrides: Partial<WindowSchedule> & Pick<WindowSchedule, "startTime">): WindowSchedule {
  return {
    id: 1,
    days: everyDay,
    durationMinutes: 60,
    timeZone: "UTC",
    enabled: true,
    ...overrides,
  };
}

describe("zonedInstant", () => {
  it.each<[string, string, string, string, string]>([
    ["plain winter day", "Europe/Berlin", "2026-01-15", "09:00", "2026-01-15T08:00:00Z"],
    ["plain summer day", "Europe/Berlin", "2026-07-15", "09:00", "2026-07-15T07:00:00Z"],
    ["before the spring-forward gap", "Europe/Berlin", "2026-03-29", "01:30", "2026-03-29T00:30:00Z"],
    ["in the gap: when the clock jumps", "Europe/Berlin", "2026-03-29", "02:30", "2026-03-29T01:00:00Z"],
    ["the gap's first minute", "Europe/Berlin", "2026-03-29", "02:00", "2026-03-29T01:00:00Z"],
    ["after the gap", "Europe/Berlin", "2026-03-29", "03:30", "2026-03-29T01:30:00Z"],
    ["repeated at fall back: the first", "Europe/Berlin", "2026-10-25", "02:30", "2026-10-25T00:30:00Z"],
    ["after fall back", "Europe/Berlin", "2026-10-25", "03:30", "2026-10-25T02:30:00Z"],
    ["New York spring gap", "America/New_York", "2026-03-08", "02:30", "2026-03-08T07:00:00Z"],
    ["New York after the gap", "America/New_York", "2026-03-08", "03:00", "2026-03-08T07:00:00Z"],
    ["New York fall back: the first", "America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30:00Z"],
    ["New York after fall back", "America/New_York", "2026-11-01", "02:30", "2026-11-01T07:30:00Z"],
    ["a half-hour offset", "Asia/Kolkata", "2026-01-01", "00:00", "2025-12-31T18:30:00Z"],
    ["a half-hour DST gap", "Australia/Lord_Howe", "2026-10-04", "02:15", "2026-10-03T15:30:00Z"],
    ["UTC has no gaps", "UTC", "2026-03-29", "02:30", "2026-03-29T02:30:00Z"],
  ])("%s: %s %s %s", (_name, timeZone, day, time, expected) => {
    expect(new Date(zonedInstant(date(day), time, timeZone)).toISOString()).toBe(
      new Date(expected).toISOString(),
    );
  });
});

describe("civil dates", () => {
  it("reads the local date and its weekday in the zone", () => {
    expect(civilDateAt(at("2026-03-01T23:30:00Z"), "Europe/Berlin")).toEqual(date("2026-03-02"));
    expect(civilDateAt(at("2026-03-01T23:30:00Z"), "America/New_York")).toEqual(date("2026-03-01"));
    expect(weekdayOf(date("2026-03-02"))).toBe("monday");
    expect(weekdayOf(date("2026-03-29"))).toBe("sunday");
  });
});

describe("windowsBetween", () => {
  it("gives one window per chosen day, none for a disabled schedule", () => {
    const weekdaysOnly = schedule({
      startTime: "09:00",
      days: ["monday", "wednesday"],
      timeZone: "Europe/Berlin",
    });
    expect(windowsBetween(weekdaysOnly, date("2026-03-02"), date("2026-03-08"))).toEqual([
      { scheduleId: 1, start: at("2026-03-02T08:00:00Z"), end: at("2026-03-02T09:00:00Z") },
      { scheduleId: 1, start: at("2026-03-04T08:00:00Z"), end: at("2026-03-04T09:00:00Z") },
    ]);
    expect(
      windowsBetween({ ...weekdaysOnly, enabled: false }, date("2026-03-02"), date("2026-03-08")),
    ).toEqual([]);
  });
});

describe("activeWindows", () => {
  const monday2300 = schedule({ id: 1, startTime: "23:00", durationMinutes: 120, days: ["monday"] });
  const tuesday2300 = schedule({ id: 2, startTime: "23:00", durationMinutes: 120, days: ["tuesday"] });
  // Saturday 23:00 in Berlin for four real hours, across the spring-forward night and the fall-back night.
  const berlinNight = schedule({
    id: 3,
    startTime: "23:00",
    durationMinutes: 240,
    days: ["saturday"],
    timeZone: "Europe/Berlin",
  });
  const morning = schedule({ id: 4, startTime: "09:00", durationMinutes: 180 });
  const lateMorning = schedule({ id: 5, startTime: "10:00", durationMinutes: 180 });
  const disabled = schedule({ id: 6, startTime: "00:00", durationMinutes: 1440, enabled: false });
  const wholeWeek = schedule({ id: 7, startTime: "00:00", durationMinutes: 10_080, days: ["monday"] });

  it.each<[string, WindowSchedule[], string, [number, string, string][]]>([
    [
      "across midnight: Tuesday 00:30 is in Monday's window",
      [monday2300, tuesday2300],
      "2026-03-03T00:30:00Z",
      [[1, "2026-03-02T23:00:00Z", "2026-03-03T01:00:00Z"]],
    ],
    ["the end is exclusive", [monday2300], "2026-03-03T01:00:00Z", []],
    [
      "the start is inclusive",
      [monday2300],
      "2026-03-02T23:00:00Z",
      [[1, "2026-03-02T23:00:00Z", "2026-03-03T01:00:00Z"]],
    ],
    ["a day that is not the schedule's", [tuesday2300], "2026-03-03T00:30:00Z", []],
    [
      "spring forward: four real hours end at 04:00 local",
      [berlinNight],
      "2026-03-29T01:59:00Z",
      [[3, "2026-03-28T22:00:00Z", "2026-03-29T02:00:00Z"]],
    ],
    ["spring forward: over at 02:00Z", [berlinNight], "2026-03-29T02:00:00Z", []],
    [
      "fall back: four real hours end at the second 02:00 local",
      [berlinNight],
      "2026-10-25T00:59:00Z",
      [[3, "2026-10-24T21:00:00Z", "2026-10-25T01:00:00Z"]],
    ],
    ["fall back: over at 01:00Z", [berlinNight], "2026-10-25T01:00:00Z", []],
    [
      "overlapping schedules: the latest start first",
      [morning, lateMorning],
      "2026-03-04T10:30:00Z",
      [
        [5, "2026-03-04T10:00:00Z", "2026-03-04T13:00:00Z"],
        [4, "2026-03-04T09:00:00Z", "2026-03-04T12:00:00Z"],
      ],
    ],
    [
      "overlapping schedules: the first has ended",
      [morning, lateMorning],
      "2026-03-04T12:30:00Z",
      [[5, "2026-03-04T10:00:00Z", "2026-03-04T13:00:00Z"]],
    ],
    ["disabled schedules are ignored", [disabled], "2026-03-04T12:00:00Z", []],
    [
      "a seven-day window is open on its last minute",
      [wholeWeek],
      "2026-03-08T23:59:00Z",
      [[7, "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"]],
    ],
    [
      "a seven-day window hands over to the next",
      [wholeWeek],
      "2026-03-09T00:00:00Z",
      [[7, "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z"]],
    ],
  ])("%s", (_name, schedules, now, expected) => {
    expect(activeWindows(schedules, at(now))).toEqual(
      expected.map(([scheduleId, start, end]) => ({ scheduleId, start: at(start), end: at(end) })),
    );
  });

  it("activeWindow is the most recently started, ties to the lower id", () => {
    expect(activeWindow([morning, lateMorning], at("2026-03-04T10:30:00Z"))?.scheduleId).toBe(5);
    const twin = schedule({ id: 9, startTime: "10:00", durationMinutes: 30 });
    expect(activeWindow([twin, lateMorning], at("2026-03-04T10:10:00Z"))?.scheduleId).toBe(5);
    expect(activeWindow([morning], at("2026-03-04T08:59:00Z"))).toBeUndefined();
  });
});

describe("nextWindowStart", () => {
  const mondayMorning = schedule({ id: 1, startTime: "09:00", days: ["monday"], timeZone: "Europe/Berlin" });
  const springNight = schedule({ id: 2, startTime: "02:30", days: ["sunday"], timeZone: "Europe/Berlin" });
  const fallNight = schedule({ id: 3, startTime: "01:30", days: ["sunday"], timeZone: "America/New_York" });
  const sameTime = schedule({ id: 4, startTime: "08:00", days: ["monday"] });

  it.each<[string, WindowSchedule[], string, [number, string, string] | undefined]>([
    [
      "later in the week",
      [mondayMorning],
      "2026-03-06T10:00:00Z",
      [1, "2026-03-09T08:00:00Z", "2026-03-09T09:00:00Z"],
    ],
    [
      "strictly after now: a window starting now is not next",
      [mondayMorning],
      "2026-03-09T08:00:00Z",
      [1, "2026-03-16T08:00:00Z", "2026-03-16T09:00:00Z"],
    ],
    [
      "the day changes to summer time in between",
      [mondayMorning],
      "2026-03-27T12:00:00Z",
      [1, "2026-03-30T07:00:00Z", "2026-03-30T08:00:00Z"],
    ],
    [
      "a skipped start time starts when the clock jumps",
      [springNight],
      "2026-03-28T12:00:00Z",
      [2, "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"],
    ],
    [
      "a repeated start time starts at its first occurrence",
      [fallNight],
      "2026-10-31T12:00:00Z",
      [3, "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"],
    ],
    [
      "the earliest of several; ties to the lower id",
      [sameTime, mondayMorning, { ...springNight, days: ["tuesday"] }],
      "2026-03-06T10:00:00Z",
      [1, "2026-03-09T08:00:00Z", "2026-03-09T09:00:00Z"],
    ],
    ["no enabled schedule", [{ ...mondayMorning, enabled: false }], "2026-03-06T10:00:00Z", undefined],
    ["no schedule", [], "2026-03-06T10:00:00Z", undefined],
  ])("%s", (_name, schedules, now, expected) => {
    expect(nextWindowStart(schedules, at(now))).toEqual(
      expected === undefined
        ? undefined
        : { scheduleId: expected[0], start: at(expected[1]), end: at(expected[2]) },
    );
  });
});
