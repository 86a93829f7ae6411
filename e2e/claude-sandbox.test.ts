/**
 * A Claude-runtime run under the OS sandbox, as a new user would try it: `autowright run --provider replay
 * --replay-runtime claude` (the real Claude Code binary against the scripted model) with bubblewrap and socat
 * installed. Claude Code's sandbox creates empty files in the working directory to mount over (`.env`,
 * `package.json`, `.npmrc`…). Invariant: nothing the sandbox creates reaches a commit, a worktree or the main tree;
 * main ends with exactly the files it had plus the agents' own.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { securityLayers } from "@autowright/agent-runtime";
import type { ServerEvent } from "@autowright/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git } from "./support/git.ts";
import { createRunHarness, type RunHarness } from "./support/run-harness.ts";

let harness: RunHarness;

beforeEach(() => {
  harness = createRunHarness();
});
afterEach(() => {
  harness[Symbol.dispose]();
});

const sandboxed = securityLayers(process.env).claudeSandbox;

const trackedFiles = (root: string): string[] =>
  git(root, "ls-tree", "-r", "--name-only", "HEAD").trim().split("\n").sort();

/** Tracked files of HEAD that are empty (`git ls-tree -l` prints the size). */
const emptyTrackedFiles = (root: string): string[] =>
  execFileSync("git", ["ls-tree", "-r", "-l", "HEAD"], { cwd: root, encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => /^\S+ blob \S+\s+(\d+)\t(.+)$/.exec(line))
    .filter((match) => match !== null && match[1] === "0")
    .map((match) => match?.[2] ?? "");

const lastLogLines = (events: readonly ServerEvent[]): string =>
  events
    .flatMap((event) => (event.type === "log.appended" ? [`${event.data.level}: ${event.data.line}`] : []))
    .slice(-30)
    .join("\n");

describe.skipIf(!sandboxed)(
  "a Claude-runtime run under the sandbox (needs bubblewrap and socat)",
  {
    timeout: 600_000,
  },
  () => {
    it("leaves main with exactly the agents' files: no sandbox placeholder in a commit or a tree", async () => {
      // A fresh project with only a spec, as the README starts one: the initializer writes package.json itself.
      const root = join(harness.work.path, "app");
      const specFile = join(harness.work.path, "spec.md");
      writeFileSync(specFile, "# Greeter\n\n- Say hello\n- Say goodbye\n");
      const initialized = harness.cli(["init", root, "--spec", specFile]);
      expect(initialized.code, initialized.stderr).toBe(0);
      // Nothing is committed yet: what the project has is what git would take of its tree (.autowright/, the spec).
      const before = git(root, "ls-files", "--others", "--exclude-standard").trim().split("\n");
      expect(before.length).toBeGreaterThan(0);

      const run = harness.startRun(root, ["--replay-runtime", "claude", "--concurrency", "2"]);
      expect(await run.exit, `${run.stderr()}\n${lastLogLines(run.events)}`).toBe(0);
      expect(harness.features(root).map((feature) => feature.status)).toEqual(["passing", "passing"]);

      const added = trackedFiles(root).filter((file) => !before.includes(file));
      expect(added).toEqual([
        "package.json",
        "src/feature-1.js",
        "src/feature-2.js",
        "test/feature-1.test.js",
        "test/feature-2.test.js",
      ]);
      expect(emptyTrackedFiles(root)).toEqual([]);
      // package.json is the one the initializer wrote, not an empty placeholder.
      expect(git(root, "show", "HEAD:package.json")).toContain('"test": "node --test"');
      // Nothing left in the main tree either: no untracked placeholder, no node_modules/.bin.
      expect(git(root, "status", "--porcelain", "--untracked-files=all").trim()).toBe("");
      expect(existsSync(join(root, "node_modules"))).toBe(false);
      expect(existsSync(join(root, ".claude")), "the sandbox's .claude folders").toBe(false);
      // The sandbox's block in the exclude file would hide a real package.json from every later commit.
      expect(readFileSync(join(root, ".git", "info", "exclude"), "utf8")).not.toContain("scrub-mode");
      expect(existsSync(join(root, ".git", "commondir"))).toBe(false);
      // And no worktree is left behind to hold any.
      const worktrees = join(root, ".autowright", "worktrees");
      expect(existsSync(worktrees) ? readdirSync(worktrees) : []).toEqual([]);
    });
  },
);
