import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runChecks, type VerificationResult } from "../verifier/check-runner.ts";
import { MergeQueue, type MergeQueueOptions, type MergeRequest, type MergeResult } from "./merge-queue.ts";
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

/** One call of the queue's `runChecks`. */
interface CheckRun {
  readonly directory: string;
  readonly commands: readonly string[];
  /** The visible top-level files of `directory` when the checks started. */
  readonly files: readonly string[];
}

interface FixtureOptions {
  readonly files?: Record<string, string>;
  readonly maxBatch?: number;
  /** Replaces the real check runner (the call is recorded first). */
  readonly runChecks?: MergeQueueOptions["runChecks"];
}

interface Fixture {
  readonly root: string;
  readonly queue: MergeQueue;
  /** Creates session `id`'s worktree, writes `files` there and commits them on its branch. */
  branch(id: string, files: Record<string, string>): Promise<string>;
  /** Commits a new file on the main branch, so that it moves past the session branches made so far. */
  advanceMain(): string;
  request(id: string, overrides?: Partial<MergeRequest>): MergeRequest;
  /** Every check run, in order. */
  readonly runs: CheckRun[];
}

async function fixture(root: string, options: FixtureOptions = {}): Promise<Fixture> {
  createRepository(root, options.files ?? { "readme.md": "hello\n" });
  const workspaces = new GitWorkspaces({
    projectRoot: root,
    worktreesDirectory: join(root, ".autowright", "worktrees"),
  });
  const { branch: mainBranch } = await workspaces.ensureRepository();
  const runs: CheckRun[] = [];
  const queue = new MergeQueue({
    projectRoot: root,
    mainBranch,
    ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
    runChecks: async (directory, commands) => {
      const files = readdirSync(directory)
        .filter((name) => !name.startsWith("."))
        .sort();
      runs.push({ directory, commands: [...commands], files });
      if (options.runChecks !== undefined) return options.runChecks(directory, commands);
      return runChecks({ directory, commands, timeoutMs: 30_000, env: process.env });
    },
  });
  return {
    root,
    queue,
    runs,
    async branch(id, branchFiles) {
      const workspace = await workspaces.create(id);
      writeFiles(workspace.path, branchFiles);
      if (Object.keys(branchFiles).length > 0) commitEverything(workspace.path, `work of ${id}`);
      return workspace.branch;
    },
    advanceMain() {
      writeFiles(root, { [`main-${runs.length}-${Date.now()}.txt`]: "moved\n" });
      return commitEverything(root, "main moved");
    },
    request(id, overrides) {
      return { sessionId: id, branch: `autowright/${id}`, featureIds: [1], commands: ["true"], ...overrides };
    },
  };
}

function head(root: string): string {
  return git(root, "rev-parse", "HEAD");
}

function mergeInProgress(root: string): boolean {
  return existsSync(join(git(root, "rev-parse", "--absolute-git-dir"), "MERGE_HEAD"));
}

/** The main tree is on `main` at `commit`, with nothing uncommitted and no merge under way. */
function expectCleanAt(root: string, commit: string): void {
  expect(git(root, "symbolic-ref", "--short", "HEAD")).toBe("main");
  expect(head(root)).toBe(commit);
  expect(porcelainStatus(root)).toBe("");
  expect(mergeInProgress(root)).toBe(false);
}

function firstParentSubjects(root: string): string[] {
  return git(root, "log", "--first-parent", "--format=%s", "main").split("\n");
}

function merged(result: MergeResult): Extract<MergeResult, { kind: "merged" }> {
  if (result.kind !== "merged") throw new Error(`expected merged, got ${JSON.stringify(result)}`);
  return result;
}

