/** A project's run schedules over REST, and what its scheduler will do next. */
import {
  okResponseSchema,
  type ScheduleCreateRequest,
  type SchedulePatchRequest,
  scheduleListResponseSchema,
  scheduleNextResponseSchema,
  scheduleResponseSchema,
} from "@autowright/protocol";
import { apiRequest, projectPath } from "./client.ts";

/** Every schedule of the project, by start time. */
export const listSchedules = (project: string) =>
  apiRequest("GET", projectPath(project, "/schedules"), scheduleListResponseSchema);

/** The open window (if any) and the next one. */
export const getScheduleNext = (project: string) =>
  apiRequest("GET", projectPath(project, "/schedules/next"), scheduleNextResponseSchema);

/** Creates a schedule (a window open now starts the run at once). */
export const createSchedule = (project: string, body: ScheduleCreateRequest) =>
  apiRequest("POST", projectPath(project, "/schedules"), scheduleResponseSchema, { body });

/** Changes a schedule. */
export const patchSchedule = (project: string, id: number, body: SchedulePatchRequest) =>
  apiRequest("PATCH", projectPath(project, `/schedules/${id}`), scheduleResponseSchema, { body });

/** Deletes a schedule. */
export const deleteSchedule = (project: string, id: number) =>
  apiRequest("DELETE", projectPath(project, `/schedules/${id}`), okResponseSchema);
