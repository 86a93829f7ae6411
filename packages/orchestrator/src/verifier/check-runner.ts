/**
 * The verifier's check runner: runs a feature's check commands (the project's test command, then the feature's
 * own) and keeps what they proved as evidence. The agent never decides that its feature passes; these exit codes
 * do. The commands are the agents' code, so they run like the agents' own commands: with the environment they are
 * given (scrubbed of secrets by the caller), inside the OS sandbox when one is given, and with their output
 * redacted before it becomes evidence.
 */
import { spawn } from "node:child_process";
import { isProcessLive, processTable, sandboxedCommand } from "@autowright/agent-runtime";
import type { Evidence } from "@autowright/protocol";
import { packageScriptInvocation } from "./npm-script.ts";

/** What a verification proved: `passed` only when every command exited 0. */
export interface VerificationResult {
  readonly passed: boolean;
  /** One entry per command run, in order; the last one is the failure when `passed` is false. */
  readonly evidence: Evidence[];
}

/** The OS sandbox a check runs in: bubblewrap, with these folders writable (see `sandboxedCommand`). */
export interface CheckSandbox {
  readonly bwrap: string;
  readonly writable: readonly string[];
}

/** Options of {@link runChecks}. */
export interface RunChecksOptions {
  /** Where the commands run (a session's worktree, or a clean worktree of the main branch). */
  readonly directory: string;
  /**
   * Shell commands, run one after the other with `bash -c`. A bare `npm test`, `npm t`, `npm run <name>` or
   * `npm run-script <name>` runs the script itself, as npm would, without starting npm (see `npm-script.ts`).
   */
  readonly commands: readonly string[];
  /** The limit for each command; its whole process group is killed when it runs out. */
  readonly timeoutMs: number;
  /** The commands' whole environment, already scrubbed of secrets; `CI=true` is always added. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs every command inside bubblewrap. */
  readonly sandbox?: CheckSandbox;
  /** Removes secrets from what the evidence keeps (the command and its output). */
  readonly redact?: (text: string) => string;
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

/** The program and arguments that run `command`: npm's script directly when safe, the sandbox around it. */
function invocationOf(
  command: string,
  options: RunChecksOptions,
): { file: string; args: readonly string[]; env: NodeJS.ProcessEnv; note?: string } {
  const packageScript = packageScriptInvocation(command, options.directory, options.env);
  const script =
    packageScript === undefined
      ? { shellCommand: command, env: options.env }
      : { shellCommand: `exec sh -c ${shellQuote(packageScript.body)}`, env: packageScript.env };
  const note = packageScript?.note;
  if (options.sandbox === undefined) {
    return {
      file: "bash",
      args: ["-c", script.shellCommand],
      env: script.env,
      ...(note === undefined ? {} : { note }),
    };
  }
  const [file, ...args] = sandboxedCommand(
    options.sandbox.bwrap,
    script.shellCommand,
    options.directory,
    options.sandbox.writable,
  );
  return {
    file: file ?? options.sandbox.bwrap,
    args,
    env: script.env,
    ...(note === undefined ? {} : { note }),
  };
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
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
  const invocation = invocationOf(command, options);
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const child = spawn(invocation.file, [...invocation.args], {
      cwd: options.directory,
      env: { ...invocation.env, CI: "true" },
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
        try {
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
        } finally {
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }
      })();
    });
  });

  const exitCode = startError === undefined ? outcome.code : null;
  const passed = exitCode === 0 && !timedOut && !aborted;
  const failureNote = timedOut
    ? `timed out after ${options.timeoutMs} ms`
    : aborted
      ? "cancelled"
      : startError !== undefined
        ? `failed to start: ${startError.message}`
        : outcome.signal !== null
          ? `killed by ${outcome.signal}`
          : undefined;
  const notes = [failureNote, invocation.note].filter((part) => part !== undefined);
  const note = notes.length === 0 ? undefined : notes.join("; ");
  const redact = options.redact ?? ((text: string) => text);
  const evidence: Evidence = {
    kind: "check",
    command: redact(command),
    exitCode,
    outputTail: redact(output.text(outputTailLength)),
    durationMs: Math.round(performance.now() - started),
    at: new Date().toISOString(),
    ...(note === undefined ? {} : { note: redact(note) }),
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
  const table = processTable();
  // No /proc: trust the signal.
  if (table.length === 0) return isProcessLive(group);
  // After the command name: state, ppid, pgrp.
  return table.some(({ fields }) => Number(fields[2]) === group && fields[0] !== "Z");
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
