/**
 * Lands session branches on the main branch one at a time: merge (no rebase, no fast-forward), re-run the checks
 * on the merged tree, and keep the merge only when they pass. The main working tree is the user's: a merge never
 * starts on a tree with uncommitted changes, so undoing one never destroys their work.
 */
import type { FeatureId } from "@autowright/protocol";
import { AppError } from "@autowright/protocol";
import type { VerificationResult } from "../verifier/verifier.ts";
import { commitConfig, gitFailure, gitOutput, gitPaths, runGit, splitNul } from "./git.ts";

/** Where {@link MergeQueue} lands branches. */
export interface MergeQueueOptions {
  /** The project directory, in the main working tree. */
  readonly projectRoot: string;
  /** The branch checked out there, that branches are merged into. */
  readonly mainBranch: string;
}

/** One branch to land. */
export interface MergeRequest {
  readonly sessionId: string;
  /** The branch to merge, e.g. `autowright/<sessionId>`. */
  readonly branch: string;
  readonly featureIds: readonly FeatureId[];
  /** Runs the checks in `directory` (the project root, on the merged tree). */
  readonly verify: (directory: string) => Promise<VerificationResult>;
}

/** How a merge request ended. */
export type MergeResult =
  /** Merged and verified: `commit` is the merge commit, now the main branch's head. */
  | { readonly kind: "merged"; readonly commit: string; readonly verification: VerificationResult }
  /** The branch has no commit the main branch lacks: nothing to merge, no check run. */
  | { readonly kind: "empty" }
  /** The merge conflicts in `files`; it was aborted and the main tree is as before. */
  | { readonly kind: "conflict"; readonly files: string[]; readonly message: string }
  /** The merged tree failed the checks; the merge was undone. */
  | { readonly kind: "checks_failed"; readonly verification: VerificationResult }
  /** The main working tree cannot take a merge now (uncommitted changes, another branch checked out, …). */
  | { readonly kind: "blocked"; readonly reason: string };

/** Serializes merges into the main branch (FIFO); one failing request never holds up the next. */
export class MergeQueue {
  readonly projectRoot: string;
  readonly mainBranch: string;
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  constructor(options: MergeQueueOptions) {
    this.projectRoot = options.projectRoot;
    this.mainBranch = options.mainBranch;
  }

  /** Requests queued or running. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Queues a merge; resolves when it is done. Rejects only for the unexpected (the branch does not exist, git
   * fails in a way that is not a conflict, `verify` throws), after putting the main tree back as it was.
   */
  enqueue(request: MergeRequest): Promise<MergeResult> {
    this.#pending += 1;
    const run = this.#tail.then(() => this.#merge(request)).finally(() => (this.#pending -= 1));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every request queued so far has finished. */
  async idle(): Promise<void> {
    await this.#tail;
  }

  async #merge(request: MergeRequest): Promise<MergeResult> {
    const root = this.projectRoot;
    const branchRef = `refs/heads/${request.branch}`;
    const mainRef = `refs/heads/${this.mainBranch}`;
    const tip = await runGit(root, ["rev-parse", "--verify", "--quiet", `${branchRef}^{commit}`]);
    if (tip.code !== 0) throw new AppError("not_found", `cannot merge ${request.branch}: no such branch`);
    const ahead = await gitOutput(root, ["rev-list", "--count", `${mainRef}..${branchRef}`]);
    if (ahead === "0") return { kind: "empty" };

    const blocked = await this.#blockedReason();
    if (blocked !== undefined) return { kind: "blocked", reason: blocked };

    const before = await gitOutput(root, ["rev-parse", "--verify", "HEAD^{commit}"]);
    const args = [
      ...(await commitConfig(root)),
      "merge",
      "--no-ff",
      "--no-edit",
      "--no-verify",
      "-m",
      mergeMessage(request),
      branchRef,
    ];
    const merge = await runGit(root, args);
    if (merge.code !== 0) {
      const inProgress = await runGit(root, ["rev-parse", "--verify", "--quiet", "MERGE_HEAD"]);
      if (inProgress.code === 0) {
        const files = await gitPaths(root, ["diff", "--name-only", "-z", "--diff-filter=U"]);
        await this.#restore(before, true);
        const conflicts = merge.stdout
          .split("\n")
          .filter((line) => line.startsWith("CONFLICT"))
          .join("\n");
        return {
          kind: "conflict",
          files,
          message:
            `merging ${request.branch} into ${this.mainBranch} conflicts in ${files.join(", ") || "(unknown files)"}` +
            (conflicts === "" ? "" : `\n${conflicts}`),
        };
      }
      await this.#restore(before, false);
      const overwritten =
        /untracked working tree files would be (?:overwritten|removed) by merge:\n((?:\t.*\n?)*)/.exec(
          merge.stderr,
        );
      if (overwritten !== null) {
        const files = (overwritten[1] ?? "")
          .split("\n")
          .map((line) => line.trim())
          .filter((line) => line !== "");
        return {
          kind: "blocked",
          reason: `untracked files in ${root} would be overwritten by merging ${request.branch}: ${files.join(", ")}; move or commit them`,
        };
      }
      throw gitFailure(args, merge);
    }

    const commit = await gitOutput(root, ["rev-parse", "--verify", "HEAD^{commit}"]);
    let verification: VerificationResult;
    try {
      verification = await request.verify(root);
    } catch (error) {
      await this.#restore(before, false);
      throw error;
    }
    if (!verification.passed) {
      await this.#restore(before, false);
      return { kind: "checks_failed", verification };
    }
    return { kind: "merged", commit, verification };
  }

