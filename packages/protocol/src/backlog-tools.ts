/**
 * Inputs of the backlog tools an agent calls (over MCP, or forwarded by the worker as `backlog.call`). The
 * model writes these arguments, so they are the least trusted input in the system: the one writer (orchestrator
 * or `autowright mcp`) parses them with these schemas before touching the backlog. Field names are snake_case,
 * as MCP tools conventionally use. Rules that need the backlog (existence, cycles, leases, the dependency
 * limit setting) are checked by the domain, not here.
 */
import { z } from "zod";
import { featureIdSchema, humanInputFieldSchema } from "./feature.ts";

/** Every backlog tool, in the order an MCP listing shows them. */
export const backlogToolNames = [
  "feature_get_stats",
  "feature_get_ready",
  "feature_get_blocked",
  "feature_get_by_id",
  "feature_get_graph",
  "feature_claim",
  "feature_ready_for_verification",
  "feature_mark_failing",
  "feature_skip",
  "feature_create",
  "feature_create_bulk",
  "feature_add_dependency",
  "feature_remove_dependency",
  "feature_set_dependencies",
  "feature_request_human_input",
  "project_set_test_command",
] as const;
/** A backlog tool name. */
export const backlogToolNameSchema = z.enum(backlogToolNames);
/** A backlog tool name. */
export type BacklogToolName = z.infer<typeof backlogToolNameSchema>;

/** The upper bound of any dependency list on the wire; the per-project limit is a setting, checked by the domain. */
const maxDependencyList = 1000;

const featureRef = { feature_id: featureIdSchema };

/** `feature_get_stats`: no arguments. */
export const featureGetStatsInputSchema = z.object({});
/** `feature_get_stats` input. */
export type FeatureGetStatsInput = z.infer<typeof featureGetStatsInputSchema>;

/** `feature_get_ready`: how many ready features to return (1–50, default 10). */
export const featureGetReadyInputSchema = z.object({
  limit: z.number().int().min(1).max(50).default(10),
});
/** `feature_get_ready` input. */
export type FeatureGetReadyInput = z.infer<typeof featureGetReadyInputSchema>;

/** `feature_get_blocked`: how many blocked features to return (1–100, default 20). */
export const featureGetBlockedInputSchema = z.object({
  limit: z.number().int().min(1).max(100).default(20),
});
/** `feature_get_blocked` input. */
export type FeatureGetBlockedInput = z.infer<typeof featureGetBlockedInputSchema>;

/** `feature_get_by_id`: the feature to read. */
export const featureGetByIdInputSchema = z.object(featureRef);
/** `feature_get_by_id` input. */
export type FeatureGetByIdInput = z.infer<typeof featureGetByIdInputSchema>;

/** `feature_get_graph`: no arguments. */
export const featureGetGraphInputSchema = z.object({});
/** `feature_get_graph` input. */
export type FeatureGetGraphInput = z.infer<typeof featureGetGraphInputSchema>;

/** `feature_claim`: the feature the calling session takes a lease on. */
export const featureClaimInputSchema = z.object(featureRef);
/** `feature_claim` input. */
export type FeatureClaimInput = z.infer<typeof featureClaimInputSchema>;

/** `feature_ready_for_verification`: hand the feature to the verifier, with an optional summary of the work. */
export const featureReadyForVerificationInputSchema = z.object({
  ...featureRef,
  summary: z.string().max(10_000).optional(),
});
/** `feature_ready_for_verification` input. */
export type FeatureReadyForVerificationInput = z.infer<typeof featureReadyForVerificationInputSchema>;

/** `feature_mark_failing`: the agent gives up on the feature, saying why. */
export const featureMarkFailingInputSchema = z.object({
  ...featureRef,
  reason: z.string().trim().min(1).max(10_000),
});
/** `feature_mark_failing` input. */
export type FeatureMarkFailingInput = z.infer<typeof featureMarkFailingInputSchema>;

/** `feature_skip`: move the feature to the end of the queue, saying why. */
export const featureSkipInputSchema = z.object({
  ...featureRef,
  reason: z.string().trim().min(1).max(10_000),
});
/** `feature_skip` input. */
export type FeatureSkipInput = z.infer<typeof featureSkipInputSchema>;

/** `feature_create`: a new feature with at least one acceptance step. */
export const featureCreateInputSchema = z.object({
  category: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1, "a feature needs a name").max(255),
  description: z.string(),
  steps: z.array(z.string().min(1)).min(1, "a feature needs at least one acceptance step"),
  verify: z.array(z.string().min(1)).optional(),
});
/** `feature_create` input. */
export type FeatureCreateInput = z.infer<typeof featureCreateInputSchema>;

/** One entry of `feature_create_bulk`: a feature plus dependencies as indices of earlier entries. */
export const featureCreateBulkEntrySchema = featureCreateInputSchema.extend({
  depends_on_indices: z.array(z.number().int().nonnegative()).max(maxDependencyList).optional(),
});
/** One entry of `feature_create_bulk`. */
export type FeatureCreateBulkEntry = z.infer<typeof featureCreateBulkEntrySchema>;

/**
 * `feature_create_bulk`: 1 to 500 features created in one transaction. `depends_on_indices` may only name earlier
 * entries, once each, so a batch cannot contain a cycle.
 */
