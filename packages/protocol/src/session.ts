/**
 * Agent-session vocabulary shared by two wires: the worker's stdio frames (worker → orchestrator) and the
 * server's WebSocket events (server → browser). Both sides parse with these closed sets, so a state or an
 * outcome the other side does not know is a validation error at the boundary, not a silent UI glitch.
 */
import { z } from "zod";
import { sessionIdSchema } from "./common.ts";
import { agentRoleSchema } from "./project.ts";

/** What an agent is doing, derived from typed tool events (never from prose). */
export const agentStates = [
  "idle",
  "thinking",
  "working",
  "testing",
  "success",
  "error",
  "struggling",
  /** Waiting for the provider's rate limit to reset (`resetAt` says when). */
  "rate_limited",
  /** The provider refused the credentials: a person must fix them. */
  "auth_failed",
] as const;
/** What an agent is doing. */
export const agentStateSchema = z.enum(agentStates);
/** What an agent is doing. */
export type AgentState = z.infer<typeof agentStateSchema>;

/**
 * How a session ended. Never an exit code: it comes from the worker's `ended` frame (a worker that dies without
 * one is `failed`), and `passed` still needs the verifier before a feature passes.
 */
export const sessionOutcomes = [
  "passed",
  "not_passed",
  "failed",
  "rate_limited",
  "auth_failed",
  "cancelled",
  "timed_out",
] as const;
/** How a session ended. */
export const sessionOutcomeSchema = z.enum(sessionOutcomes);
/** How a session ended. */
export type SessionOutcome = z.infer<typeof sessionOutcomeSchema>;

/** Severity of a log line. */
export const logLevelSchema = z.enum(["debug", "info", "warn", "error"]);
/** Severity of a log line. */
export type LogLevel = z.infer<typeof logLevelSchema>;

/** The roles the orchestrator runs as agents on the dashboard (chat sessions are not orchestrated agents). */
export const orchestratedRoleSchema = agentRoleSchema.exclude(["chat"]);
/** A role the orchestrator runs. */
export type OrchestratedRole = z.infer<typeof orchestratedRoleSchema>;

/** An agent id: the id of the session the agent runs (the orchestrator makes it). */
export const agentIdSchema = sessionIdSchema;
/** An agent id. */
export type AgentId = z.infer<typeof agentIdSchema>;

/**
 * The 20 mascot names given to agents. The orchestrator assigns them so that running agents never share one.
 */
export const agentMascotNames = [
  "Spark",
  "Fizz",
  "Octo",
  "Hoot",
  "Buzz",
  "Pixel",
  "Byte",
  "Nova",
  "Chip",
  "Bolt",
  "Dash",
  "Zippy",
  "Gizmo",
  "Widget",
  "Quirk",
  "Flux",
  "Echo",
  "Sprout",
  "Pebble",
  "Comet",
] as const;
/** An agent's mascot name. */
export const agentMascotNameSchema = z.enum(agentMascotNames);
/** An agent's mascot name. */
export type AgentMascotName = z.infer<typeof agentMascotNameSchema>;

/** A session as the store records it (`GET …/sessions`): who ran, on what, how it ended and what it cost. */
export const sessionRecordSchema = z.object({
  id: sessionIdSchema,
  role: agentRoleSchema,
  featureIds: z.array(z.number().int().min(1)),
  model: z.string().nullable(),
  provider: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  outcome: sessionOutcomeSchema.nullable(),
  summary: z.string().nullable(),
  usage: z.object({
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative().nullable(),
  }),
});
/** A recorded session. */
export type SessionRecord = z.infer<typeof sessionRecordSchema>;
