/** Small helpers shared by Mission Control's pieces: durations, agent state words, opening a feature. */
import type { AgentState, OrchestratedRole } from "@autowright/protocol";
import { useCallback } from "react";
import { navigate, useRoute } from "../../app/router.ts";
import { formatCountdown } from "../../lib/format.ts";
import { useProjectStore } from "../../state/project-context.tsx";

/** `42s`, `4m 12s`, `1h 03m` from a number of milliseconds. */
export function formatDuration(milliseconds: number): string {
  const total = Math.max(0, Math.floor(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, "0")}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, "0")}s`;
  return `${seconds}s`;
}

/** The short badge of a role. */
export const roleBadge: Record<OrchestratedRole, string> = {
  coding: "CODE",
  testing: "TEST",
  initializer: "INIT",
};

/** The role in words (for accessible names). */
export const roleLabel: Record<OrchestratedRole, string> = {
  coding: "coding agent",
  testing: "testing agent",
  initializer: "initializer",
};

/** What an agent in `state` is doing, in a few friendly words; `resetAt` gives the countdown of a rate limit. */
export function agentStateText(state: AgentState, now: number, resetAt?: string): string {
  switch (state) {
    case "idle":
      return "Warming up…";
    case "thinking":
      return "Pondering…";
    case "working":
      return "Coding away…";
    case "testing":
      return "Checking work…";
    case "success":
      return "Nailed it!";
    case "error":
      return "Trying plan B…";
    case "struggling":
      return "Being persistent…";
    case "rate_limited":
      return resetAt === undefined
        ? "Waiting for the limit"
        : `Waiting for the limit — resets in ${formatCountdown(resetAt, now)}`;
    case "auth_failed":
      return "Credentials refused";
  }
}

/** The tone of an agent state (text colour class). */
export function agentStateTone(state: AgentState): string {
  switch (state) {
    case "success":
      return "text-status-done";
    case "error":
    case "auth_failed":
      return "text-status-failed";
    case "struggling":
    case "rate_limited":
      return "text-status-input-strong";
    case "testing":
      return "text-status-verifying";
    case "idle":
      return "text-muted";
    default:
      return "text-status-progress";
  }
}

/** Opens a feature's detail over the current view. */
export function useOpenFeature(): (featureId: number) => void {
  const store = useProjectStore();
  const route = useRoute();
  const view = route.kind === "project" ? route.view : "dashboard";
  return useCallback(
    (featureId: number) => navigate({ kind: "project", project: store.project, view, featureId }),
    [store.project, view],
  );
}
