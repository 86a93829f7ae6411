/**
 * The run schedules of a project (the `schedules` table), reached as `ProjectStore.schedules`. Days are stored as
 * a bitfield (bit 0 = Monday) and read back as weekday names, Monday first. Ids are never reused.
 */
import {
  AppError,
  formatZodError,
  maxSchedulesPerProject,
  type Schedule,
  type ScheduleDraft,
  type SchedulePatchRequest,
  scheduleDraftSchema,
  type Weekday,
  weekdays,
} from "@autowright/protocol";
import { asc, eq, sql } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import * as schema from "./project-schema.ts";

type ScheduleRow = typeof schema.schedules.$inferSelect;

/** What a {@link ScheduleRepository} needs from its store. */
export interface ScheduleRepositoryOptions {
  /** False once the store is closed: every method then throws `store_closed`. */
  readonly isOpen: () => boolean;
  /** The store's clock. */
  readonly now: () => Date;
}

function daysToBits(days: readonly Weekday[]): number {
  return days.reduce((bits, day) => bits | (1 << weekdays.indexOf(day)), 0);
}

function bitsToDays(bits: number): Weekday[] {
  return weekdays.filter((_day, index) => (bits & (1 << index)) !== 0);
}

function toSchedule(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    days: bitsToDays(row.daysOfWeek),
    startTime: row.startTime,
    durationMinutes: row.durationMinutes,
    timeZone: row.timeZone,
    enabled: row.enabled,
    yolo: row.yolo,
    model: row.model,
    maxConcurrency: row.maxConcurrency,
    crashCount: row.crashCount,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function checkedDraft(draft: unknown): ScheduleDraft {
  const parsed = scheduleDraftSchema.safeParse(draft);
  if (!parsed.success) {
    throw new AppError("invalid_input", `invalid schedule: ${formatZodError(parsed.error)}`);
  }
  return parsed.data;
}

/** The schedules of one project. */
export class ScheduleRepository {
  readonly #database: BetterSQLite3Database<typeof schema>;
  readonly #options: ScheduleRepositoryOptions;

  /** Used by `ProjectStore`; take the store's `schedules` rather than building one. */
  constructor(database: BetterSQLite3Database<typeof schema>, options: ScheduleRepositoryOptions) {
    this.#database = database;
    this.#options = options;
  }

  /** Every schedule, by start time then id. */
  list(): Schedule[] {
    this.#assertOpen();
    return this.#database
      .select()
      .from(schema.schedules)
      .orderBy(asc(schema.schedules.startTime), asc(schema.schedules.id))
      .all()
      .map(toSchedule);
  }

  /** The schedule with this id, or undefined. */
  get(id: number): Schedule | undefined {
    this.#assertOpen();
    const row = this.#database.select().from(schema.schedules).where(eq(schema.schedules.id, id)).get();
    return row === undefined ? undefined : toSchedule(row);
  }

  /** The schedule with this id; throws `not_found` when there is none. */
  require(id: number): Schedule {
    const schedule = this.get(id);
    if (schedule === undefined) {
      throw new AppError("not_found", `no schedule ${id}`, { details: { scheduleId: id } });
    }
    return schedule;
  }

  /**
   * Creates a schedule (crash count 0). Throws `invalid_input` for a draft the protocol refuses and `conflict` past
   * {@link maxSchedulesPerProject} schedules.
   */
  create(draft: ScheduleDraft): Schedule {
    this.#assertOpen();
    const checked = checkedDraft(draft);
    return this.#database.transaction((transaction) => {
      const count =
        transaction.select({ count: sql<number>`count(*)` }).from(schema.schedules).get()?.count ?? 0;
      if (count >= maxSchedulesPerProject) {
        throw new AppError("conflict", `a project has at most ${maxSchedulesPerProject} schedules`);
      }
      const at = this.#options.now().toISOString();
      const row = transaction
        .insert(schema.schedules)
        .values({
          startTime: checked.startTime,
          durationMinutes: checked.durationMinutes,
          daysOfWeek: daysToBits(checked.days),
          timeZone: checked.timeZone,
          enabled: checked.enabled,
          yolo: checked.yolo,
          model: checked.model,
          maxConcurrency: checked.maxConcurrency,
          crashCount: 0,
          createdAt: at,
          updatedAt: at,
        })
        .returning()
        .get();
      return toSchedule(row);
    });
  }

  /**
   * Changes the given fields of a schedule; throws `not_found` for an unknown id and `invalid_input` when the
   * result is not a valid schedule (then nothing changes).
   */
  update(id: number, patch: SchedulePatchRequest): Schedule {
    this.#assertOpen();
    return this.#database.transaction((transaction) => {
      const current = this.require(id);
      const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
      const next = checkedDraft({
        days: current.days,
        startTime: current.startTime,
        durationMinutes: current.durationMinutes,
        timeZone: current.timeZone,
        enabled: current.enabled,
        yolo: current.yolo,
        model: current.model,
        maxConcurrency: current.maxConcurrency,
        ...defined,
      });
      const row = transaction
        .update(schema.schedules)
        .set({
          startTime: next.startTime,
          durationMinutes: next.durationMinutes,
          daysOfWeek: daysToBits(next.days),
          timeZone: next.timeZone,
          enabled: next.enabled,
          yolo: next.yolo,
          model: next.model,
          maxConcurrency: next.maxConcurrency,
          updatedAt: this.#options.now().toISOString(),
        })
        .where(eq(schema.schedules.id, id))
        .returning()
        .get();
      if (row === undefined) throw new AppError("not_found", `no schedule ${id}`);
      return toSchedule(row);
    });
  }

  /** Deletes a schedule; throws `not_found` for an unknown id. */
  delete(id: number): void {
    this.#assertOpen();
    const { changes } = this.#database.delete(schema.schedules).where(eq(schema.schedules.id, id)).run();
    if (changes === 0) {
      throw new AppError("not_found", `no schedule ${id}`, { details: { scheduleId: id } });
    }
  }

  /** Counts one more crash of the schedule's run in its current window; returns the schedule. */
  recordCrash(id: number): Schedule {
    this.#assertOpen();
    const row = this.#database
      .update(schema.schedules)
      .set({ crashCount: sql`${schema.schedules.crashCount} + 1` })
      .where(eq(schema.schedules.id, id))
      .returning()
      .get();
    if (row === undefined) throw new AppError("not_found", `no schedule ${id}`);
    return toSchedule(row);
  }

  /** Sets the crash count back to 0 (a window completed); returns the schedule. */
  resetCrashes(id: number): Schedule {
    this.#assertOpen();
    const row = this.#database
      .update(schema.schedules)
      .set({ crashCount: 0 })
      .where(eq(schema.schedules.id, id))
      .returning()
      .get();
    if (row === undefined) throw new AppError("not_found", `no schedule ${id}`);
    return toSchedule(row);
  }

  #assertOpen(): void {
    if (!this.#options.isOpen()) throw new AppError("store_closed", "the project store is closed");
  }
}
