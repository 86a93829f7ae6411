/**
 * Server → browser WebSocket frames (architecture.md §5), the real-time stream of the dashboard. The server
 * emits them where state changes and the browser parses every frame with {@link serverEventSchema} before it
 * touches its store, so a malformed or unknown frame is dropped at the edge instead of corrupting the UI.
 *
 * Envelope: `{ v: 1, seq?, at, type, data }`. Durable events carry `seq` (int ≥ 1, appended to the project's
 * event log and replayed on reconnect with `?sinceSeq=N`); ephemeral ones never do. The schema enforces both.
 */
import { z } from "zod";
import { projectNameSchema, timestampSchema, usageSchema } from "./common.ts";
import { errorPayloadSchema } from "./errors.ts";
import { featureIdSchema, featureSchema, progressSchema, stallReasonSchema } from "./feature.ts";
import {
  agentIdSchema,
  agentMascotNameSchema,
  agentStateSchema,
  logLevelSchema,
  orchestratedRoleSchema,
  sessionOutcomeSchema,
} from "./session.ts";

/** The version of the WebSocket protocol (the `v` of every frame, and `hello.protocolVersion`). */
export const protocolVersion = 1;

/** A durable event's position in the project's event log: an integer from 1, without gaps. */
export const eventSeqSchema = z.number().int().min(1);

// ---------------------------------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------------------------------

/** The status of a project's run. */
export const runStatusSchema = z.enum([
  "stopped",
  "starting",
  "running",
  "draining",
  "paused",
  "rate_limited",
  "stalled",
  "completed",
  "crashed",
]);
/** The status of a project's run. */
export type RunStatus = z.infer<typeof runStatusSchema>;

/** What the orchestrator ("Maestro") is doing. */
export const orchestratorStateSchema = z.enum([
  "idle",
  "initializing",
  "scheduling",
  "spawning",
  "monitoring",
  "draining",
  "paused",
  "rate_limited",
  "stalled",
  "complete",
]);
/** What the orchestrator is doing. */
export type OrchestratorState = z.infer<typeof orchestratorStateSchema>;

/** Where a log line comes from. */
export const logSourceSchema = z.enum(["orchestrator", "agent", "verifier"]);
/** Where a log line comes from. */
export type LogSource = z.infer<typeof logSourceSchema>;

/** The status of a project's dev server. */
export const devServerStatusSchema = z.enum(["stopped", "starting", "running", "crashed"]);
/** The status of a project's dev server. */
export type DevServerStatus = z.infer<typeof devServerStatusSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Data of each event
// ---------------------------------------------------------------------------------------------------------------

/** `run.updated`: the run's status, why (stall, auth failure, governor…) and, when rate limited, when it resumes. */
export const runUpdatedDataSchema = z.object({
  status: runStatusSchema,
  reason: z.string().optional(),
  resumeAt: timestampSchema.optional(),
});
/** `run.updated` data; also the run part of the `hello` snapshot. */
export type RunUpdatedData = z.infer<typeof runUpdatedDataSchema>;

/** `progress.updated`: counts by status (the existing progress shape). */
export const progressUpdatedDataSchema = progressSchema;
/** `progress.updated` data. */
export type ProgressUpdatedData = z.infer<typeof progressUpdatedDataSchema>;

/** `orchestrator.updated`: the orchestrator's state, a human message, agent counts and scheduling counts. */
export const orchestratorUpdatedDataSchema = z.object({
  state: orchestratorStateSchema,
  message: z.string(),
  codingAgents: z.number().int().nonnegative(),
  testingAgents: z.number().int().nonnegative(),
  /** Agents whose session has ended and whose work the verifier and the merge queue are settling (no slot). */
  verifyingAgents: z.number().int().nonnegative().optional(),
  maxConcurrency: z.number().int().min(1),
  readyCount: z.number().int().nonnegative(),
  blockedCount: z.number().int().nonnegative(),
  stalled: z.array(z.object({ featureId: featureIdSchema, reason: stallReasonSchema })).optional(),
});
/** `orchestrator.updated` data; also the orchestrator part of the `hello` snapshot. */
export type OrchestratorUpdatedData = z.infer<typeof orchestratorUpdatedDataSchema>;

