/**
 * Recovery when a run starts after an interruption (the orchestrator killed, the machine rebooted): sessions that
 * never ended are closed as failed, their leases released, features left `in_progress` or `verifying` go back to
 * `pending` with the interruption recorded, and every worktree and session branch is pruned. Nothing is lost: the
 * work resumes, those features first.
 */
import type { FeatureId } from "@autowright/protocol";
import type { ProjectStore } from "@autowright/store";

/** What {@link recoverInterruptedWork} found. */
export interface Recovery {
  /** Features a previous run was working on: they start before the other ready features. */
  readonly resumeFirst: Set<FeatureId>;
  /** Sessions that had not ended and were closed. */
  readonly closedSessions: number;
}

/** Puts the store back in a state a run can start from; `pruneWorkspaces` removes every session worktree. */
export async function recoverInterruptedWork(
  store: ProjectStore,
  pruneWorkspaces: () => Promise<void>,
): Promise<Recovery> {
  const resumeFirst = new Set<FeatureId>();
  const unfinished = store.unfinishedSessions();
  for (const session of unfinished) {
    for (const feature of store.releaseLeases(session.id, {
      reason: "interrupted: the orchestrator stopped while a session was working on it",
    })) {
      resumeFirst.add(feature.id);
      if (feature.status === "verifying") {
        store.changeFeatureStatus(feature.id, {
          to: "pending",
          actor: { kind: "orchestrator" },
          lastError: "interrupted: the orchestrator stopped during verification",
        });
      }
    }
  }
  store.closeUnfinishedSessions("interrupted: the orchestrator stopped");
  for (const feature of store.listFeatures()) {
    if (feature.status === "verifying" || feature.status === "in_progress") {
      store.changeFeatureStatus(feature.id, {
        to: "pending",
        actor: { kind: "orchestrator" },
        lastError: `interrupted: left ${feature.status.replace("_", " ")} by a previous run`,
        lease: null,
      });
      resumeFirst.add(feature.id);
    }
  }
  store.reclaimExpiredLeases();
  await pruneWorkspaces();
  return { resumeFirst, closedSessions: unfinished.length };
}
