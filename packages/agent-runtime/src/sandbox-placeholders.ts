/**
 * Claude Code's sandbox (bubblewrap) creates empty files in the session's working directory as bind-mount targets
 * for the files it protects, and an empty `node_modules/.bin/`. Nothing the sandbox creates may reach a commit:
 * the ones that did not exist before the session and are still empty are removed after it.
 */
import { lstatSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** The files the sandbox creates (empty) in the working directory when they are missing. */
export const sandboxPlaceholderNames: readonly string[] = [
  ".env",
  ".env.local",
  ".env.development",
  ".env.development.local",
  ".env.test",
  ".env.test.local",
  ".env.production",
  ".env.production.local",
  ".gitmodules",
  ".npmrc",
  ".yarnrc",
  ".yarnrc.yml",
  "bunfig.toml",
  "package.json",
  "package-lock.json",
  "pnpm-lock.yaml",
  "yarn.lock",
];

const binDirectory = join("node_modules", ".bin");

/** Which placeholder names (and `node_modules`, `node_modules/.bin`) exist in `cwd` before the session. */
export function placeholderSnapshot(cwd: string): ReadonlySet<string> {
  const existing = new Set<string>();
  for (const name of [...sandboxPlaceholderNames, "node_modules", binDirectory]) {
    if (kindOf(join(cwd, name)) !== undefined) existing.add(name);
  }
  return existing;
}

/**
 * Removes what the sandbox left: each placeholder name absent from `snapshot` that is now an empty regular file,
 * `node_modules/.bin` if absent before and now an empty directory, then `node_modules` likewise. A file with
 * content (an agent-written package.json) stays. Returns the names removed.
 */
export function removeSandboxPlaceholders(cwd: string, snapshot: ReadonlySet<string>): string[] {
  const removed: string[] = [];
  for (const name of sandboxPlaceholderNames) {
    if (snapshot.has(name)) continue;
    const path = join(cwd, name);
    const stats = statOf(path);
    if (stats?.isFile() !== true || stats.size !== 0) continue;
    rmSync(path, { force: true });
    removed.push(name);
  }
  for (const name of [binDirectory, "node_modules"]) {
    if (snapshot.has(name)) continue;
    const path = join(cwd, name);
    if (kindOf(path) !== "directory" || readdirSync(path).length > 0) continue;
    rmdirSync(path);
    removed.push(name);
  }
  return removed;
}

function statOf(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function kindOf(path: string): "file" | "directory" | "other" | undefined {
  const stats = statOf(path);
  if (stats === undefined) return undefined;
  return stats.isDirectory() ? "directory" : stats.isFile() ? "file" : "other";
}

/** Which of {@link sandboxPlaceholderNames} are empty regular files in `directory` (a session's working tree). */
export function emptySandboxPlaceholders(directory: string): string[] {
  return sandboxPlaceholderNames.filter((name) => {
    const stats = lstatSync(join(directory, name), { throwIfNoEntry: false });
    return stats?.isFile() === true && stats.size === 0;
  });
}
