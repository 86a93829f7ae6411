/**
 * The feature status machine: which status may follow which. Every status change in autowright goes through
 * {@link assertTransition}, so a feature can never jump, for example, from `pending` straight to `failed`.
 */
import type { Feature, FeatureStatus } from "@autowright/protocol";
import { AppError } from "@autowright/protocol";

/**
 * The allowed transitions, as `from → the statuses it may move to`. A status never transitions to itself.
 *
 * - `pending → in_progress`: a session claims the feature.
 * - `in_progress → pending`: the lease was released or interrupted, or the work did not pass.
 * - `in_progress → verifying | needs_input | failed`: the work is checked, a person is asked, or attempts ran out.
 * - `verifying → passing | pending | failed`: the check passed, failed or hit a merge conflict (retry), or
 *   attempts ran out.
 * - `needs_input → pending`: a person answered.
 * - `passing → regressed | pending`: a regression was found, or a person reset the feature.
 * - `regressed → pending | in_progress | failed`: queued again, a testing agent fixes it directly, or the fix
 *   used the last attempt.
 * - `failed → pending`: a person retries the feature.
 */
export const statusTransitions: Readonly<Record<FeatureStatus, readonly FeatureStatus[]>> = {
  pending: ["in_progress"],
  in_progress: ["pending", "verifying", "needs_input", "failed"],
  verifying: ["passing", "pending", "failed"],
  passing: ["regressed", "pending"],
  failed: ["pending"],
  needs_input: ["pending"],
  regressed: ["pending", "in_progress", "failed"],
};

/** True when a feature may move from `from` to `to`. Moving to the same status is not a transition (false). */
export function canTransition(from: FeatureStatus, to: FeatureStatus): boolean {
  return from !== to && statusTransitions[from].includes(to);
}

/**
 * Throws `AppError("invalid_transition")`, naming both statuses, unless a feature may move from `from` to `to`.
 */
export function assertTransition(from: FeatureStatus, to: FeatureStatus): void {
  if (canTransition(from, to)) return;
  const allowed = statusTransitions[from];
  throw new AppError(
    "invalid_transition",
    `a feature cannot move from ${from} to ${to} (from ${from} it may move to ${allowed.join(", ")})`,
    { details: { from, to, allowed: [...allowed] } },
  );
}

/**
 * True when a feature counts as failed: `failed`, or `pending` with every attempt used (it cannot be claimed
 * again until a person retries it). The one encoding of "failed" that scheduling and progress share.
 */
export function countsAsFailed(
  feature: Pick<Feature, "status" | "attempts">,
  options: { readonly maxAttempts: number },
): boolean {
  return (
    feature.status === "failed" || (feature.status === "pending" && feature.attempts >= options.maxAttempts)
  );
}

/**
 * The status a feature goes to when a session's work on it did not pass: `failed` when the attempt being counted
 * is the last one `maxAttempts` allows, `pending` (queued again) otherwise. An attempt that is not counted (a rate
 * limit, a cancellation) never fails the feature.
 */
export function statusAfterFailure(
  feature: Pick<Feature, "attempts">,
  options: { readonly countAttempt: boolean; readonly maxAttempts: number },
): "pending" | "failed" {
  return options.countAttempt && feature.attempts + 1 >= options.maxAttempts ? "failed" : "pending";
}