/** The kinds of decision the orchestrator ("Maestro") announces: the dashboard's ticker of recent decisions. */
export const orchestratorDecisionKindSchema = z.enum([
  "run_started",
  "initializer_started",
  "initializer_done",
  "agent_spawned",
  "feature_verified",
  "feature_sent_back",
  "feature_failed",
  "at_capacity",
  "features_blocked",
  "rate_limited",
  "paused",
  "resumed",
  "stalled",
  "run_completed",
  "run_stopped",
  "run_failed",
]);
/** A kind of orchestrator decision. */
export type OrchestratorDecisionKind = z.infer<typeof orchestratorDecisionKindSchema>;

/** `orchestrator.decided`: one decision of the orchestrator, in a sentence, with the feature and agent it concerns. */
export const orchestratorDecidedDataSchema = z.object({
  kind: orchestratorDecisionKindSchema,
  message: z.string(),
  featureId: featureIdSchema.optional(),
  agentId: agentIdSchema.optional(),
});
/** `orchestrator.decided` data. */
export type OrchestratorDecidedData = z.infer<typeof orchestratorDecidedDataSchema>;

/** A decision as the `hello` snapshot lists it: with its `seq` and time. */
export const decisionSnapshotSchema = orchestratorDecidedDataSchema.extend({
  seq: eventSeqSchema,
  at: timestampSchema,
});
/** A decision in the snapshot. */
export type DecisionSnapshot = z.infer<typeof decisionSnapshotSchema>;

/** How many recent decisions the `hello` snapshot carries. */
export const snapshotDecisionLimit = 50;

/** `agent.started`: a new agent (one session) with its slot index, mascot name, role, features and model. */
export const agentStartedDataSchema = z.object({
  agentId: agentIdSchema,
  index: z.number().int().nonnegative(),
  name: agentMascotNameSchema,
  role: orchestratedRoleSchema,
  featureIds: z.array(featureIdSchema),
  featureNames: z.array(z.string()),
  model: z.string(),
});
/** `agent.started` data. */
export type AgentStartedData = z.infer<typeof agentStartedDataSchema>;

/** `agent.updated`: the agent's state, with its latest thought and current tool when known. */
export const agentUpdatedDataSchema = z.object({
  agentId: agentIdSchema,
  state: agentStateSchema,
  thought: z.string().optional(),
  tool: z.string().optional(),
  /** With `rate_limited`: when the provider said the limit resets. */
  resetAt: timestampSchema.optional(),
});
/** `agent.updated` data. */
export type AgentUpdatedData = z.infer<typeof agentUpdatedDataSchema>;

/** `agent.ended`: how the session ended and what it cost. */
export const agentEndedDataSchema = z.object({
  agentId: agentIdSchema,
  featureIds: z.array(featureIdSchema),
  outcome: sessionOutcomeSchema,
  usage: usageSchema,
});
/** `agent.ended` data. */
export type AgentEndedData = z.infer<typeof agentEndedDataSchema>;

/** `feature.created` and `feature.updated`: the whole feature as it now is. */
export const featureChangedDataSchema = z.object({ feature: featureSchema });
/** `feature.created` / `feature.updated` data. */
export type FeatureChangedData = z.infer<typeof featureChangedDataSchema>;

/** `feature.deleted`: the id of the removed feature. */
export const featureDeletedDataSchema = z.object({ id: featureIdSchema });
/** `feature.deleted` data. */
export type FeatureDeletedData = z.infer<typeof featureDeletedDataSchema>;

/** The project's test command as recorded (by the initializer's `project_set_test_command`), and when. */
export const testCommandSchema = z.object({ command: z.string().min(1), recordedAt: timestampSchema });
/** The project's recorded test command. */
export type TestCommand = z.infer<typeof testCommandSchema>;

/** `project.updated`: the project's own settings changed; today, its recorded test command. */
export const projectUpdatedDataSchema = z.object({ testCommand: testCommandSchema.nullable() });
/** `project.updated` data. */
export type ProjectUpdatedData = z.infer<typeof projectUpdatedDataSchema>;

