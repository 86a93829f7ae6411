/**
 * Runs short commands (git) from a small helper process instead of the orchestrator's own.
 *
 * Node's `spawn` forks the calling process in its main thread, and a fork costs in proportion to the caller's
 * memory: measured on the development machine, 1.2 ms from a 47 MB process, 16 ms from 360 MB and 40 ms from
 * 1.1 GB. A run spawns ~13 git commands per feature, so the orchestrator's event loop sat in `fork` for ~9 s of
 * a 27 s benchmark run (docs/benchmarks.md). The helper is a bare `node` (~40 MB) that spawns on request and
 * answers with the exit code and both outputs; the orchestrator only writes a line to a pipe.
 *
 * The helper starts on the first request, and its input is closed after a second without requests, so it exits:
 * nothing of it outlives the work it was given. It holds the event loop open only while a request is in flight.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type SpawnerAnswer, spawnerAnswerSchema } from "@autowright/protocol";

/** One command for the helper: `file args…` in `cwd`, with exactly `env`. */
export interface SpawnRequest {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Kills the command (SIGTERM) when aborted. */
  readonly signal?: AbortSignal;
}

/** What the command did. `startError` is set (and the rest empty) when it could not be started at all. */
export interface SpawnResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly startError?: string;
}

/**
 * The helper's program, run with `node -e`: no imports but Node's own, so it works the same from the sources, the
 * bundle and the tests. Requests are NDJSON lines `{id, file, args, cwd, envId}`, `{defineEnv: envId, env}` (an
 * environment is sent once, then named) or `{kill: id}`; answers are `{id, code, stdout, stderr}` or
 * `{id, startError}`.
 */
const helperSource = `
const { spawn } = require("node:child_process");
const children = new Map();
const environments = new Map();
const answer = (message) => process.stdout.write(JSON.stringify(message) + "\\n");
require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
  const request = JSON.parse(line);
  if (request.kill !== undefined) { children.get(request.kill)?.kill("SIGTERM"); return; }
  if (request.defineEnv !== undefined) { environments.set(request.defineEnv, request.env); return; }
  const env = environments.get(request.envId);
  let child;
  try {
    child = spawn(request.file, request.args, { cwd: request.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) { answer({ id: request.id, startError: String(error && error.message) }); return; }
  children.set(request.id, child);
  const stdout = []; const stderr = [];
  let spawned = false;
  child.stdout.on("data", (chunk) => stdout.push(chunk));
  child.stderr.on("data", (chunk) => stderr.push(chunk));
  child.on("spawn", () => { spawned = true; });
  child.on("error", (error) => {
    if (spawned) return;
    children.delete(request.id);
    answer({ id: request.id, startError: error.message });
  });
  child.on("close", (code) => {
    if (!spawned) return;
    children.delete(request.id);
    answer({ id: request.id, code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
  });
});
`;

const idleCloseMs = 1_000;

function parseAnswer(line: string): SpawnerAnswer | undefined {
  try {
    const result = spawnerAnswerSchema.safeParse(JSON.parse(line));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

interface Pending {
  readonly resolve: (result: SpawnResult) => void;
  readonly detach: () => void;
}

/** One helper process and the requests it has not answered yet. */
class Helper {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<number, Pending>();
  readonly #environments = new Map<string, number>();
  #nextId = 1;
  #idleTimer: NodeJS.Timeout | undefined;
  #gone = false;

  readonly #onGone: (helper: Helper) => void;

  constructor(onGone: (helper: Helper) => void) {
    this.#onGone = onGone;
    this.#child = spawn(process.execPath, ["-e", helperSource], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { PATH: process.env["PATH"] ?? "" },
    });
    this.#child.stdin.on("error", () => {
      // The helper died while we wrote: its "close" answers every pending request.
    });
    this.#child.stderr.resume();
    createInterface({ input: this.#child.stdout }).on("line", (line) => this.#onAnswer(line));
    this.#child.on("error", (error) => this.#fail(`the spawner helper could not start: ${error.message}`));
    this.#child.on("close", (code, signal) =>
      this.#fail(`the spawner helper exited (${signal ?? `exit ${code ?? "?"}`})`),
    );
    this.#setHeld(false);
  }

  get usable(): boolean {
    return !this.#gone;
  }

  run(request: SpawnRequest): Promise<SpawnResult> {
    const id = this.#nextId++;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#setHeld(true);
    return new Promise<SpawnResult>((resolve) => {
      const onAbort = (): void => {
        this.#write({ kill: id });
      };
      request.signal?.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(id, {
        resolve,
        detach: () => request.signal?.removeEventListener("abort", onAbort),
      });
      this.#write({
        id,
        file: request.file,
        args: request.args,
        cwd: request.cwd,
        envId: this.#envId(request.env),
      });
      if (request.signal?.aborted === true) onAbort();
    });
  }

  /** The helper's name for `env`, sent to it the first time. */
  #envId(env: NodeJS.ProcessEnv): number {
    const key = JSON.stringify(env);
    const known = this.#environments.get(key);
    if (known !== undefined) return known;
    const envId = this.#environments.size + 1;
    this.#environments.set(key, envId);
    this.#write({ defineEnv: envId, env });
    return envId;
  }

  #write(message: unknown): void {
    if (this.#gone) return;
    this.#child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  #onAnswer(line: string): void {
    const answer = parseAnswer(line);
    if (answer === undefined) {
      this.#fail(`the spawner helper answered a line that is not an answer: ${line.slice(0, 200)}`);
      this.#child.kill();
      return;
    }
    const pending = this.#pending.get(answer.id);
    if (pending === undefined) return;
    this.#pending.delete(answer.id);
    pending.detach();
    pending.resolve(
      !("startError" in answer)
        ? { code: answer.code, stdout: answer.stdout, stderr: answer.stderr }
        : { code: null, stdout: "", stderr: "", startError: answer.startError },
    );
    if (this.#pending.size === 0) {
      this.#setHeld(false);
      this.#idleTimer = setTimeout(() => this.#retire(), idleCloseMs);
      this.#idleTimer.unref();
    }
  }

  /** Closes the helper's input: it exits once its last command has answered. */
  #retire(): void {
    if (this.#gone || this.#pending.size > 0) return;
    this.#gone = true;
    this.#onGone(this);
    this.#child.stdin.end();
  }

  #fail(message: string): void {
    clearTimeout(this.#idleTimer);
    if (!this.#gone) {
      this.#gone = true;
      this.#onGone(this);
    }
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) {
      request.detach();
      request.resolve({ code: null, stdout: "", stderr: "", startError: message });
    }
    this.#setHeld(false);
  }

  /** Keeps the event loop open only while a request waits for its answer. */
  #setHeld(held: boolean): void {
    // The pipes are sockets (they have ref/unref), typed as plain streams.
    const handles = [this.#child, this.#child.stdout, this.#child.stdin, this.#child.stderr] as unknown as {
      ref?: () => void;
      unref?: () => void;
    }[];
    for (const handle of handles) {
      if (held) handle.ref?.();
      else handle.unref?.();
    }
  }
}

let current: Helper | undefined;

/**
 * Runs one command through the helper process (started when needed). Resolves whatever the exit code; a command
 * that could not be started resolves with `startError`.
 */
export function spawnThroughHelper(request: SpawnRequest): Promise<SpawnResult> {
  if (current === undefined || !current.usable) {
    current = new Helper((helper) => {
      if (current === helper) current = undefined;
    });
  }
  return current.run(request);
}
