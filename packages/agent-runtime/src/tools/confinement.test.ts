import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { isInside, resolveInside, resolveWritableInside } from "./confinement.ts";

function caught(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (AppError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("isInside", () => {
  it.each([
    ["/project", "/project", true],
    ["/project", "/project/src/app.ts", true],
    ["/project", "/project/..hidden", true],
    ["/project", "/project-other/file", false],
    ["/project", "/", false],
    ["/project", "/etc/passwd", false],
    ["/project/src", "/project", false],
  ])("isInside(%s, %s) is %s", (root, path, expected) => {
    expect(isInside(root, path)).toBe(expected);
  });
});

describe("resolveInside", () => {
  it("resolves relative and absolute paths inside the tree, existing or not", () => {
    using directory = temporaryDirectory();
    const root = directory.path;
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "app.ts"), "");
    expect(resolveInside(root, "src/app.ts")).toBe(join(root, "src", "app.ts"));
    expect(resolveInside(root, join(root, "src", "app.ts"))).toBe(join(root, "src", "app.ts"));
    expect(resolveInside(root, "src/new/deep/file.ts")).toBe(join(root, "src", "new", "deep", "file.ts"));
    expect(resolveInside(root, "src/../README.md")).toBe(join(root, "README.md"));
  });

  it.each([".", "", "src/..", "./"])("resolves the root itself (%j)", (path) => {
    using directory = temporaryDirectory();
    expect(resolveInside(directory.path, path)).toBe(directory.path);
  });

  it("resolves the root given as an absolute path", () => {
    using directory = temporaryDirectory();
    expect(resolveInside(directory.path, directory.path)).toBe(directory.path);
  });

  it.each(["..", "../x", "src/../../x", "/etc/passwd", "/"])("refuses %j outside the tree", (path) => {
    using directory = temporaryDirectory();
    mkdirSync(join(directory.path, "src"));
    const error = caught(() => resolveInside(directory.path, path));
    expect(error.code).toBe("path_outside_project");
    expect(error.message).toBe(`${path} is outside the working tree ${directory.path}; use a path inside it`);
  });

  it("refuses a symlink inside the tree that points to a file outside", () => {
    using directory = temporaryDirectory();
    using outside = temporaryDirectory();
    writeFileSync(join(outside.path, "secret.txt"), "secret");
    symlinkSync(join(outside.path, "secret.txt"), join(directory.path, "link.txt"));
    expect(caught(() => resolveInside(directory.path, "link.txt")).code).toBe("path_outside_project");
  });

  it("refuses a symlink inside the tree that points to a directory outside, and files below it", () => {
    using directory = temporaryDirectory();
    using outside = temporaryDirectory();
    writeFileSync(join(outside.path, "secret.txt"), "secret");
    symlinkSync(outside.path, join(directory.path, "linked"));
    expect(caught(() => resolveInside(directory.path, "linked")).code).toBe("path_outside_project");
    expect(caught(() => resolveInside(directory.path, "linked/secret.txt")).code).toBe(
      "path_outside_project",
    );
  });

  it("refuses a file that does not exist yet under a symlinked directory pointing outside", () => {
    using directory = temporaryDirectory();
    using outside = temporaryDirectory();
    symlinkSync(outside.path, join(directory.path, "linked"));
    expect(caught(() => resolveInside(directory.path, "linked/new/file.txt")).code).toBe(
      "path_outside_project",
    );
    expect(existsSync(join(outside.path, "new"))).toBe(false);
  });

  // BUG: a dangling symlink is "not existing" for existsSync, so its parent is resolved instead and the link
  // itself is returned as if it were a real path inside the tree; writing to it creates the file outside.
  it("refuses a dangling symlink inside the tree that points to a missing file outside", () => {
    using directory = temporaryDirectory();
    using outside = temporaryDirectory();
    symlinkSync(join(outside.path, "created.txt"), join(directory.path, "escape.txt"));
    expect(caught(() => resolveInside(directory.path, "escape.txt")).code).toBe("path_outside_project");
  });

  it("accepts a symlink that stays inside the tree and returns its real path", () => {
    using directory = temporaryDirectory();
    mkdirSync(join(directory.path, "real"));
    writeFileSync(join(directory.path, "real", "a.txt"), "a");
    symlinkSync(join(directory.path, "real"), join(directory.path, "alias"));
    expect(resolveInside(directory.path, "alias/a.txt")).toBe(join(directory.path, "real", "a.txt"));
    expect(resolveInside(directory.path, "alias/b.txt")).toBe(join(directory.path, "real", "b.txt"));
  });

  it("resolves against the real path of a symlinked root", () => {
    using directory = temporaryDirectory();
    using holder = temporaryDirectory();
    const linkedRoot = join(holder.path, "root");
    symlinkSync(directory.path, linkedRoot);
    expect(resolveInside(linkedRoot, "a.txt")).toBe(join(directory.path, "a.txt"));
  });
});

describe("resolveWritableInside", () => {
  it.each([
    ".autowright",
    ".autowright/commands.yaml",
    ".autowright/prompts/coding.md",
    "src/../.autowright/commands.yaml",
  ])("refuses autowright's own files (%s)", (path) => {
    using directory = temporaryDirectory();
    mkdirSync(join(directory.path, ".autowright"));
    const error = caught(() => resolveWritableInside(directory.path, path));
    expect(error.code).toBe("path_outside_project");
    expect(error.message).toBe(`${path} is autowright's own configuration; agents may not change it`);
  });

  it("refuses .autowright reached through a symlink", () => {
    using directory = temporaryDirectory();
    mkdirSync(join(directory.path, ".autowright"));
    symlinkSync(join(directory.path, ".autowright"), join(directory.path, "config"));
    expect(caught(() => resolveWritableInside(directory.path, "config/commands.yaml")).message).toBe(
      "config/commands.yaml is autowright's own configuration; agents may not change it",
    );
  });

  it("allows the root, ordinary files and look-alike names", () => {
    using directory = temporaryDirectory();
    const root = directory.path;
    expect(resolveWritableInside(root, ".")).toBe(root);
    expect(resolveWritableInside(root, "src/app.ts")).toBe(join(root, "src", "app.ts"));
    expect(resolveWritableInside(root, ".autowright-notes.md")).toBe(join(root, ".autowright-notes.md"));
    expect(resolveWritableInside(root, "docs/.autowright/x.md")).toBe(
      join(root, "docs", ".autowright", "x.md"),
    );
  });

  it("refuses paths outside the tree like resolveInside", () => {
    using directory = temporaryDirectory();
    expect(caught(() => resolveWritableInside(directory.path, "../x")).message).toBe(
      `../x is outside the working tree ${directory.path}; use a path inside it`,
    );
  });
});
