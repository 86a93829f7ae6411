/** The little git the CLI needs before the orchestrator exists: is this a repository, and make it one. */
import { spawnSync } from "node:child_process";
import { AppError } from "@autowright/protocol";

/** True when `directory` is inside a git work tree. */
export function isGitRepository(directory: string): boolean {
  const result = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], {
    cwd: directory,
    encoding: "utf8",
  });
  return result.status === 0 && result.stdout.trim() === "true";
}

/** Runs `git init` in `directory`. */
export function initializeGitRepository(directory: string): void {
  const result = spawnSync("git", ["init", "--quiet"], { cwd: directory, encoding: "utf8" });
  if (result.error !== undefined) {
    throw new AppError("internal_error", `cannot run git (is it installed?): ${result.error.message}`);
  }
  if (result.status !== 0) throw new AppError("internal_error", `git init failed: ${result.stderr.trim()}`);
}
