/**
 * One git worktree and branch per coding session, under `.autowright/worktrees/` (git-ignored by the project's
 * `.autowright/.gitignore`), so parallel agents never share a working tree. The project root is the main working
 * tree: the merge queue lands work there.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, realpath, rm } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import {
  emptySandboxPlaceholders,
  removeEmptySandboxFolders,
  removeScrubModeExcludes,
} from "@autowright/agent-runtime";
import { AppError } from "@autowright/protocol";
import { commitConfig, gitFailure, gitOutput, gitPaths, runGit } from "./git.ts";

/** Where {@link GitWorkspaces} works. */
export interface GitWorkspacesOptions {
  /** The project directory, inside the main working tree of its repository. */
  readonly projectRoot: string;
  /** Where session worktrees go: `<projectRoot>/.autowright/worktrees`. */
  readonly worktreesDirectory: string;
}

/** The repository's state as {@link GitWorkspaces.ensureRepository} found (or made) it. */
export interface RepositoryInfo {
  /** The branch checked out in the main working tree: the one the merge queue lands on. */
  readonly branch: string;
  /** The commit it points at. */
  readonly head: string;
}

/** A session's worktree. */
export interface Workspace {
  /** The project directory inside the worktree (the worktree itself unless the project is a subfolder of its repository). */
  readonly path: string;
  /** The worktree's root directory. */
  readonly worktree: string;
  /** The session's branch: `autowright/<sessionId>`. */
  readonly branch: string;
}

/** Options of {@link GitWorkspaces.create}. */
export interface CreateWorkspaceOptions {
  /** What the branch starts from; the main branch by default (e.g. a previous session's branch to continue it). */
  readonly startPoint?: string;
}

/** The prefix of every branch autowright creates. */
export const sessionBranchPrefix = "autowright/";

const sessionIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** The branch of a session: `autowright/<sessionId>`. */
export function sessionBranch(sessionId: string): string {
  return `${sessionBranchPrefix}${sessionId}`;
}

/** Creates, lists and removes the session worktrees of one project. */
export class GitWorkspaces {
  readonly projectRoot: string;
  readonly worktreesDirectory: string;
  #mainBranch: string | undefined;
  /** The project's path relative to its repository's top level ("" when it is the top level). */
  #prefix = "";
  /** Worktree and branch changes run one at a time: they share `.git/worktrees` and the refs. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: GitWorkspacesOptions) {
    this.projectRoot = resolve(options.projectRoot);
    this.worktreesDirectory = resolve(options.worktreesDirectory);
  }

  /** The main branch found by {@link ensureRepository}. */
  get mainBranch(): string | undefined {
    return this.#mainBranch;
  }

  /**
   * Checks the project is a git repository on a branch, and gives it a first commit when it has none (of
   * everything there, so the session branches have a base). Throws `AppError("invalid_input")` for a directory
   * outside any repository or a detached HEAD.
   */
  async ensureRepository(): Promise<RepositoryInfo> {
    if (!existsSync(this.projectRoot)) {
      throw new AppError("directory_not_found", `the project directory ${this.projectRoot} does not exist`);
    }
    const inside = await runGit(this.projectRoot, ["rev-parse", "--is-inside-work-tree"]);
    if (inside.code !== 0 || inside.stdout.trim() !== "true") {
      throw new AppError(
        "invalid_input",
        `${this.projectRoot} is not inside a git repository: run \`git init\` there (autowright works on branches and merges them)`,
      );
    }
    this.#prefix = (await gitOutput(this.projectRoot, ["rev-parse", "--show-prefix"])).replace(/\/$/, "");
    const symbolic = await runGit(this.projectRoot, ["symbolic-ref", "--quiet", "--short", "HEAD"]);
    const branch = symbolic.stdout.trim();
    if (symbolic.code !== 0 || branch === "") {
      throw new AppError(
        "invalid_input",
        `the repository at ${this.projectRoot} has a detached HEAD: check out the branch autowright should merge into (e.g. \`git switch main\`)`,
      );
    }
    let head = await runGit(this.projectRoot, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
    if (head.code !== 0) {
      await this.#initialCommit();
      head = await runGit(this.projectRoot, ["rev-parse", "--verify", "HEAD^{commit}"]);
      if (head.code !== 0) throw gitFailure(["rev-parse", "HEAD"], head);
    }
    this.#mainBranch = branch;
    return { branch, head: head.stdout.trim() };
  }

  /**
   * Creates the worktree `<worktreesDirectory>/<sessionId>` on a new branch `autowright/<sessionId>` from the
   * main branch, replacing a stale worktree or branch of the same name.
   */
  async create(sessionId: string, options?: CreateWorkspaceOptions): Promise<Workspace> {
    checkSessionId(sessionId);
    const mainBranch = this.#mainBranch ?? (await this.ensureRepository()).branch;
    return this.#serial(async () => {
      const worktree = join(this.worktreesDirectory, sessionId);
      const branch = sessionBranch(sessionId);
      await mkdir(this.worktreesDirectory, { recursive: true });
      const args = ["worktree", "add", "-b", branch, worktree, options?.startPoint ?? mainBranch];
      // Session ids are new, so the first try usually works; a stale worktree or branch of the same name is
      // cleared only when it fails (each git process the orchestrator starts blocks its event loop ~10 ms).
      let result = await runGit(this.projectRoot, args, { retryOnLock: true });
      if (result.code !== 0) {
        await this.#remove(sessionId);
        result = await runGit(this.projectRoot, args, { retryOnLock: true });
      }
      if (result.code !== 0) throw gitFailure(args, result);
      return { path: this.#prefix === "" ? worktree : join(worktree, this.#prefix), worktree, branch };
    });
  }

