/** Git for the end-to-end tests' own setup and checks (a fixed test identity, so commits work anywhere). */
import { spawnSync } from "node:child_process";

/** Runs git in `cwd` and returns its stdout; throws with stderr when it fails. */
export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], {
    cwd,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}
