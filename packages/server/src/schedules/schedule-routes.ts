/**
 * `/api/projects/:name/schedules`: the project's run schedules and what its scheduler will do next. Every change
 * goes through the project's {@link Scheduler}, so it acts on the change at once (a window open now starts the run;
 * a disabled or deleted one stops the run it started).
 */
import {
  AppError,
  okResponseSchema,
  projectParamsSchema,
  scheduleCreateRequestSchema,
  scheduleListResponseSchema,
  scheduleNextResponseSchema,
  scheduleParamsSchema,
  schedulePatchRequestSchema,
  scheduleResponseSchema,
} from "@autowright/protocol";
import type { HttpApp } from "../http-app.ts";
import type { ServerContext } from "../server-context.ts";
import type { Scheduler } from "./scheduler.ts";

/**
 * Registers the schedule routes. `schedulers` gives the scheduler of an open project (called only after
 * `context.project(name)` has found it). A schedule's `maxConcurrency` defaults to the settings' `maxConcurrency`
 * and may not exceed the settings' `concurrencyCap` (`invalid_input`).
 */
export function scheduleRoutes(
  context: ServerContext,
  schedulers: (project: string) => Scheduler,
): (app: HttpApp) => void {
  const schedulerOf = (name: string): Scheduler => {
    context.project(name);
    return schedulers(name);
  };
  const checkConcurrency = (maxConcurrency: number | undefined): void => {
    const cap = context.settings().concurrencyCap;
    if (maxConcurrency !== undefined && maxConcurrency > cap) {
      throw new AppError(
        "invalid_input",
        `maxConcurrency ${maxConcurrency} is above the concurrency cap of ${cap} (settings: concurrencyCap)`,
        { details: { maxConcurrency, concurrencyCap: cap } },
      );
    }
  };

  return (app) => {
    app.get(
      "/api/projects/:name/schedules",
      {
        schema: {
          tags: ["schedules"],
          summary: "List the project's run schedules, by start time",
          params: projectParamsSchema,
          response: { 200: scheduleListResponseSchema },
        },
      },
      async (request) => ({ schedules: schedulerOf(request.params.name).list() }),
    );

    app.post(
      "/api/projects/:name/schedules",
      {
        schema: {
          tags: ["schedules"],
          summary: "Create a run schedule (a window open now starts the run at once)",
          params: projectParamsSchema,
          body: scheduleCreateRequestSchema,
          response: { 201: scheduleResponseSchema },
        },
      },
      async (request, reply) => {
        const scheduler = schedulerOf(request.params.name);
        const body = request.body;
        checkConcurrency(body.maxConcurrency);
        const schedule = scheduler.create({
          days: body.days,
          startTime: body.startTime,
          durationMinutes: body.durationMinutes,
          timeZone: body.timeZone,
          enabled: body.enabled ?? true,
          yolo: body.yolo ?? false,
          model: body.model ?? null,
          maxConcurrency: body.maxConcurrency ?? context.settings().maxConcurrency,
        });
        void reply.status(201);
        return { schedule };
      },
    );

    app.get(
      "/api/projects/:name/schedules/next",
      {
        schema: {
          tags: ["schedules"],
          summary: "What the scheduler is doing and will do next: the open window, holds, the next window",
          params: projectParamsSchema,
          response: { 200: scheduleNextResponseSchema },
        },
      },
      async (request) => schedulerOf(request.params.name).next(),
    );

    app.get(
      "/api/projects/:name/schedules/:id",
      {
        schema: {
          tags: ["schedules"],
          summary: "One run schedule",
          params: scheduleParamsSchema,
          response: { 200: scheduleResponseSchema },
        },
      },
      async (request) => ({ schedule: schedulerOf(request.params.name).get(request.params.id) }),
    );

    app.patch(
      "/api/projects/:name/schedules/:id",
      {
        schema: {
          tags: ["schedules"],
          summary: "Change a run schedule (the scheduler acts on the change at once)",
          params: scheduleParamsSchema,
          body: schedulePatchRequestSchema,
          response: { 200: scheduleResponseSchema },
        },
      },
      async (request) => {
        const scheduler = schedulerOf(request.params.name);
        checkConcurrency(request.body.maxConcurrency);
        return { schedule: scheduler.update(request.params.id, request.body) };
      },
    );

    app.delete(
      "/api/projects/:name/schedules/:id",
      {
        schema: {
          tags: ["schedules"],
          summary: "Delete a run schedule (a run it started stops when no window is open any more)",
          params: scheduleParamsSchema,
          response: { 200: okResponseSchema },
        },
      },
      async (request) => {
        schedulerOf(request.params.name).delete(request.params.id);
        return { ok: true as const };
      },
    );
  };
}
