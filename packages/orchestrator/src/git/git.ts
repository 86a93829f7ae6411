/**
 * A small async git runner. Never blocks the event loop (several sessions run at once) and never throws for a
 * non-zero exit: callers read `code`. Only a git that cannot be started at all is an error.
 */
import { spawn } from "node:child_process";
import { AppError } from "@autowright/protocol";

/** What one git command produced. */
export interface GitResult {
  /** The exit code; `null` when git was killed by a signal. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runGit}. */
export interface RunGitOptions {
  /** Extra environment variables, on top of the process environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Kills git (SIGTERM) when aborted; the result then has a non-zero or `null` code. */
  readonly signal?: AbortSignal;
  /**
   * Retries a few times when git reports that another git process holds a lock (`index.lock`, a ref lock,
   * `packed-refs.lock`). Only for commands that change nothing when they fail to take a lock.
   */
  readonly retryOnLock?: boolean;
}

/** Variables that would point git at another repository than `cwd` (set, for instance, inside a git hook). */
const repositoryVariables = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_COMMON_DIR",
  "GIT_NAMESPACE",
  "GIT_PREFIX",
];

const lockRetryDelaysMs = [50, 100, 200, 400, 800];
const lockContention = /Unable to create '[^']*\.lock': File exists|another git process seems to be running/i;

/**
 * Runs `git <args>` in `cwd`. Resolves with the exit code and both outputs whatever the exit code; rejects with
 * `AppError("internal_error")` only when git cannot be spawned.
 */
export async function runGit(
  cwd: string,
  args: readonly string[],
  options?: RunGitOptions,
): Promise<GitResult> {
  const delays = options?.retryOnLock === true ? lockRetryDelaysMs : [];
  for (let attempt = 0; ; attempt += 1) {
    const result = await runGitOnce(cwd, args, options);
    const delay = delays[attempt];
    if (result.code === 0 || delay === undefined || !lockContention.test(result.stderr)) return result;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function runGitOnce(cwd: string, args: readonly string[], options?: RunGitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options?.env };
    for (const name of repositoryVariables) delete env[name];
    // Stable messages (we match a few) and no prompt that nobody could answer.
    env["LC_ALL"] = "C";
    env["GIT_TERMINAL_PROMPT"] = "0";
    const child = spawn("git", args, {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options?.signal === undefined ? {} : { signal: options.signal }),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    let spawned = false;
    child.on("spawn", () => {
      spawned = true;
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      // After a successful spawn, an error is the abort signal: "close" still follows and reports it.
      if (spawned) return;
      reject(
        new AppError("internal_error", `cannot run git in ${cwd} (is git installed?): ${error.message}`, {
          cause: error,
        }),
      );
    });
    child.on("close", (code) => {
      if (!spawned) return;
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      });
    });
  });
}

/** Runs git and returns its trimmed stdout; throws `AppError("internal_error")` with git's message on failure. */
export async function gitOutput(
  cwd: string,
  args: readonly string[],
  options?: RunGitOptions,
): Promise<string> {
  const result = await runGit(cwd, args, options);
  if (result.code !== 0) throw gitFailure(args, result);
  return result.stdout.trim();
}

/** Runs a git command that lists paths with `-z` and returns them (untrimmed: a path may start with a space). */
export async function gitPaths(cwd: string, args: readonly string[]): Promise<string[]> {
  const result = await runGit(cwd, args);
  if (result.code !== 0) throw gitFailure(args, result);
  return splitNul(result.stdout);
}

/** An `AppError("internal_error")` describing a failed git command. */
export function gitFailure(args: readonly string[], result: GitResult): AppError {
  const output = (result.stderr.trim() || result.stdout.trim()).slice(-2_000);
  return new AppError(
    "internal_error",
    `git ${args.join(" ")} failed (exit ${result.code ?? "signal"}): ${output}`,
    { details: { args: [...args], exitCode: result.code } },
  );
}

/** Splits NUL-separated git output (`-z`) into its non-empty entries. */
export function splitNul(output: string): string[] {
  return output.split("\0").filter((entry) => entry !== "");
}

/**
 * `-c` options for a commit made by autowright itself: the autowright identity only for what the user has not
 * configured (so users keep their own), and signing off (nobody can answer a passphrase prompt). Pair it with
 * `--no-verify`: the verifier, not a commit hook, is the gate.
 */
export async function commitConfig(cwd: string): Promise<string[]> {
  // One git process for both (exit 1 when neither is set).
  const identity = await runGit(cwd, ["config", "--get-regexp", "^user\\.(name|email)$"]);
  const values = new Map(
    identity.stdout
      .split("\n")
      .map((line) => /^user\.(name|email) (.*)$/.exec(line))
      .flatMap((match) => (match === null ? [] : [[match[1], match[2]?.trim() ?? ""] as const])),
  );
  const name = values.get("name") ?? "";
  const email = values.get("email") ?? "";
  const config: string[] = [];
  if (name === "") config.push("-c", "user.name=autowright");
  if (email === "") config.push("-c", "user.email=autowright@localhost");
  // Not signed (no prompt can be answered), and no automatic maintenance spawned after every commit and merge
  // of a run: the user's own git commands still run it.
  config.push("-c", "commit.gpgSign=false", "-c", "gc.auto=0", "-c", "maintenance.auto=false");
  return config;
}
