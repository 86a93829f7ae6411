/**
 * Invariants: the scheduler starts the run at a window start with the schedule's own options, stops only the run it
 * started and only when no window is open, respects a manual stop until the window ends, never stops a run started
 * by hand, restarts a crashed run with exponential backoff and then gives up, and keeps one timer armed (no
 * polling). Time is a fake clock driven by the test; the run is a small recording fake; the store is real.
 */
import type { ScheduleDraft, Weekday } from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { Scheduler } from "./scheduler.ts";
import { FakeClock, RecordingRun } from "./test-doubles.ts";

const everyDay: Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

const draft = (overrides: Partial<ScheduleDraft> = {}): ScheduleDraft => ({
  days: everyDay,
  startTime: "09:00",
  durationMinutes: 60,
  timeZone: "UTC",
  enabled: true,
  yolo: false,
  model: null,
  maxConcurrency: 3,
  ...overrides,
});

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Harness extends Disposable {
  readonly store: ProjectStore;
  readonly clock: FakeClock;
  readonly run: RecordingRun;
  readonly errors: unknown[];
  scheduler: Scheduler;
  /** A new scheduler on the same store and run (a server restart), the old one closed. */
  restart(): Scheduler;
}

function harness(start: string, schedules: Partial<ScheduleDraft>[] = []): Harness {
  const directory = temporaryDirectory();
  const store = ProjectStore.open(directory.path, { create: true });
  for (const schedule of schedules) store.schedules.create(draft(schedule));
  const clock = new FakeClock(start);
  const run = new RecordingRun();
  const errors: unknown[] = [];
  const build = (): Scheduler =>
    new Scheduler({
      schedules: store.schedules,
      run,
      clock,
      restartDelayMs: 10_000,
      maxRestarts: 3,
      onError: (error) => errors.push(error),
    });
  const result: Harness = {
    store,
    clock,
    run,
    errors,
    scheduler: build(),
    restart: () => {
      result.scheduler.close();
      result.scheduler = build();
      return result.scheduler;
    },
    [Symbol.dispose]: () => {
      result.scheduler.close();
      store.close();
      directory[Symbol.dispose]();
      expect(errors).toEqual([]);
    },
  };
  return result;
}

