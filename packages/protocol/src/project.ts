/** Projects and settings: what the registry in `$AUTOWRIGHT_HOME/registry.db` holds. */
import { z } from "zod";
import { projectNameSchema, timestampSchema } from "./common.ts";
import { modelPriceSchema } from "./prices.ts";

/** A registered project. `path` is absolute and resolved (symlinks followed). */
export const projectSchema = z.object({
  name: projectNameSchema,
  path: z.string().min(1),
  createdAt: timestampSchema,
});
/** A registered project. */
export type Project = z.infer<typeof projectSchema>;

/** Agent roles; a model can be chosen per role. */
export const agentRoleSchema = z.enum(["initializer", "coding", "testing", "chat"]);
/** An agent role. */
export type AgentRole = z.infer<typeof agentRoleSchema>;

/** Which runtime and wire format a session uses. `replay` is the scripted offline model (tests, demos). */
export const providerSchema = z.enum(["claude", "anthropic", "openai-compatible", "replay"]);
/** A provider. */
export type Provider = z.infer<typeof providerSchema>;

/** How parallel coding sessions are isolated from each other. */
export const isolationModeSchema = z.enum(["worktree", "shared"]);
/** An isolation mode. */
export type IsolationMode = z.infer<typeof isolationModeSchema>;

/** A notification webhook: an absolute http(s) URL (it may carry credentials, so it is never logged whole). */
export const webhookUrlSchema = z
  .url({ protocol: /^https?$/, error: "a webhook URL is an absolute http(s) URL" })
  .max(2048);

/** The hard ceiling for concurrency, whatever the settings say. */
export const concurrencyCeiling = 16;

/**
 * Settings. Every field has a default, so `settingsSchema.parse({})` is the default configuration. Secrets (API
 * keys, tokens) are not settings: they are stored apart, with 0600 permissions, and never returned.
 */
export const settingsSchema = z
  .object({
    provider: providerSchema.default("claude"),
    /** Base URL for Anthropic-compatible or OpenAI-compatible endpoints (Ollama, vLLM, OpenRouter, GLM…). */
    baseUrl: z.url().nullable().default(null),
    /** Model per role; `null` means the provider's default. */
    models: z
      .object({
        initializer: z.string().min(1).nullable().default(null),
        coding: z.string().min(1).nullable().default(null),
        testing: z.string().min(1).nullable().default(null),
        chat: z.string().min(1).nullable().default(null),
      })
      .default({ initializer: null, coding: null, testing: null, chat: null }),
    maxConcurrency: z.number().int().min(1).max(concurrencyCeiling).default(3),
    /** The largest `maxConcurrency` a user may choose (the UI slider's end). */
    concurrencyCap: z.number().int().min(1).max(concurrencyCeiling).default(5),
    testingAgentRatio: z.number().int().min(0).max(3).default(1),
    batchSize: z.number().int().min(1).max(3).default(1),
    yolo: z.boolean().default(false),
    maxAttempts: z.number().int().min(1).max(20).default(3),
    /**
     * Let a feature pass when no check applies to it (no test command, no verify command); it is marked
     * `unverified`. Off by default: a feature passes only when a check ran and exited 0.
     */
    allowUncheckedPass: z.boolean().default(false),
    maxDependenciesPerFeature: z.number().int().min(1).max(1000).default(20),
    isolation: isolationModeSchema.default("worktree"),
    sessionTimeoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
    initializerTimeoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    /** A session that reports no tool activity for this long is cancelled. */
    noProgressMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(20),
    /** Optional run budget; `null` is unlimited. */
    maxCostUsd: z.number().positive().nullable().default(null),
    maxTokens: z.number().int().positive().nullable().default(null),
    /** Prices of models the built-in table does not know (or corrections to it), by model name. */
    modelPrices: z.record(z.string().min(1), modelPriceSchema).default({}),
    /** Where to POST progress and run-end notifications (n8n, Slack relays…); `null` sends none. */
    notificationsWebhookUrl: webhookUrlSchema.nullable().default(null),
  })
  .refine((settings) => settings.maxConcurrency <= settings.concurrencyCap, {
    message: "maxConcurrency cannot exceed concurrencyCap",
    path: ["maxConcurrency"],
  });
/** Settings with every default applied. */
export type Settings = z.infer<typeof settingsSchema>;

/** A partial settings update (REST `PATCH /api/settings`). */
export const settingsPatchSchema = z.object({
  provider: providerSchema.optional(),
  baseUrl: z.url().nullable().optional(),
  models: z
    .object({
      initializer: z.string().min(1).nullable().optional(),
      coding: z.string().min(1).nullable().optional(),
      testing: z.string().min(1).nullable().optional(),
      chat: z.string().min(1).nullable().optional(),
    })
    .optional(),
  maxConcurrency: z.number().int().min(1).max(concurrencyCeiling).optional(),
  concurrencyCap: z.number().int().min(1).max(concurrencyCeiling).optional(),
  testingAgentRatio: z.number().int().min(0).max(3).optional(),
  batchSize: z.number().int().min(1).max(3).optional(),
  yolo: z.boolean().optional(),
  maxAttempts: z.number().int().min(1).max(20).optional(),
  allowUncheckedPass: z.boolean().optional(),
  maxDependenciesPerFeature: z.number().int().min(1).max(1000).optional(),
  isolation: isolationModeSchema.optional(),
  sessionTimeoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  initializerTimeoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  noProgressMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  maxCostUsd: z.number().positive().nullable().optional(),
  maxTokens: z.number().int().positive().nullable().optional(),
  modelPrices: z.record(z.string().min(1), modelPriceSchema).optional(),
  notificationsWebhookUrl: webhookUrlSchema.nullable().optional(),
});
/** A partial settings update. */
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
