/**
 * Invariants: every schedule route answers its protocol shape; a refused request (bad time, no days, unknown zone,
 * wrong types, unknown keys, unknown id or project) answers the error model and leaves the schedules as they were;
 * changes reach the scheduler at once.
 */
import { scheduleNextResponseSchema, scheduleResponseSchema } from "@autowright/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpApp, type HttpApp } from "../http-app.ts";
import { createTestProject, type TestProject } from "../test-project.ts";
import { scheduleRoutes } from "./schedule-routes.ts";
import { Scheduler } from "./scheduler.ts";
import { FakeClock, RecordingRun } from "./test-doubles.ts";

interface Setup {
  readonly app: HttpApp;
  readonly project: TestProject;
  readonly clock: FakeClock;
  readonly run: RecordingRun;
  readonly scheduler: Scheduler;
}

let current: Setup | undefined;
afterEach(async () => {
  if (current === undefined) return;
  await current.app.close();
  current.scheduler.close();
  current.project.close();
  current = undefined;
});

function setup(): Setup {
  const project = createTestProject({ settings: { maxConcurrency: 2, concurrencyCap: 5 } });
  // Monday 2026-03-02, 08:00 UTC.
  const clock = new FakeClock("2026-03-02T08:00:00Z");
  const run = new RecordingRun();
  const scheduler = new Scheduler({ schedules: project.project.store.schedules, run, clock });
  const app = createHttpApp();
  scheduleRoutes(project.server, (name) => {
    expect(name).toBe("demo");
    return scheduler;
  })(app);
  current = { app, project, clock, run, scheduler };
  return current;
}

const base = "/api/projects/demo/schedules";
const valid = { days: ["monday", "wednesday"], startTime: "09:00", durationMinutes: 60, timeZone: "UTC" };