export const featureCreateBulkInputSchema = z.object({
  features: z
    .array(featureCreateBulkEntrySchema)
    .min(1)
    .max(500)
    .superRefine((features, ctx) => {
      features.forEach((feature, index) => {
        const indices = feature.depends_on_indices ?? [];
        indices.forEach((dependency, position) => {
          if (dependency >= index) {
            ctx.addIssue({
              code: "custom",
              message: `entry ${index} can only depend on earlier entries (got ${dependency})`,
              path: [index, "depends_on_indices", position],
            });
          }
        });
        if (new Set(indices).size !== indices.length) {
          ctx.addIssue({
            code: "custom",
            message: `entry ${index} lists a dependency twice`,
            path: [index, "depends_on_indices"],
          });
        }
      });
    }),
});
/** `feature_create_bulk` input. */
export type FeatureCreateBulkInput = z.infer<typeof featureCreateBulkInputSchema>;

/** `feature_add_dependency`: `feature_id` will depend on `dependency_id`. */
export const featureAddDependencyInputSchema = z.object({ ...featureRef, dependency_id: featureIdSchema });
/** `feature_add_dependency` input. */
export type FeatureAddDependencyInput = z.infer<typeof featureAddDependencyInputSchema>;

/** `feature_remove_dependency`: `feature_id` no longer depends on `dependency_id`. */
export const featureRemoveDependencyInputSchema = z.object({ ...featureRef, dependency_id: featureIdSchema });
/** `feature_remove_dependency` input. */
export type FeatureRemoveDependencyInput = z.infer<typeof featureRemoveDependencyInputSchema>;

/** `feature_set_dependencies`: replace the feature's dependency list. */
export const featureSetDependenciesInputSchema = z.object({
  ...featureRef,
  dependency_ids: z.array(featureIdSchema).max(maxDependencyList),
});
/** `feature_set_dependencies` input. */
export type FeatureSetDependenciesInput = z.infer<typeof featureSetDependenciesInputSchema>;

/** `feature_request_human_input`: ask a person something; the feature waits until they answer. */
export const featureRequestHumanInputInputSchema = z.object({
  ...featureRef,
  prompt: z.string().trim().min(1).max(10_000),
  fields: z
    .array(humanInputFieldSchema)
    .max(50)
    .refine((fields) => new Set(fields.map((field) => field.id)).size === fields.length, {
      message: "field ids must be unique",
    }),
});
/** `feature_request_human_input` input. */
export type FeatureRequestHumanInputInput = z.infer<typeof featureRequestHumanInputInputSchema>;

/**
 * `project_set_test_command`: the one shell command that runs the project's tests (the initializer records it;
 * the verifier runs it for every feature). One line, not empty.
 */
export const projectSetTestCommandInputSchema = z.object({
  command: z
    .string()
    .trim()
    .min(1, "the test command cannot be empty")
    .max(1_000)
    .refine((command) => !/[\r\n]/.test(command), { message: "the test command must be one line" }),
});
/** `project_set_test_command` input. */
export type ProjectSetTestCommandInput = z.infer<typeof projectSetTestCommandInputSchema>;

/** The input schema of every backlog tool. */
export const backlogToolInputSchemas = {
  feature_get_stats: featureGetStatsInputSchema,
  feature_get_ready: featureGetReadyInputSchema,
  feature_get_blocked: featureGetBlockedInputSchema,
  feature_get_by_id: featureGetByIdInputSchema,
  feature_get_graph: featureGetGraphInputSchema,
  feature_claim: featureClaimInputSchema,
  feature_ready_for_verification: featureReadyForVerificationInputSchema,
  feature_mark_failing: featureMarkFailingInputSchema,
  feature_skip: featureSkipInputSchema,
  feature_create: featureCreateInputSchema,
  feature_create_bulk: featureCreateBulkInputSchema,
  feature_add_dependency: featureAddDependencyInputSchema,
  feature_remove_dependency: featureRemoveDependencyInputSchema,
  feature_set_dependencies: featureSetDependenciesInputSchema,
  feature_request_human_input: featureRequestHumanInputInputSchema,
  project_set_test_command: projectSetTestCommandInputSchema,
} as const satisfies Record<BacklogToolName, z.ZodObject>;

/** The parsed input of one backlog tool. */
export type BacklogToolInput<N extends BacklogToolName> = z.infer<(typeof backlogToolInputSchemas)[N]>;

/** One line per tool, for MCP `tools/list` and the agents' prompts. */
export const backlogToolDescriptions: Readonly<Record<BacklogToolName, string>> = {
  feature_get_stats: "Counts of features by status and the percentage passing.",
  feature_get_ready: "Features whose dependencies all pass and that nobody is working on, best first.",
  feature_get_blocked: "Features waiting on dependencies that do not pass yet, with what blocks each.",
  feature_get_by_id: "One feature with its steps, dependencies, status, evidence and human input.",
  feature_get_graph: "The dependency graph: every feature as a node, every dependency as an edge.",
  feature_claim: "Take a lease on a ready feature so you can work on it; required before changing it.",
  feature_ready_for_verification:
    "Hand a claimed feature to the verifier once it is implemented and tested; the verifier decides if it passes.",
  feature_mark_failing:
    "Give up on a claimed feature, with the reason; it is retried later with that context.",
  feature_skip: "Move a feature to the end of the queue, with the reason.",
  feature_create: "Create one feature with a category, name, description and acceptance steps.",
  feature_create_bulk:
    "Create up to 500 features in one go; depends_on_indices names earlier entries of the same list.",
  feature_add_dependency: "Make a feature depend on another one (cycles and unknown ids are refused).",
  feature_remove_dependency: "Remove one dependency from a feature.",
  feature_set_dependencies: "Replace a feature's whole dependency list (cycles and unknown ids are refused).",
  feature_request_human_input:
    "Ask a person for something you cannot decide or obtain yourself; the feature waits for the answer.",
  project_set_test_command:
    "Record the one shell command that runs the project's tests (for example `npm test`); the verifier runs it.",
};
