/**
 * Which OS isolation is available on this machine. With bubblewrap (`bwrap`), the tool loop runs the agent's
 * commands with the file system read-only outside the working tree; with bubblewrap and `socat`, Claude Code runs
 * them in its own sandbox and scrubs secrets from their environment. Without them, the command policy, file
 * confinement and redaction remain.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { type CredentialLocations, CredentialStores } from "./policy/credential-stores.ts";

/** The path of an executable on PATH, or undefined. */
export function findExecutable(
  name: string,
  environment: NodeJS.ProcessEnv = process.env,
): string | undefined {
  for (const directory of (environment["PATH"] ?? "").split(delimiter)) {
    if (directory === "") continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** The protection layers of a session, for the dashboard and the logs. */
export interface SecurityLayers {
  readonly commandPolicy: true;
  readonly fileConfinement: true;
  readonly secretRedaction: true;
  /** The built-in tool loop runs commands in bubblewrap. */
  readonly toolLoopSandbox: boolean;
  /** Claude Code runs commands in its sandbox (bubblewrap + socat) and scrubs secrets from their environment. */
  readonly claudeSandbox: boolean;
}

/** The layers active on this machine (`AUTOWRIGHT_SANDBOX=off` turns the OS sandbox off). */
export function securityLayers(environment: NodeJS.ProcessEnv = process.env): SecurityLayers {
  const enabled = environment["AUTOWRIGHT_SANDBOX"] !== "off";
  const bwrap = enabled && findExecutable("bwrap", environment) !== undefined;
  return {
    commandPolicy: true,
    fileConfinement: true,
    secretRedaction: true,
    toolLoopSandbox: bwrap,
    claudeSandbox: bwrap && findExecutable("socat", environment) !== undefined,
  };
}

/** The active layers in words. */
export function describeLayers(layers: SecurityLayers, runtime: string): string {
  const sandbox = runtime === "claude" ? layers.claudeSandbox : layers.toolLoopSandbox;
  return [
    "command policy",
    "file confinement",
    "secret redaction",
    sandbox ? "OS sandbox (bubblewrap)" : "no OS sandbox (install bubblewrap and socat)",
  ].join(", ");
}

/** The folders a sandboxed command may write: its working tree, git's common directory, package caches. */
export function writableFolders(cwd: string, environment: NodeJS.ProcessEnv = process.env): string[] {
  const folders = [realpathSync(cwd)];
  const common = spawnSync("git", ["rev-parse", "--git-common-dir"], { cwd, encoding: "utf8" });
  if (common.status === 0) {
    const path = common.stdout.trim();
    const absolute = isAbsolute(path) ? path : resolve(cwd, path);
    if (existsSync(absolute)) folders.push(realpathSync(absolute));
  }
  const home = environment["HOME"] ?? homedir();
  for (const cache of [".npm", ".cache", ".local/share/pnpm", ".yarn"]) {
    const path = join(home, cache);
    if (existsSync(path)) folders.push(realpathSync(path));
  }
  return [...new Set(folders)];
}

/**
 * The bubblewrap arguments that hide the machine's credential stores (`credentialStores`, the list the command
 * policy denies): an empty tmpfs over each directory that exists, `/dev/null` over each file. Stores under /tmp
 * (private in the sandbox anyway) and stores holding a folder the command works in are left out.
 */
export function credentialStoreMasks(
  workFolders: readonly string[],
  locations: CredentialLocations = {},
): string[] {
  return new CredentialStores(workFolders, locations)
    .existing()
    .filter(({ path }) => path !== "/tmp" && !path.startsWith("/tmp/"))
    .flatMap(({ path, directory }) => (directory ? ["--tmpfs", path] : ["--ro-bind", "/dev/null", path]));
}

/**
 * The argv that runs `command` with bash inside bubblewrap: the whole file system read-only, the credential
 * stores hidden (see `credentialStoreMasks`), `writable` folders writable, a private /tmp, the host's network
 * (package installs and local servers need it). `locations` says where `~` and `$AUTOWRIGHT_HOME` are (default:
 * this process's `HOME` and `AUTOWRIGHT_HOME`).
 */
export function sandboxedCommand(
  bwrap: string,
  command: string,
  cwd: string,
  writable: readonly string[],
  locations: CredentialLocations = {},
): string[] {
  const binds = writable.flatMap((folder) => ["--bind", folder, folder]);
  const masks = credentialStoreMasks([cwd, ...writable], locations);
  return [
    bwrap,
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--tmpfs",
    "/tmp",
    ...masks,
    ...binds,
    "--die-with-parent",
    "--chdir",
    cwd,
    "bash",
    "-c",
    command,
  ];
}
