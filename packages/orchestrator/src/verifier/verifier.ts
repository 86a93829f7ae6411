/**
 * The verifier: runs a feature's check commands (the project's test command, then the feature's own) and keeps
 * what they proved as evidence. The agent never decides that its feature passes; these exit codes do.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Evidence } from "@autowright/protocol";

/** What a verification proved: `passed` only when every command exited 0. */
export interface VerificationResult {
  readonly passed: boolean;
  /** One entry per command run, in order; the last one is the failure when `passed` is false. */
  readonly evidence: Evidence[];
}

/** Options of {@link runChecks}. */
export interface RunChecksOptions {
  /** Where the commands run (a session's worktree, or the main tree after a merge). */
  readonly directory: string;
  /** Shell commands, run one after the other with `bash -c`. */
  readonly commands: readonly string[];
  /** The limit for each command; its whole process group is killed when it runs out. */
  readonly timeoutMs: number;
  /** The commands' whole environment (the process environment by default); `CI=true` is always added. */
  readonly env?: NodeJS.ProcessEnv;
  /** Kills the running command's process group and stops. */
  readonly signal?: AbortSignal;
  /** Recorded on the evidence. */
  readonly sessionId?: string;
}

/** How much of a command's output the evidence keeps (its end, where failures are reported). */
export const outputTailLength = 4_000;
const killGraceMs = 2_000;
const closeGraceMs = 1_000;

/**
 * Runs the commands in order and stops at the first failure (non-zero exit, signal, timeout, abort or a command
 * that cannot start). Never rejects. No command means nothing to prove: `{ passed: true, evidence: [] }`; whether
 * that is acceptable is the caller's decision. Aborted before any command started: `{ passed: false, evidence: [] }`.
 */
export async function runChecks(options: RunChecksOptions): Promise<VerificationResult> {
  const evidence: Evidence[] = [];
  for (const command of options.commands) {
    if (options.signal?.aborted === true) return { passed: false, evidence };
    const check = await runCheck(command, options);
    evidence.push(check.evidence);
    if (!check.passed) return { passed: false, evidence };
  }
  return { passed: true, evidence };
}

async function runCheck(
  command: string,
  options: RunChecksOptions,
): Promise<{ passed: boolean; evidence: Evidence }> {
  const started = performance.now();
  const output = new OutputTail(outputTailLength * 4);
  let timedOut = false;
  let aborted = false;
  let startError: Error | undefined;
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const child = spawn("bash", ["-c", command], {
      cwd: options.directory,
      env: { ...(options.env ?? process.env), CI: "true" },
      // Its own process group, so that killing it also kills what it started in the background.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const group = child.pid;
    child.stdout.on("data", (chunk: Buffer) => output.add(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.add(chunk));
    const stop = (): void => {
      if (group !== undefined) void terminateGroup(group);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted === true) onAbort();

    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve(exit ?? { code: null, signal: null });
    };
    child.on("error", (error) => {
      if (group === undefined) {
        startError = error;
        finish();
      }
    });
    const closed = new Promise<void>((onClose) => child.on("close", () => onClose()));
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      void (async () => {
        // Nothing a check started may outlive it (a server left in the background, say).
        if (group !== undefined) await terminateGroup(group);
        // A process that left the group but still holds the pipes does not hold up the verdict.
        await new Promise<void>((done) => {
          const graceTimer = setTimeout(done, closeGraceMs);
          void closed.then(() => {
            clearTimeout(graceTimer);
            done();
          });
        });
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      })();
    });
  });

  const exitCode = startError === undefined ? outcome.code : null;
  const passed = exitCode === 0 && !timedOut && !aborted;
  const note = timedOut
    ? `timed out after ${options.timeoutMs} ms`
    : aborted
      ? "cancelled"
      : startError !== undefined
        ? `failed to start: ${startError.message}`
        : outcome.signal !== null
          ? `killed by ${outcome.signal}`
          : undefined;
  const evidence: Evidence = {
    kind: "check",
    command,
    exitCode,
    outputTail: output.text(outputTailLength),
    durationMs: Math.round(performance.now() - started),
    at: new Date().toISOString(),
    ...(note === undefined ? {} : { note }),
    ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
  };
  return { passed, evidence };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** SIGTERM to the group, SIGKILL to whatever is left after a grace period. Resolves when the group is gone. */
