/**
 * Running a package script the way npm would, without npm. Measured on the development machine (2 cores), npm
 * itself costs ~300 ms of CPU per `npm test` before the script starts (docs/benchmarks.md, "checks without
 * npm"); the verifier runs the project's test command two or three times per feature (the worktree, the merged
 * head, regression turns), so a bare `npm test`, `npm t`, `npm run <name>` or `npm run-script <name>` runs the
 * script's body with `sh -c` as npm would: in the directory, `node_modules/.bin` of it and of its ancestors first on
 * `PATH`, npm's `npm_lifecycle_*`, `npm_package_*`, `npm_node_execpath` and `NODE` variables. Only when that is
 * safe: the directory's `package.json` has the script, no `pre`/`post` script for it and no `workspaces`, there is
 * no project `.npmrc` or configured script shell, and the body does not read npm's configuration (`npm_config_*`,
 * `npm_execpath`) or use `node-gyp`. Anything else runs as written. The evidence keeps the command as written, with
 * a note saying npm was skipped.
 */
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { delimiter, dirname, join, posix, resolve } from "node:path";

/** How a check starts instead of `bash -c <command>`: a package script's body run with `sh -c`, without npm. */
export interface PackageScriptInvocation {
  /** The script's body, for `sh -c`. */
  readonly body: string;
  /** The environment npm would give it. */
  readonly env: NodeJS.ProcessEnv;
  /** Said on the evidence. */
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
export function packageScriptInvocation(
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
    body,
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

/** Whether a parsed JSON value is an object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON file's top-level object; undefined when it is missing, unreadable or not an object. */
export function readJsonObject(path: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
