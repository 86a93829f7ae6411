/**
 * Helpers for the git tests: throwaway repositories made with the plain git CLI (with a test identity), so that
 * what the tests check does not go through the code under test. Not part of the package's API.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Isolates git from the machine's configuration (identity, signing, default branch) for the current test. */
export const isolatedGitEnvironment: Readonly<Record<string, string>> = {
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
};

/** Runs git synchronously and returns its trimmed stdout; throws on a non-zero exit. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Writes files (paths relative to `root`), creating folders. */
export function writeFiles(root: string, files: Readonly<Record<string, string>>): void {
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/** Commits everything in `cwd` as the test identity; returns the new head. */
export function commitEverything(cwd: string, message: string): string {
  git(cwd, "add", "-A");
  git(cwd, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "--allow-empty", "-m", message);
  return git(cwd, "rev-parse", "HEAD");
}

/**
 * Makes `root` a repository on `main` with the project's `.autowright/.gitignore` (worktrees ignored) and
 * `files`, in one commit; returns that commit.
 */
export function createRepository(root: string, files: Readonly<Record<string, string>> = {}): string {
  git(root, "init", "--quiet", "-b", "main");
  writeFiles(root, { ".autowright/.gitignore": "worktrees/\n", ...files });
  return commitEverything(root, "first");
}

/** `git status --porcelain` of the main tree (untracked files included). */
export function porcelainStatus(root: string): string {
  return git(root, "status", "--porcelain");
}
