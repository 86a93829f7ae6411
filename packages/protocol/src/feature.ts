/**
 * The backlog entity. A feature is a unit of work with acceptance steps and dependencies on other features.
 * `blocked` is not a status: it is derived (a pending feature whose dependencies do not all pass).
 */
import { z } from "zod";
import { sessionIdSchema, timestampSchema } from "./common.ts";

/** A feature id: a positive integer, stable for the life of the backlog. */
export const featureIdSchema = z.number().int().positive();
/** A feature id. */
export type FeatureId = z.infer<typeof featureIdSchema>;

/** Every status a feature can have. See `@autowright/domain` for the allowed transitions. */
export const featureStatuses = [
  "pending",
  "in_progress",
  "verifying",
  "passing",
  "failed",
  "needs_input",
  "regressed",
] as const;
/** A feature status. */
export const featureStatusSchema = z.enum(featureStatuses);
/** A feature status. */
export type FeatureStatus = z.infer<typeof featureStatusSchema>;

/** A claim on a feature: only the session that holds an unexpired lease may change the feature's status. */
export const leaseSchema = z.object({ owner: sessionIdSchema, expiresAt: timestampSchema });
/** A claim on a feature. */
export type Lease = z.infer<typeof leaseSchema>;

/** What a check (or a merge, or an import) proved, kept with the feature. */
export const evidenceSchema = z.object({
  kind: z.enum(["check", "merge", "import", "manual"]),
  command: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  outputTail: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
  sessionId: sessionIdSchema.optional(),
  note: z.string().optional(),
  at: timestampSchema,
});
/** What a check proved. */
export type Evidence = z.infer<typeof evidenceSchema>;

/** One field of a human-input form. */
export const humanInputFieldSchema = z
  .object({
    id: z.string().min(1).max(100),
    label: z.string().min(1).max(500),
    type: z.enum(["text", "textarea", "select", "boolean"]),
    required: z.boolean().default(true),
    placeholder: z.string().optional(),
    options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  })
  .refine((field) => field.type !== "select" || (field.options !== undefined && field.options.length > 0), {
    message: "a select field needs options",
    path: ["options"],
  });
/** One field of a human-input form. */
export type HumanInputField = z.infer<typeof humanInputFieldSchema>;

/** What an agent asks a person: a prompt and a form. */
export const humanInputRequestSchema = z
  .object({
    prompt: z.string().min(1),
    fields: z.array(humanInputFieldSchema),
    requestedAt: timestampSchema.optional(),
    sessionId: sessionIdSchema.optional(),
  })
  .refine((request) => new Set(request.fields.map((field) => field.id)).size === request.fields.length, {
    message: "field ids must be unique",
    path: ["fields"],
  });
/** What an agent asks a person. */
export type HumanInputRequest = z.infer<typeof humanInputRequestSchema>;

/** A person's answer: one value per field id. */
export const humanInputResponseSchema = z.object({
  fields: z.record(z.string(), z.union([z.string(), z.boolean(), z.array(z.string())])),
  respondedAt: timestampSchema,
});
/** A person's answer. */
export type HumanInputResponse = z.infer<typeof humanInputResponseSchema>;

/** The question and, once given, its answer (the answer goes into the next session's prompt). */
export const humanInputSchema = z.object({
  request: humanInputRequestSchema,
  response: humanInputResponseSchema.nullable(),
});
/** The question and its answer. */
export type HumanInput = z.infer<typeof humanInputSchema>;

/** A feature, as every surface sees it. */
export const featureSchema = z.object({
  id: featureIdSchema,
  priority: z.number().int(),
  category: z.string().max(100),
  name: z.string().min(1).max(255),
  description: z.string(),
  steps: z.array(z.string()),
  dependencies: z.array(featureIdSchema),
  status: featureStatusSchema,
  attempts: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  lease: leaseSchema.nullable(),
  evidence: z.array(evidenceSchema),
  humanInput: humanInputSchema.nullable(),
  /** Extra check commands the verifier runs for this feature, after the project's test command. */
  verify: z.array(z.string()),
  /**
   * True when the feature passed without any check running (only with the `allowUncheckedPass` setting); false
   * otherwise, and whenever the feature is not `passing`. Absent in events written before it existed: false.
   */
  unverified: z.boolean().default(false),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
/** A feature. */
export type Feature = z.infer<typeof featureSchema>;

/** A new feature, as created by the CLI, REST, MCP or an import. */
export const featureDraftSchema = z.object({
  category: z.string().max(100).default(""),
  name: z.string().trim().min(1, "a feature needs a name").max(255),
  description: z.string().default(""),
  steps: z.array(z.string()).default([]),
  priority: z.number().int().optional(),
  verify: z.array(z.string()).default([]),
  dependencies: z.array(featureIdSchema).default([]),
});
/** A new feature. */
export type FeatureDraft = z.infer<typeof featureDraftSchema>;

/** One entry of a backlog import file: dependencies as ids already in the backlog and/or indices into the file. */
export const featureImportEntrySchema = featureDraftSchema.extend({
  dependsOnIndices: z.array(z.number().int().nonnegative()).default([]),
});
/** One entry of a backlog import file. */
export type FeatureImportEntry = z.infer<typeof featureImportEntrySchema>;

/** A backlog import file: a JSON array of entries. */
export const featureImportFileSchema = z.array(featureImportEntrySchema);

/** Counts by status, as `progress.updated` carries them. */
export const progressSchema = z.object({
  passing: z.number().int().nonnegative(),
  /** Passing features that passed without a check (`allowUncheckedPass`); included in `passing`. */
  unverified: z.number().int().nonnegative().default(0),
  inProgress: z.number().int().nonnegative(),
  verifying: z.number().int().nonnegative(),
  needsInput: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  blocked: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  percentage: z.number().min(0).max(100),
});
/** Counts by status. */
export type Progress = z.infer<typeof progressSchema>;

/** Why a feature cannot become ready without a person's action. */
export const stallReasonSchema = z.enum([
  "cycle",
  "missing_dependency",
  "dependency_failed",
  "waiting_for_input",
]);
/** Why a feature cannot become ready. */
export type StallReason = z.infer<typeof stallReasonSchema>;

/** The scheduling report: `autowright features ready --json` prints exactly this. */
export const readyReportSchema = z.object({
  ready: z.array(featureIdSchema),
  blocked: z.array(z.object({ id: featureIdSchema, blockedBy: z.array(featureIdSchema) })),
  stalled: z.array(z.object({ id: featureIdSchema, reason: stallReasonSchema })),
  cycles: z.array(z.array(featureIdSchema)),
});
/** The scheduling report. */
export type ReadyReport = z.infer<typeof readyReportSchema>;