  /** Why the main working tree cannot take a merge now, or undefined when it can. */
  async #blockedReason(): Promise<string | undefined> {
    const root = this.projectRoot;
    const current = await runGit(root, ["symbolic-ref", "--quiet", "--short", "HEAD"]);
    const branch = current.stdout.trim();
    if (current.code !== 0 || branch !== this.mainBranch) {
      const where = current.code !== 0 ? "a detached HEAD" : branch;
      return `the main working tree (${root}) is on ${where}, not ${this.mainBranch}: switch back to ${this.mainBranch} so autowright can merge`;
    }
    const merging = await runGit(root, ["rev-parse", "--verify", "--quiet", "MERGE_HEAD"]);
    if (merging.code === 0) {
      return `a merge is in progress in ${root}: finish or abort it so autowright can merge`;
    }
    const statusArgs = ["status", "--porcelain", "-z", "--untracked-files=no"];
    const status = await runGit(root, statusArgs);
    if (status.code !== 0) throw gitFailure(statusArgs, status);
    if (status.stdout !== "") {
      // Not trimmed: each entry starts with its two status columns, often a space.
      const files = changedPaths(status.stdout);
      const shown =
        files.slice(0, 10).join(", ") + (files.length > 10 ? `, and ${files.length - 10} more` : "");
      return `the main working tree (${root}) has uncommitted changes (${shown}): commit or stash them so autowright can merge`;
    }
    return undefined;
  }

  /**
   * Puts the main branch and tree back at `before`. Only called after {@link #blockedReason} found no uncommitted
   * change, so `reset --hard` drops nothing but what the merge (or the checks) did.
   */
  async #restore(before: string, aborting: boolean): Promise<void> {
    const root = this.projectRoot;
    if (aborting) {
      const abort = await runGit(root, ["merge", "--abort"]);
      if (abort.code === 0 && (await this.#isAt(before))) return;
    } else if (await this.#isAt(before)) {
      return;
    }
    const reset = await runGit(root, ["reset", "--hard", "--quiet", before]);
    if (reset.code !== 0) throw gitFailure(["reset", "--hard", before], reset);
  }

  async #isAt(commit: string): Promise<boolean> {
    const head = await runGit(this.projectRoot, ["rev-parse", "--verify", "HEAD^{commit}"]);
    if (head.code !== 0 || head.stdout.trim() !== commit) return false;
    const status = await runGit(this.projectRoot, ["status", "--porcelain", "--untracked-files=no"]);
    const merging = await runGit(this.projectRoot, ["rev-parse", "--verify", "--quiet", "MERGE_HEAD"]);
    return status.code === 0 && status.stdout === "" && merging.code !== 0;
  }
}

function mergeMessage(request: MergeRequest): string {
  const ids = request.featureIds.map((id) => `#${id}`).join(", ");
  const features =
    request.featureIds.length === 0 ? "" : ` (feature${request.featureIds.length === 1 ? "" : "s"} ${ids})`;
  return `autowright: merge ${request.branch}${features}`;
}

/** The paths of `git status --porcelain -z` output (a rename's or copy's source entry skipped). */
function changedPaths(status: string): string[] {
  const entries = splitNul(status);
  const paths: string[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] ?? "";
    paths.push(entry.slice(3));
    if (entry[0] === "R" || entry[0] === "C") index += 1;
  }
  return paths;
}
