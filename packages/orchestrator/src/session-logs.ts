/**
 * Per-session logs on disk: every `log.appended` line of an agent (redacted once more with the run's secrets) is
 * appended to `<project>/.autowright/logs/sessions/<sessionId>.jsonl`, one JSON object per line, bounded per session.
 * They outlive the session and the process, and are read back in pages by byte offset
 * (`GET …/sessions/:id/log?offset=`). AutoForge kept the last 100 lines in memory and lost them on restart.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { createRedactor, type Redactor } from "@autowright/agent-runtime";
import {
  AppError,
  type LogLevel,
  logLevelSchema,
  type ServerEvent,
  sessionIdSchema,
} from "@autowright/protocol";

/** The most a session's log file may hold (bytes); past it one truncation line is written and the rest dropped. */
export const defaultSessionLogLimitBytes = 2 * 1024 * 1024;

/** One stored log line. */
export interface SessionLogLine {
  readonly at: string;
  readonly level: LogLevel;
  readonly line: string;
  readonly source?: string;
}

/** A page of a session's log. */
export interface SessionLogPage {
  readonly lines: SessionLogLine[];
  /** Where the next page starts (pass it as `offset`); equal to `size` at the end. */
  readonly nextOffset: number;
  /** The file's size now. */
  readonly size: number;
  /** True when the file was cut at its limit. */
  readonly truncated: boolean;
}

const safeId = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const truncationMarker = "the log of this session reached its limit; later lines were dropped";

/** The file of one session's log, refusing ids that are not plain names (no path can be smuggled in). */
export function sessionLogFile(directory: string, sessionId: string): string {
  if (!sessionIdSchema.safeParse(sessionId).success || !safeId.test(sessionId))
    throw new AppError("invalid_input", `not a session id: ${JSON.stringify(sessionId)}`);
  return join(directory, `${sessionId}.jsonl`);
}

interface OpenLog {
  readonly descriptor: number;
  bytes: number;
  full: boolean;
}

/** Writes agents' log lines to their session files while subscribed to a bus. */
export class SessionLogWriter {
  readonly #directory: string;
  readonly #limitBytes: number;
  readonly #redact: Redactor;
  readonly #open = new Map<string, OpenLog>();
  #warned = false;
  readonly #warn: (message: string) => void;

  constructor(options: {
    directory: string;
    environment: NodeJS.ProcessEnv;
    limitBytes?: number;
    warn: (message: string) => void;
  }) {
    this.#directory = options.directory;
    this.#limitBytes = options.limitBytes ?? defaultSessionLogLimitBytes;
    this.#redact = createRedactor(options.environment);
    this.#warn = options.warn;
  }

  /** Handles one event (subscribe it to the run's bus). */
  readonly onEvent = (event: ServerEvent): void => {
    try {
      if (event.type === "log.appended" && event.data.agentId !== undefined) {
        this.#append(event.data.agentId, {
          at: event.at,
          level: event.data.level,
          line: this.#redact(event.data.line),
          source: event.data.source,
        });
      } else if (event.type === "agent.ended") {
        this.#close(event.data.agentId);
      }
    } catch (error) {
      // A full disk must not stop the run; it is said once.
      if (!this.#warned) {
        this.#warned = true;
        this.#warn(`could not write a session log: ${(error as Error).message}`);
      }
    }
  };

  /** Closes every open file. */
  close(): void {
    for (const id of [...this.#open.keys()]) this.#close(id);
  }

  #append(sessionId: string, entry: SessionLogLine): void {
    let log = this.#open.get(sessionId);
    if (log === undefined) {
      mkdirSync(this.#directory, { recursive: true });
      const file = sessionLogFile(this.#directory, sessionId);
      const bytes = existsSync(file) ? statSync(file).size : 0;
      log = { descriptor: openSync(file, "a", 0o600), bytes, full: bytes >= this.#limitBytes };
      this.#open.set(sessionId, log);
    }
    if (log.full) return;
    const text = `${JSON.stringify(entry)}\n`;
    const size = Buffer.byteLength(text);
    if (log.bytes + size > this.#limitBytes) {
      log.full = true;
      const marker = `${JSON.stringify({ at: entry.at, level: "warn", line: truncationMarker, source: "orchestrator" })}\n`;
      writeSync(log.descriptor, marker);
      log.bytes += Buffer.byteLength(marker);
      return;
    }
    writeSync(log.descriptor, text);
    log.bytes += size;
  }

  #close(sessionId: string): void {
    const log = this.#open.get(sessionId);
    if (log === undefined) return;
    this.#open.delete(sessionId);
    closeSync(log.descriptor);
  }
}

/**
 * Reads a page of a session's log from byte `offset`: whole lines only, at most `maxBytes` of them (at least one
 * line when there is one). A session that logged nothing has an empty page; an offset past the end is refused.
 */
export function readSessionLog(
  directory: string,
  sessionId: string,
  offset = 0,
  maxBytes = 256 * 1024,
): SessionLogPage {
  const file = sessionLogFile(directory, sessionId);
  if (!existsSync(file)) return { lines: [], nextOffset: 0, size: 0, truncated: false };
  const size = statSync(file).size;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size)
    throw new AppError("invalid_input", `offset must be between 0 and ${size}, got ${offset}`);
  const length = Math.min(size - offset, Math.max(1, maxBytes));
  const buffer = Buffer.alloc(length);
  const descriptor = openSync(file, "r");
  let read: number;
  try {
    read = readSync(descriptor, buffer, 0, length, offset);
  } finally {
    closeSync(descriptor);
  }
  let text = buffer.subarray(0, read).toString("utf8");
  let end = text.lastIndexOf("\n") + 1;
  if (end === 0 && read > 0) {
    // One line longer than a page: read it whole.
    const whole = readWholeLine(file, offset, size);
    text = whole;
    end = whole.length;
  }
  const consumed = Buffer.byteLength(text.slice(0, end));
  const lines: SessionLogLine[] = [];
  let truncated = false;
  for (const raw of text.slice(0, end).split("\n")) {
    if (raw === "") continue;
    const line = parseLine(raw);
    if (line === undefined) continue;
    if (line.line === truncationMarker) truncated = true;
    lines.push(line);
  }
  return { lines, nextOffset: offset + consumed, size, truncated };
}

function readWholeLine(file: string, offset: number, size: number): string {
  const buffer = Buffer.alloc(size - offset);
  const descriptor = openSync(file, "r");
  try {
    readSync(descriptor, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(descriptor);
  }
  const text = buffer.toString("utf8");
  const end = text.indexOf("\n");
  return end === -1 ? text : text.slice(0, end + 1);
}

function parseLine(raw: string): SessionLogLine | undefined {
  try {
    const value = JSON.parse(raw) as Partial<SessionLogLine>;
    if (typeof value.at !== "string" || typeof value.line !== "string") return undefined;
    const level = logLevelSchema.safeParse(value.level);
    return {
      at: value.at,
      level: level.success ? level.data : "info",
      line: value.line,
      ...(typeof value.source === "string" ? { source: value.source } : {}),
    };
  } catch {
    return undefined;
  }
}
