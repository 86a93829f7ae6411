/**
 * The feature status machine: which status may follow which. Every status change in autowright goes through
 * {@link assertTransition}, so a feature can never jump, for example, from `pending` straight to `failed`.
 */
import type { FeatureStatus } from "@autowright/protocol";
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
 * - `regressed → pending | in_progress`: queued again, or a testing agent fixes it directly.
 * - `failed → pending`: a person retries the feature.
 */
export const statusTransitions: Readonly<Record<FeatureStatus, readonly FeatureStatus[]>> = {
  pending: ["in_progress"],
  in_progress: ["pending", "verifying", "needs_input", "failed"],
  verifying: ["passing", "pending", "failed"],
  passing: ["regressed", "pending"],
  failed: ["pending"],
  needs_input: ["pending"],
  regressed: ["pending", "in_progress"],
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
