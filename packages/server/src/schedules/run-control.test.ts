/** Invariants: the schedule's options reach the run request, and only a run that failed on its own is a crash. */
import type { RunResult } from "@autowright/orchestrator";
import type { RunStartRequest } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import type { RunState } from "../run-controller.ts";
import { runControlOf, type SchedulableRun } from "./run-control.ts";
import type { RunEnding } from "./scheduler.ts";

class ControllerDouble implements SchedulableRun {
  active = false;
  readonly requests: RunStartRequest[] = [];
  readonly stops: string[] = [];
  readonly #listeners = new Set<(result: RunResult) => void>();

  async start(request: RunStartRequest = {}): Promise<RunState> {
    this.requests.push(request);
    this.active = true;
    return {} as RunState;
  }

  async stop(reason?: string): Promise<RunState> {
    this.stops.push(reason ?? "");
    this.end({ status: "stopped", reason: reason ?? "" });
    return {} as RunState;
  }

  onEnded(listener: (result: RunResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  end(result: RunResult): void {
    this.active = false;
    for (const listener of this.#listeners) listener(result);
  }
}

describe("runControlOf", () => {
  it("passes the schedule's options and maps endings", async () => {
    const controller = new ControllerDouble();
    const control = runControlOf(controller);
    const endings: RunEnding[] = [];
    const unsubscribe = control.onRunEnded((ending) => endings.push(ending));

    await control.start({ maxConcurrency: 4, yolo: true, model: "claude-haiku-4-5", reason: "window" });
    await control.start({ maxConcurrency: 1, yolo: false, model: null, reason: "window" });
    expect(controller.requests).toEqual([
      { concurrency: 4, yolo: true, model: "claude-haiku-4-5" },
      { concurrency: 1, yolo: false },
    ]);
    expect(control.isRunning()).toBe(true);

    await control.stop("the window ended");
    controller.end({ status: "failed", reason: "boom" });
    controller.end({ status: "failed", reason: "budget spent", governor: "budget" });
    controller.end({ status: "stalled", reason: "stuck" });
    controller.end({ status: "completed", reason: "done" });
    expect(endings).toEqual([
      { crashed: false, reason: "the window ended" },
      { crashed: true, reason: "boom" },
      { crashed: false, reason: "budget spent" },
      { crashed: false, reason: "stuck" },
      { crashed: false, reason: "done" },
    ]);
    expect(control.isRunning()).toBe(false);
    unsubscribe();
    controller.end({ status: "failed", reason: "after" });
    expect(endings).toHaveLength(5);
  });
});
