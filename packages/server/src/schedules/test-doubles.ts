/**
 * Test doubles for the scheduler: a clock the test moves (timers fire in order as it passes them, nothing sleeps)
 * and a run that records what the scheduler asks of it. Small classes, not module mocks.
 */
import { AppError } from "@autowright/protocol";
import type { RunControl, RunEnding, ScheduledRunOptions, SchedulerClock } from "./scheduler.ts";

/** A clock the test moves; timers fire in order as it passes them. */
export class FakeClock implements SchedulerClock {
  #now: number;
  #timers: { due: number; callback: () => void }[] = [];

  constructor(start: string) {
    this.#now = Date.parse(start);
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const timer = { due: this.#now + delayMs, callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((candidate) => candidate !== timer);
    };
  }

  /** When the armed timers are due, as ISO strings. */
  get pending(): string[] {
    return this.#timers.map((timer) => new Date(timer.due).toISOString());
  }

  /** Moves to `iso`, firing every timer due on the way at its own instant. */
  advanceTo(iso: string): void {
    const target = Date.parse(iso);
    for (;;) {
      const due = this.#timers.filter((timer) => timer.due <= target).sort((a, b) => a.due - b.due)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#now = due.due;
      due.callback();
    }
    this.#now = target;
  }
}

/** A run that records what the scheduler asks of it; the test plays the user and the run itself. */
export class RecordingRun implements RunControl {
  running = false;
  readonly starts: ScheduledRunOptions[] = [];
  readonly stops: string[] = [];
  failStarts = 0;
  readonly #listeners = new Set<(ending: RunEnding) => void>();

  isRunning(): boolean {
    return this.running;
  }

  async start(options: ScheduledRunOptions): Promise<void> {
    this.starts.push(options);
    if (this.failStarts > 0) {
      this.failStarts -= 1;
      throw new AppError("invalid_input", "no credentials");
    }
    if (this.running) throw new AppError("conflict", "already running");
    this.running = true;
  }

  async stop(reason: string): Promise<void> {
    this.stops.push(reason);
    if (this.running) this.#end({ crashed: false, reason });
  }

  onRunEnded(listener: (ending: RunEnding) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  startByHand(): void {
    this.running = true;
  }

  stopByHand(): void {
    this.#end({ crashed: false, reason: "stopped by the user" });
  }

  crash(reason = "the orchestrator failed"): void {
    this.#end({ crashed: true, reason });
  }

  #end(ending: RunEnding): void {
    this.running = false;
    for (const listener of this.#listeners) listener(ending);
  }
}