async function terminateGroup(group: number): Promise<void> {
  if (!signalGroup(group, "SIGTERM")) return;
  const deadline = Date.now() + killGraceMs;
  while (Date.now() < deadline) {
    await delay(25);
    if (!groupAlive(group)) return;
  }
  signalGroup(group, "SIGKILL");
}

/**
 * Whether the group has a live member. Zombies do not count: where nothing reaps orphans (some containers'
 * init), they linger in the group after they died.
 */
function groupAlive(group: number): boolean {
  if (!signalGroup(group, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return true; // No /proc: trust the signal.
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After the parenthesised command name: state, ppid, pgrp.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === group && state !== "Z") return true;
    } catch {
      // It ended while we looked.
    }
  }
  return false;
}

/** Signals a process group; false when it no longer exists. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}

/** Keeps the last `limit` bytes of stdout and stderr, interleaved as they arrived. */
class OutputTail {
  readonly #limit: number;
  #buffer = Buffer.alloc(0);
  #total = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(chunk: Buffer): void {
    this.#total += chunk.length;
    const combined = Buffer.concat([this.#buffer, chunk]);
    this.#buffer = combined.subarray(Math.max(0, combined.length - this.#limit));
  }

  /** The last `length` characters, marked with a leading "…" when some were dropped. */
  text(length: number): string {
    const text = this.#buffer.toString("utf8");
    if (text.length <= length && this.#total === this.#buffer.length) return text;
    return `…${text.slice(-(length - 1))}`;
  }
}

/**
 * The project's test command, guessed from its files: `npm test` (a `test` script other than npm's placeholder),
 * `pytest`, `cargo test`, `go test ./...` or `make test`, in that order; null when none applies.
 */
export function detectTestCommand(projectRoot: string): string | null {
  const read = (name: string): string | undefined => {
    const path = join(projectRoot, name);
    try {
      return existsSync(path) ? readFileSync(path, "utf8") : undefined;
    } catch {
      return undefined;
    }
  };

  const packageJson = read("package.json");
  if (packageJson !== undefined && hasRealTestScript(packageJson)) return "npm test";

  if (
    existsSync(join(projectRoot, "pytest.ini")) ||
    /^\[tool\.pytest[\].]/m.test(read("pyproject.toml") ?? "") ||
    /^\[tool:pytest\]/m.test(read("setup.cfg") ?? "") ||
    /^\[pytest\]/m.test(read("tox.ini") ?? "")
  ) {
    return "pytest";
  }
  if (existsSync(join(projectRoot, "Cargo.toml"))) return "cargo test";
  if (existsSync(join(projectRoot, "go.mod"))) return "go test ./...";

  const makefile = read("GNUmakefile") ?? read("makefile") ?? read("Makefile");
  // A rule whose targets include `test` (not a `test := …` variable).
  if (
    makefile !== undefined &&
    /^(?:[^\s:#=]+[ \t]+)*test(?:[ \t]+[^\s:#=]+)*[ \t]*::?(?!=)/m.test(makefile)
  ) {
    return "make test";
  }
  return null;
}

function hasRealTestScript(packageJson: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(packageJson);
  } catch {
    return false;
  }
  if (typeof parsed !== "object" || parsed === null || !("scripts" in parsed)) return false;
  const scripts = parsed.scripts;
  if (typeof scripts !== "object" || scripts === null || !("test" in scripts)) return false;
  const test = scripts.test;
  return typeof test === "string" && test.trim() !== "" && !test.includes("no test specified");
}
