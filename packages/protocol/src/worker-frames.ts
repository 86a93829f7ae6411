/**
 * The worker's stdio protocol: one JSON frame per line (NDJSON), `{ v: 1, type, ...fields }`. Inbound frames go
 * orchestrator → worker on stdin, outbound frames worker → orchestrator on stdout. Each side parses every line
 * it reads with {@link parseWorkerFrame}: the other end is a separate process (possibly crashed, possibly
 * printing stray output), so nothing it writes is trusted until it parses.
 */
import { z } from "zod";
import { backlogToolNameSchema } from "./backlog-tools.ts";
import { sessionIdSchema, timestampSchema, usageSchema } from "./common.ts";
import { type ErrorPayload, errorPayloadSchema, formatZodError } from "./errors.ts";
import { featureIdSchema } from "./feature.ts";
import { agentRoleSchema, providerSchema } from "./project.ts";
import { agentStateSchema, logLevelSchema, sessionOutcomeSchema } from "./session.ts";

/** The version of the worker frame protocol (the `v` of every frame, and `ready.protocolVersion`). */
export const workerProtocolVersion = 1;

const v = z.literal(workerProtocolVersion);

/** A tool call's id, unique within a session (made by the worker). */
export const toolCallIdSchema = z.string().min(1).max(200);

/** Limits the worker enforces on its session. */
export const workerLimitsSchema = z.object({
  maxTurns: z.number().int().positive().optional(),
  timeoutMs: z.number().int().positive().optional(),
  maxOutputBytes: z.number().int().positive().optional(),
});
/** Limits of one worker session. */
export type WorkerLimits = z.infer<typeof workerLimitsSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Inbound: orchestrator → worker
// ---------------------------------------------------------------------------------------------------------------

/**
 * `start`: run one agent session. Sent after the worker's `ready`: once, or, while every previous session asked
 * for `reuse`, once per `ready`.
 */
export const workerStartFrameSchema = z.object({
  v,
  type: z.literal("start"),
  sessionId: sessionIdSchema,
  role: agentRoleSchema,
  featureIds: z.array(featureIdSchema),
  prompt: z.string().min(1),
  provider: providerSchema,
  model: z.string().min(1),
  cwd: z.string().min(1),
  env: z.record(z.string(), z.string()),
  limits: workerLimitsSchema,
  /** Names of the assigned features (prompts, replay scripts). */
  features: z.array(z.object({ id: featureIdSchema, name: z.string() })).optional(),
  /** The project's root (where `.autowright/` is) when `cwd` is a worktree; defaults to `cwd`. */
  projectRoot: z.string().min(1).optional(),
  /** `$AUTOWRIGHT_HOME`, for the global command policy; defaults to the worker's own resolution. */
  home: z.string().min(1).optional(),
  /** With provider `replay`: which runtime runs against the scripted model, and its latency per model turn. */
  replay: z
    .object({
      runtime: z.enum(["loop", "claude"]).default("loop"),
      latencyMs: z.number().int().nonnegative().default(0),
      /** A model script for coding sessions instead of the default one (validated by the scripted model). */
      script: z.unknown().optional(),
      /** Until this time, every model turn answers 429 with this reset time (to rehearse rate limits). */
      rateLimitUntil: timestampSchema.optional(),
    })
    .optional(),
  /**
   * Keep the process for another session: after `ended`, once everything the session started is dead and its
   * runtime disposed, the worker says `ready` again and waits for the next `start` (stdin closing then makes it
   * exit). Absent or false: the worker exits after `ended`. A worker that cannot guarantee a clean process logs
   * why and exits instead of saying `ready`; a worker that predates this field ignores it and exits.
   */
  reuse: z.boolean().optional(),
});
/** A `start` frame. */
export type WorkerStartFrame = z.infer<typeof workerStartFrameSchema>;

/** `cancel`: stop the session and its children; the worker still answers with `ended {outcome: "cancelled"}`. */
export const workerCancelFrameSchema = z.object({
  v,
  type: z.literal("cancel"),
  reason: z.string().optional(),
});
/** A `cancel` frame. */
export type WorkerCancelFrame = z.infer<typeof workerCancelFrameSchema>;