/** `log.appended`: one log line (already redacted), with where it came from. */
export const logAppendedDataSchema = z.object({
  line: z.string(),
  level: logLevelSchema,
  source: logSourceSchema,
  agentId: agentIdSchema.optional(),
  featureId: featureIdSchema.optional(),
});
/** `log.appended` data. */
export type LogAppendedData = z.infer<typeof logAppendedDataSchema>;

/** `devserver.updated`: the dev server's status, and where it listens once running. */
export const devServerUpdatedDataSchema = z.object({
  status: devServerStatusSchema,
  url: z.url().optional(),
  port: z.number().int().min(1).max(65_535).optional(),
  command: z.string().optional(),
});
/** `devserver.updated` data; also the dev-server part of the `hello` snapshot. */
export type DevServerUpdatedData = z.infer<typeof devServerUpdatedDataSchema>;

/** `devserver.log.appended`: one line of the dev server's output. */
export const devServerLogAppendedDataSchema = z.object({ line: z.string() });
/** `devserver.log.appended` data. */
export type DevServerLogAppendedData = z.infer<typeof devServerLogAppendedDataSchema>;

/**
 * `browser.screenshot`: a picture of the app being built (its dev server's page in headless Chromium), about every
 * 2 s, sent only to the clients that asked for it (`browser.subscribe`) while its dev server runs.
 */
export const browserScreenshotDataSchema = z.object({
  url: z.string(),
  mimeType: z.enum(["image/jpeg", "image/png"]),
  /** The image, base64. */
  imageData: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
/** `browser.screenshot` data. */
export type BrowserScreenshotData = z.infer<typeof browserScreenshotDataSchema>;

/** `pong`: the answer to a client `ping`, echoing its `id` when it had one. */
export const pongDataSchema = z.object({ id: z.string().optional() });
/** `pong` data. */
export type PongData = z.infer<typeof pongDataSchema>;

/** `error`: a problem with the connection or a client message (the one error payload). */
export const errorEventDataSchema = errorPayloadSchema;
/** `error` data. */
export type ErrorEventData = z.infer<typeof errorEventDataSchema>;

/** An agent as the `hello` snapshot shows it: how it started plus its current state. */
export const agentSnapshotSchema = agentStartedDataSchema.extend({
  state: agentStateSchema,
  thought: z.string().optional(),
  tool: z.string().optional(),
  resetAt: timestampSchema.optional(),
  /** When the agent started (the `at` of its `agent.started`). */
  startedAt: timestampSchema.optional(),
});
/** An agent in the `hello` snapshot. */
export type AgentSnapshot = z.infer<typeof agentSnapshotSchema>;

/** The current state of everything the dashboard shows, sent in `hello` so a new client needs no replay. */
export const snapshotSchema = z.object({
  run: runUpdatedDataSchema,
  orchestrator: orchestratorUpdatedDataSchema,
  agents: z.array(agentSnapshotSchema),
  progress: progressSchema,
  devServer: devServerUpdatedDataSchema,
  /** The most recent decisions of the orchestrator, oldest first (at most {@link snapshotDecisionLimit}). */
  decisions: z.array(decisionSnapshotSchema).max(snapshotDecisionLimit).default([]),
});
/** The `hello` snapshot. */
export type Snapshot = z.infer<typeof snapshotSchema>;

/**
 * `hello`: the first frame of every connection. `lastSeq` is the seq of the last durable event the snapshot
 * includes (0 when the log is empty); a client that already has events asks for the rest with `subscribe`.
 */
export const helloDataSchema = z.object({
  protocolVersion: z.number().int().min(1),
  serverVersion: z.string().min(1),
  project: projectNameSchema,
  lastSeq: z.number().int().nonnegative(),
  snapshot: snapshotSchema,
});
/** `hello` data. */
export type HelloData = z.infer<typeof helloDataSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Envelopes
// ---------------------------------------------------------------------------------------------------------------

/** A durable event envelope: `seq` is required. */
function durableEvent<const T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.object({
    v: z.literal(protocolVersion),
    seq: eventSeqSchema,
    at: timestampSchema,
    type: z.literal(type),
    data,
  });
}

/** An ephemeral event envelope: `seq` must be absent. */
function ephemeralEvent<const T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.object({
    v: z.literal(protocolVersion),
    seq: z.never({ error: "an ephemeral event carries no seq" }).optional(),
    at: timestampSchema,
    type: z.literal(type),
    data,
  });
}

