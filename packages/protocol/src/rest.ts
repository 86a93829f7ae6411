/**
 * REST bodies and path parameters under `/api`. The server parses every request body and path with these
 * (a failure is `400 { error: { code: "invalid_input" } }`) because HTTP input is untrusted; the browser may parse
 * responses with the response schemas. Errors use `errorBodySchema` from errors.ts. Rules that need state
 * (existence, cycles, duplicates) are the domain's, not these schemas'.
 */
import { z } from "zod";
import { projectNameSchema, sessionIdSchema } from "./common.ts";
import { runStatusSchema } from "./events.ts";
import {
  featureDraftSchema,
  featureIdSchema,
  featureImportEntrySchema,
  featureImportFileSchema,
  featureSchema,
  humanInputResponseSchema,
  progressSchema,
} from "./feature.ts";
import {
  concurrencyCeiling,
  projectSchema,
  providerSchema,
  settingsPatchSchema,
  settingsSchema,
} from "./project.ts";
import { logLevelSchema, sessionRecordSchema } from "./session.ts";

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
export const projectCreateRequestSchema = z.strictObject({
  name: projectNameSchema,
  /** An absolute folder: created when it does not exist; an existing one is registered (with git set up). */
  path: z.string().min(1).max(4096),
  /** The app spec to write into `.autowright/prompts/app-spec.md`. */
  spec: z
    .string()
    .max(512 * 1024)
    .optional(),
  /** Import the AutoForge (or AutoCoder) project in `path`: its backlog and prompts. */
  importAutoforge: z.boolean().optional(),
});
/** `POST /api/projects` body. */
export type ProjectCreateRequest = z.infer<typeof projectCreateRequestSchema>;

