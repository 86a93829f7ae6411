import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import {
  placeholderSnapshot,
  removeSandboxPlaceholders,
  sandboxPlaceholderNames,
} from "./sandbox-placeholders.ts";

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
});