describe("MergeQueue", () => {
  it("lands requests queued at once under one check run, one merge commit each, in the order queued", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    await setup.branch("s2", { "two.txt": "2\n" });
    await setup.branch("s3", { "three.txt": "3\n" });

    const results = await Promise.all([
      setup.queue.enqueue(setup.request("s1", { featureIds: [3, 4], commands: ["test -e one.txt", "true"] })),
      setup.queue.enqueue(setup.request("s2", { featureIds: [5], commands: ["true", "test -e two.txt"] })),
      setup.queue.enqueue(setup.request("s3", { featureIds: [6], commands: ["test -e one.txt"] })),
    ]);

    expect(setup.runs).toEqual([
      {
        directory: directory.path,
        commands: ["test -e one.txt", "true", "test -e two.txt"],
        files: ["one.txt", "readme.md", "three.txt", "two.txt"],
      },
    ]);
    const [first, second, third] = results.map(merged);
    expect(results.map((result) => merged(result).batchSize)).toEqual([3, 3, 3]);
    expect(third?.verification.passed).toBe(true);
    expect(third?.verification.evidence.map((evidence) => evidence.command)).toEqual(setup.runs[0]?.commands);
    expect(first?.verification).toBe(third?.verification);
    expect(firstParentSubjects(directory.path)).toEqual([
      "autowright: merge autowright/s3 (feature #6)",
      "autowright: merge autowright/s2 (feature #5)",
      "autowright: merge autowright/s1 (features #3, #4)",
      "first",
    ]);
    expect(third?.commit).toBe(head(directory.path));
    expect(second?.commit).toBe(git(directory.path, "rev-parse", "HEAD~1"));
    expect(first?.commit).toBe(git(directory.path, "rev-parse", "HEAD~2"));
    for (const commit of [first?.commit, second?.commit, third?.commit]) {
      expect(git(directory.path, "rev-list", "--parents", "-1", commit ?? "").split(" ")).toHaveLength(3);
    }
    expectCleanAt(directory.path, third?.commit ?? "");
    expect(setup.queue.pending).toBe(0);
  });

  it("batches what was queued while a check ran into the next run", async () => {
    using directory = temporaryDirectory();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const setup = await fixture(directory.path, {
      runChecks: async (checked, commands) => {
        if (!existsSync(join(checked, "two.txt"))) await gate;
        return runChecks({ directory: checked, commands, timeoutMs: 30_000, env: process.env });
      },
    });
    await setup.branch("s1", { "one.txt": "1\n" });
    await setup.branch("s2", { "two.txt": "2\n" });
    await setup.branch("s3", { "three.txt": "3\n" });
    setup.advanceMain();

    const first = setup.queue.enqueue(setup.request("s1"));
    await vi.waitFor(() => expect(setup.runs).toHaveLength(1), { timeout: 30_000, interval: 10 });
    const later = [setup.queue.enqueue(setup.request("s2")), setup.queue.enqueue(setup.request("s3"))];
    expect(setup.queue.pending).toBe(3);
    release();
    const results = await Promise.all([first, ...later]);

    expect(results.map((result) => merged(result).batchSize)).toEqual([1, 2, 2]);
    expect(setup.runs.map((run) => run.files.filter((name) => !name.startsWith("main-")))).toEqual([
      ["one.txt", "readme.md"],
      ["one.txt", "readme.md", "three.txt", "two.txt"],
    ]);
    expectCleanAt(directory.path, merged(results[2] as MergeResult).commit);
    await setup.queue.idle();
    expect(setup.queue.pending).toBe(0);
  });

  it("lands at most maxBatch requests under one check run", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path, { maxBatch: 2 });
    for (const id of ["s1", "s2", "s3"]) await setup.branch(id, { [`${id}.txt`]: `${id}\n` });
    setup.advanceMain();

    const results = await Promise.all(["s1", "s2", "s3"].map((id) => setup.queue.enqueue(setup.request(id))));

    expect(results.map((result) => merged(result).batchSize)).toEqual([2, 2, 1]);
    expect(setup.runs).toHaveLength(2);
    expectCleanAt(directory.path, merged(results[2] as MergeResult).commit);
  });

  it.each([0, -1, 1.5])("rejects maxBatch %s", (maxBatch) => {
    const create = () =>
      new MergeQueue({
        projectRoot: "/nowhere",
        mainBranch: "main",
        maxBatch,
        runChecks: async () => passing,
      });
    expect(create).toThrow(/maxBatch must be a positive integer/);
  });

  it("answers a conflicting request of a batch and still lands the others under one check run", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path, { files: { "shared.txt": "line\nother\n" } });
    await setup.branch("s1", { "shared.txt": "first version\nother\n" });
    await setup.branch("s2", { "shared.txt": "second version\nother\n", "extra.txt": "x\n" });
    await setup.branch("s3", { "three.txt": "3\n" });

    const [first, second, third] = await Promise.all([
      setup.queue.enqueue(setup.request("s1", { commands: ["test -e shared.txt"] })),
      setup.queue.enqueue(setup.request("s2", { commands: ["test -e extra.txt"] })),
      setup.queue.enqueue(setup.request("s3", { commands: ["test -e three.txt"] })),
    ]);

    expect(second).toMatchObject({ kind: "conflict", files: ["shared.txt"] });
    if (second?.kind === "conflict") expect(second.message).toMatch(/autowright\/s2.*shared\.txt/);
    expect(setup.runs.map((run) => run.commands)).toEqual([["test -e shared.txt", "test -e three.txt"]]);
    const landed = [merged(first as MergeResult), merged(third as MergeResult)];
    expect(landed.map((result) => result.batchSize)).toEqual([2, 2]);
    expect(git(directory.path, "rev-parse", "HEAD^1")).toBe(landed[0]?.commit);
    expectCleanAt(directory.path, landed[1]?.commit ?? "");
    expect(readFileSync(join(directory.path, "shared.txt"), "utf8")).toBe("first version\nother\n");
    expect(existsSync(join(directory.path, "extra.txt"))).toBe(false);
  });

  it("merges the first of two branches editing the same line and reports the second as a conflict, leaving the tree clean", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path, { files: { "shared.txt": "line\nother\n" } });
    await setup.branch("s1", { "shared.txt": "first version\nother\n" });
    await setup.branch("s2", { "shared.txt": "second version\nother\n", "extra.txt": "x\n" });
    setup.advanceMain();

    const [first, second] = await Promise.all([
      setup.queue.enqueue(setup.request("s1")),
      setup.queue.enqueue(setup.request("s2")),
    ]);

    expect(second).toMatchObject({ kind: "conflict", files: ["shared.txt"] });
    expect(merged(first as MergeResult).batchSize).toBe(1);
    expectCleanAt(directory.path, merged(first as MergeResult).commit);
    expect(readFileSync(join(directory.path, "shared.txt"), "utf8")).toBe("first version\nother\n");
    expect(setup.runs).toHaveLength(1);
  });

  it("lands a failing batch again one at a time: only the culprit is turned away", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    await setup.branch("s2", { "two.txt": "2\n", "bad.marker": "breaks the checks\n" });
    await setup.branch("s3", { "three.txt": "3\n" });
    const before = head(directory.path);
    const commands = ["test ! -e bad.marker"];

    const [first, second, third] = await Promise.all(
      ["s1", "s2", "s3"].map((id) => setup.queue.enqueue(setup.request(id, { commands }))),
    );

    expect(second).toMatchObject({ kind: "checks_failed", verification: { passed: false } });
    if (second?.kind === "checks_failed") {
      expect(second.verification.evidence.at(-1)).toMatchObject({
        command: "test ! -e bad.marker",
        exitCode: 1,
      });
    }
    const landedFirst = merged(first as MergeResult);
    const landedThird = merged(third as MergeResult);
    // s1, landed alone on the main branch it was made from, needs no check run of its own.
    expect(landedFirst).toMatchObject({ batchSize: 1, verification: { passed: true, evidence: [] } });
    expect(landedThird.batchSize).toBe(1);
    expect(landedThird.verification.evidence).toHaveLength(1);
    expect(setup.runs.map((run) => run.files)).toEqual([
      ["bad.marker", "one.txt", "readme.md", "three.txt", "two.txt"],
      ["bad.marker", "one.txt", "readme.md", "two.txt"],
      ["one.txt", "readme.md", "three.txt"],
    ]);
    expect(firstParentSubjects(directory.path)).toEqual([
      "autowright: merge autowright/s3 (feature #1)",
      "autowright: merge autowright/s1 (feature #1)",
      "first",
    ]);
    expect(git(directory.path, "rev-parse", "HEAD~1")).toBe(landedFirst.commit);
    expect(git(directory.path, "rev-parse", "HEAD~2")).toBe(before);
    expectCleanAt(directory.path, landedThird.commit);
    expect(existsSync(join(directory.path, "bad.marker"))).toBe(false);
  });

  it.each([
    { mainMoved: false, runs: 0, evidence: 0 },
    { mainMoved: true, runs: 1, evidence: 1 },
  ])(
    "skips the checks only when the main branch did not move since the branch was made (moved: $mainMoved)",
    async ({ mainMoved, runs, evidence }) => {
      using directory = temporaryDirectory();
      const setup = await fixture(directory.path);
      await setup.branch("s1", { "one.txt": "1\n" });
      if (mainMoved) setup.advanceMain();

      const result = merged(await setup.queue.enqueue(setup.request("s1")));

      expect(setup.runs).toHaveLength(runs);
      expect(result.verification.passed).toBe(true);
      expect(result.verification.evidence).toHaveLength(evidence);
      expect(result.batchSize).toBe(1);
      expectCleanAt(directory.path, result.commit);
    },
  );

  it("undoes the merge when the checks fail on the merged tree", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n", "readme.md": "changed\n" });
    const before = setup.advanceMain();

    const result = await setup.queue.enqueue(setup.request("s1", { commands: ["true", "false"] }));

    expect(result).toMatchObject({ kind: "checks_failed", verification: { passed: false } });
    if (result.kind === "checks_failed") expect(result.verification.evidence).toHaveLength(2);
    expectCleanAt(directory.path, before);
    expect(existsSync(join(directory.path, "one.txt"))).toBe(false);
    expect(readFileSync(join(directory.path, "readme.md"), "utf8")).toBe("hello\n");
  });

  it("blocks the whole batch on uncommitted changes in the main tree and leaves them intact", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "readme.md": "from the agent\n" });
    await setup.branch("s2", { "two.txt": "2\n" });
    writeFiles(directory.path, { "readme.md": "the user's edit\n" });
    const before = head(directory.path);

    const results = await Promise.all([
      setup.queue.enqueue(setup.request("s1")),
      setup.queue.enqueue(setup.request("s2")),
    ]);

    expect(results.map((result) => result.kind)).toEqual(["blocked", "blocked"]);
    for (const result of results) {
      if (result.kind === "blocked") expect(result.reason).toMatch(/uncommitted changes \(readme\.md\)/);
    }
    expect(readFileSync(join(directory.path, "readme.md"), "utf8")).toBe("the user's edit\n");
    expect(head(directory.path)).toBe(before);
    expect(existsSync(join(directory.path, "two.txt"))).toBe(false);
    expect(setup.runs).toEqual([]);
  });

  it("names a renamed file and a path with spaces among the uncommitted changes", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    git(directory.path, "mv", "readme.md", "read me.md");

    const result = await setup.queue.enqueue(setup.request("s1"));

    expect(result.kind).toBe("blocked");
    if (result.kind === "blocked") expect(result.reason).toMatch(/uncommitted changes \(read me\.md\)/);
  });

  it("blocks on a detached HEAD and on a merge in progress, naming each", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    await setup.branch("s2", { "two.txt": "2\n" });
    const main = head(directory.path);

    git(directory.path, "checkout", "--quiet", "--detach");
    const detached = await setup.queue.enqueue(setup.request("s1"));
    expect(detached.kind).toBe("blocked");
    if (detached.kind === "blocked") expect(detached.reason).toMatch(/is on a detached HEAD, not /);

    git(directory.path, "checkout", "--quiet", "main");
    git(
      directory.path,
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@t",
      "merge",
      "--no-ff",
      "--no-commit",
      "autowright/s2",
    );
    expect(mergeInProgress(directory.path)).toBe(true);
    const merging = await setup.queue.enqueue(setup.request("s1"));
    expect(merging.kind).toBe("blocked");
    if (merging.kind === "blocked") expect(merging.reason).toMatch(/a merge is in progress/);
    expect(head(directory.path)).toBe(main);
    expect(setup.runs).toEqual([]);
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

  it("blocks a branch that would overwrite an untracked file, keeps the file, and lands the rest of the batch", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "notes.txt": "from the agent\n" });
    await setup.branch("s2", { "two.txt": "2\n" });
    writeFiles(directory.path, { "notes.txt": "the user's notes\n" });

    const [first, second] = await Promise.all([
      setup.queue.enqueue(setup.request("s1")),
      setup.queue.enqueue(setup.request("s2")),
    ]);

    expect(first?.kind).toBe("blocked");
    if (first?.kind === "blocked") expect(first.reason).toMatch(/untracked.*notes\.txt/);
    expect(readFileSync(join(directory.path, "notes.txt"), "utf8")).toBe("the user's notes\n");
    const landed = merged(second as MergeResult);
    expect(head(directory.path)).toBe(landed.commit);
    expect(git(directory.path, "status", "--porcelain")).toBe("?? notes.txt");
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
    expectCleanAt(directory.path, before);
    expect(setup.runs).toEqual([]);
  });

  it("rejects a request whose checks throw, restores the tree, and still lands the other one", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path, {
      runChecks: async (checked) => {
        if (existsSync(join(checked, "one.txt"))) throw new Error("the verifier crashed");
        return passing;
      },
    });
    await setup.branch("s1", { "one.txt": "1\n" });
    await setup.branch("s2", { "two.txt": "2\n" });
    const before = setup.advanceMain();

    const first = setup.queue.enqueue(setup.request("s1"));
    const second = setup.queue.enqueue(setup.request("s2"));

    await expect(first).rejects.toThrow("the verifier crashed");
    const landed = merged(await second);
    expect(git(directory.path, "rev-parse", "HEAD^1")).toBe(before);
    expectCleanAt(directory.path, landed.commit);
    expect(existsSync(join(directory.path, "one.txt"))).toBe(false);
    expect(existsSync(join(directory.path, "two.txt"))).toBe(true);
    // The batch of two, then each alone.
    expect(setup.runs).toHaveLength(3);
  });

  it("rejects a branch that does not exist with not_found and lands the rest of its batch", async () => {
    using directory = temporaryDirectory();
    const setup = await fixture(directory.path);
    await setup.branch("s1", { "one.txt": "1\n" });
    await setup.branch("s2", { "two.txt": "2\n" });

    const [first, missing, second] = await Promise.allSettled([
      setup.queue.enqueue(setup.request("s1")),
      setup.queue.enqueue(setup.request("missing")),
      setup.queue.enqueue(setup.request("s2")),
    ]);

    expect(missing?.status).toBe("rejected");
    if (missing?.status === "rejected") {
      const error: unknown = missing.reason;
      expect(AppError.isInstance(error) && error.code).toBe("not_found");
    }
    expect(first?.status === "fulfilled" && merged(first.value).batchSize).toBe(2);
    expect(second?.status === "fulfilled" && merged(second.value).batchSize).toBe(2);
    if (second?.status === "fulfilled") expectCleanAt(directory.path, merged(second.value).commit);
    expect(setup.runs).toHaveLength(1);
    expect(setup.queue.pending).toBe(0);
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

const passing: VerificationResult = { passed: true, evidence: [] };