/** `tool.result`: the orchestrator's answer to a `backlog.call`, success or a typed error. */
export const workerToolResultFrameSchema = z.discriminatedUnion("ok", [
  z.object({
    v,
    type: z.literal("tool.result"),
    callId: toolCallIdSchema,
    ok: z.literal(true),
    result: z.unknown(),
  }),
  z.object({
    v,
    type: z.literal("tool.result"),
    callId: toolCallIdSchema,
    ok: z.literal(false),
    error: errorPayloadSchema,
  }),
]);
/** A `tool.result` frame. */
export type WorkerToolResultFrame = z.infer<typeof workerToolResultFrameSchema>;

/** The answer to one backlog tool call: what `tool.result` carries, and what the backlog tools return. */
export type BacklogCallResult = { ok: true; result: unknown } | { ok: false; error: ErrorPayload };

/** Every orchestrator → worker frame. */
export const workerInboundFrameSchema = z.discriminatedUnion("type", [
  workerStartFrameSchema,
  workerCancelFrameSchema,
  workerToolResultFrameSchema,
]);
/** An orchestrator → worker frame. */
export type WorkerInboundFrame = z.infer<typeof workerInboundFrameSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Outbound: worker → orchestrator
// ---------------------------------------------------------------------------------------------------------------

/**
 * `ready`: the worker is up and waits for `start`: first when it starts, and again after each `ended` of a session
 * that asked for `reuse`. A protocol version the orchestrator does not speak is fatal.
 */
export const workerReadyFrameSchema = z.object({
  v,
  type: z.literal("ready"),
  protocolVersion: z.number().int().min(1),
  pid: z.number().int().positive(),
});
/** A `Ready` frame. */
export type WorkerReadyFrame = z.infer<typeof workerReadyFrameSchema>;

/** `heartbeat`: the worker is alive; renews the session's leases. */
export const workerHeartbeatFrameSchema = z.object({ v, type: z.literal("heartbeat"), at: timestampSchema });
/** A `Heartbeat` frame. */
export type WorkerHeartbeatFrame = z.infer<typeof workerHeartbeatFrameSchema>;

/** `agent.state`: the agent's state, derived from typed tool events. */
export const workerAgentStateFrameSchema = z.object({
  v,
  type: z.literal("agent.state"),
  state: agentStateSchema,
  thought: z.string().optional(),
  tool: z.string().optional(),
});
/** A `AgentState` frame. */
export type WorkerAgentStateFrame = z.infer<typeof workerAgentStateFrameSchema>;

/** `tool.called`: the agent started a tool (any tool, not only backlog ones), with a short redacted summary. */
export const workerToolCalledFrameSchema = z.object({
  v,
  type: z.literal("tool.called"),
  callId: toolCallIdSchema,
  tool: z.string().min(1),
  inputSummary: z.string().optional(),
});
/** A `ToolCalled` frame. */
export type WorkerToolCalledFrame = z.infer<typeof workerToolCalledFrameSchema>;

/** `tool.ended`: a tool finished; `error` is its message when `ok` is false. */
export const workerToolEndedFrameSchema = z.object({
  v,
  type: z.literal("tool.ended"),
  callId: toolCallIdSchema,
  tool: z.string().min(1),
  ok: z.boolean(),
  durationMs: z.number().nonnegative().optional(),
  error: z.string().optional(),
});
/** A `ToolEnded` frame. */
export type WorkerToolEndedFrame = z.infer<typeof workerToolEndedFrameSchema>;

/** `text`: assistant text (the agent's prose, shown as its thought; never parsed for state). */
export const workerTextFrameSchema = z.object({ v, type: z.literal("text"), text: z.string() });
/** A `Text` frame. */
export type WorkerTextFrame = z.infer<typeof workerTextFrameSchema>;

/** `log`: a diagnostic line from the worker or its runtime (already redacted). */
export const workerLogFrameSchema = z.object({
  v,
  type: z.literal("log"),
  level: logLevelSchema,
  line: z.string(),
});
/** A `Log` frame. */
export type WorkerLogFrame = z.infer<typeof workerLogFrameSchema>;

/** `usage`: the session's cumulative token usage and cost so far (each frame replaces the previous one). */
export const workerUsageFrameSchema = z.object({ v, type: z.literal("usage"), ...usageSchema.shape });
/** A `Usage` frame. */
export type WorkerUsageFrame = z.infer<typeof workerUsageFrameSchema>;

