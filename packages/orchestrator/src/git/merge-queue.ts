/**
 * Lands session branches on the main branch as a merge train: every request waiting when the queue becomes free
 * is merged (no rebase, no fast-forward, one merge commit each, in the order queued), the checks run once on the
 * result, and the merges are kept only when they pass. When a batch fails, it is undone and its requests land
 * again one at a time, so that only the culprit is turned away. The main working tree is the user's: a merge
 * never starts on a tree with uncommitted changes, so undoing one never destroys their work, and no merge is ever
 * left half done.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FeatureId } from "@autowright/protocol";
import { AppError } from "@autowright/protocol";
import type { VerificationResult } from "../verifier/check-runner.ts";
import { commitConfig, gitFailure, gitOutput, gitPaths, runGit, splitNul } from "./git.ts";

/** Where and how {@link MergeQueue} lands branches. */
export interface MergeQueueOptions {
  /** The project directory, in the main working tree. */
  readonly projectRoot: string;
  /** The branch checked out there, that branches are merged into. */
  readonly mainBranch: string;
  /** Runs check commands in `directory`; never rejects for a failing check (returns passed: false). */
  readonly runChecks: (directory: string, commands: readonly string[]) => Promise<VerificationResult>;
  /** Most requests landed under one check run. Default 5. */
  readonly maxBatch?: number;
}

/** One branch to land. */
export interface MergeRequest {
  readonly sessionId: string;
  /** The branch to merge, e.g. `autowright/<sessionId>`. */
  readonly branch: string;
  readonly featureIds: readonly FeatureId[];
  /** The checks the merged tree must pass (the project test command plus the features' own). */
  readonly commands: readonly string[];
}

/** How a merge request ended. */
export type MergeResult =
  /**
   * Merged and verified: `commit` is this request's merge commit (later requests of its batch may sit on top).
   * `verification` is the check run shared by the `batchSize` requests merged under it; it is
   * `{ passed: true, evidence: [] }` when the checks were skipped because the merged tree is the branch's own
   * tree (the main branch had not moved since the branch was verified).
   */
  | {
      readonly kind: "merged";
      readonly commit: string;
      readonly verification: VerificationResult;
      readonly batchSize: number;
    }
  /** The branch has no commit the main branch lacks: nothing to merge, no check run. */
  | { readonly kind: "empty" }
  /** The merge conflicts in `files`; it was aborted and the main tree is as before. */
  | { readonly kind: "conflict"; readonly files: string[]; readonly message: string }
  /** The merged tree failed the checks, with this request merged alone; the merge was undone. */
  | { readonly kind: "checks_failed"; readonly verification: VerificationResult }
  /** The main working tree cannot take a merge now (uncommitted changes, another branch checked out, …). */
  | { readonly kind: "blocked"; readonly reason: string };

/** The default of {@link MergeQueueOptions.maxBatch}. */
export const defaultMaxBatch = 5;

interface Waiting {
  readonly request: MergeRequest;
  readonly resolve: (result: MergeResult) => void;
  readonly reject: (error: unknown) => void;
  settled: boolean;
}

/** A request merged on the main tree, its checks not yet run. */
interface Merged {
  readonly entry: Waiting;
  /** The main branch's head before this merge. */
  readonly before: string;
  readonly commit: string;
  /** Whether the merged tree is the tree of the branch tip that was merged (the main branch had not moved). */
  readonly sameTreeAsBranch: boolean;
}

/** What merging one request did. Only a failure to put the main tree back is thrown. */
type Attempt =
  | {
      readonly kind: "merged";
      readonly before: string;
      readonly commit: string;
      readonly sameTreeAsBranch: boolean;
    }
  /** Answered without a merge; `treeBlocked` when the main tree itself cannot take any merge now. */
  | { readonly kind: "answered"; readonly result: MergeResult; readonly treeBlocked?: boolean }
  /** Unexpected; the main tree is back as it was before this request. */
  | { readonly kind: "failed"; readonly error: unknown };

/**
 * Serializes merges into the main branch (FIFO) and batches them under shared check runs; one failing request
 * never holds up the others.
 */
export class MergeQueue {
  readonly projectRoot: string;
  readonly mainBranch: string;
  readonly maxBatch: number;
  readonly #runChecks: MergeQueueOptions["runChecks"];
  #waiting: Waiting[] = [];
  #running: Promise<void> | undefined;
  #pending = 0;
  /** The main working tree's git directory, looked up once. */
  #gitDirectory: string | undefined;

