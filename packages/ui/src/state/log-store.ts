/**
 * The log lines of a project's screens (agents, verifier, orchestrator; the dev server's output), kept outside the
 * reducer: 50,000 lines in a ring, appended in batches, read by the virtualised panel through a version number.
 * Lines are what the server sent (already redacted); nothing is parsed out of them.
 */
import type { LogLevel, LogSource } from "@autowright/protocol";

/** One line of the agents' log. */
export interface LogLine {
  readonly id: number;
  readonly at: string;
  readonly line: string;
  readonly level: LogLevel;
  readonly source: LogSource | "devserver";
  readonly agentId?: string;
  readonly featureId?: number;
}

/** A ring of lines with a version that changes on every append or clear. */
export class LogRing {
  readonly capacity: number;
  #lines: LogLine[] = [];
  #start = 0;
  #nextId = 1;
  #version = 0;
  readonly #listeners = new Set<() => void>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Changes on every append or clear (for `useSyncExternalStore`). */
  get version(): number {
    return this.#version;
  }

  /** How many lines are kept. */
  get size(): number {
    return this.#lines.length;
  }

  /** Appends lines (the oldest fall out past the capacity). */
  append(lines: readonly Omit<LogLine, "id">[]): void {
    if (lines.length === 0) return;
    for (const line of lines) {
      const entry = { ...line, id: this.#nextId++ };
      if (this.#lines.length < this.capacity) this.#lines.push(entry);
      else {
        this.#lines[this.#start] = entry;
        this.#start = (this.#start + 1) % this.capacity;
      }
    }
    this.#changed();
  }

  /** The line at `index` (0 = oldest kept). */
  at(index: number): LogLine | undefined {
    if (index < 0 || index >= this.#lines.length) return undefined;
    return this.#lines[(this.#start + index) % this.#lines.length];
  }

  /** Every kept line, oldest first (a copy). */
  toArray(): LogLine[] {
    return [...this.#lines.slice(this.#start), ...this.#lines.slice(0, this.#start)];
  }

  /** Forgets every line. */
  clear(): void {
    this.#lines = [];
    this.#start = 0;
    this.#changed();
  }

  /** Calls `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    this.#version += 1;
    for (const listener of this.#listeners) listener();
  }
}

/** The log capacity of the agents' panel and of the dev server's. */
export const logCapacity = { agents: 50_000, devServer: 20_000 } as const;
