/**
 * The scheduler's {@link RunControl} over the server's {@link RunController}. The schedule's options become the run
 * request (W22: its own concurrency, yolo and model; the settings give everything else). Only a run that failed on
 * its own counts as a crash: a stall, a stop, a finished backlog or a governor (budget spent, credentials refused)
 * is not retried.
 */
import type { RunController } from "../run-controller.ts";
import type { RunControl } from "./scheduler.ts";

/** The part of the run controller the scheduler uses. */
export type SchedulableRun = Pick<RunController, "active" | "start" | "stop" | "onEnded">;

/** A {@link RunControl} for the project's run controller. */
export function runControlOf(controller: SchedulableRun): RunControl {
  return {
    isRunning: () => controller.active,
    start: async (options) => {
      await controller.start({
        concurrency: options.maxConcurrency,
        yolo: options.yolo,
        ...(options.model === null ? {} : { model: options.model }),
      });
    },
    stop: async (reason) => {
      await controller.stop(reason);
    },
    onRunEnded: (listener) =>
      controller.onEnded((result) =>
        listener({
          crashed: result.status === "failed" && result.governor === undefined,
          reason: result.reason,
        }),
      ),
  };
}
