/**
 * Runs the agent's shell commands, each in its own process group, and remembers the groups so that cancelling
 * a session kills everything it started (servers it left running in the background included) and nothing else.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { processTable } from "./process-table.ts";

/** The result of one command. */
export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, cut in the middle when longer than the limit. */
  readonly output: string;
  readonly truncated: boolean;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** Options of {@link ProcessTracker.run}. */
export interface RunOptions {
  readonly cwd: string;
  /** When given, the command runs through this argv (e.g. a sandbox wrapper) instead of plain `bash -c`. */
  readonly argv?: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  readonly signal?: AbortSignal;
}

const killGraceMs = 2_000;
const backgroundGraceMs = 200;

/** The process groups of one session. */
export class ProcessTracker {
  readonly #groups = new Set<number>();
  readonly #running = new Set<ChildProcess>();

  /** Runs `command` with bash in a new process group. Never rejects for a failing command. */
  run(command: string, options: RunOptions): Promise<CommandResult> {
    const started = performance.now();
    if (options.signal?.aborted === true) {
      return Promise.resolve({
        exitCode: null,
        signal: null,
        output: "not run: the session was stopped",
        truncated: false,
        timedOut: false,
        durationMs: 0,
      });
    }
    return new Promise((resolve) => {
      const [program, ...programArguments] = options.argv ?? ["bash", "-c", command];
      const child = spawn(program ?? "bash", programArguments, {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      if (child.pid !== undefined) this.#groups.add(child.pid);
      // The session may have been stopped while this command was being started: kill it at once.
      if (options.signal?.aborted === true) this.#killGroup(child.pid);
      this.#running.add(child);
      const collector = new OutputCollector(options.maxOutputBytes);
      child.stdout?.on("data", (chunk: Buffer) => collector.add(chunk));
      child.stderr?.on("data", (chunk: Buffer) => collector.add(chunk));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        this.#killGroup(child.pid);
      }, options.timeoutMs);
      const onAbort = (): void => this.#killGroup(child.pid);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      let finished = false;
      const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.#running.delete(child);
        resolve({
          exitCode,
          signal,
          output: collector.text(),
          truncated: collector.truncated,
          timedOut,
          durationMs: performance.now() - started,
        });
      };
      child.on("error", (error) => {
        collector.add(Buffer.from(`failed to start: ${error.message}\n`));
        finish(null, null);
      });
      child.on("close", finish);
      // A process left running in the background keeps the pipes open: do not wait for it, it stays tracked.
      child.on("exit", (exitCode, signal) => {
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(exitCode, signal);
        }, backgroundGraceMs).unref();
      });
    });
  }

  /** Every live process in this session's groups (for the command policy's "did the session start it"). */
  ownedPids(): Set<number> {
    for (const group of this.#groups) if (!groupAlive(group)) this.#groups.delete(group);
    const owned = new Set<number>(this.#groups);
    if (this.#groups.size === 0) return owned;
    // Without /proc (not Linux) the table is empty: only the group leaders are known.
    for (const { pid, fields } of processTable()) if (this.#groups.has(Number(fields[2]))) owned.add(pid);
    return owned;
  }

  /** Kills every process group this session started: SIGTERM, then SIGKILL after a grace period. */
  async killAll(): Promise<void> {
    const groups = [...this.#groups];
    for (const group of groups) signalGroup(group, "SIGTERM");
    const deadline = Date.now() + killGraceMs;
    while (Date.now() < deadline && groups.some(groupAlive))
      await new Promise((resolve) => setTimeout(resolve, 50));
    for (const group of groups) signalGroup(group, "SIGKILL");
  }

  #killGroup(pid: number | undefined): void {
    if (pid === undefined) return;
    signalGroup(pid, "SIGTERM");
    setTimeout(() => signalGroup(pid, "SIGKILL"), killGraceMs).unref();
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // Already gone.
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

/** Keeps the head and the tail of a long output. */
class OutputCollector {
  readonly #limit: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail = Buffer.alloc(0);
  truncated = false;

  constructor(limit: number) {
    this.#limit = Math.max(256, limit);
  }

  add(chunk: Buffer): void {
    const headRoom = Math.floor(this.#limit / 2) - this.#headBytes;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.#head.push(part);
      this.#headBytes += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    const tailLimit = this.#limit - Math.floor(this.#limit / 2);
    const combined = Buffer.concat([this.#tail, chunk]);
    if (combined.length > tailLimit) this.truncated = true;
    this.#tail = combined.subarray(Math.max(0, combined.length - tailLimit));
  }

  text(): string {
    const head = Buffer.concat(this.#head).toString("utf8");
    const tail = this.#tail.toString("utf8");
    return this.truncated ? `${head}\n… [output cut] …\n${tail}` : head + tail;
  }
}
