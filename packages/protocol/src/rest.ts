/**
 * REST bodies and path parameters under `/api`. The server parses every request body and path with these
 * (a failure is `400 { error: { code: "invalid_input" } }`) because HTTP input is untrusted; the browser may parse
 * responses with the response schemas. Errors use `errorBodySchema` from errors.ts. Rules that need state
 * (existence, cycles, duplicates) are the domain's, not these schemas'.
 */
import { z } from "zod";
import { projectNameSchema, sessionIdSchema } from "./common.ts";
import {
  featureDraftSchema,
  featureIdSchema,
  featureImportFileSchema,
  featureSchema,
  humanInputResponseSchema,
  progressSchema,
} from "./feature.ts";
import { concurrencyCeiling, projectSchema, providerSchema } from "./project.ts";

/** A feature id in a URL path: decimal digits only, then a positive integer. */
const featureIdParamSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, "a feature id is a positive integer")
  .transform(Number)
  .pipe(featureIdSchema);

// ---------------------------------------------------------------------------------------------------------------
// Path parameters
// ---------------------------------------------------------------------------------------------------------------

/** `/api/projects/:name`. */
export const projectParamsSchema = z.object({ name: projectNameSchema });
/** Project path parameters. */
export type ProjectParams = z.infer<typeof projectParamsSchema>;

/** `/api/projects/:name/features/:id`; `id` arrives as a string and parses to a number. */
export const featureParamsSchema = z.object({ name: projectNameSchema, id: featureIdParamSchema });
/** Feature path parameters. */
export type FeatureParams = z.infer<typeof featureParamsSchema>;

/** `/api/projects/:name/features/:id/dependencies/:dependencyId`. */
export const dependencyParamsSchema = featureParamsSchema.extend({ dependencyId: featureIdParamSchema });
/** Dependency path parameters. */
export type DependencyParams = z.infer<typeof dependencyParamsSchema>;

/** `DELETE /api/projects/:name/sessions/:sessionId` (cancel one session): path parameters only, no body. */
export const sessionParamsSchema = z.object({ name: projectNameSchema, sessionId: sessionIdSchema });
/** Session path parameters. */
export type SessionParams = z.infer<typeof sessionParamsSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Projects
// ---------------------------------------------------------------------------------------------------------------

/** `POST /api/projects`: register a directory as a project, optionally writing its app spec. */
export const projectCreateRequestSchema = z.object({
  name: projectNameSchema,
  path: z.string().min(1).max(4096),
  spec: z.string().optional(),
});
/** `POST /api/projects` body. */
export type ProjectCreateRequest = z.infer<typeof projectCreateRequestSchema>;

/** A project as lists and `GET /api/projects/:name` show it. */
export const projectSummarySchema = projectSchema.extend({
  hasSpec: z.boolean(),
  progress: progressSchema,
});
/** A project summary. */
export type ProjectSummary = z.infer<typeof projectSummarySchema>;

/** `GET /api/projects`. */
export const projectListResponseSchema = z.object({ projects: z.array(projectSummarySchema) });
/** `GET /api/projects` response. */
export type ProjectListResponse = z.infer<typeof projectListResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Features
// ---------------------------------------------------------------------------------------------------------------

/** `POST /api/projects/:name/features`: a new feature (priority defaults to last). */
export const featureCreateRequestSchema = featureDraftSchema;
/** `POST …/features` body. */
export type FeatureCreateRequest = z.infer<typeof featureCreateRequestSchema>;

/**
 * `PATCH /api/projects/:name/features/:id`: any of the editable fields, at least one. Unknown keys (such as
 * `status`, which only the lifecycle changes) are refused rather than silently dropped.
 */
export const featurePatchRequestSchema = z
  .strictObject({
    priority: z.number().int().optional(),
    category: z.string().max(100).optional(),
    name: z.string().trim().min(1, "a feature needs a name").max(255).optional(),
    description: z.string().optional(),
    steps: z.array(z.string()).optional(),
    verify: z.array(z.string()).optional(),
    dependencies: z.array(featureIdSchema).optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: "a patch needs at least one field",
  });
/** `PATCH …/features/:id` body. */
export type FeaturePatchRequest = z.infer<typeof featurePatchRequestSchema>;

/** `POST …/features/:id/dependencies`: add one dependency. */
export const dependencyAddRequestSchema = z.object({ dependencyId: featureIdSchema });
/** `POST …/features/:id/dependencies` body. */
export type DependencyAddRequest = z.infer<typeof dependencyAddRequestSchema>;

/** `POST …/features/:id/human-input`: a person's answer, one value per field id. */
export const humanInputAnswerRequestSchema = z.object({ fields: humanInputResponseSchema.shape.fields });
/** `POST …/features/:id/human-input` body. */
export type HumanInputAnswerRequest = z.infer<typeof humanInputAnswerRequestSchema>;

/** `POST /api/projects/:name/features/import`: a backlog import file (answered with the created features). */
export const featureImportRequestSchema = featureImportFileSchema;
/** `POST …/features/import` body. */
export type FeatureImportRequest = z.infer<typeof featureImportRequestSchema>;

/** One feature (`GET`/`PATCH …/features/:id`, `POST …/features`, human input, dependencies). */
export const featureResponseSchema = z.object({ feature: featureSchema });
/** A one-feature response. */
export type FeatureResponse = z.infer<typeof featureResponseSchema>;

/** Several features (`GET …/features` in priority order, `POST …/features/import`). */
export const featureListResponseSchema = z.object({ features: z.array(featureSchema) });
/** A feature list response. */
export type FeatureListResponse = z.infer<typeof featureListResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------------------------

/** `POST /api/projects/:name/run`: start a run; every field overrides the project's settings for this run. */
export const runStartRequestSchema = z.object({
  concurrency: z.number().int().min(1).max(concurrencyCeiling).optional(),
  provider: providerSchema.optional(),
  model: z.string().min(1).optional(),
  yolo: z.boolean().optional(),
  maxCostUsd: z.number().positive().optional(),
  batchSize: z.number().int().min(1).max(3).optional(),
  testingAgentRatio: z.number().int().min(0).max(3).optional(),
});
/** Run start body. */
export type RunStartRequest = z.infer<typeof runStartRequestSchema>;

/** `PATCH /api/projects/:name/run`: change concurrency while running (capped by `concurrencyCap`). */
export const runConcurrencyRequestSchema = z.object({
  maxConcurrency: z.number().int().min(1).max(concurrencyCeiling),
});
/** Run concurrency body. */
export type RunConcurrencyRequest = z.infer<typeof runConcurrencyRequestSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Generic
// ---------------------------------------------------------------------------------------------------------------

/** The body of a successful call that returns nothing else. */
export const okResponseSchema = z.object({ ok: z.literal(true) });
/** `{ ok: true }`. */
export type OkResponse = z.infer<typeof okResponseSchema>;