/** The data schema of every event type. */
export const eventDataSchemas = {
  hello: helloDataSchema,
  "run.updated": runUpdatedDataSchema,
  "progress.updated": progressUpdatedDataSchema,
  "orchestrator.updated": orchestratorUpdatedDataSchema,
  "orchestrator.decided": orchestratorDecidedDataSchema,
  "agent.started": agentStartedDataSchema,
  "agent.updated": agentUpdatedDataSchema,
  "agent.ended": agentEndedDataSchema,
  "feature.created": featureChangedDataSchema,
  "feature.updated": featureChangedDataSchema,
  "feature.deleted": featureDeletedDataSchema,
  "project.updated": projectUpdatedDataSchema,
  "log.appended": logAppendedDataSchema,
  "devserver.updated": devServerUpdatedDataSchema,
  "devserver.log.appended": devServerLogAppendedDataSchema,
  "browser.screenshot": browserScreenshotDataSchema,
  pong: pongDataSchema,
  error: errorEventDataSchema,
} as const;

/** The event types that carry `seq`, are appended to the event log and are replayed on reconnect. */
export const durableEventTypes = [
  "run.updated",
  "progress.updated",
  "orchestrator.updated",
  "orchestrator.decided",
  "agent.started",
  "agent.updated",
  "agent.ended",
  "feature.created",
  "feature.updated",
  "feature.deleted",
  "project.updated",
  "devserver.updated",
] as const;
/** A durable event type. */
export type DurableEventType = (typeof durableEventTypes)[number];

/** The event types that are live only: no `seq`, never logged, never replayed. */
export const ephemeralEventTypes = [
  "hello",
  "log.appended",
  "devserver.log.appended",
  "browser.screenshot",
  "pong",
  "error",
] as const;
/** An ephemeral event type. */
export type EphemeralEventType = (typeof ephemeralEventTypes)[number];

const durableTypeSet: ReadonlySet<string> = new Set(durableEventTypes);

/** True when events of this type are durable (carry `seq`, go to the event log). */
export function isDurableEventType(type: string): type is DurableEventType {
  return durableTypeSet.has(type);
}

/**
 * Every server → browser frame, discriminated on `type`. Parse each incoming WebSocket message with it. Durable
 * types require `seq`; ephemeral types reject it.
 */
export const serverEventSchema = z.discriminatedUnion("type", [
  ephemeralEvent("hello", helloDataSchema),
  durableEvent("run.updated", runUpdatedDataSchema),
  durableEvent("progress.updated", progressUpdatedDataSchema),
  durableEvent("orchestrator.updated", orchestratorUpdatedDataSchema),
  durableEvent("orchestrator.decided", orchestratorDecidedDataSchema),
  durableEvent("agent.started", agentStartedDataSchema),
  durableEvent("agent.updated", agentUpdatedDataSchema),
  durableEvent("agent.ended", agentEndedDataSchema),
  durableEvent("feature.created", featureChangedDataSchema),
  durableEvent("feature.updated", featureChangedDataSchema),
  durableEvent("feature.deleted", featureDeletedDataSchema),
  durableEvent("project.updated", projectUpdatedDataSchema),
  ephemeralEvent("log.appended", logAppendedDataSchema),
  durableEvent("devserver.updated", devServerUpdatedDataSchema),
  ephemeralEvent("devserver.log.appended", devServerLogAppendedDataSchema),
  ephemeralEvent("browser.screenshot", browserScreenshotDataSchema),
  ephemeralEvent("pong", pongDataSchema),
  ephemeralEvent("error", errorEventDataSchema),
]);
/** A server → browser frame. */
export type ServerEvent = z.infer<typeof serverEventSchema>;
/** An event type. */
export type ServerEventType = ServerEvent["type"];
/** The frame of one event type. */
export type ServerEventOf<T extends ServerEventType> = Extract<ServerEvent, { type: T }>;
/** The data of one event type. */
export type EventData<T extends ServerEventType> = ServerEventOf<T>["data"];
/** A durable event: it has a `seq`. */
export type DurableEvent = ServerEventOf<DurableEventType>;
/** An ephemeral event: it has no `seq`. */
export type EphemeralEvent = ServerEventOf<EphemeralEventType>;