describe("Scheduler", () => {
  it("starts at a window start with the schedule's own options and stops at its end, with one timer", () => {
    using h = harness("2026-03-02T08:00:00Z", [{ maxConcurrency: 4, yolo: true, model: "claude-haiku-4-5" }]);
    expect(h.clock.pending).toEqual(["2026-03-02T09:00:00.000Z"]);
    expect(h.run.starts).toEqual([]);

    h.clock.advanceTo("2026-03-02T09:00:00Z");
    expect(h.run.starts).toEqual([
      {
        maxConcurrency: 4,
        yolo: true,
        model: "claude-haiku-4-5",
        reason: "schedule 1: its window is open until 2026-03-02T10:00:00.000Z",
      },
    ]);
    expect(h.run.running).toBe(true);
    expect(h.clock.pending).toEqual(["2026-03-02T10:00:00.000Z"]);
    expect(h.scheduler.next()).toEqual({
      hasSchedules: true,
      running: true,
      scheduledRun: true,
      active: {
        scheduleId: 1,
        start: "2026-03-02T09:00:00.000Z",
        end: "2026-03-02T10:00:00.000Z",
        until: "2026-03-02T10:00:00.000Z",
        scheduleIds: [1],
      },
      next: { scheduleId: 1, start: "2026-03-03T09:00:00.000Z", end: "2026-03-03T10:00:00.000Z" },
    });

    h.clock.advanceTo("2026-03-02T10:00:00Z");
    expect(h.run.stops).toEqual(["no schedule window is open any more"]);
    expect(h.run.running).toBe(false);
    expect(h.clock.pending).toEqual(["2026-03-03T09:00:00.000Z"]);
    expect(h.scheduler.next()).toMatchObject({ running: false, scheduledRun: false });
    expect(h.scheduler.next().active).toBeUndefined();
  });

  it("starts at once inside a window: at server start-up and when a schedule is created", () => {
    using h = harness("2026-03-02T09:30:00Z", [{}]);
    expect(h.run.starts).toHaveLength(1);

    using other = harness("2026-03-02T09:30:00Z");
    expect(other.clock.pending).toEqual([]);
    other.scheduler.create(draft({ startTime: "09:15", maxConcurrency: 2 }));
    expect(other.run.starts.map((start) => start.maxConcurrency)).toEqual([2]);
    expect(other.clock.pending).toEqual(["2026-03-02T10:15:00.000Z"]);
  });

  it("respects a manual stop inside a window until that window ends, then runs the next one", () => {
    using h = harness("2026-03-02T08:00:00Z", [{}]);
    h.clock.advanceTo("2026-03-02T09:00:00Z");
    h.clock.advanceTo("2026-03-02T09:20:00Z");
    h.run.stopByHand();
    expect(h.scheduler.next().active?.hold).toEqual({
      reason:
        "the scheduled run ended inside the window (stopped by the user); the scheduler leaves it off until the window ends",
      until: "2026-03-02T10:00:00.000Z",
    });
    expect(h.clock.pending).toEqual(["2026-03-02T10:00:00.000Z"]);
    h.scheduler.refresh();
    h.clock.advanceTo("2026-03-02T09:59:59Z");
    h.clock.advanceTo("2026-03-02T10:00:00Z");
    expect(h.run.starts).toHaveLength(1);
    expect(h.run.stops).toEqual([]);

    h.clock.advanceTo("2026-03-03T09:00:00Z");
    expect(h.run.starts).toHaveLength(2);
  });

  it("does not restart a run that finished by itself inside the window", () => {
    using h = harness("2026-03-02T09:00:00Z", [{}]);
    expect(h.run.starts).toHaveLength(1);
    h.run.stopByHand();
    h.clock.advanceTo("2026-03-02T09:59:00Z");
    expect(h.run.starts).toHaveLength(1);
  });

  it("never stops a run started by hand, inside or outside a window", () => {
    using h = harness("2026-03-02T08:30:00Z", [{}]);
    h.run.startByHand();
    h.clock.advanceTo("2026-03-02T09:00:00Z");
    expect(h.run.starts).toEqual([]);
    expect(h.scheduler.next()).toMatchObject({ running: true, scheduledRun: false });
    h.clock.advanceTo("2026-03-02T10:00:00Z");
    expect(h.run.stops).toEqual([]);
    expect(h.run.running).toBe(true);

    // Started by hand inside a window after a manual stop: still not the scheduler's to stop.
    h.run.stopByHand();
    h.clock.advanceTo("2026-03-03T09:00:00Z");
    expect(h.run.starts).toHaveLength(1);
    h.run.stopByHand();
    h.run.startByHand();
    h.clock.advanceTo("2026-03-03T10:00:00Z");
    expect(h.run.stops).toEqual([]);
    expect(h.run.running).toBe(true);
  });

  it("does not replace a run started by hand that ends inside a window", () => {
    using h = harness("2026-03-02T08:30:00Z", [{}]);
    h.run.startByHand();
    h.clock.advanceTo("2026-03-02T09:10:00Z");
    h.run.crash();
    expect(h.scheduler.next().active?.hold?.reason).toMatch(
      /^a run started by hand crashed inside the window/,
    );
    h.clock.advanceTo("2026-03-02T10:00:00Z");
    expect(h.run.starts).toEqual([]);
    expect(h.store.schedules.require(1).crashCount).toBe(0);
  });

  it("restarts a crashed run with exponential backoff, persists the count, gives up, and resets when the window completes", () => {
    using h = harness("2026-03-02T09:00:00Z", [{}]);
    expect(h.run.starts).toHaveLength(1);

    h.clock.advanceTo("2026-03-02T09:01:00Z");
    h.run.crash();
    expect(h.store.schedules.require(1).crashCount).toBe(1);
    expect(h.scheduler.next().active?.restartAt).toBe("2026-03-02T09:01:10.000Z");
    expect(h.clock.pending).toEqual(["2026-03-02T09:01:10.000Z"]);
    h.clock.advanceTo("2026-03-02T09:01:09Z");
    expect(h.run.starts).toHaveLength(1);
    h.clock.advanceTo("2026-03-02T09:01:10Z");
    expect(h.run.starts).toHaveLength(2);
    expect(h.run.starts[1]?.reason).toBe("schedule 1: restart 1 of 3 after a crash");

    h.run.crash();
    expect(h.clock.pending).toEqual(["2026-03-02T09:01:40.000Z"]);
    h.clock.advanceTo("2026-03-02T09:01:40Z");
    h.run.crash();
    expect(h.clock.pending).toEqual(["2026-03-02T09:03:10.000Z"]);
    h.clock.advanceTo("2026-03-02T09:03:10Z");
    expect(h.run.starts).toHaveLength(4);

    h.run.crash("out of memory");
    expect(h.store.schedules.require(1).crashCount).toBe(4);
    expect(h.scheduler.next().active?.hold).toEqual({
      reason:
        "the run crashed 4 times in this window (last: out of memory); the scheduler gave up until the window ends",
      until: "2026-03-02T10:00:00.000Z",
    });
    // A server restart remembers that the scheduler gave up in this window.
    h.restart();
    expect(h.scheduler.next().active?.hold?.reason).toMatch(/crashed 4 times/);
    h.clock.advanceTo("2026-03-02T09:59:00Z");
    expect(h.run.starts).toHaveLength(4);

    h.clock.advanceTo("2026-03-02T10:00:00Z");
    expect(h.store.schedules.require(1).crashCount).toBe(0);
    h.clock.advanceTo("2026-03-03T09:00:00Z");
    expect(h.run.starts).toHaveLength(5);
    expect(h.run.starts[4]?.reason).toMatch(/its window is open/);
  });

  it("counts a start that fails as a crash, and a start that lost the race to a manual one as nothing", async () => {
    using h = harness("2026-03-02T08:00:00Z", [{}]);
    h.run.failStarts = 1;
    h.clock.advanceTo("2026-03-02T09:00:00Z");
    await settle();
    expect(h.store.schedules.require(1).crashCount).toBe(1);
    expect(h.scheduler.next().active?.restartAt).toBe("2026-03-02T09:00:10.000Z");
    h.clock.advanceTo("2026-03-02T09:00:10Z");
    expect(h.run.running).toBe(true);
    expect(h.run.starts).toHaveLength(2);
  });

  it("runs a window that crosses midnight until the next day, and only on the days it starts", () => {
    using h = harness("2026-03-02T22:00:00Z", [
      { days: ["monday"], startTime: "23:00", durationMinutes: 120 },
    ]);
    h.clock.advanceTo("2026-03-02T23:00:00Z");
    expect(h.run.starts).toHaveLength(1);
    h.clock.advanceTo("2026-03-03T00:59:00Z");
    expect(h.run.stops).toEqual([]);
    h.clock.advanceTo("2026-03-03T01:00:00Z");
    expect(h.run.stops).toHaveLength(1);
    expect(h.clock.pending).toEqual(["2026-03-09T23:00:00.000Z"]);
  });

  it("keeps the run going across touching windows (a daily 24-hour schedule)", () => {
    using h = harness("2026-03-02T00:00:00Z", [{ startTime: "00:00", durationMinutes: 1440 }]);
    expect(h.run.starts).toHaveLength(1);
    h.clock.advanceTo("2026-03-04T12:00:00Z");
    expect(h.run.starts).toHaveLength(1);
    expect(h.run.stops).toEqual([]);
  });

  it("follows daylight saving time: a skipped start time starts when the clock jumps, durations are real minutes", () => {
    using h = harness("2026-03-28T12:00:00Z", [
      { days: ["sunday"], startTime: "02:30", durationMinutes: 60, timeZone: "Europe/Berlin" },
    ]);
    // 02:30 does not exist on 2026-03-29 in Berlin: the window opens at 03:00 CEST (01:00Z).
    expect(h.clock.pending).toEqual(["2026-03-29T01:00:00.000Z"]);
    h.clock.advanceTo("2026-03-29T01:00:00Z");
    expect(h.run.starts).toHaveLength(1);
    h.clock.advanceTo("2026-03-29T02:00:00Z");
    expect(h.run.stops).toHaveLength(1);
    // The next Sunday is in summer time: 02:30 CEST is 00:30Z.
    expect(h.clock.pending).toEqual(["2026-04-05T00:30:00.000Z"]);

    using fall = harness("2026-10-31T12:00:00Z", [
      { days: ["sunday"], startTime: "01:30", durationMinutes: 90, timeZone: "America/New_York" },
    ]);
    // 01:30 happens twice on 2026-11-01 in New York: the first (EDT, 05:30Z); 90 real minutes end at 07:00Z.
    fall.clock.advanceTo("2026-11-01T05:30:00Z");
    expect(fall.run.starts).toHaveLength(1);
    expect(fall.clock.pending).toEqual(["2026-11-01T07:00:00.000Z"]);
    fall.clock.advanceTo("2026-11-01T07:00:00Z");
    expect(fall.run.stops).toHaveLength(1);
  });

  it("with overlapping schedules, starts with the first one's options and stops when the last window ends", () => {
    using h = harness("2026-03-02T08:00:00Z", [
      { startTime: "09:00", durationMinutes: 120, maxConcurrency: 2 },
      { startTime: "10:00", durationMinutes: 120, maxConcurrency: 5 },
    ]);
    h.clock.advanceTo("2026-03-02T10:30:00Z");
    expect(h.run.starts.map((start) => start.maxConcurrency)).toEqual([2]);
    expect(h.scheduler.next().active).toMatchObject({ scheduleId: 2, until: "2026-03-02T12:00:00.000Z" });
    h.clock.advanceTo("2026-03-02T11:00:00Z");
    expect(h.run.stops).toEqual([]);
    // Schedule 1's window has completed: a crash now counts on schedule 2, whose options the restart uses.
    h.run.crash();
    expect(h.store.schedules.require(2).crashCount).toBe(1);
    h.clock.advanceTo("2026-03-02T11:00:10Z");
    expect(h.run.starts.map((start) => start.maxConcurrency)).toEqual([2, 5]);
    h.clock.advanceTo("2026-03-02T12:00:00Z");
    expect(h.run.stops).toHaveLength(1);
    expect(h.store.schedules.require(2).crashCount).toBe(0);
  });

  it("ignores disabled schedules and re-arms when schedules change", () => {
    using h = harness("2026-03-02T08:00:00Z", [{ enabled: false }]);
    expect(h.clock.pending).toEqual([]);
    expect(h.scheduler.next()).toEqual({ hasSchedules: false, running: false, scheduledRun: false });
    h.scheduler.update(1, { enabled: true });
    expect(h.clock.pending).toEqual(["2026-03-02T09:00:00.000Z"]);
    h.scheduler.update(1, { startTime: "08:30" });
    expect(h.clock.pending).toEqual(["2026-03-02T08:30:00.000Z"]);
    const second = h.scheduler.create(draft({ startTime: "08:10" }));
    expect(h.clock.pending).toEqual(["2026-03-02T08:10:00.000Z"]);
    h.scheduler.delete(second.id);
    expect(h.clock.pending).toEqual(["2026-03-02T08:30:00.000Z"]);
  });

  it("stops its run when the open window's schedule is disabled or deleted", () => {
    using h = harness("2026-03-02T09:00:00Z", [{}]);
    expect(h.run.running).toBe(true);
    h.scheduler.update(1, { enabled: false });
    expect(h.run.stops).toEqual(["no schedule window is open any more"]);
    h.scheduler.update(1, { enabled: true });
    expect(h.run.starts).toHaveLength(2);
    h.scheduler.delete(1);
    expect(h.run.stops).toHaveLength(2);
    expect(h.clock.pending).toEqual([]);
  });

  it("does nothing after close", async () => {
    using h = harness("2026-03-02T08:00:00Z", [{}]);
    h.scheduler.close();
    expect(h.clock.pending).toEqual([]);
    expect(h.run.listenerCount).toBe(0);
    h.clock.advanceTo("2026-03-03T12:00:00Z");
    await settle();
    expect(h.run.starts).toEqual([]);
    expect(() => h.scheduler.next()).toThrow(/closed/);
    expect(() => h.scheduler.create(draft())).toThrow(/closed/);
    expect(h.store.schedules.list()).toHaveLength(1);
  });
});
