/**
 * Invariants: schedules round-trip with their days, zone and run options; a refused write changes nothing; ids are
 * never reused (across the migration that rebuilt the table too); crash counts persist; a closed store refuses.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { AppError, type ScheduleDraft, scheduleSchema } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrate } from "./migrations.ts";
import { projectPaths } from "./paths.ts";
import { projectMigrations } from "./project-migrations.ts";
import { ProjectStore } from "./project-store.ts";

let clock = new Date("2026-03-04T05:06:07.000Z");
const now = () => clock;

const draft = (overrides: Partial<ScheduleDraft> = {}): ScheduleDraft => ({
  days: ["monday", "friday"],
  startTime: "09:30",
  durationMinutes: 90,
  timeZone: "Europe/Berlin",
  enabled: true,
  yolo: false,
  model: null,
  maxConcurrency: 2,
  ...overrides,
});

function withStore(test: (store: ProjectStore) => void): void {
  using directory = temporaryDirectory();
  const store = ProjectStore.open(directory.path, { create: true, now });
  try {
    test(store);
  } finally {
    store.close();
  }
}

const codeOf = (action: () => unknown): string | undefined => {
  try {
    action();
  } catch (error) {
    return AppError.isInstance(error) ? error.code : `not an AppError: ${String(error)}`;
  }
  return undefined;
};

describe("ScheduleRepository", () => {
  it("creates, reads, lists by start time, updates and deletes", () =>
    withStore((store) => {
      clock = new Date("2026-03-04T05:06:07.000Z");
      const late = store.schedules.create(draft({ startTime: "22:00", days: ["sunday", "monday"] }));
      const early = store.schedules.create(
        draft({ yolo: true, model: "claude-sonnet-4-5", maxConcurrency: 5 }),
      );
      expect(late).toEqual({
        id: 1,
        days: ["monday", "sunday"],
        startTime: "22:00",
        durationMinutes: 90,
        timeZone: "Europe/Berlin",
        enabled: true,
        yolo: false,
        model: null,
        maxConcurrency: 2,
        crashCount: 0,
        createdAt: "2026-03-04T05:06:07.000Z",
        updatedAt: "2026-03-04T05:06:07.000Z",
      });
      expect(scheduleSchema.parse(early)).toEqual(early);
      expect(store.schedules.get(2)).toEqual(early);
      expect(store.schedules.list().map((schedule) => schedule.id)).toEqual([2, 1]);

      clock = new Date("2026-03-05T00:00:00.000Z");
      const changed = store.schedules.update(1, { enabled: false, durationMinutes: 10_080, model: "m" });
      expect(changed).toMatchObject({
        enabled: false,
        durationMinutes: 10_080,
        model: "m",
        startTime: "22:00",
        createdAt: "2026-03-04T05:06:07.000Z",
        updatedAt: "2026-03-05T00:00:00.000Z",
      });
      expect(store.schedules.update(1, { model: null }).model).toBeNull();

      store.schedules.delete(1);
      expect(store.schedules.get(1)).toBeUndefined();
      expect(store.schedules.create(draft()).id).toBe(3);
    }));

  it("refuses bad drafts and unknown ids without changing anything", () =>
    withStore((store) => {
      const kept = store.schedules.create(draft());
      expect(codeOf(() => store.schedules.create(draft({ startTime: "25:00" })))).toBe("invalid_input");
      expect(codeOf(() => store.schedules.create(draft({ days: [] })))).toBe("invalid_input");
      expect(codeOf(() => store.schedules.create(draft({ timeZone: "Mars/Olympus" })))).toBe("invalid_input");
      expect(codeOf(() => store.schedules.create(draft({ durationMinutes: 10_081 })))).toBe("invalid_input");
      expect(codeOf(() => store.schedules.update(kept.id, { startTime: "7:00" }))).toBe("invalid_input");
      expect(codeOf(() => store.schedules.update(99, { enabled: false }))).toBe("not_found");
      expect(codeOf(() => store.schedules.delete(99))).toBe("not_found");
      expect(codeOf(() => store.schedules.require(99))).toBe("not_found");
      expect(codeOf(() => store.schedules.recordCrash(99))).toBe("not_found");
      expect(store.schedules.list()).toEqual([kept]);
    }));

  it("allows at most 50 schedules", () =>
    withStore((store) => {
      for (let index = 0; index < 50; index += 1) store.schedules.create(draft());
      expect(codeOf(() => store.schedules.create(draft()))).toBe("conflict");
      expect(store.schedules.list()).toHaveLength(50);
    }));

  it("persists crash counts until reset", () => {
    using directory = temporaryDirectory();
    const store = ProjectStore.open(directory.path, { create: true, now });
    const schedule = store.schedules.create(draft());
    expect(store.schedules.recordCrash(schedule.id).crashCount).toBe(1);
    expect(store.schedules.recordCrash(schedule.id).crashCount).toBe(2);
    store.close();
    const reopened = ProjectStore.open(directory.path, { now });
    expect(reopened.schedules.require(schedule.id).crashCount).toBe(2);
    expect(reopened.schedules.resetCrashes(schedule.id).crashCount).toBe(0);
    reopened.close();
  });

  it("throws store_closed once the store is closed", () => {
    using directory = temporaryDirectory();
    const store = ProjectStore.open(directory.path, { create: true, now });
    const schedules = store.schedules;
    store.close();
    expect(codeOf(() => schedules.list())).toBe("store_closed");
    expect(codeOf(() => store.schedules)).toBe("store_closed");
  });
});

describe("the schedule-time-zones migration", () => {
  it("keeps existing schedules as UTC and never reuses a deleted id", () => {
    using directory = temporaryDirectory();
    const paths = projectPaths(directory.path);
    mkdirSync(dirname(paths.database), { recursive: true });
    const old = new Database(paths.database);
    migrate(old, projectMigrations.slice(0, 4));
    const insert = old.prepare(
      "INSERT INTO schedules (start_time, duration_minutes, days_of_week, enabled, yolo, model, max_concurrency, crash_count, created_at) VALUES (?, 60, ?, 1, 0, NULL, 3, 1, '2026-01-01T00:00:00.000Z')",
    );
    insert.run("08:00", 1);
    insert.run("09:00", 64);
    old.prepare("DELETE FROM schedules WHERE id = 2").run();
    old.close();

    const store = ProjectStore.open(directory.path, { now });
    try {
      expect(store.schedules.list()).toEqual([
        {
          id: 1,
          days: ["monday"],
          startTime: "08:00",
          durationMinutes: 60,
          timeZone: "UTC",
          enabled: true,
          yolo: false,
          model: null,
          maxConcurrency: 3,
          crashCount: 1,
          createdAt: "2026-01-01T00:00:00.000Z",
          updatedAt: "2026-01-01T00:00:00.000Z",
        },
      ]);
      expect(store.schedules.create(draft()).id).toBe(3);
    } finally {
      store.close();
    }
    const database = new Database(paths.database);
    expect(() =>
      database
        .prepare(
          "INSERT INTO schedules (start_time, duration_minutes, days_of_week, time_zone, created_at, updated_at) VALUES ('24:00', 30, 2, 'UTC', 'x', 'x')",
        )
        .run(),
    ).toThrow(/CHECK/);
    database.close();
  });
});
