/**
 * The scheduler of one project: it starts the project's run when a schedule's window opens and stops it when the
 * windows close. It arms one timer, for the next instant anything can change (a window opens or closes, a hold
 * ends, a crashed run is due to restart), and looks at the schedules again then and whenever they change: no
 * polling loop. Its decisions depend only on the windows open now and on what it remembers, so a late timer, a
 * clock change or a server restart inside a window all come out right.
 *
 * The rules (AutoForge's scheduler broke several of them, W17 and W22):
 * - Start: while a window is open, no run is active and the scheduler is not holding, it starts the run with the
 *   governing schedule's own `maxConcurrency`, `yolo` and `model` (the window that opened last; ties: the lower
 *   id). At server start-up inside a window, that means at once.
 * - Stop: it stops only the run it started, and only when no window is open any more: the last one ended, or the
 *   schedules were disabled, deleted or moved so that none is open. A paused run is stopped too. A second window
 *   opening while its run is active changes nothing (the run keeps its options).
 * - Manual stop: a run that stops or ends inside a window without crashing (the user stopped it, or it finished
 *   the backlog) is not started again until every window open at that moment has ended (a "hold").
 * - Manual start: a run the scheduler did not start is never stopped by it, inside or outside a window, whatever
 *   the windows do; the scheduler never adopts it. There is no exception: a person's explicit start outranks the
 *   calendar, and stopping it is one click away. When such a run ends inside a window (stopped, finished or
 *   crashed), the scheduler holds as after a manual stop: it was not the scheduler's to restart.
 * - Crashes: when its own run crashes inside a window, the crash is counted on the governing schedule (persisted,
 *   so a restarted server continues the count) and the run is restarted after `restartDelayMs · 3^(n−1)`; the
 *   crash after `maxRestarts` restarts gives up with a reason (a hold until the windows end). A schedule's count is
 *   reset to 0 once none of its windows is open (the window completed).
 * - Holds and pending restarts live in memory: a server restart inside a window starts the run again, unless the
 *   persisted crash count says the scheduler gave up.
 * - `close()` cancels the timer and unsubscribes; it does not stop a run (the server stops runs when it shuts down).
 */
import { activeWindows, nextWindowStart, type ScheduleWindow } from "@autowright/domain";
import {
  AppError,
  type Schedule,
  type ScheduleDraft,
  type ScheduleNextResponse,
  type SchedulePatchRequest,
} from "@autowright/protocol";
import type { ScheduleRepository } from "@autowright/store";

/** The options of a run the scheduler starts: the schedule's own. */
export interface ScheduledRunOptions {
  readonly maxConcurrency: number;
  readonly yolo: boolean;
  /** Null: the settings' model. */
  readonly model: string | null;
  /** Why the run starts, in a sentence (for the run's status and logs). */
  readonly reason: string;
}

/** How a run ended, as the scheduler needs to know it. */
export interface RunEnding {
  /** True when the run failed on its own (not stopped, not finished). */
  readonly crashed: boolean;
  readonly reason: string;
}

/** The scheduler's handle on the project's one run (the server's run controller, or a fake in tests). */
export interface RunControl {
  /** True while a run is active (paused included), whoever started it. */
  isRunning(): boolean;
  /** Starts a run; rejects when it cannot (then nothing runs). */
  start(options: ScheduledRunOptions): Promise<void>;
  /** Stops the active run; resolves once it has ended. */
  stop(reason: string): Promise<void>;
  /**
   * Calls `listener` once for every run that ends, whoever started it, with `isRunning()` already false; returns
   * the unsubscribe function.
   */
  onRunEnded(listener: (ending: RunEnding) => void): () => void;
}

