/**
 * How each feature status looks in the graph: a label and an icon (colour is never the only signal) and the status
 * tokens of `styles.css` (the same tones as the board's columns and the badges). `blocked` is not a status: a
 * pending feature whose dependencies do not all pass is shown as pending with a lock.
 */
import type { FeatureStatus } from "@autowright/protocol";
import {
  CheckCircle2,
  Circle,
  Hammer,
  Lock,
  type LucideIcon,
  MessageCircleQuestion,
  RotateCcw,
  ShieldCheck,
  XCircle,
} from "lucide-react";

/** The status tones (`--status-<tone>` / `--status-soft-<tone>`). */
export type StatusTone = "pending" | "progress" | "verifying" | "input" | "failed" | "done";

/** What a node shows for a status. */
export interface StatusAppearance {
  readonly label: string;
  readonly tone: StatusTone;
  readonly icon: LucideIcon;
  /** Border and text colour of the node (Tailwind classes on the status tokens). */
  readonly className: string;
  /** The status colour as a CSS value, for the minimap and the edges. */
  readonly color: string;
  /** An agent is on it (or it waits for one): edges into it are animated. */
  readonly active: boolean;
}

const toneClass: Record<StatusTone, string> = {
  pending: "border-status-pending/60 bg-status-soft-pending [--node-tone:var(--status-pending)]",
  progress: "border-status-progress bg-status-soft-progress [--node-tone:var(--status-progress)]",
  verifying: "border-status-verifying bg-status-soft-verifying [--node-tone:var(--status-verifying)]",
  input: "border-status-input bg-status-soft-input [--node-tone:var(--status-input)]",
  failed: "border-status-failed bg-status-soft-failed [--node-tone:var(--status-failed)]",
  done: "border-status-done bg-status-soft-done [--node-tone:var(--status-done)]",
};

const toneText: Record<StatusTone, string> = {
  pending: "text-status-pending",
  progress: "text-status-progress",
  verifying: "text-status-verifying",
  input: "text-status-input",
  failed: "text-status-failed",
  done: "text-status-done",
};

function appearance(label: string, tone: StatusTone, icon: LucideIcon, active = false): StatusAppearance {
  return { label, tone, icon, className: toneClass[tone], color: `var(--status-${tone})`, active };
}

/** Every status's appearance. */
export const statusAppearances: Readonly<Record<FeatureStatus, StatusAppearance>> = {
  pending: appearance("Pending", "pending", Circle),
  in_progress: appearance("In progress", "progress", Hammer, true),
  verifying: appearance("Verifying", "verifying", ShieldCheck, true),
  needs_input: appearance("Needs input", "input", MessageCircleQuestion),
  failed: appearance("Failed", "failed", XCircle),
  regressed: appearance("Regressed", "failed", RotateCcw),
  passing: appearance("Passing", "done", CheckCircle2),
};

/** A pending feature waiting on its dependencies. */
export const blockedAppearance: StatusAppearance = appearance("Blocked", "pending", Lock);

/** The appearance of a feature with `status` and `unmet` dependencies that do not pass yet. */
export function appearanceOf(status: FeatureStatus, unmet: number): StatusAppearance {
  if (status === "pending" && unmet > 0) return blockedAppearance;
  return statusAppearances[status];
}

/** The text colour class of a tone. */
export function toneTextClass(tone: StatusTone): string {
  return toneText[tone];
}

/** The legend's entries, in the order work flows. */
export const legendEntries: readonly {
  readonly key: FeatureStatus | "blocked";
  readonly appearance: StatusAppearance;
}[] = [
  { key: "pending", appearance: statusAppearances.pending },
  { key: "blocked", appearance: blockedAppearance },
  { key: "in_progress", appearance: statusAppearances.in_progress },
  { key: "verifying", appearance: statusAppearances.verifying },
  { key: "needs_input", appearance: statusAppearances.needs_input },
  { key: "failed", appearance: statusAppearances.failed },
  { key: "regressed", appearance: statusAppearances.regressed },
  { key: "passing", appearance: statusAppearances.passing },
];
