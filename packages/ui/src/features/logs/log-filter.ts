/**
 * Filtering a {@link LogRing} without rescanning it on every append: the ring's ids are consecutive (one per
 * appended line, never reused), so each sync looks only at the lines newer than the last one seen and drops the
 * ones that fell out of the ring. With no filter the ring itself is the list (no copy at all).
 */
import type { LogLevel } from "@autowright/protocol";
import type { LogLine, LogRing } from "../../state/log-store.ts";

/** What the panel shows: every field optional (absent = everything). */
export interface LogFilter {
  readonly agentId?: string | undefined;
  readonly featureId?: number | undefined;
  /** The least severe level shown. */
  readonly minimumLevel?: LogLevel | undefined;
  /** A case-insensitive piece of the line's text. */
  readonly text?: string | undefined;
}

/** The levels, least severe first. */
export const logLevels: readonly LogLevel[] = ["debug", "info", "warn", "error"];

const levelRank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A list of lines read by index (a ring, a filtered ring, or an array). */
export interface LogRows {
  readonly count: number;
  at(index: number): LogLine | undefined;
}

/** The predicate of `filter`, or undefined when it lets every line through. */
export function logPredicate(filter: LogFilter): ((line: LogLine) => boolean) | undefined {
  const text = filter.text?.trim().toLowerCase() ?? "";
  const minimum = filter.minimumLevel === undefined ? 0 : levelRank[filter.minimumLevel];
  const { agentId, featureId } = filter;
  if (agentId === undefined && featureId === undefined && minimum === 0 && text === "") return undefined;
  return (line) =>
    (agentId === undefined || line.agentId === agentId) &&
    (featureId === undefined || line.featureId === featureId) &&
    levelRank[line.level] >= minimum &&
    (text === "" || line.line.toLowerCase().includes(text));
}

/** The lines of a ring that pass a predicate, kept up to date incrementally by {@link FilteredLog.sync}. */
export class FilteredLog implements LogRows {
  readonly #ring: LogRing;
  readonly #match: ((line: LogLine) => boolean) | undefined;
  #lines: LogLine[] = [];
  #offset = 0;
  #lastId = 0;
  #ringVersion = -1;

  constructor(ring: LogRing, match: ((line: LogLine) => boolean) | undefined) {
    this.#ring = ring;
    this.#match = match;
  }

  /** True when a predicate narrows the ring. */
  get filtered(): boolean {
    return this.#match !== undefined;
  }

  /** Brings the list up to date with the ring (cheap when nothing changed). */
  sync(): void {
    const ring = this.#ring;
    if (this.#match === undefined || ring.version === this.#ringVersion) return;
    this.#ringVersion = ring.version;
    const size = ring.size;
    const first = ring.at(0);
    const last = ring.at(size - 1);
    if (first === undefined || last === undefined) {
      this.#lines = [];
      this.#offset = 0;
      return;
    }
    while (this.#offset < this.#lines.length && (this.#lines[this.#offset]?.id ?? 0) < first.id) {
      this.#offset += 1;
    }
    if (this.#offset > 1024 && this.#offset * 2 > this.#lines.length) {
      this.#lines = this.#lines.slice(this.#offset);
      this.#offset = 0;
    }
    const start = Math.max(0, this.#lastId - first.id + 1);
    for (let index = start; index < size; index += 1) {
      const line = ring.at(index);
      if (line !== undefined && this.#match(line)) this.#lines.push(line);
    }
    this.#lastId = last.id;
  }

  /** How many lines pass. */
  get count(): number {
    return this.#match === undefined ? this.#ring.size : this.#lines.length - this.#offset;
  }

  /** The passing line at `index` (0 = oldest). */
  at(index: number): LogLine | undefined {
    if (this.#match === undefined) return this.#ring.at(index);
    if (index < 0) return undefined;
    return this.#lines[this.#offset + index];
  }
}

/** The agents and features that have lines in a ring (grows as lines arrive; forgotten on clear). */
export class LogFacets {
  readonly #ring: LogRing;
  #agentIds = new Set<string>();
  #featureIds = new Set<number>();
  #lastId = 0;
  #ringVersion = -1;
  #version = 0;

  constructor(ring: LogRing) {
    this.#ring = ring;
  }

  /** Changes when an agent or a feature is added (or on clear). */
  get version(): number {
    return this.#version;
  }

  /** The agent ids seen. */
  get agentIds(): ReadonlySet<string> {
    return this.#agentIds;
  }

  /** The feature ids seen. */
  get featureIds(): ReadonlySet<number> {
    return this.#featureIds;
  }

  /** Looks at the lines appended since the last sync. */
  sync(): void {
    const ring = this.#ring;
    if (ring.version === this.#ringVersion) return;
    this.#ringVersion = ring.version;
    const size = ring.size;
    const first = ring.at(0);
    const last = ring.at(size - 1);
    if (first === undefined || last === undefined) {
      if (this.#agentIds.size > 0 || this.#featureIds.size > 0) {
        this.#agentIds = new Set();
        this.#featureIds = new Set();
        this.#version += 1;
      }
      return;
    }
    let agents: Set<string> | undefined;
    let features: Set<number> | undefined;
    for (let index = Math.max(0, this.#lastId - first.id + 1); index < size; index += 1) {
      const line = ring.at(index);
      if (line === undefined) continue;
      if (line.agentId !== undefined && !(agents ?? this.#agentIds).has(line.agentId)) {
        agents ??= new Set(this.#agentIds);
        agents.add(line.agentId);
      }
      if (line.featureId !== undefined && !(features ?? this.#featureIds).has(line.featureId)) {
        features ??= new Set(this.#featureIds);
        features.add(line.featureId);
      }
    }
    this.#lastId = last.id;
    if (agents !== undefined) this.#agentIds = agents;
    if (features !== undefined) this.#featureIds = features;
    const changed = agents !== undefined || features !== undefined;
    if (changed) this.#version += 1;
  }
}

/** An array as {@link LogRows}. */
export function arrayRows(lines: readonly LogLine[]): LogRows {
  return { count: lines.length, at: (index) => lines[index] };
}

/** The index of the line with `id` in `rows` (ids increase with the index), or -1. */
export function indexOfId(rows: LogRows, id: number): number {
  let low = 0;
  let high = rows.count - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const candidate = rows.at(middle)?.id ?? 0;
    if (candidate === id) return middle;
    if (candidate < id) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

const clock = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** `14:05:09` in the user's time zone; empty when the line has no time. */
export function formatLogTime(at: string): string {
  const time = Date.parse(at);
  return Number.isNaN(time) ? "" : clock.format(time);
}

/** One line as text, for the clipboard. */
export function logLineText(line: LogLine, agentNames?: ReadonlyMap<string, string>): string {
  const parts = [formatLogTime(line.at), line.level.toUpperCase(), line.source];
  if (line.agentId !== undefined) parts.push(agentNames?.get(line.agentId) ?? line.agentId);
  if (line.featureId !== undefined) parts.push(`#${line.featureId}`);
  parts.push(line.line);
  return parts.filter((part) => part !== "").join(" ");
}

/** Every row as text, one line each. */
export function rowsText(rows: LogRows, agentNames?: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  for (let index = 0; index < rows.count; index += 1) {
    const line = rows.at(index);
    if (line !== undefined) out.push(logLineText(line, agentNames));
  }
  return out.join("\n");
}
