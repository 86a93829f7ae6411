/**
 * A small async git runner. Never blocks the event loop (several sessions run at once) and never throws for a
 * non-zero exit: callers read `code`. Only a git that cannot be started at all is an error.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "@autowright/protocol";
import { spawnThroughHelper } from "./process-spawner.ts";

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

const totals = { commands: 0, ms: 0 };

/** How many git commands this process ran, and their summed duration (for benchmarks and diagnostics). */
export function gitCommandTotals(): { readonly commands: number; readonly ms: number } {
  return { ...totals };
}

async function runGitOnce(cwd: string, args: readonly string[], options?: RunGitOptions): Promise<GitResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options?.env };
  for (const name of repositoryVariables) delete env[name];
  // Stable messages (we match a few) and no prompt that nobody could answer.
  env["LC_ALL"] = "C";
  env["GIT_TERMINAL_PROMPT"] = "0";
  const started = performance.now();
  const result = await spawnThroughHelper({
    file: "git",
    args,
    cwd,
    env,
    ...(options?.signal === undefined ? {} : { signal: options.signal }),
  });
  totals.commands += 1;
  totals.ms += performance.now() - started;
  if (result.startError !== undefined) {
    throw new AppError(
      "internal_error",
      `cannot run git in ${cwd} (is git installed?): ${result.startError}`,
    );
  }
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
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
 * A repository's commit options, kept while the configuration files they were read from are unchanged: a run
 * commits twice per feature, and reading the identity is a git process each time. Keyed by the repository, with
 * the files' contents as the proof that the identity still holds (not their modification times: `git branch -D`
 * rewrites `.git/config` after every session without changing it).
 */
const identityCache = new Map<string, { readonly config: readonly string[]; readonly files: string }>();

/** The contents of the git configuration files that can set `cwd`'s identity; undefined: unknown. */
function configurationFiles(cwd: string): string | undefined {
  const home = process.env["HOME"] ?? "";
  const xdg = process.env["XDG_CONFIG_HOME"] ?? join(home, ".config");
  try {
    // Only a repository's own root (a worktree's `.git` is a file pointing elsewhere): read the identity anew.
    if (!statSync(join(cwd, ".git")).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const files = [join(cwd, ".git", "config"), join(home, ".gitconfig"), join(xdg, "git", "config")];
  if (process.env["GIT_CONFIG_GLOBAL"] !== undefined) files.push(process.env["GIT_CONFIG_GLOBAL"]);
  return JSON.stringify(files.map((file) => readIfExists(file)));
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

/**
 * `-c` options for a commit made by autowright itself: the autowright identity only for what the user has not
 * configured (so users keep their own), and signing off (nobody can answer a passphrase prompt). Pair it with
 * `--no-verify`: the verifier, not a commit hook, is the gate.
 */
export async function commitConfig(cwd: string): Promise<string[]> {
  const files = configurationFiles(cwd);
  const cached = identityCache.get(cwd);
  if (cached !== undefined && files !== undefined && cached.files === files) return [...cached.config];
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
  if (files !== undefined) identityCache.set(cwd, { config, files });
  return [...config];
}