/** A project as lists and `GET /api/projects/:name` show it. */
export const projectSummarySchema = projectSchema.extend({
  hasSpec: z.boolean(),
  progress: progressSchema,
  /** Why the project cannot be opened (its folder is gone, say), when it cannot. */
  problem: z.string().optional(),
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
export const runStartRequestSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(concurrencyCeiling).optional(),
  provider: providerSchema.optional(),
  model: z.string().min(1).optional(),
  yolo: z.boolean().optional(),
  maxCostUsd: z.number().positive().optional(),
  maxTokens: z.number().int().positive().optional(),
  batchSize: z.number().int().min(1).max(3).optional(),
  testingAgentRatio: z.number().int().min(0).max(3).optional(),
  allowUncheckedPass: z.boolean().optional(),
  /** With `provider: "replay"`: milliseconds per scripted model turn, and the runtime that replays. */
  replayLatencyMs: z.number().int().min(0).max(60_000).optional(),
  replayRuntime: z.enum(["loop", "claude"]).optional(),
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

// ---------------------------------------------------------------------------------------------------------------
// Server: health, projects, features, runs, sessions, prompts, settings, providers, folders
// ---------------------------------------------------------------------------------------------------------------

/** `GET /api/health`. */
export const healthResponseSchema = z.object({
  ok: z.literal(true),
  version: z.string(),
  protocolVersion: z.number().int(),
  pid: z.number().int(),
  startedAt: z.string(),
});
/** `GET /api/health` response. */
export type HealthResponse = z.infer<typeof healthResponseSchema>;

/** The state of a project's run (`GET …/run` and the answers of the run controls). */
export const runStateSchema = z.object({
  active: z.boolean(),
  status: runStatusSchema,
  paused: z.boolean(),
  startedAt: z.string().nullable(),
  maxConcurrency: z.number().int().min(1),
  provider: providerSchema.nullable(),
  lastResult: z
    .object({
      status: z.enum(["completed", "stalled", "stopped", "failed"]),
      reason: z.string(),
      governor: z.enum(["auth_failed", "budget"]).optional(),
    })
    .nullable(),
});
/** A run's state. */
export type RunStateResponse = z.infer<typeof runStateSchema>;

/** `GET /api/projects/:name`: the project, its progress and its run. */
export const projectDetailResponseSchema = z.object({
  project: projectSummarySchema,
  run: runStateSchema,
});
/** `GET /api/projects/:name` response. */
export type ProjectDetailResponse = z.infer<typeof projectDetailResponseSchema>;

/** `POST /api/projects`: the project, and whether it was created or an existing one registered. */
export const projectCreateResponseSchema = z.object({
  project: projectSummarySchema,
  created: z.boolean(),
  imported: z.number().int().nonnegative().optional(),
});
/** `POST /api/projects` response. */
export type ProjectCreateResponse = z.infer<typeof projectCreateResponseSchema>;

/** `POST /api/projects/:name/reset`: `quick` empties the backlog, sessions and events; `full` also the spec and prompts. */
export const projectResetRequestSchema = z.strictObject({ mode: z.enum(["quick", "full"]).default("quick") });
/** Reset body. */
export type ProjectResetRequest = z.infer<typeof projectResetRequestSchema>;

/** The answer to a reset. */
export const projectResetResponseSchema = z.object({
  removedFeatures: z.number().int().nonnegative(),
  mode: z.enum(["quick", "full"]),
});

/** `POST …/features/bulk`: several features, all or nothing (entries may depend on each other by index). */
export const featureBulkRequestSchema = z.strictObject({
  features: z.array(featureImportEntrySchema).min(1).max(1000),
});
/** Bulk body. */
export type FeatureBulkRequest = z.infer<typeof featureBulkRequestSchema>;

/** `PUT …/features/:id/dependencies`: the whole dependency list. */
export const dependenciesPutRequestSchema = z.strictObject({
  dependencyIds: z.array(featureIdSchema).max(1000),
});
/** Dependencies body. */
export type DependenciesPutRequest = z.infer<typeof dependenciesPutRequestSchema>;

/** `GET …/features/graph`: nodes (with whether they are blocked, and by what) and dependency edges. */
export const featureGraphResponseSchema = z.object({
  nodes: z.array(
    z.object({
      id: featureIdSchema,
      name: z.string(),
      category: z.string(),
      priority: z.number().int(),
      status: featureSchema.shape.status,
      blockedBy: z.array(featureIdSchema),
    }),
  ),
  /** `source` depends on `target`. */
  edges: z.array(z.object({ source: featureIdSchema, target: featureIdSchema })),
});
/** Graph response. */
export type FeatureGraphResponse = z.infer<typeof featureGraphResponseSchema>;

/** `GET …/sessions`. */
export const sessionListResponseSchema = z.object({ sessions: z.array(sessionRecordSchema) });

/** A page of a session's log (`GET …/sessions/:id/log?offset=`). */
export const sessionLogPageSchema = z.object({
  lines: z.array(
    z.object({ at: z.string(), level: logLevelSchema, line: z.string(), source: z.string().optional() }),
  ),
  nextOffset: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  truncated: z.boolean(),
});
/** A page of a session log. */
export type SessionLogPageResponse = z.infer<typeof sessionLogPageSchema>;

/** `GET …/sessions/:id`: the session, with the first page of its log. */
export const sessionDetailResponseSchema = z.object({
  session: sessionRecordSchema,
  log: sessionLogPageSchema,
});

/** `…/sessions/:id/log?offset=N`. */
export const sessionLogQuerySchema = z.object({
  offset: z.coerce.number().int().nonnegative().default(0),
});

/** `GET /api/projects/:name/prompts`: every prompt file by name (the app spec included). */
export const promptsResponseSchema = z.object({ prompts: z.record(z.string(), z.string()) });
/** `PUT /api/projects/:name/prompts`: replace some prompt files. */
export const promptsPutRequestSchema = z.strictObject({
  prompts: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,60}$/), z.string().max(512 * 1024)),
});

/** Settings as the API returns them: the settings, and which secrets are set (never their values). */
export const settingsResponseSchema = z.object({
  settings: settingsSchema,
  secrets: z.record(z.string(), z.object({ set: z.boolean() })),
});
/** `GET /api/settings` response. */
export type SettingsResponse = z.infer<typeof settingsResponseSchema>;

/** `PATCH /api/settings`: any settings, plus secrets to set (a string) or remove (null). */
export const settingsPatchRequestSchema = settingsPatchSchema
  .extend({
    secrets: z.record(z.string(), z.string().min(1).max(10_000).nullable()).optional(),
  })
  .strict();