  /** Removes a session's worktree and branch. Idempotent: missing ones are not an error. */
  async remove(sessionId: string): Promise<void> {
    checkSessionId(sessionId);
    await this.#serial(() => this.#remove(sessionId));
  }

  /**
   * Removes every worktree under the worktrees directory (and any leftover folder there), prunes git's
   * worktree records, and deletes every `autowright/*` branch not checked out elsewhere. For start-up and
   * shutdown, so that no run leaves anything behind.
   */
  async pruneAll(): Promise<void> {
    await this.#serial(async () => {
      // Claude Code's sandbox leaves empty `.claude/…` folders in the main tree, also from sessions in worktrees.
      removeEmptySandboxFolders(this.projectRoot);
      const directory = await this.#worktreesDirectoryReal();
      for (const entry of await this.#listWorktrees()) {
        if (isInside(entry.path, directory) || isInside(entry.path, this.worktreesDirectory)) {
          await runGit(this.projectRoot, ["worktree", "remove", "--force", "--force", entry.path], {
            retryOnLock: true,
          });
        }
      }
      if (existsSync(this.worktreesDirectory)) {
        for (const name of await readdir(this.worktreesDirectory)) {
          await rm(join(this.worktreesDirectory, name), { recursive: true, force: true });
        }
      }
      await runGit(this.projectRoot, ["worktree", "prune"], { retryOnLock: true });
      const checkedOut = new Set((await this.#listWorktrees()).flatMap((entry) => entry.branch ?? []));
      const branches = await gitOutput(this.projectRoot, [
        "for-each-ref",
        "--format=%(refname)",
        `refs/heads/${sessionBranchPrefix}`,
      ]);
      for (const ref of branches.split("\n").filter((line) => line !== "")) {
        if (checkedOut.has(ref)) continue;
        await runGit(this.projectRoot, ["branch", "-D", ref.slice("refs/heads/".length)], {
          retryOnLock: true,
        });
      }
    });
  }

  /** Commits everything left uncommitted in a worktree (new files included). Returns whether it made a commit. */
  async commitAll(path: string, message: string): Promise<boolean> {
    // The empty files Claude Code's sandbox leaves as mount targets are not the agent's work (checked on disk,
    // so no git process is added), nor is its private `.claude/.cc-writes` folder. An empty directory such as its
    // `node_modules/.bin` is never staged anyway.
    const excluded = [...emptySandboxPlaceholders(path), ".claude/.cc-writes"].map(
      (name) => `:(exclude,literal)${name}`,
    );
    // Its block in the main tree's exclude file would hide an agent's real package.json from `git add`; the worker
    // removes it after a session, and a worker that was killed could not.
    removeScrubModeExcludes(join(this.projectRoot, ".git", "info", "exclude"));
    const addArgs = ["add", "-A", "--", ":/", ...excluded];
    const add = await runGit(path, addArgs, { retryOnLock: true });
    // An excluded path that git ignores anyway (`.env` in a .gitignore) makes `git add` say so and exit 1, after
    // staging everything else: that is the outcome wanted, not a failure.
    const onlyIgnoredExcludes =
      add.code === 1 && /^The following paths are ignored by one of your \.gitignore files:/.test(add.stderr);
    if (add.code !== 0 && !onlyIgnoredExcludes) throw gitFailure(addArgs, add);
    // The repository's identity (a worktree shares its configuration), looked up once for every worktree.
    const args = [
      ...(await commitConfig(this.projectRoot)),
      "commit",
      "--no-verify",
      "--quiet",
      "-m",
      message,
    ];
    const commit = await runGit(path, args, { retryOnLock: true });
    // Nothing staged: git says so and exits 1 (one git process fewer than asking first).
    if (commit.code === 1 && /nothing to commit|nothing added to commit|no changes added/.test(commit.stdout))
      return false;
    if (commit.code !== 0) throw gitFailure(args, commit);
    return true;
  }

