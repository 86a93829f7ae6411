import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import {
  placeholderSnapshot,
  removeEmptySandboxFolders,
  removeSandboxPlaceholders,
  removeScrubModeExcludes,
  sandboxPlaceholderNames,
  scrubModeExcludeMarker,
} from "./sandbox-placeholders.ts";

/** What Claude Code's scrub mode appends to a main tree's `.git/info/exclude` (seen with CLI 2.1.331). */
const scrubBlock = `\n${scrubModeExcludeMarker}\n${["bunfig.toml", "package.json", ".npmrc", ".env"].map((name) => `/${name}`).join("\n")}\n`;

describe("removeSandboxPlaceholders", () => {
  it("removes the empty placeholders the sandbox created, keeps agent-written and pre-existing files", () => {
    using directory = temporaryDirectory();
    const cwd = directory.path;
    writeFileSync(join(cwd, ".env"), "");
    const snapshot = placeholderSnapshot(cwd);
    expect([...snapshot]).toEqual([".env"]);

    for (const name of sandboxPlaceholderNames) writeFileSync(join(cwd, name), "", { flag: "a" });
    writeFileSync(join(cwd, "package.json"), '{"name":"app"}\n');
    mkdirSync(join(cwd, "node_modules", ".bin"), { recursive: true });

    const removed = removeSandboxPlaceholders(cwd, snapshot);
    expect(removed).toEqual([
      ...sandboxPlaceholderNames.filter((name) => name !== ".env" && name !== "package.json"),
      join("node_modules", ".bin"),
      "node_modules",
    ]);
    expect(existsSync(join(cwd, ".env"))).toBe(true);
    expect(readFileSync(join(cwd, "package.json"), "utf8")).toBe('{"name":"app"}\n');
    expect(existsSync(join(cwd, ".npmrc"))).toBe(false);
    expect(existsSync(join(cwd, "node_modules"))).toBe(false);
  });

  it("keeps a node_modules that existed or is not empty", () => {
    using directory = temporaryDirectory();
    const cwd = directory.path;
    const snapshot = placeholderSnapshot(cwd);
    mkdirSync(join(cwd, "node_modules", ".bin"), { recursive: true });
    writeFileSync(join(cwd, "node_modules", "left.txt"), "x");
    expect(removeSandboxPlaceholders(cwd, snapshot)).toEqual([join("node_modules", ".bin")]);
    expect(existsSync(join(cwd, "node_modules", "left.txt"))).toBe(true);
  });

  it("undoes what the sandbox did to a main tree: .claude folders, .git files and the exclude block", () => {
    using directory = temporaryDirectory();
    const cwd = directory.path;
    mkdirSync(join(cwd, ".git", "info"), { recursive: true });
    const ownExcludes = "# mine\n/dist\n";
    writeFileSync(join(cwd, ".git", "info", "exclude"), ownExcludes);
    mkdirSync(join(cwd, ".claude"));
    writeFileSync(join(cwd, ".claude", "settings.json"), "{}");
    const snapshot = placeholderSnapshot(cwd);

    // What the sandbox does at start (Claude Code 2.1.331, CLAUDE_CODE_SUBPROCESS_ENV_SCRUB=1).
    for (const folder of [".claude/commands", ".claude/agents", ".claude/.cc-writes", ".git/glab-cli"])
      mkdirSync(join(cwd, folder), { recursive: true });
    writeFileSync(join(cwd, ".git", "commondir"), ".");
    writeFileSync(join(cwd, ".git", "config.worktree"), "");
    writeFileSync(join(cwd, ".git", "info", "exclude"), scrubBlock, { flag: "a" });

    expect(removeSandboxPlaceholders(cwd, snapshot)).toEqual([
      join(".claude", "commands"),
      join(".claude", "agents"),
      join(".claude", ".cc-writes"),
      join(".git", "glab-cli"),
      join(".git", "commondir"),
      join(".git", "config.worktree"),
      `${join(".git", "info", "exclude")} (the sandbox's block)`,
    ]);
    expect(readFileSync(join(cwd, ".git", "info", "exclude"), "utf8")).toBe(ownExcludes);
    // The project's own .claude folder and file stay.
    expect(readFileSync(join(cwd, ".claude", "settings.json"), "utf8")).toBe("{}");
    expect(existsSync(join(cwd, ".git", "commondir"))).toBe(false);
  });

  it("leaves a worktree's .git file and a commondir that was there alone", () => {
    using directory = temporaryDirectory();
    const cwd = directory.path;
    writeFileSync(join(cwd, ".git"), "gitdir: /elsewhere\n");
    expect(removeSandboxPlaceholders(cwd, placeholderSnapshot(cwd))).toEqual([]);
    expect(readFileSync(join(cwd, ".git"), "utf8")).toBe("gitdir: /elsewhere\n");
  });
});

describe("removeEmptySandboxFolders", () => {
  it("removes the empty .claude folders and keeps any with content", () => {
    using directory = temporaryDirectory();
    const root = directory.path;
    mkdirSync(join(root, ".claude", ".cc-writes"), { recursive: true });
    mkdirSync(join(root, ".claude", "commands"), { recursive: true });
    expect(removeEmptySandboxFolders(root)).toEqual([
      join(".claude", "commands"),
      join(".claude", ".cc-writes"),
      ".claude",
    ]);
    mkdirSync(join(root, ".claude", "agents"), { recursive: true });
    writeFileSync(join(root, ".claude", "agents", "reviewer.md"), "# mine\n");
    expect(removeEmptySandboxFolders(root)).toEqual([]);
    expect(existsSync(join(root, ".claude", "agents", "reviewer.md"))).toBe(true);
  });
});

describe("removeScrubModeExcludes", () => {
  it("removes only the sandbox's block, wherever it is, and reports a change", () => {
    using directory = temporaryDirectory();
    const file = join(directory.path, "exclude");
    writeFileSync(file, `# top\n/a${scrubBlock}/b\n`);
    expect(removeScrubModeExcludes(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("# top\n/a\n/b\n");
    expect(removeScrubModeExcludes(file)).toBe(false);
    expect(removeScrubModeExcludes(join(directory.path, "missing"))).toBe(false);
  });
});
