/**
 * The one interface every agent runtime implements. A runtime runs the model loop of one session and reports
 * what happens through the session context; it never decides whether the work passes (the verifier does).
 */
import type {
  AgentRole,
  BacklogCallResult,
  BacklogToolName,
  WorkerOutboundFrame,
  WorkerStartFrame,
} from "@autowright/protocol";
import { backlogToolNames } from "@autowright/protocol";
import { stateForTool, summarizeToolInput } from "./agent-state.ts";
import type { FrameBody } from "./frame-channel.ts";
import type { CommandPolicy } from "./policy/command-policy.ts";
import type { ProcessTracker } from "./process-tracker.ts";
import { type Redactor, redactDeep } from "./redaction.ts";

/** The answer to a backlog tool call, as the orchestrator sends it back. */
export type { BacklogCallResult };

/** A worker frame as a runtime emits it (the channel adds `v`). */
export type OutboundFrameBody = FrameBody<WorkerOutboundFrame>;

/** Everything a runtime gets for one session. */
export interface SessionContext {
  readonly start: WorkerStartFrame;
  /** Aborted on cancel, timeout, or when the orchestrator goes away. */
  readonly signal: AbortSignal;
  readonly emit: (frame: OutboundFrameBody) => void;
  readonly callBacklogTool: (tool: BacklogToolName, input: unknown) => Promise<BacklogCallResult>;
  readonly policy: CommandPolicy;
  readonly processes: ProcessTracker;
  readonly redact: Redactor;
  /** The environment for the model client and the agent's commands (the worker's own plus the start frame's). */
  readonly env: NodeJS.ProcessEnv;
}

/** How a runtime's loop ended. `completed` means the model stopped by itself; the worker decides the outcome. */
export type RuntimeResult =
  | { readonly kind: "completed"; readonly summary: string }
  | { readonly kind: "failed"; readonly summary: string }
  | { readonly kind: "rate_limited"; readonly summary: string; readonly resetAt: string | null }
  | { readonly kind: "auth_failed"; readonly summary: string };

/** An agent runtime. */
export interface AgentRuntime {
  readonly name: string;
  run(context: SessionContext): Promise<RuntimeResult>;
}

/** The backlog tools each role may call. */
export const backlogToolsByRole: Record<AgentRole, readonly BacklogToolName[]> = {
  initializer: [
    "feature_get_stats",
    "feature_get_ready",
    "feature_get_graph",
    "feature_get_by_id",
    "feature_create",
    "feature_create_bulk",
    "feature_add_dependency",
    "feature_remove_dependency",
    "feature_set_dependencies",
    "project_set_test_command",
  ],
  coding: [
    "feature_get_stats",
    "feature_get_ready",
    "feature_get_blocked",
    "feature_get_by_id",
    "feature_get_graph",
    "feature_claim",
    "feature_ready_for_verification",
    "feature_mark_failing",
    "feature_skip",
    "feature_request_human_input",
  ],
  testing: [
    "feature_get_stats",
    "feature_get_by_id",
    "feature_get_graph",
    "feature_claim",
    "feature_mark_failing",
    "feature_ready_for_verification",
    "feature_request_human_input",
  ],
  chat: [...backlogToolNames],
};

/** Reports tool activity as typed frames: tool.called/ended and the agent state they imply. */
export class ToolActivity {
  readonly #emit: (frame: OutboundFrameBody) => void;
  readonly #redact: Redactor;
  readonly #started = new Map<string, { tool: string; at: number }>();

  constructor(emit: (frame: OutboundFrameBody) => void, redact: Redactor) {
    this.#emit = emit;
    this.#redact = redact;
  }

  /** A tool call began. */
  called(callId: string, tool: string, input: unknown): void {
    this.#started.set(callId, { tool, at: performance.now() });
    const inputSummary = summarizeToolInput(redactDeep(input, this.#redact));
    this.#emit({
      type: "tool.called",
      callId,
      tool,
      ...(inputSummary === undefined ? {} : { inputSummary }),
    });
    this.#emit({ type: "agent.state", state: stateForTool(tool), tool });
  }

  /** A tool call ended; a failure shows the agent as struggling. */
  ended(callId: string, ok: boolean, error?: string): void {
    const started = this.#started.get(callId);
    this.#started.delete(callId);
    const tool = started?.tool ?? "unknown";
    const durationMs = started === undefined ? undefined : Math.round(performance.now() - started.at);
    this.#emit({
      type: "tool.ended",
      callId,
      tool,
      ok,
      ...(durationMs === undefined ? {} : { durationMs }),
      ...(error === undefined ? {} : { error: this.#redact(error).slice(0, 2_000) }),
    });
    if (!ok) this.#emit({ type: "agent.state", state: "struggling", tool });
  }

  /** The model said something: it is thinking; the last line is its thought. */
  thought(text: string): void {
    const line = text
      .trim()
      .split("\n")
      .filter((candidate) => candidate.trim() !== "")
      .at(-1);
    if (line === undefined) return;
    this.#emit({ type: "agent.state", state: "thinking", thought: this.#redact(line).slice(0, 300) });
  }
}
