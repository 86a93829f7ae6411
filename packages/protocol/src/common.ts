/** Small shapes shared by the other protocol modules. */
import { z } from "zod";

/** An ISO-8601 timestamp with a UTC offset, as every wire carries time. */
export const timestampSchema = z.iso.datetime({ offset: true });
/** An ISO-8601 timestamp. */
export type Timestamp = z.infer<typeof timestampSchema>;

/** Project names: letters, digits, `_` and `-`, 1 to 50 characters. */
export const projectNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,50}$/, "a project name is 1 to 50 letters, digits, '_' or '-'");
/** A project name. */
export type ProjectName = z.infer<typeof projectNameSchema>;

/** Session ids are opaque non-empty strings (the orchestrator makes them). */
export const sessionIdSchema = z.string().min(1).max(200);
/** A session id. */
export type SessionId = z.infer<typeof sessionIdSchema>;

/**
 * Token usage and cost of a session or a feature. `costUsd` is null when it is unknown: a model without a price, or
 * a sum with an unpriced part (never 0 for "unknown").
 */
export const usageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative().nullable(),
});
/** Token usage and cost. */
export type Usage = z.infer<typeof usageSchema>;