  constructor(options: MergeQueueOptions) {
    const maxBatch = options.maxBatch ?? defaultMaxBatch;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new AppError("invalid_input", `maxBatch must be a positive integer, not ${maxBatch}`);
    }
    this.projectRoot = options.projectRoot;
    this.mainBranch = options.mainBranch;
    this.maxBatch = maxBatch;
    this.#runChecks = options.runChecks;
  }

  /** Requests queued or running. */
  get pending(): number {
    return this.#pending;
  }

  /**
   * Queues a merge; resolves when it is done. Requests queued while the queue is busy (or in the same turn of the
   * event loop as the one that woke it) land together in the next batch, up to `maxBatch`. Rejects only for the
   * unexpected (the branch does not exist, git fails in a way that is not a conflict, `runChecks` throws), after
   * putting the main tree back as it was before this request.
   */
  enqueue(request: MergeRequest): Promise<MergeResult> {
    return new Promise<MergeResult>((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject, settled: false });
      this.#pending += 1;
      this.#running ??= this.#drain();
    });
  }

  /** Resolves once every request queued so far has finished. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #drain(): Promise<void> {
    // Lets every request queued in this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    for (;;) {
      const batch = this.#waiting.splice(0, this.maxBatch);
      if (batch.length === 0) {
        // Cleared in the same synchronous step that saw the queue empty: no request can slip in between.
        this.#running = undefined;
        return;
      }
      try {
        await this.#land(batch);
      } catch (error) {
        // The main tree could not be put back: nothing of this batch can be trusted to have landed.
        for (const entry of batch) this.#reject(entry, error);
      }
    }
  }

  /**
   * Merges `entries` in order, runs the checks once on the result, and answers each. When a check run over
   * several merges fails, undoes them all and lands each again alone.
   */
  async #land(entries: readonly Waiting[]): Promise<void> {
    const merged: Merged[] = [];
    let blocked: string | undefined;
    for (const entry of entries) {
      if (blocked !== undefined) {
        this.#resolve(entry, { kind: "blocked", reason: blocked });
        continue;
      }
      const attempt = await this.#merge(entry.request);
      if (attempt.kind === "merged")
        merged.push({
          entry,
          before: attempt.before,
          commit: attempt.commit,
          sameTreeAsBranch: attempt.sameTreeAsBranch,
        });
      else if (attempt.kind === "failed") this.#reject(entry, attempt.error);
      else {
        if (attempt.treeBlocked === true && attempt.result.kind === "blocked")
          blocked = attempt.result.reason;
        this.#resolve(entry, attempt.result);
      }
    }

    const [first] = merged;
    if (first === undefined) return;
    if (merged.length === 1) {
      await this.#checkAlone(first);
      return;
    }
    const commands: string[] = [];
    for (const { entry } of merged) {
      for (const command of entry.request.commands) if (!commands.includes(command)) commands.push(command);
    }
    let verification: VerificationResult | undefined;
    try {
      verification = await this.#runChecks(this.projectRoot, commands);
    } catch {
      // Treated as a failure: landing one at a time pins the error on the request it belongs to.
      verification = undefined;
    }
    if (verification?.passed === true) {
      for (const { entry, commit } of merged) {
        this.#resolve(entry, { kind: "merged", commit, verification, batchSize: merged.length });
      }
      return;
    }
    await this.#restore(first.before, false);
    for (const { entry } of merged) await this.#land([entry]);
  }

  /** Checks a request merged alone (skipped when the merged tree is the branch's own) and answers it. */
  async #checkAlone({ entry, before, commit, sameTreeAsBranch }: Merged): Promise<void> {
    let verification: VerificationResult;
    try {
      // The main branch had not moved since the branch was verified in its worktree: the merged tree is the tree
      // that was checked, and running the checks again would prove nothing new.
      verification = sameTreeAsBranch
        ? { passed: true, evidence: [] }
        : await this.#runChecks(this.projectRoot, entry.request.commands);
    } catch (error) {
      await this.#restore(before, false);
      this.#reject(entry, error);
      return;
    }
    if (!verification.passed) {
      await this.#restore(before, false);
      this.#resolve(entry, { kind: "checks_failed", verification });
      return;
    }
    this.#resolve(entry, { kind: "merged", commit, verification, batchSize: 1 });
  }

  /** Merges one request on the main tree, or says why not. Throws only when the main tree cannot be put back. */
  async #merge(request: MergeRequest): Promise<Attempt> {
    const root = this.projectRoot;
    const branchRef = `refs/heads/${request.branch}`;
    const mainRef = `refs/heads/${this.mainBranch}`;
    let before: string | undefined;
    try {
      // Every git process started here blocks the orchestrator's event loop for a moment: as few as possible.
      const ahead = await runGit(root, ["rev-list", "--count", `${mainRef}..${branchRef}`]);
      if (ahead.code !== 0) {
        const tip = await runGit(root, ["rev-parse", "--verify", "--quiet", `${branchRef}^{commit}`]);
        if (tip.code !== 0) throw new AppError("not_found", `cannot merge ${request.branch}: no such branch`);
        throw gitFailure(["rev-list", "--count", `${mainRef}..${branchRef}`], ahead);
      }
      if (ahead.stdout.trim() === "0") return { kind: "answered", result: { kind: "empty" } };

      const tree = await this.#inspectMainTree();
      if (tree.kind === "blocked") {
        return { kind: "answered", result: { kind: "blocked", reason: tree.reason }, treeBlocked: true };
      }

      before = tree.head;
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
          const result: MergeResult = {
            kind: "conflict",
            files,
            message:
              `merging ${request.branch} into ${this.mainBranch} conflicts in ${files.join(", ") || "(unknown files)"}` +
              (conflicts === "" ? "" : `\n${conflicts}`),
          };
          return { kind: "answered", result };
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
          // Only this branch touches those files: the rest of the batch can still merge.
          const reason = `untracked files in ${root} would be overwritten by merging ${request.branch}: ${files.join(", ")}; move or commit them`;
          return { kind: "answered", result: { kind: "blocked", reason } };
        }
        throw gitFailure(args, merge);
      }
      // One git process for the merge commit and, to tell whether the main branch had moved, its tree and the tree
      // of its second parent (the branch tip that was merged, even if the branch moved since).
      const [commit = "", mergedTree, branchTree] = (
        await gitOutput(root, ["rev-parse", "HEAD^{commit}", "HEAD^{tree}", "HEAD^2^{tree}"])
      ).split("\n");
      return { kind: "merged", before, commit, sameTreeAsBranch: mergedTree === branchTree };
    } catch (error) {
      // A failure here is the batch's: it propagates.
      if (before !== undefined) await this.#restore(before, true);
      return { kind: "failed", error };
    }
  }

  #resolve(entry: Waiting, result: MergeResult): void {
    if (entry.settled) return;
    entry.settled = true;
    this.#pending -= 1;
    entry.resolve(result);
  }

  #reject(entry: Waiting, error: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    this.#pending -= 1;
    entry.reject(error);
  }

  /**
   * Whether the main working tree can take a merge now (on the main branch, no merge in progress, nothing
   * uncommitted) and, when it can, its head commit: one `git status` gives all of it.
   */
  async #inspectMainTree(): Promise<{ kind: "blocked"; reason: string } | { kind: "ready"; head: string }> {
    const root = this.projectRoot;
    const statusArgs = ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=no"];
    const status = await runGit(root, statusArgs);
    if (status.code !== 0) throw gitFailure(statusArgs, status);
    const parsed = parseStatus(status.stdout);
    if (parsed.branch !== this.mainBranch) {
      const where = parsed.branch === undefined ? "a detached HEAD" : parsed.branch;
      return {
        kind: "blocked",
        reason: `the main working tree (${root}) is on ${where}, not ${this.mainBranch}: switch back to ${this.mainBranch} so autowright can merge`,
      };
    }
    this.#gitDirectory ??= await gitOutput(root, ["rev-parse", "--absolute-git-dir"]);
    if (existsSync(join(this.#gitDirectory, "MERGE_HEAD"))) {
      return {
        kind: "blocked",
        reason: `a merge is in progress in ${root}: finish or abort it so autowright can merge`,
      };
    }
    if (parsed.paths.length > 0) {
      const files = parsed.paths;
      const shown =
        files.slice(0, 10).join(", ") + (files.length > 10 ? `, and ${files.length - 10} more` : "");
      return {
        kind: "blocked",
        reason: `the main working tree (${root}) has uncommitted changes (${shown}): commit or stash them so autowright can merge`,
      };
    }
    if (parsed.head === undefined)
      throw new AppError("internal_error", `git status gave no head commit in ${root}`);
    return { kind: "ready", head: parsed.head };
  }

  /**
   * Puts the main branch and tree back at `before`. Only called after {@link #inspectMainTree} found no uncommitted
   * change, so `reset --hard` drops nothing but what the merges (or the checks) did.
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

/**
 * The head commit, the branch (undefined when detached) and the changed paths of
 * `git status --porcelain=v2 --branch -z` output (a rename's or copy's source path skipped).
 */
function parseStatus(status: string): {
  head: string | undefined;
  branch: string | undefined;
  paths: string[];
} {
  const entries = splitNul(status);
  let head: string | undefined;
  let branch: string | undefined;
  const paths: string[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] ?? "";
    if (entry.startsWith("# branch.oid ")) {
      const oid = entry.slice("# branch.oid ".length);
      head = oid === "(initial)" ? undefined : oid;
    } else if (entry.startsWith("# branch.head ")) {
      const name = entry.slice("# branch.head ".length);
      branch = name === "(detached)" ? undefined : name;
    } else if (entry.startsWith("1 ")) {
      paths.push(fieldsAfter(entry, 8));
    } else if (entry.startsWith("2 ")) {
      paths.push(fieldsAfter(entry, 9));
      index += 1;
    } else if (entry.startsWith("u ")) {
      paths.push(fieldsAfter(entry, 10));
    }
  }
  return { head, branch, paths };
}

/** What follows the first `count` space-separated fields (a path, which may itself contain spaces). */
function fieldsAfter(entry: string, count: number): string {
  let position = 0;
  for (let field = 0; field < count; field += 1) position = entry.indexOf(" ", position) + 1;
  return entry.slice(position);
}
