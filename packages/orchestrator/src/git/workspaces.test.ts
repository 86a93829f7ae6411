import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sandboxPlaceholderNames } from "@autowright/agent-runtime";
import { AppError } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runGit } from "./git.ts";
import {
  commitEverything,
  createRepository,
  git,
  isolatedGitEnvironment,
  writeFiles,
} from "./test-repository.ts";
import { GitWorkspaces } from "./workspaces.ts";

beforeEach(() => {
  for (const [name, value] of Object.entries(isolatedGitEnvironment)) vi.stubEnv(name, value);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function workspacesFor(root: string): GitWorkspaces {
  return new GitWorkspaces({ projectRoot: root, worktreesDirectory: join(root, ".autowright", "worktrees") });
}

function sessionBranches(root: string): string[] {
  return git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads/autowright/")
    .split("\n")
    .filter((line) => line !== "");
}

function worktreePaths(root: string): string[] {
  return git(root, "worktree", "list", "--porcelain")
    .split("\n")
    .filter((line) => line.startsWith("worktree "))
    .map((line) => line.slice("worktree ".length));
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!AppError.isInstance(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe("runGit", () => {
  it("resolves with the exit code and output of a failing command instead of throwing", async () => {
    using directory = temporaryDirectory();
    const result = await runGit(directory.path, ["rev-parse", "--verify", "no-such-ref"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).not.toBe("");
  });

  it("throws internal_error when git cannot be started", async () => {
    const error = await rejection(runGit("/no/such/directory/anywhere", ["status"]));
    expect(error.code).toBe("internal_error");
  });
});

describe("GitWorkspaces.ensureRepository", () => {
  it("returns the checked-out branch and its head", async () => {
    using directory = temporaryDirectory();
    const head = createRepository(directory.path, { "a.txt": "a\n" });
    const workspaces = workspacesFor(directory.path);
    expect(await workspaces.ensureRepository()).toEqual({ branch: "main", head });
    expect(workspaces.mainBranch).toBe("main");
  });

  it("makes an initial commit of what is there in a repository without commits, as autowright when no identity is set", async () => {
    using directory = temporaryDirectory();
    git(directory.path, "init", "--quiet", "-b", "trunk");
    writeFiles(directory.path, { "app.js": "console.log(1);\n", "src/lib.js": "export {};\n" });
    const result = await workspacesFor(directory.path).ensureRepository();
    expect(result.branch).toBe("trunk");
    expect(result.head).toBe(git(directory.path, "rev-parse", "HEAD"));
    expect(git(directory.path, "log", "--format=%s|%an|%ae")).toBe(
      "autowright: initial commit|autowright|autowright@localhost",
    );
    expect(git(directory.path, "ls-files").split("\n")).toEqual(["app.js", "src/lib.js"]);
  });

  it("commits an empty project too, so that branches have a base", async () => {
    using directory = temporaryDirectory();
    git(directory.path, "init", "--quiet", "-b", "main");
    const result = await workspacesFor(directory.path).ensureRepository();
    expect(result.head).toMatch(/^[0-9a-f]{40}$/);
  });

  it("keeps the user's identity for the initial commit", async () => {
    using directory = temporaryDirectory();
    git(directory.path, "init", "--quiet", "-b", "main");
    git(directory.path, "config", "user.name", "Ada");
    git(directory.path, "config", "user.email", "ada@example.com");
    writeFiles(directory.path, { "a.txt": "a\n" });
    await workspacesFor(directory.path).ensureRepository();
    expect(git(directory.path, "log", "--format=%an|%ae")).toBe("Ada|ada@example.com");
  });

  it("refuses a directory that is not a git repository", async () => {
    using directory = temporaryDirectory();
    const error = await rejection(workspacesFor(directory.path).ensureRepository());
    expect(error.code).toBe("invalid_input");
    expect(error.message).toMatch(/not inside a git repository/);
  });

  it("refuses a detached HEAD", async () => {
    using directory = temporaryDirectory();
    const head = createRepository(directory.path, { "a.txt": "a\n" });
    git(directory.path, "checkout", "--quiet", "--detach", head);
    const error = await rejection(workspacesFor(directory.path).ensureRepository());
    expect(error.code).toBe("invalid_input");
    expect(error.message).toMatch(/detached HEAD/);
  });
});

describe("GitWorkspaces worktrees", () => {
  it("creates a worktree on autowright/<sessionId> from the main branch", async () => {
    using directory = temporaryDirectory();
    const head = createRepository(directory.path, { "a.txt": "a\n" });
    const workspaces = workspacesFor(directory.path);
    await workspaces.ensureRepository();
    const workspace = await workspaces.create("s1");
    expect(workspace.branch).toBe("autowright/s1");
    expect(workspace.path).toBe(join(directory.path, ".autowright", "worktrees", "s1"));
    expect(readFileSync(join(workspace.path, "a.txt"), "utf8")).toBe("a\n");
    expect(git(workspace.path, "rev-parse", "--abbrev-ref", "HEAD")).toBe("autowright/s1");
    expect(git(workspace.path, "rev-parse", "HEAD")).toBe(head);
    expect(git(directory.path, "status", "--porcelain")).toBe("");
  });

  it("replaces a stale worktree and branch of the same name", async () => {
    using directory = temporaryDirectory();
    const head = createRepository(directory.path, { "a.txt": "a\n" });
    const workspaces = workspacesFor(directory.path);
    const stale = await workspaces.create("s1");
    writeFiles(stale.path, { "stale.txt": "old work\n" });
    commitEverything(stale.path, "stale work");
    const fresh = await workspaces.create("s1");
    expect(git(fresh.path, "rev-parse", "HEAD")).toBe(head);
    expect(existsSync(join(fresh.path, "stale.txt"))).toBe(false);
  });

  it("can start a branch from another one", async () => {
    using directory = temporaryDirectory();
    createRepository(directory.path, { "a.txt": "a\n" });
    const workspaces = workspacesFor(directory.path);
    const first = await workspaces.create("s1");
    writeFiles(first.path, { "b.txt": "b\n" });
    const tip = commitEverything(first.path, "work");
    const second = await workspaces.create("s2", { startPoint: "autowright/s1" });
    expect(git(second.path, "rev-parse", "HEAD")).toBe(tip);
  });

  it("removes a worktree and its branch, and removing again or an unknown session does not throw", async () => {
    using directory = temporaryDirectory();
    createRepository(directory.path, { "a.txt": "a\n" });
    const workspaces = workspacesFor(directory.path);
    const workspace = await workspaces.create("s1");
    await workspaces.remove("s1");
    expect(existsSync(workspace.path)).toBe(false);
    expect(worktreePaths(directory.path)).toEqual([directory.path]);
    expect(sessionBranches(directory.path)).toEqual([]);
    await workspaces.remove("s1");
    await workspaces.remove("never-created");
  });

  it("pruneAll leaves only the main tree and no autowright/* branch", async () => {
    using directory = temporaryDirectory();
    createRepository(directory.path, { "a.txt": "a\n" });
    const workspaces = workspacesFor(directory.path);
    const created = await Promise.all(["s1", "s2", "s3"].map((id) => workspaces.create(id)));
    for (const workspace of created) writeFiles(workspace.path, { "dirty.txt": "uncommitted\n" });
    git(directory.path, "branch", "autowright/orphan");
    git(directory.path, "branch", "keep-me");
    mkdirSync(join(workspaces.worktreesDirectory, "stray-folder"), { recursive: true });
    writeFileSync(join(workspaces.worktreesDirectory, "stray-folder", "x"), "x");
    // A worktree whose folder vanished (a crash, or a person cleaning up).
    const vanished = await workspaces.create("s4");
    rmSync(vanished.path, { recursive: true, force: true });

    await workspaces.pruneAll();

    expect(worktreePaths(directory.path)).toEqual([directory.path]);
    expect(sessionBranches(directory.path)).toEqual([]);
    expect(git(directory.path, "branch", "--format=%(refname:short)").split("\n").sort()).toEqual([
      "keep-me",
      "main",
    ]);
    expect(readdirSync(workspaces.worktreesDirectory)).toEqual([]);
    expect(git(directory.path, "status", "--porcelain")).toBe("");
  });

  it("pruneAll on a repository without worktrees is a no-op", async () => {
    using directory = temporaryDirectory();
    createRepository(directory.path, { "a.txt": "a\n" });
    await workspacesFor(directory.path).pruneAll();
    expect(worktreePaths(directory.path)).toEqual([directory.path]);
  });

  it.each(["", "../escape", "a/b", "with space", "x.lock", "-flag", "a..b"])(
    "refuses the session id %j",
    async (sessionId) => {
      using directory = temporaryDirectory();
      createRepository(directory.path);
      const error = await rejection(workspacesFor(directory.path).create(sessionId));
      expect(error.code).toBe("invalid_input");
    },
  );

  it("gives the project folder inside the worktree when the project is a subfolder of its repository", async () => {
    using directory = temporaryDirectory();
    createRepository(directory.path, { "apps/web/index.html": "<p></p>\n" });
    const projectRoot = join(directory.path, "apps", "web");
    const workspaces = workspacesFor(projectRoot);
    const workspace = await workspaces.create("s1");
    expect(workspace.path).toBe(join(workspace.worktree, "apps", "web"));
    expect(existsSync(join(workspace.path, "index.html"))).toBe(true);
    await workspaces.pruneAll();
    expect(worktreePaths(directory.path)).toEqual([directory.path]);
  });
});

describe("GitWorkspaces.commitAll and changedFiles", () => {
  it("commits what the agent left uncommitted, new files included, and reports nothing to commit after", async () => {
    using directory = temporaryDirectory();
    createRepository(directory.path, { "a.txt": "a\n", "gone.txt": "x\n" });
    const workspaces = workspacesFor(directory.path);
    const workspace = await workspaces.create("s1");
    writeFiles(workspace.path, { "a.txt": "changed\n", "new/b.txt": "b\n" });
    rmSync(join(workspace.path, "gone.txt"));

    expect(await workspaces.commitAll(workspace.path, "session s1: leftovers")).toBe(true);
    expect(git(workspace.path, "status", "--porcelain")).toBe("");
    expect(git(workspace.path, "log", "-1", "--format=%s|%ae")).toBe(
      "session s1: leftovers|autowright@localhost",
    );
    expect(await workspaces.commitAll(workspace.path, "again")).toBe(false);
    expect((await workspaces.changedFiles(workspace.path)).sort()).toEqual([
      "a.txt",
      "gone.txt",
      "new/b.txt",
    ]);
    // The main tree is untouched.
    expect(readFileSync(join(directory.path, "a.txt"), "utf8")).toBe("a\n");
  });

  it("leaves the empty files of Claude Code's sandbox out of the commit, and keeps what the agent wrote", async () => {
    using directory = temporaryDirectory();
    createRepository(directory.path, { "apps/web/index.html": "<p></p>\n" });
    const projectRoot = join(directory.path, "apps", "web");
    const workspaces = workspacesFor(projectRoot);
    const workspace = await workspaces.create("s1");
    // What the sandbox leaves: empty mount targets and an empty node_modules/.bin.
    for (const name of sandboxPlaceholderNames) writeFileSync(join(workspace.path, name), "");
    mkdirSync(join(workspace.path, "node_modules", ".bin"), { recursive: true });
    // What the agent wrote: a real package.json, its code, and a change at the repository's top.
    writeFiles(workspace.path, { "package.json": '{"name":"web"}\n', "src/app.js": "export {};\n" });
    writeFiles(workspace.worktree, { "README.md": "# top\n" });

    expect(await workspaces.commitAll(workspace.path, "session s1")).toBe(true);
    const committed = git(workspace.worktree, "show", "--name-only", "--format=", "HEAD").split("\n").sort();
    expect(committed).toEqual(["README.md", "apps/web/package.json", "apps/web/src/app.js"]);
    // Only placeholders left: nothing to commit.
    expect(await workspaces.commitAll(workspace.path, "again")).toBe(false);
  });

  it("commits beside an empty placeholder that the project ignores anyway (.env in .gitignore)", async () => {
    using directory = temporaryDirectory();
    createRepository(directory.path, { ".gitignore": ".env\n" });
    const workspaces = workspacesFor(directory.path);
    const workspace = await workspaces.create("s1");
    writeFiles(workspace.path, { ".env": "", "src/app.js": "export {};\n" });
    expect(await workspaces.commitAll(workspace.path, "session s1")).toBe(true);
    expect(git(workspace.path, "show", "--name-only", "--format=", "HEAD")).toBe("src/app.js");
  });

  it("commits a real package.json in the main tree that the sandbox's exclude block hid, but not its .cc-writes", async () => {
    using directory = temporaryDirectory();
    createRepository(directory.path, { "a.txt": "a\n" });
    const workspaces = workspacesFor(directory.path);
    // A killed Claude session in the main tree left its block behind (Claude Code 2.1.331, scrub mode).
    writeFileSync(
      join(directory.path, ".git", "info", "exclude"),
      "# claude-code scrub-mode stubs\n/package.json\n/.npmrc\n",
      { flag: "a" },
    );
    writeFiles(directory.path, { "package.json": '{"name":"app"}\n', ".claude/.cc-writes/journal": "x\n" });

    expect(await workspaces.commitAll(directory.path, "initializer")).toBe(true);
    expect(git(directory.path, "show", "--name-only", "--format=", "HEAD")).toBe("package.json");
    expect(readFileSync(join(directory.path, ".git", "info", "exclude"), "utf8")).not.toContain("scrub-mode");
  });

  it("lists the files of every commit on the branch, not those the main branch changed since", async () => {
    using directory = temporaryDirectory();
    createRepository(directory.path, { "a.txt": "a\n" });
    const workspaces = workspacesFor(directory.path);
    const workspace = await workspaces.create("s1");
    writeFiles(workspace.path, { "one.txt": "1\n" });
    commitEverything(workspace.path, "one");
    writeFiles(workspace.path, { "two.txt": "2\n" });
    commitEverything(workspace.path, "two");
    writeFiles(directory.path, { "main-only.txt": "m\n" });
    commitEverything(directory.path, "main moves on");
    expect((await workspaces.changedFiles(workspace.path)).sort()).toEqual(["one.txt", "two.txt"]);
  });
});