/** Time as the scheduler sees it: tests pass a fake one and drive it without sleeping. */
export interface SchedulerClock {
  /** Now, in epoch milliseconds. */
  now(): number;
  /** Calls `callback` once after `delayMs`; returns the function that cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void;
}

// setTimeout's largest delay; a longer wait wakes up early, finds nothing to do and waits again.
const maxTimerDelayMs = 2_147_483_647;

/** The real clock: `Date.now()` and an unreferenced `setTimeout`. */
export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => {
    const timer = setTimeout(callback, Math.min(Math.max(0, delayMs), maxTimerDelayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** What a {@link Scheduler} works with. */
export interface SchedulerOptions {
  /** The project's schedules (`ProjectStore.schedules`). */
  readonly schedules: ScheduleRepository;
  readonly run: RunControl;
  /** Default {@link systemClock}. */
  readonly clock?: SchedulerClock;
  /** Restarts of a crashed run per window before the scheduler gives up. Default 3. */
  readonly maxRestarts?: number;
  /** The delay before the first restart; each further one is three times longer. Default 10 s. */
  readonly restartDelayMs?: number;
  /**
   * Failures the scheduler cannot answer to anyone (a timer's evaluation, a stop that failed). After a failed
   * evaluation no timer is armed until the next change or `refresh()`. Default: one line on stderr.
   */
  readonly onError?: (error: unknown) => void;
}

interface Hold {
  readonly until: number;
  readonly reason: string;
}

const iso = (instant: number): string => new Date(instant).toISOString();
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const latestEnd = (windows: readonly ScheduleWindow[]): number =>
  Math.max(...windows.map((window) => window.end));

/** The scheduler of one project; see the module comment for its rules. Live from construction until `close()`. */
export class Scheduler {
  readonly #schedules: ScheduleRepository;
  readonly #run: RunControl;
  readonly #clock: SchedulerClock;
  readonly #maxRestarts: number;
  readonly #restartDelayMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #unsubscribe: () => void;
  #cancelTimer: (() => void) | undefined;
  /** The run this scheduler started and has not seen end; `token` tells its start apart from later ones. */
  #owned: { readonly token: number; scheduleId: number } | null = null;
  #tokens = 0;
  /** Set while this scheduler's own stop is under way: the ending that follows is not a manual stop. */
  #stopping = false;
  #hold: Hold | null = null;
  #restartAt: number | null = null;
  #closed = false;
  #evaluating = false;
  #evaluateAgain = false;

  /** Subscribes to the run's endings and acts on the windows open now (which may start the run at once). */
  constructor(options: SchedulerOptions) {
    this.#schedules = options.schedules;
    this.#run = options.run;
    this.#clock = options.clock ?? systemClock;
    this.#maxRestarts = options.maxRestarts ?? 3;
    this.#restartDelayMs = options.restartDelayMs ?? 10_000;
    this.#onError =
      options.onError ?? ((error) => console.error(`autowright: scheduler: ${messageOf(error)}`));
    this.#unsubscribe = this.#run.onRunEnded((ending) => this.#runEnded(ending));
    this.#evaluate();
  }

  /** Every schedule, by start time then id. */
  list(): Schedule[] {
    this.#assertOpen();
    return this.#schedules.list();
  }

  /** One schedule; throws `not_found`. */
  get(id: number): Schedule {
    this.#assertOpen();
    return this.#schedules.require(id);
  }

  /** Creates a schedule and acts on it at once (a window open now starts the run). */
  create(draft: ScheduleDraft): Schedule {
    this.#assertOpen();
    const schedule = this.#schedules.create(draft);
    this.#evaluate();
    return schedule;
  }

  /** Changes a schedule and acts on it at once (a run it started stops when no window is open any more). */
  update(id: number, patch: SchedulePatchRequest): Schedule {
    this.#assertOpen();
    const schedule = this.#schedules.update(id, patch);
    this.#evaluate();
    return schedule;
  }

  /** Deletes a schedule and acts on it at once; throws `not_found`. */
  delete(id: number): void {
    this.#assertOpen();
    this.#schedules.delete(id);
    this.#evaluate();
  }

  /** Looks at the schedules again: call it after changing them other than through this scheduler. */
  refresh(): void {
    this.#assertOpen();
    this.#evaluate();
  }

  /** What the scheduler is doing and will do next (`GET …/schedules/next`). */
  next(): ScheduleNextResponse {
    this.#assertOpen();
    const now = this.#clock.now();
    const schedules = this.#schedules.list();
    const open = activeWindows(schedules, now);
    const governing = open[0];
    const upcoming = nextWindowStart(schedules, now);
    const hold = this.#hold !== null && this.#hold.until > now ? this.#hold : null;
    return {
      hasSchedules: schedules.some((schedule) => schedule.enabled),
      running: this.#run.isRunning(),
      scheduledRun: this.#owned !== null,
      ...(governing === undefined
        ? {}
        : {
            active: {
              scheduleId: governing.scheduleId,
              start: iso(governing.start),
              end: iso(governing.end),
              until: iso(latestEnd(open)),
              scheduleIds: [...new Set(open.map((window) => window.scheduleId))].sort((a, b) => a - b),
              ...(hold === null ? {} : { hold: { reason: hold.reason, until: iso(hold.until) } }),
              ...(this.#restartAt === null ? {} : { restartAt: iso(this.#restartAt) }),
            },
          }),
      ...(upcoming === undefined
        ? {}
        : {
            next: { scheduleId: upcoming.scheduleId, start: iso(upcoming.start), end: iso(upcoming.end) },
          }),
    };
  }

  /** Cancels the timer and stops listening. Nothing of the scheduler runs afterwards; the run is left as it is. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#unsubscribe();
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError("store_closed", "the scheduler of this project is closed");
  }

  /** Decides from the windows open now, then arms the one timer. Re-entrant calls run after the current one. */
  #evaluate(): void {
    if (this.#closed) return;
    if (this.#evaluating) {
      this.#evaluateAgain = true;
      return;
    }
    this.#evaluating = true;
    try {
      do {
        this.#evaluateAgain = false;
        this.#decide();
      } while (this.#evaluateAgain && !this.#closed);
    } catch (error) {
      this.#onError(error);
    } finally {
      this.#evaluating = false;
    }
  }

  #decide(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const now = this.#clock.now();
    let schedules = this.#schedules.list();
    const open = activeWindows(schedules, now);
    const openIds = new Set(open.map((window) => window.scheduleId));
    if (schedules.some((schedule) => schedule.crashCount > 0 && !openIds.has(schedule.id))) {
      for (const schedule of schedules) {
        if (schedule.crashCount > 0 && !openIds.has(schedule.id)) this.#schedules.resetCrashes(schedule.id);
      }
      schedules = this.#schedules.list();
    }
    if (this.#hold !== null && now >= this.#hold.until) this.#hold = null;
    const governing = open[0];
    if (governing === undefined) {
      this.#restartAt = null;
      if (this.#owned !== null) this.#stopOwned("no schedule window is open any more");
    } else if (this.#owned !== null) {
      if (!openIds.has(this.#owned.scheduleId)) this.#owned.scheduleId = governing.scheduleId;
    } else if (this.#run.isRunning()) {
      // Someone else's run: left alone (it is never stopped by the scheduler).
      this.#restartAt = null;
    } else if (this.#hold === null && (this.#restartAt === null || now >= this.#restartAt)) {
      const schedule = schedules.find((candidate) => candidate.id === governing.scheduleId);
      if (schedule !== undefined) this.#startOrGiveUp(schedule, governing, open);
    }
    this.#arm(now, schedules, open);
  }

  #startOrGiveUp(schedule: Schedule, window: ScheduleWindow, open: readonly ScheduleWindow[]): void {
    this.#restartAt = null;
    if (schedule.crashCount > this.#maxRestarts) {
      this.#hold = {
        until: latestEnd(open),
        reason: `the run crashed ${schedule.crashCount} times in this window; the scheduler gave up until the window ends`,
      };
      return;
    }
    const token = ++this.#tokens;
    this.#owned = { token, scheduleId: schedule.id };
    const reason =
      schedule.crashCount === 0
        ? `schedule ${schedule.id}: its window is open until ${iso(window.end)}`
        : `schedule ${schedule.id}: restart ${schedule.crashCount} of ${this.#maxRestarts} after a crash`;
    let starting: Promise<void>;
    try {
      starting = this.#run.start({
        maxConcurrency: schedule.maxConcurrency,
        yolo: schedule.yolo,
        model: schedule.model,
        reason,
      });
    } catch (error) {
      starting = Promise.reject(error);
    }
    starting.then(
      () => undefined,
      (error: unknown) => this.#startFailed(token, schedule.id, error),
    );
  }

  #startFailed(token: number, scheduleId: number, error: unknown): void {
    if (this.#closed || this.#owned?.token !== token) return;
    this.#owned = null;
    // A run started by someone else between our look and our start: theirs now, not a crash.
    if (this.#run.isRunning()) this.#evaluate();
    else this.#crashed(scheduleId, `it could not start: ${messageOf(error)}`);
  }

  #stopOwned(reason: string): void {
    this.#owned = null;
    if (!this.#run.isRunning()) return;
    this.#stopping = true;
    let stopping: Promise<void>;
    try {
      stopping = this.#run.stop(reason);
    } catch (error) {
      stopping = Promise.reject(error);
    }
    stopping.then(
      () => undefined,
      (error: unknown) => {
        this.#stopping = false;
        if (!this.#closed) this.#onError(new Error(`could not stop the scheduled run: ${messageOf(error)}`));
      },
    );
  }

  #runEnded(ending: RunEnding): void {
    if (this.#closed) return;
    if (this.#stopping) {
      this.#stopping = false;
      this.#evaluate();
      return;
    }
    const owned = this.#owned;
    this.#owned = null;
    try {
      if (owned !== null && ending.crashed) {
        this.#crashed(owned.scheduleId, ending.reason);
        return;
      }
      const open = activeWindows(this.#schedules.list(), this.#clock.now());
      if (open.length > 0) {
        const what = owned === null ? "a run started by hand" : "the scheduled run";
        this.#hold = {
          until: latestEnd(open),
          reason: `${what} ${ending.crashed ? "crashed" : "ended"} inside the window (${ending.reason}); the scheduler leaves it off until the window ends`,
        };
      }
    } catch (error) {
      this.#onError(error);
    }
    this.#evaluate();
  }

  /** Counts a crash of the scheduler's run and schedules its restart, or gives up. */
  #crashed(scheduleId: number, reason: string): void {
    const now = this.#clock.now();
    const open = activeWindows(this.#schedules.list(), now);
    const governing = open[0];
    if (governing !== undefined) {
      const counted = open.some((window) => window.scheduleId === scheduleId)
        ? scheduleId
        : governing.scheduleId;
      const crashes = this.#schedules.recordCrash(counted).crashCount;
      if (crashes > this.#maxRestarts) {
        this.#hold = {
          until: latestEnd(open),
          reason: `the run crashed ${crashes} times in this window (last: ${reason}); the scheduler gave up until the window ends`,
        };
      } else {
        this.#restartAt = now + this.#restartDelayMs * 3 ** (crashes - 1);
      }
    }
    this.#evaluate();
  }

  #arm(now: number, schedules: readonly Schedule[], open: readonly ScheduleWindow[]): void {
    const candidates = [
      nextWindowStart(schedules, now)?.start,
      ...open.map((window) => window.end),
      this.#hold?.until,
      this.#restartAt ?? undefined,
    ].filter((instant): instant is number => instant !== undefined && instant > now);
    if (candidates.length === 0) return;
    const wake = Math.min(...candidates);
    this.#cancelTimer = this.#clock.setTimer(
      () => {
        this.#cancelTimer = undefined;
        this.#evaluate();
      },
      Math.min(wake - now, maxTimerDelayMs),
    );
  }
}