/** `PATCH /api/settings` body. */
export type SettingsPatchRequest = z.infer<typeof settingsPatchRequestSchema>;

/** `GET /api/providers`: each provider, what it needs and whether its credentials are set. */
export const providersResponseSchema = z.object({
  providers: z.array(
    z.object({
      id: providerSchema,
      runtime: z.enum(["claude-code", "tool-loop", "replay"]),
      wire: z.enum(["anthropic", "openai-compatible"]).optional(),
      defaultModels: z.record(z.string(), z.string()),
      credentialVariables: z.array(z.string()),
      credentialsSet: z.boolean(),
      baseUrlVariable: z.string().nullable(),
      priceSource: z.enum(["runtime", "price-table"]),
    }),
  ),
});

/** `GET /api/fs/list?path=`: a folder to choose a project folder in. */
export const folderListQuerySchema = z.object({ path: z.string().max(4096).optional() });
/** A folder's listing: sub-folders (and files), which are projects, where the parent is. */
export const folderListResponseSchema = z.object({
  path: z.string(),
  parent: z.string().nullable(),
  entries: z.array(
    z.object({
      name: z.string(),
      path: z.string(),
      kind: z.enum(["directory", "file"]),
      isProject: z.boolean(),
      isAutoforgeProject: z.boolean(),
    }),
  ),
  /** The folders the server may use (projects must be inside one), to start browsing from. */
  roots: z.array(z.string()).optional(),
});
/** A folder listing. */
export type FolderListResponse = z.infer<typeof folderListResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Set-up: the provider connection test and the demo project
// ---------------------------------------------------------------------------------------------------------------

/**
 * `POST /api/providers/test`: try a provider's connection without saving anything. `apiKey` overrides the saved
 * secret (and the server's environment) for this test only; it is never echoed back nor logged.
 */
export const providerTestRequestSchema = z.strictObject({
  provider: providerSchema,
  baseUrl: z
    .url({ protocol: /^https?$/, error: "a base URL is an absolute http(s) URL" })
    .max(2048)
    .optional(),
  model: z.string().trim().min(1).max(200).optional(),
  apiKey: z.string().min(1).max(10_000).optional(),
});
/** `POST /api/providers/test` body. */
export type ProviderTestRequest = z.infer<typeof providerTestRequestSchema>;

/** The result of a connection test: a failure is `ok: false` with a readable message, never an HTTP error. */
export const providerTestResponseSchema = z.object({
  ok: z.boolean(),
  message: z.string(),
  latencyMs: z.number().int().nonnegative(),
  /** The model the test used or found. */
  model: z.string().optional(),
});
/** `POST /api/providers/test` response. */
export type ProviderTestResponse = z.infer<typeof providerTestResponseSchema>;

/** `POST /api/demo`: the demo project (created or reused) and its replay run. */
export const demoResponseSchema = z.object({
  project: projectSummarySchema,
  run: runStateSchema,
});
/** `POST /api/demo` response. */
export type DemoResponse = z.infer<typeof demoResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Feature diff
// ---------------------------------------------------------------------------------------------------------------

/** The most bytes of patch `GET …/features/:id/diff` returns (`truncated` says when it cut). */
export const featureDiffPatchLimit = 512 * 1024;

/**
 * `GET /api/projects/:name/features/:id/diff`: the commit the feature was merged as (its latest `merge` evidence)
 * with the files it changed and its unified patch. `commit: null` when the feature was never merged.
 */
export const featureDiffResponseSchema = z.object({
  commit: z.string().nullable(),
  /** The commit's subject line, when there is a commit. */
  subject: z.string().nullable().default(null),
  files: z.array(
    z.object({
      path: z.string(),
      /** Null for a binary file (git counts no lines). */
      additions: z.number().int().nonnegative().nullable(),
      deletions: z.number().int().nonnegative().nullable(),
    }),
  ),
  patch: z.string(),
  truncated: z.boolean(),
});
/** `GET …/features/:id/diff` response. */
export type FeatureDiffResponse = z.infer<typeof featureDiffResponseSchema>;
