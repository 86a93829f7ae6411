import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { projectPaths } from "./paths.ts";
import { claimProjectOwnership, projectOwnerFile, readProjectOwner } from "./project-owner.ts";

describe("project ownership", () => {
  it("lets one live process own a project and points the others to it", () => {
    using directory = temporaryDirectory();
    const paths = projectPaths(join(directory.path, "p"));
    mkdirSync(paths.dataDirectory, { recursive: true });
    const release = claimProjectOwnership(paths, { kind: "server", url: "http://127.0.0.1:8888" });
    expect(readProjectOwner(paths)).toMatchObject({ pid: process.pid, kind: "server" });
    expect(() => claimProjectOwnership(paths, { kind: "run" }, { pid: process.pid + 1 })).toThrow(
      /autowright server at http:\/\/127\.0\.0\.1:8888/,
    );
    release();
    expect(existsSync(projectOwnerFile(paths))).toBe(false);
  });

  it("replaces the record of a process that is gone", () => {
    using directory = temporaryDirectory();
    const paths = projectPaths(join(directory.path, "p"));
    mkdirSync(paths.dataDirectory, { recursive: true });
    claimProjectOwnership(paths, { kind: "run" }, { pid: 999_999_999, isLive: () => false });
    expect(readProjectOwner(paths, () => false)).toBeUndefined();
    const release = claimProjectOwnership(
      paths,
      { kind: "server" },
      { isLive: (pid) => pid === process.pid },
    );
    expect(readProjectOwner(paths)?.pid).toBe(process.pid);
    release();
  });
});