/** `backlog.call`: a backlog tool call forwarded to the orchestrator, which answers with `tool.result`. */
export const workerBacklogCallFrameSchema = z.object({
  v,
  type: z.literal("backlog.call"),
  callId: toolCallIdSchema,
  tool: backlogToolNameSchema,
  input: z.unknown(),
});
/** A `BacklogCall` frame. */
export type WorkerBacklogCallFrame = z.infer<typeof workerBacklogCallFrameSchema>;

/** `rate_limited`: the provider refused for rate limits; `resetAt` is when it allows calls again, if known. */
export const workerRateLimitedFrameSchema = z.object({
  v,
  type: z.literal("rate_limited"),
  resetAt: timestampSchema.nullable(),
  message: z.string().optional(),
});
/** A `RateLimited` frame. */
export type WorkerRateLimitedFrame = z.infer<typeof workerRateLimitedFrameSchema>;

/** `auth_failed`: the provider refused the credentials; the run stops with this message. */
export const workerAuthFailedFrameSchema = z.object({
  v,
  type: z.literal("auth_failed"),
  message: z.string(),
});
/** A `AuthFailed` frame. */
export type WorkerAuthFailedFrame = z.infer<typeof workerAuthFailedFrameSchema>;

/** `ended`: the session is over. The last frame of a session: the worker then exits, or says `ready` (`reuse`). */
export const workerEndedFrameSchema = z.object({
  v,
  type: z.literal("ended"),
  outcome: sessionOutcomeSchema,
  summary: z.string(),
});
/** A `Ended` frame. */
export type WorkerEndedFrame = z.infer<typeof workerEndedFrameSchema>;

/** Every worker → orchestrator frame. */
export const workerOutboundFrameSchema = z.discriminatedUnion("type", [
  workerReadyFrameSchema,
  workerHeartbeatFrameSchema,
  workerAgentStateFrameSchema,
  workerToolCalledFrameSchema,
  workerToolEndedFrameSchema,
  workerTextFrameSchema,
  workerLogFrameSchema,
  workerUsageFrameSchema,
  workerBacklogCallFrameSchema,
  workerRateLimitedFrameSchema,
  workerAuthFailedFrameSchema,
  workerEndedFrameSchema,
]);
/** A worker → orchestrator frame. */
export type WorkerOutboundFrame = z.infer<typeof workerOutboundFrameSchema>;
/** The frame of one outbound type. */
export type WorkerOutboundFrameOf<T extends WorkerOutboundFrame["type"]> = Extract<
  WorkerOutboundFrame,
  { type: T }
>;

// ---------------------------------------------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------------------------------------------

/** Which way a frame travels: `inbound` = orchestrator → worker, `outbound` = worker → orchestrator. */
export type WorkerFrameDirection = "inbound" | "outbound";

/** The outcome of parsing one line: the frame, or the error to log (or to answer with). */
export type WorkerFrameParseResult<F> = { ok: true; frame: F } | { ok: false; error: ErrorPayload };

/**
 * Parses one NDJSON line into a frame. Never throws: bad JSON is `invalid_json`, a value that is not a valid frame
 * (including non-objects) is `invalid_input` with the zod message.
 */
export function parseWorkerFrame(
  line: string,
  direction: "inbound",
): WorkerFrameParseResult<WorkerInboundFrame>;
export function parseWorkerFrame(
  line: string,
  direction: "outbound",
): WorkerFrameParseResult<WorkerOutboundFrame>;
export function parseWorkerFrame(
  line: string,
  direction: WorkerFrameDirection,
): WorkerFrameParseResult<WorkerInboundFrame | WorkerOutboundFrame>;
export function parseWorkerFrame(
  line: string,
  direction: WorkerFrameDirection,
): WorkerFrameParseResult<WorkerInboundFrame | WorkerOutboundFrame> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: "invalid_json", message: `not a JSON line: ${reason}` } };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, error: { code: "invalid_input", message: "a frame must be a JSON object" } };
  }
  const schema = direction === "inbound" ? workerInboundFrameSchema : workerOutboundFrameSchema;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: "invalid_input",
        message: `invalid ${direction} frame: ${formatZodError(parsed.error)}`,
      },
    };
  }
  return { ok: true, frame: parsed.data };
}

/** Serializes a frame as one NDJSON line (JSON escapes newlines inside strings, so it is always one line). */
export function serializeWorkerFrame(frame: WorkerInboundFrame | WorkerOutboundFrame): string {
  return `${JSON.stringify(frame)}\n`;
}
