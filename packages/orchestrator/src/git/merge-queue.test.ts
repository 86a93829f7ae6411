import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { VerificationResult } from "../verifier/verifier.ts";
import { MergeQueue, type MergeRequest } from "./merge-queue.ts";
import {
  commitEverything,
  createRepository,
  git,
  isolatedGitEnvironment,
  porcelainStatus,
  writeFiles,
} from "./test-repository.ts";
import { GitWorkspaces } from "./workspaces.ts";

beforeEach(() => {
  for (const [name, value] of Object.entries(isolatedGitEnvironment)) vi.stubEnv(name, value);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const passing: VerificationResult = { passed: true, evidence: [] };
const failing: VerificationResult = {
  passed: false,
  evidence: [{ kind: "check", command: "npm test", exitCode: 1, at: new Date().toISOString() }],
};

interface Fixture {
  readonly root: string;
  readonly workspaces: GitWorkspaces;
  readonly queue: MergeQueue;
  /** Creates session `id`'s worktree, writes `files` there and commits them on its branch. */
  branch(id: string, files: Record<string, string>): Promise<string>;
  request(id: string, overrides?: Partial<MergeRequest>): MergeRequest;
  /** Where each `verify` ran, in order. */
  readonly verified: string[];
}

async function fixture(
  root: string,
  files: Record<string, string> = { "readme.md": "hello\n" },
): Promise<Fixture> {
  createRepository(root, files);
  const workspaces = new GitWorkspaces({
    projectRoot: root,
    worktreesDirectory: join(root, ".autowright", "worktrees"),
  });
  const { branch: mainBranch } = await workspaces.ensureRepository();
  const queue = new MergeQueue({ projectRoot: root, mainBranch });
  const verified: string[] = [];
  return {
    root,
    workspaces,
    queue,
    verified,
    async branch(id, branchFiles) {
      const workspace = await workspaces.create(id);
      writeFiles(workspace.path, branchFiles);
      if (Object.keys(branchFiles).length > 0) commitEverything(workspace.path, `work of ${id}`);
      return workspace.branch;
    },
    request(id, overrides) {
      return {
        sessionId: id,
        branch: `autowright/${id}`,
        featureIds: [1],
        verify: async (directory) => {
          verified.push(directory);
          return passing;
        },
        ...overrides,
      };
    },
  };
}

function head(root: string): string {
  return git(root, "rev-parse", "HEAD");
}

function mergeInProgress(root: string): boolean {
  return existsSync(join(git(root, "rev-parse", "--absolute-git-dir"), "MERGE_HEAD"));
}

describe("MergeQueue", () => {
  it("merges branches that touch different files, one at a time, in the order they were queued", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    await setup.branch("s2", { "two.txt": "2\n" });
    const seen: string[][] = [];
    const verify = async (root: string): Promise<VerificationResult> => {
      seen.push(["one.txt", "two.txt"].filter((name) => existsSync(join(root, name))));
      // A slow check: the second merge must still wait for it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return passing;
    };

    const [first, second] = await Promise.all([
      setup.queue.enqueue(setup.request("s1", { verify, featureIds: [3, 4] })),
      setup.queue.enqueue(setup.request("s2", { verify, featureIds: [5] })),
    ]);

    expect(first.kind).toBe("merged");
    expect(second.kind).toBe("merged");
    expect(seen).toEqual([["one.txt"], ["one.txt", "two.txt"]]);
    expect(git(directory.path, "log", "--first-parent", "--format=%s", "main").split("\n")).toEqual([
      "autowright: merge autowright/s2 (feature #5)",
      "autowright: merge autowright/s1 (features #3, #4)",
      "first",
    ]);
    if (second.kind === "merged") expect(second.commit).toBe(head(directory.path));
    if (first.kind === "merged") expect(first.commit).toBe(git(directory.path, "rev-parse", "HEAD~1"));
    expect(git(directory.path, "rev-list", "--parents", "-1", "HEAD").split(" ")).toHaveLength(3);
    expect(porcelainStatus(directory.path)).toBe("");
    expect(setup.queue.pending).toBe(0);
  });

  it("merges the first of two branches editing the same line and reports the second as a conflict, leaving the tree clean", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path, { "shared.txt": "line\nother\n" });
    await setup.branch("s1", { "shared.txt": "first version\nother\n" });
    await setup.branch("s2", { "shared.txt": "second version\nother\n", "extra.txt": "x\n" });

    const [first, second] = await Promise.all([
      setup.queue.enqueue(setup.request("s1")),
      setup.queue.enqueue(setup.request("s2")),
    ]);

    expect(first.kind).toBe("merged");
    expect(second).toMatchObject({ kind: "conflict", files: ["shared.txt"] });
    if (second.kind === "conflict") expect(second.message).toMatch(/autowright\/s2.*shared\.txt/);
    expect(porcelainStatus(directory.path)).toBe("");
    expect(mergeInProgress(directory.path)).toBe(false);
    if (first.kind === "merged") expect(head(directory.path)).toBe(first.commit);
    expect(readFileSync(join(directory.path, "shared.txt"), "utf8")).toBe("first version\nother\n");
    expect(existsSync(join(directory.path, "extra.txt"))).toBe(false);
    expect(setup.verified).toEqual([directory.path]);
  });

  it("undoes the merge when the checks fail on the merged tree", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n", "readme.md": "changed\n" });
    const before = head(directory.path);

    const result = await setup.queue.enqueue(setup.request("s1", { verify: async () => failing }));

    expect(result).toEqual({ kind: "checks_failed", verification: failing });
    expect(head(directory.path)).toBe(before);
    expect(existsSync(join(directory.path, "one.txt"))).toBe(false);
    expect(readFileSync(join(directory.path, "readme.md"), "utf8")).toBe("hello\n");
    expect(porcelainStatus(directory.path)).toBe("");
  });

  it("blocks on uncommitted changes in the main tree and leaves them intact", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "readme.md": "from the agent\n" });
    writeFiles(directory.path, { "readme.md": "the user's edit\n" });
    const before = head(directory.path);

    const result = await setup.queue.enqueue(setup.request("s1"));

    expect(result.kind).toBe("blocked");
    if (result.kind === "blocked") expect(result.reason).toMatch(/uncommitted changes \(readme\.md\)/);
    expect(readFileSync(join(directory.path, "readme.md"), "utf8")).toBe("the user's edit\n");
    expect(head(directory.path)).toBe(before);
    expect(setup.verified).toEqual([]);
  });

  it("blocks on staged changes too", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    writeFiles(directory.path, { "staged.txt": "staged\n" });
    git(directory.path, "add", "staged.txt");

    const result = await setup.queue.enqueue(setup.request("s1"));

    expect(result.kind).toBe("blocked");
    expect(git(directory.path, "status", "--porcelain")).toBe("A  staged.txt");
  });

  it("blocks when an untracked file would be overwritten, and keeps the file", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "notes.txt": "from the agent\n" });
    writeFiles(directory.path, { "notes.txt": "the user's notes\n" });
    const before = head(directory.path);

    const result = await setup.queue.enqueue(setup.request("s1"));

    expect(result.kind).toBe("blocked");
    if (result.kind === "blocked") expect(result.reason).toMatch(/untracked.*notes\.txt/);
    expect(readFileSync(join(directory.path, "notes.txt"), "utf8")).toBe("the user's notes\n");
    expect(head(directory.path)).toBe(before);
    expect(mergeInProgress(directory.path)).toBe(false);
  });

  it("does not mind untracked files the merge does not touch", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    writeFiles(directory.path, { "scratch.txt": "mine\n" });

    const result = await setup.queue.enqueue(setup.request("s1"));

    expect(result.kind).toBe("merged");
    expect(readFileSync(join(directory.path, "scratch.txt"), "utf8")).toBe("mine\n");
  });

  it("blocks when the main tree has another branch checked out", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    git(directory.path, "switch", "--quiet", "-c", "experiment");

    const result = await setup.queue.enqueue(setup.request("s1"));

    expect(result.kind).toBe("blocked");
    if (result.kind === "blocked") expect(result.reason).toMatch(/on experiment, not main/);
    expect(git(directory.path, "rev-parse", "main")).toBe(git(directory.path, "rev-parse", "experiment"));
  });

  it("reports a branch without new commits as empty and runs no check", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", {});
    const before = head(directory.path);

    const result = await setup.queue.enqueue(setup.request("s1"));

    expect(result).toEqual({ kind: "empty" });
    expect(head(directory.path)).toBe(before);
    expect(setup.verified).toEqual([]);
  });

  it("rejects a request whose verify throws, restores the tree, and still runs the next one", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    await setup.branch("s2", { "two.txt": "2\n" });
    const before = head(directory.path);

    const first = setup.queue.enqueue(
      setup.request("s1", {
        verify: async () => {
          throw new Error("the verifier crashed");
        },
      }),
    );
    const second = setup.queue.enqueue(setup.request("s2"));

    await expect(first).rejects.toThrow("the verifier crashed");
    const result = await second;
    expect(result.kind).toBe("merged");
    expect(git(directory.path, "rev-parse", "HEAD^1")).toBe(before);
    expect(existsSync(join(directory.path, "one.txt"))).toBe(false);
    expect(existsSync(join(directory.path, "two.txt"))).toBe(true);
  });

  it("rejects a branch that does not exist with not_found", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    const error = await setup.queue.enqueue(setup.request("missing")).catch((reason: unknown) => reason);
    expect(AppError.isInstance(error) && error.code).toBe("not_found");
  });

  it("merges as the user when the repository has an identity, as autowright otherwise", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    await setup.branch("s2", { "two.txt": "2\n" });
    await setup.queue.enqueue(setup.request("s1"));
    expect(git(directory.path, "log", "-1", "--format=%an <%ae>")).toBe("autowright <autowright@localhost>");
    git(directory.path, "config", "user.name", "Ada");
    git(directory.path, "config", "user.email", "ada@example.com");
    await setup.queue.enqueue(setup.request("s2"));
    expect(git(directory.path, "log", "-1", "--format=%an <%ae>")).toBe("Ada <ada@example.com>");
  });
});