describe("scheduleRoutes", () => {
  it("creates, lists, reads, changes and deletes schedules", async () => {
    const { app, run, clock } = setup();
    const created = await app.inject({ method: "POST", url: base, payload: valid });
    expect(created.statusCode).toBe(201);
    const schedule = scheduleResponseSchema.parse(created.json()).schedule;
    expect(schedule).toMatchObject({
      id: 1,
      days: ["monday", "wednesday"],
      startTime: "09:00",
      durationMinutes: 60,
      timeZone: "UTC",
      enabled: true,
      yolo: false,
      model: null,
      maxConcurrency: 2,
      crashCount: 0,
    });
    expect(clock.pending).toEqual(["2026-03-02T09:00:00.000Z"]);

    const second = await app.inject({
      method: "POST",
      url: base,
      payload: {
        ...valid,
        startTime: "07:30",
        timeZone: "Europe/Berlin",
        yolo: true,
        model: "claude-sonnet-4-5",
        maxConcurrency: 5,
        enabled: false,
      },
    });
    expect(second.statusCode).toBe(201);
    expect(second.json().schedule).toMatchObject({ id: 2, yolo: true, maxConcurrency: 5, enabled: false });

    const list = await app.inject({ method: "GET", url: base });
    expect(list.statusCode).toBe(200);
    expect(list.json().schedules.map((entry: { id: number }) => entry.id)).toEqual([2, 1]);

    const one = await app.inject({ method: "GET", url: `${base}/1` });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ schedule });

    // Moving the start to 07:45 opens its window now: the run starts with the schedule's concurrency.
    const patched = await app.inject({
      method: "PATCH",
      url: `${base}/1`,
      payload: { startTime: "07:45", maxConcurrency: 4 },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().schedule).toMatchObject({ id: 1, startTime: "07:45", maxConcurrency: 4 });
    expect(run.starts.map((start) => start.maxConcurrency)).toEqual([4]);

    const deleted = await app.inject({ method: "DELETE", url: `${base}/1` });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ ok: true });
    expect(run.stops).toHaveLength(1);
    expect((await app.inject({ method: "GET", url: `${base}/1` })).statusCode).toBe(404);
  });

  it("tells what happens next", async () => {
    const { app, clock } = setup();
    const empty = await app.inject({ method: "GET", url: `${base}/next` });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({ hasSchedules: false, running: false, scheduledRun: false });

    await app.inject({ method: "POST", url: base, payload: valid });
    const waiting = await app.inject({ method: "GET", url: `${base}/next` });
    expect(scheduleNextResponseSchema.parse(waiting.json())).toEqual({
      hasSchedules: true,
      running: false,
      scheduledRun: false,
      next: { scheduleId: 1, start: "2026-03-02T09:00:00.000Z", end: "2026-03-02T10:00:00.000Z" },
    });

    clock.advanceTo("2026-03-02T09:10:00Z");
    const running = await app.inject({ method: "GET", url: `${base}/next` });
    expect(running.json()).toMatchObject({
      running: true,
      scheduledRun: true,
      active: { scheduleId: 1, until: "2026-03-02T10:00:00.000Z", scheduleIds: [1] },
      next: { start: "2026-03-04T09:00:00.000Z" },
    });
  });

  it.each<[string, unknown, string]>([
    ["a time past 23:59", { ...valid, startTime: "25:00" }, "startTime"],
    ["a time without a leading zero", { ...valid, startTime: "9:00" }, "startTime"],
    ["no days", { ...valid, days: [] }, "days"],
    ["an unknown day", { ...valid, days: ["someday"] }, "days"],
    ["a day twice", { ...valid, days: ["monday", "monday"] }, "days"],
    ["an unknown time zone", { ...valid, timeZone: "Mars/Olympus" }, "timeZone"],
    ["a missing time zone", { days: valid.days, startTime: "09:00", durationMinutes: 60 }, "timeZone"],
    ["a duration of 0", { ...valid, durationMinutes: 0 }, "durationMinutes"],
    ["a duration over seven days", { ...valid, durationMinutes: 10_081 }, "durationMinutes"],
    ["a duration as a string", { ...valid, durationMinutes: "60" }, "durationMinutes"],
    ["enabled as a string", { ...valid, enabled: "yes" }, "enabled"],
    ["a concurrency of 0", { ...valid, maxConcurrency: 0 }, "maxConcurrency"],
    ["a concurrency above the cap", { ...valid, maxConcurrency: 6 }, "concurrency cap"],
    ["an unknown key", { ...valid, crashCount: 3 }, "crashCount"],
  ])("refuses to create with %s, changing nothing", async (_name, payload, mentioned) => {
    const { app, clock } = setup();
    const response = await app.inject({ method: "POST", url: base, payload: payload as object });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_input");
    expect(response.json().error.message).toContain(mentioned);
    expect((await app.inject({ method: "GET", url: base })).json()).toEqual({ schedules: [] });
    expect(clock.pending).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ["a bad time", { startTime: "24:00" }, "startTime"],
    ["empty days", { days: [] }, "days"],
    ["an unknown zone", { timeZone: "Nowhere/Town" }, "timeZone"],
    ["a wrong type", { yolo: 1 }, "yolo"],
    ["nothing to change", {}, "at least one field"],
    ["a concurrency above the cap", { maxConcurrency: 16 }, "concurrency cap"],
  ])("refuses a patch with %s, changing nothing", async (_name, payload, mentioned) => {
    const { app } = setup();
    const created = (await app.inject({ method: "POST", url: base, payload: valid })).json();
    const response = await app.inject({ method: "PATCH", url: `${base}/1`, payload: payload as object });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_input");
    expect(response.json().error.message).toContain(mentioned);
    expect((await app.inject({ method: "GET", url: `${base}/1` })).json()).toEqual(created);
  });

  it("answers unknown ids, bad ids and unknown projects with the error model", async () => {
    const { app } = setup();
    await app.inject({ method: "POST", url: base, payload: valid });
    const before = (await app.inject({ method: "GET", url: base })).json();
    for (const [method, url, payload, status, code] of [
      ["GET", `${base}/99`, undefined, 404, "not_found"],
      ["PATCH", `${base}/99`, { enabled: false }, 404, "not_found"],
      ["DELETE", `${base}/99`, undefined, 404, "not_found"],
      ["GET", `${base}/abc`, undefined, 400, "invalid_input"],
      ["DELETE", `${base}/0`, undefined, 400, "invalid_input"],
      ["GET", "/api/projects/other/schedules", undefined, 404, "project_not_found"],
      ["POST", "/api/projects/other/schedules", valid, 404, "project_not_found"],
      ["GET", "/api/projects/other/schedules/next", undefined, 404, "project_not_found"],
      ["GET", "/api/projects/bad%20name/schedules", undefined, 400, "invalid_input"],
    ] as const) {
      const response = await app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      expect(response.statusCode, `${method} ${url}`).toBe(status);
      expect(response.json().error.code, `${method} ${url}`).toBe(code);
    }
    expect((await app.inject({ method: "GET", url: base })).json()).toEqual(before);
  });
});
