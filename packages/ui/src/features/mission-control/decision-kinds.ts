/** How each kind of Maestro decision looks: an icon, a tone and a word for screen readers. */
import type { OrchestratorDecisionKind } from "@autowright/protocol";
import {
  Ban,
  CheckCircle2,
  CircleStop,
  Gauge,
  Hourglass,
  ListChecks,
  type LucideIcon,
  OctagonX,
  Pause,
  Play,
  Rocket,
  TriangleAlert,
  Trophy,
  Undo2,
  Wand2,
  XCircle,
} from "lucide-react";

/** The look of one decision kind. */
export interface DecisionLook {
  readonly icon: LucideIcon;
  /** A text colour class. */
  readonly tone: string;
  readonly label: string;
}

/** Every decision kind's look. */
export const decisionLooks: Record<OrchestratorDecisionKind, DecisionLook> = {
  run_started: { icon: Play, tone: "text-accent", label: "Run started" },
  initializer_started: { icon: Wand2, tone: "text-accent", label: "Initializer started" },
  initializer_done: { icon: ListChecks, tone: "text-status-done", label: "Initializer done" },
  agent_spawned: { icon: Rocket, tone: "text-status-progress", label: "Agent spawned" },
  feature_verified: { icon: CheckCircle2, tone: "text-status-done", label: "Feature verified" },
  feature_sent_back: { icon: Undo2, tone: "text-status-input", label: "Sent back" },
  feature_failed: { icon: XCircle, tone: "text-status-failed", label: "Feature failed" },
  at_capacity: { icon: Gauge, tone: "text-muted", label: "At capacity" },
  features_blocked: { icon: Ban, tone: "text-muted", label: "Blocked" },
  rate_limited: { icon: Hourglass, tone: "text-status-input", label: "Rate limited" },
  paused: { icon: Pause, tone: "text-status-input", label: "Paused" },
  resumed: { icon: Play, tone: "text-accent", label: "Resumed" },
  stalled: { icon: TriangleAlert, tone: "text-status-input", label: "Stalled" },
  run_completed: { icon: Trophy, tone: "text-status-done", label: "Run complete" },
  run_stopped: { icon: CircleStop, tone: "text-muted", label: "Run stopped" },
  run_failed: { icon: OctagonX, tone: "text-status-failed", label: "Run failed" },
};
