/**
 * The verifier: runs a feature's check commands (the project's test command, then the feature's own) and keeps
 * what they proved as evidence. The agent never decides that its feature passes; these exit codes do.
 */
import { spawn } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from "node:fs";
import { delimiter, dirname, join, posix, resolve } from "node:path";
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
  /**
   * Shell commands, run one after the other with `bash -c`. A bare `npm test`, `npm t`, `npm run <name>` or
   * `npm run-script <name>` runs the script itself, as npm would, without starting npm (see {@link runChecks}).
   */
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
 *
 * Starting npm costs a few hundred milliseconds of CPU, so a command that is exactly `npm test`, `npm t`,
 * `npm run <name>` or `npm run-script <name>` runs the script's body with `sh -c` the way npm would (in the
 * directory, `node_modules/.bin` of it and of its ancestors first on `PATH`, npm's `npm_lifecycle_*`,
 * `npm_package_*`, `npm_node_execpath` and `NODE` variables), when that is safe: the directory's `package.json`
 * has the script, no `pre`/`post` script for it and no `workspaces`, there is no project `.npmrc` or configured
 * script shell, and the body does not read npm's configuration (`npm_config_*`, `npm_execpath`) or use
 * `node-gyp`. Anything else runs as written. The evidence keeps the command as written, with a note saying npm
 * was skipped.
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
  const baseEnv = options.env ?? process.env;
  const packageScript = packageScriptInvocation(command, options.directory, baseEnv);
  const invocation = packageScript ?? { file: "bash", args: ["-c", command], env: baseEnv };
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const child = spawn(invocation.file, invocation.args, {
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
  const failureNote = timedOut
    ? `timed out after ${options.timeoutMs} ms`
    : aborted
      ? "cancelled"
      : startError !== undefined
        ? `failed to start: ${startError.message}`
        : outcome.signal !== null
          ? `killed by ${outcome.signal}`
          : undefined;
  const notes = [failureNote, packageScript?.note].filter((part) => part !== undefined);
  const note = notes.length === 0 ? undefined : notes.join("; ");
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

/** How a check starts instead of `bash -c <command>`: a package script run without npm. */
interface PackageScriptInvocation {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly note: string;
}

// Blanks and tabs only between the words: a newline would make two commands.
const npmScriptCommand = /^\s*npm[ \t]+(?:(test|t)|(?:run|run-script)[ \t]+([\w@.:/+][\w@.:/+-]*))\s*$/;
// What the body could read of npm that a direct run does not provide.
const needsNpm = /npm_config_|npm_execpath|node-gyp/i;

/**
 * The direct run of `command` when it is a bare npm script command that runs the same without npm (see
 * {@link runChecks}); undefined when it must run as written.
 */
function packageScriptInvocation(
  command: string,
  directory: string,
  env: NodeJS.ProcessEnv,
): PackageScriptInvocation | undefined {
  const match = npmScriptCommand.exec(command);
  if (match === null) return undefined;
  const isTest = match[1] !== undefined;
  const name = isTest ? "test" : match[2];
  if (name === undefined) return undefined;
  // npm reads its configuration from the environment case-insensitively.
  if (Object.keys(env).some((key) => /^npm_config_script_shell$/i.test(key))) return undefined;
  if (existsSync(join(directory, ".npmrc"))) return undefined;
  const manifest = readJsonObject(join(directory, "package.json"));
  if (manifest === undefined || Object.hasOwn(manifest, "workspaces")) return undefined;
  const scripts = manifest["scripts"];
  if (!isRecord(scripts) || !Object.hasOwn(scripts, name)) return undefined;
  const body = scripts[name];
  if (typeof body !== "string" || body.trim() === "" || needsNpm.test(body)) return undefined;
  if (Object.hasOwn(scripts, `pre${name}`) || Object.hasOwn(scripts, `post${name}`)) return undefined;

  const binDirectories: string[] = [];
  for (let current = resolve(directory); ; current = dirname(current)) {
    binDirectories.push(join(current, "node_modules", ".bin"));
    if (dirname(current) === current) break;
  }
  const pathKey = Object.keys(env).find((key) => key.toUpperCase() === "PATH") ?? "PATH";
  const originalPath = env[pathKey] ?? "";
  const node = findExecutable("node", originalPath) ?? process.execPath;
  return {
    file: "sh",
    args: ["-c", body],
    env: {
      ...env,
      ...packageEnv(manifest),
      [pathKey]: [...binDirectories, ...(originalPath === "" ? [] : [originalPath])].join(delimiter),
      npm_package_json: join(resolve(directory), "package.json"),
      npm_lifecycle_event: name,
      npm_lifecycle_script: body,
      npm_command: isTest ? "test" : "run",
      npm_node_execpath: node,
      NODE: node,
      INIT_CWD: resolve(directory),
      COLOR: "0",
    },
    note: `ran scripts.${name} directly (npm skipped)`,
  };
}

/** The `npm_package_*` variables npm sets from the manifest (npm RFC 183: name, version, config, engines, bin). */
function packageEnv(manifest: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  const add = (value: unknown, key: string): void => {
    if (value === undefined) return;
    if (value === null || value === false) env[key] = "";
    // An array's entries are its indexes: `config.list[1]` is `npm_package_config_list_1`, as npm has it.
    else if (typeof value === "object") {
      for (const [field, item] of Object.entries(value)) add(item, `${key}_${field}`);
    } else env[key] = String(value);
  };
  const name = manifest["name"];
  add(name, "npm_package_name");
  add(manifest["version"], "npm_package_version");
  add(manifest["config"], "npm_package_config");
  add(manifest["engines"], "npm_package_engines");
  const bin = manifest["bin"];
  // npm normalizes `bin` first: a string is one command named after the package, an array lists paths.
  const binEntries: [string, unknown][] =
    typeof bin === "string" && typeof name === "string"
      ? [[name, bin]]
      : Array.isArray(bin)
        ? bin.map((target: unknown) => [String(target), target])
        : isRecord(bin)
          ? Object.entries(bin)
          : [];
  const unixPath = (path: string): string => posix.join("/", path.replaceAll("\\", "/")).slice(1);
  for (const [command, target] of binEntries) {
    if (typeof target !== "string") continue;
    const key = posix.basename(unixPath(command));
    const normalized = unixPath(target);
    if (key !== "" && normalized !== "") env[`npm_package_bin_${key}`] = normalized;
  }
  return env;
}

/** The real path of the first executable `name` on `pathValue`, as a shell would find it. */
function findExecutable(name: string, pathValue: string): string | undefined {
  for (const entry of pathValue.split(delimiter)) {
    if (entry === "") continue;
    const candidate = join(entry, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return realpathSync(candidate);
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON file's top-level object; undefined when it is missing, unreadable or not an object. */
function readJsonObject(path: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
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

/** The package.json scripts that are a type check or a lint, in the order {@link detectGateCommands} runs them. */
const gateScriptNames = ["typecheck", "type-check", "check-types", "tsc", "lint"] as const;

/**
 * The project's lint and type-check commands: the gate of YOLO mode, which runs no tests. Guessed from its files,
 * for the first ecosystem that has one:
 * - Node: `npm run <name>` for each of the scripts `typecheck`, `type-check`, `check-types`, `tsc` and `lint` that
 *   exists and is not a placeholder (only `echo`, `exit` or `true`); without such a script, a `tsconfig.json` next
 *   to an installed `node_modules/.bin/tsc` gives `node_modules/.bin/tsc --noEmit`;
 * - Python: `ruff check .` when ruff is configured (`[tool.ruff…]` in pyproject.toml, or ruff.toml), `mypy .` when
 *   mypy is (`[tool.mypy…]` in pyproject.toml, `[mypy]` in setup.cfg, or mypy.ini);
 * - Rust (Cargo.toml): `cargo check`;
 * - Go (go.mod): `go vet ./...`.
 *
 * An empty list when there is no gate to run.
 */
export function detectGateCommands(projectRoot: string): string[] {
  const read = (name: string): string => {
    try {
      return readFileSync(join(projectRoot, name), "utf8");
    } catch {
      return "";
    }
  };

  const scripts = readJsonObject(join(projectRoot, "package.json"))?.["scripts"];
  if (isRecord(scripts)) {
    const gates = gateScriptNames
      .filter((name) => {
        const body = Object.hasOwn(scripts, name) ? scripts[name] : undefined;
        return typeof body === "string" && !isPlaceholderScript(body);
      })
      .map((name) => `npm run ${name}`);
    if (gates.length > 0) return gates;
  }
  if (
    existsSync(join(projectRoot, "tsconfig.json")) &&
    existsSync(join(projectRoot, "node_modules", ".bin", "tsc"))
  ) {
    return ["node_modules/.bin/tsc --noEmit"];
  }

  const pyproject = read("pyproject.toml");
  const python: string[] = [];
  if (
    /^\[tool\.ruff[\].]/m.test(pyproject) ||
    existsSync(join(projectRoot, "ruff.toml")) ||
    existsSync(join(projectRoot, ".ruff.toml"))
  ) {
    python.push("ruff check .");
  }
  if (
    /^\[\[?tool\.mypy[\].]/m.test(pyproject) ||
    /^\[mypy[\]-]/m.test(read("setup.cfg")) ||
    existsSync(join(projectRoot, "mypy.ini")) ||
    existsSync(join(projectRoot, ".mypy.ini"))
  ) {
    python.push("mypy .");
  }
  if (python.length > 0) return python;

  if (existsSync(join(projectRoot, "Cargo.toml"))) return ["cargo check"];
  if (existsSync(join(projectRoot, "go.mod"))) return ["go vet ./..."];
  return [];
}

/**
 * Whether a script does nothing but print, exit or succeed (`echo "Error: no lint" && exit 1`, `echo skip`, ``),
 * the placeholders `npm init` and templates leave.
 */
function isPlaceholderScript(body: string): boolean {
  // Quoted text cannot hold a command here; blanking it keeps its `&&` and `;` from splitting the body.
  const unquoted = body.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""');
  return unquoted
    .split(/&&|\|\||;|\n/)
    .map((part) => part.trim())
    .every((part) => part === "" || /^(?:echo(?:\s[^|<>&`$()]*)?|exit(?:\s+\d+)?|true|false|:)$/.test(part));
}