  /** The files a worktree's branch changed (committed) since it left the main branch, repository-relative. */
  async changedFiles(path: string): Promise<string[]> {
    const mainBranch = this.#mainBranch ?? (await this.ensureRepository()).branch;
    const base = await gitOutput(path, ["merge-base", mainBranch, "HEAD"]);
    return gitPaths(path, ["diff", "--name-only", "-z", base, "HEAD"]);
  }

  async #remove(sessionId: string): Promise<void> {
    const worktree = join(this.worktreesDirectory, sessionId);
    // The quick way (two git processes) when the worktree is registered under this path, as it is after create.
    const removed = await runGit(this.projectRoot, ["worktree", "remove", "--force", "--force", worktree], {
      retryOnLock: true,
    });
    if (removed.code === 0 && !existsSync(worktree)) {
      const deleted = await runGit(this.projectRoot, ["branch", "-D", sessionBranch(sessionId)], {
        retryOnLock: true,
      });
      if (deleted.code === 0) return;
    }
    await this.#removeThoroughly(sessionId);
  }

  /** Removes whatever is left of a session: a registration under another path, a bare folder, its branch. */
  async #removeThoroughly(sessionId: string): Promise<void> {
    const worktree = join(this.worktreesDirectory, sessionId);
    const realWorktree = join(await this.#worktreesDirectoryReal(), sessionId);
    const registered = (await this.#listWorktrees()).some(
      (entry) => entry.path === worktree || entry.path === realWorktree,
    );
    if (registered) {
      await runGit(this.projectRoot, ["worktree", "remove", "--force", "--force", worktree], {
        retryOnLock: true,
      });
    }
    if (existsSync(worktree)) await rm(worktree, { recursive: true, force: true });
    await runGit(this.projectRoot, ["worktree", "prune"], { retryOnLock: true });
    const branch = sessionBranch(sessionId);
    const exists = await runGit(this.projectRoot, [
      "rev-parse",
      "--verify",
      "--quiet",
      `refs/heads/${branch}`,
    ]);
    if (exists.code === 0) {
      await runGit(this.projectRoot, ["branch", "-D", branch], { retryOnLock: true });
    }
  }

  async #initialCommit(): Promise<void> {
    const add = await runGit(this.projectRoot, ["add", "-A"], { retryOnLock: true });
    if (add.code !== 0) throw gitFailure(["add", "-A"], add);
    const args = [
      ...(await commitConfig(this.projectRoot)),
      "commit",
      "--no-verify",
      "--allow-empty",
      "--quiet",
      "-m",
      "autowright: initial commit",
    ];
    const commit = await runGit(this.projectRoot, args, { retryOnLock: true });
    if (commit.code !== 0) throw gitFailure(args, commit);
  }

  async #listWorktrees(): Promise<{ path: string; branch: string | undefined }[]> {
    const output = await gitOutput(this.projectRoot, ["worktree", "list", "--porcelain"]);
    const entries: { path: string; branch: string | undefined }[] = [];
    for (const line of output.split("\n")) {
      if (line.startsWith("worktree "))
        entries.push({ path: line.slice("worktree ".length), branch: undefined });
      const last = entries.at(-1);
      if (line.startsWith("branch ") && last !== undefined) last.branch = line.slice("branch ".length);
    }
    return entries;
  }

  async #worktreesDirectoryReal(): Promise<string> {
    try {
      return await realpath(this.worktreesDirectory);
    } catch {
      return this.worktreesDirectory;
    }
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function checkSessionId(sessionId: string): void {
  if (!sessionIdPattern.test(sessionId) || sessionId.includes("..") || sessionId.endsWith(".lock")) {
    throw new AppError(
      "invalid_input",
      `session id ${JSON.stringify(sessionId)} cannot name a branch and a folder: use letters, digits, ".", "_" and "-"`,
    );
  }
}

function isInside(path: string, directory: string): boolean {
  const relation = relative(directory, path);
  return relation !== "" && relation !== ".." && !relation.startsWith(`..${sep}`) && !isAbsolute(relation);
}
