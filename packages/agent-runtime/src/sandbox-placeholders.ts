/**
 * Claude Code's sandbox (its subprocess scrub mode, bubblewrap) prepares the session's working directory at start:
 * empty files as bind-mount targets for the files it protects (`package.json`, `.env`, lock files…), empty folders
 * (`node_modules/.bin`, `.claude/commands`, `.claude/agents`, `.claude/.cc-writes`) and, when the working directory
 * is a repository's main tree, entries in its `.git` folder: a block in `.git/info/exclude` that makes git ignore
 * the protected names (so an agent's real `package.json` would never be committed), `.git/commondir`,
 * `.git/config.worktree`, `.git/glab-cli`, `.git/NOTES_MERGE_WORKTREE`. Nothing the sandbox creates may outlive
 * the session: what did not exist before it and is still empty (or is exactly the sandbox's) is removed after it.
 */
import { lstatSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
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

/** The sandbox's `.claude` folders, deepest first. A session in a worktree creates them in the main tree too. */
const claudeFolders: readonly string[] = [
  join(".claude", "commands"),
  join(".claude", "agents"),
  join(".claude", ".cc-writes"),
  ".claude",
];

/** The folders the sandbox creates (empty) in the working directory, deepest first. */
const placeholderFolders: readonly string[] = [
  binDirectory,
  "node_modules",
  ...claudeFolders,
  join(".git", "glab-cli"),
  join(".git", "NOTES_MERGE_WORKTREE"),
];

/** The files the sandbox creates in a main tree's `.git` folder, with the content it gives them. */
const gitPlaceholderFiles: readonly { readonly name: string; readonly content: string }[] = [
  { name: join(".git", "commondir"), content: "." },
  { name: join(".git", "config.worktree"), content: "" },
];

/** The line that opens the block the sandbox appends to `.git/info/exclude`. */
export const scrubModeExcludeMarker = "# claude-code scrub-mode stubs";

/** Which placeholder names (files and folders) exist in `cwd` before the session. */
export function placeholderSnapshot(cwd: string): ReadonlySet<string> {
  const existing = new Set<string>();
  const names = [
    ...sandboxPlaceholderNames,
    ...placeholderFolders,
    ...gitPlaceholderFiles.map((file) => file.name),
  ];
  for (const name of names) {
    if (kindOf(join(cwd, name)) !== undefined) existing.add(name);
  }
  return existing;
}

/**
 * Removes the block the sandbox appended to a git exclude file (its marker line and the `/name` lines of the
 * protected names after it), keeping every other line. Returns whether the file changed; a missing file is
 * unchanged.
 */
export function removeScrubModeExcludes(excludeFile: string): boolean {
  let text: string;
  try {
    text = readFileSync(excludeFile, "utf8");
  } catch {
    return false;
  }
  if (!text.includes(scrubModeExcludeMarker)) return false;
  const stubLines = new Set(sandboxPlaceholderNames.map((name) => `/${name}`));
  const lines = text.split("\n");
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    if (lines[index] !== scrubModeExcludeMarker) {
      kept.push(lines[index] ?? "");
      continue;
    }
    // The block is appended after a blank line; that line goes with it.
    if (kept.length > 0 && kept[kept.length - 1] === "") kept.pop();
    while (stubLines.has(lines[index + 1] ?? "")) index += 1;
  }
  let result = kept.join("\n");
  if (text.endsWith("\n") && !result.endsWith("\n")) result += "\n";
  writeFileSync(excludeFile, result);
  return true;
}

/**
 * Removes what the sandbox left: each placeholder name absent from `snapshot` that is now an empty regular file,
 * each placeholder folder absent before and now empty, the `.git` files absent before that hold exactly what the
 * sandbox writes, and its block in `.git/info/exclude`. A file with content (an agent-written package.json) stays.
 * Returns the names removed.
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
  for (const name of placeholderFolders) {
    if (snapshot.has(name)) continue;
    const path = join(cwd, name);
    if (kindOf(path) !== "directory" || readdirSync(path).length > 0) continue;
    rmdirSync(path);
    removed.push(name);
  }
  // Only a main tree has a `.git` folder (a worktree's `.git` is a file, where the sandbox's writes fail).
  if (kindOf(join(cwd, ".git")) === "directory") {
    for (const { name, content } of gitPlaceholderFiles) {
      if (snapshot.has(name)) continue;
      const path = join(cwd, name);
      if (kindOf(path) !== "file" || readFileSync(path, "utf8") !== content) continue;
      rmSync(path, { force: true });
      removed.push(name);
    }
    const exclude = join(".git", "info", "exclude");
    if (removeScrubModeExcludes(join(cwd, exclude))) removed.push(`${exclude} (the sandbox's block)`);
  }
  return removed;
}

/**
 * Removes the sandbox's `.claude` folders from `root` where they are empty (an empty folder holds nothing of anyone's,
 * so no snapshot is needed). Returns the names removed.
 */
export function removeEmptySandboxFolders(root: string): string[] {
  const removed: string[] = [];
  for (const name of claudeFolders) {
    const path = join(root, name);
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
    const stats = statOf(join(directory, name));
    return stats?.isFile() === true && stats.size === 0;
  });
}
