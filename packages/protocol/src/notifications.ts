/**
 * Webhook notifications: what the server POSTs (as JSON) to the `notificationsWebhookUrl` setting. AutoForge's
 * `PROGRESS_N8N_WEBHOOK_URL` sent `[{event: "test_progress", passing, total, percentage, previous_passing,
 * tests_completed_this_session, completed_tests[], project, timestamp}]`; this payload carries the same facts as one
 * object, versioned, with an `event` discriminator, the features by id and name, and the run's end too. A receiver
 * branches on `event` and ignores fields it does not know.
 */
import { z } from "zod";
import { projectNameSchema, timestampSchema } from "./common.ts";
import { runStatusSchema } from "./events.ts";
import { featureIdSchema, progressSchema } from "./feature.ts";

/** The version of the webhook payload (its `version` field); a breaking change increments it. */
export const notificationVersion = 1;

/** A feature as a notification names it. */
export const notifiedFeatureSchema = z.object({ id: featureIdSchema, name: z.string() });
/** A feature as a notification names it. */
export type NotifiedFeature = z.infer<typeof notifiedFeatureSchema>;

/** The run statuses that end a run, each announced once with `run.ended`. */
export const runEndStatusSchema = runStatusSchema.extract(["completed", "stalled", "stopped", "crashed"]);
/** A run status that ends a run. */
export type RunEndStatus = z.infer<typeof runEndStatusSchema>;

const envelope = {
  version: z.literal(notificationVersion),
  project: projectNameSchema,
  /** When the notification was sent. */
  at: timestampSchema,
  /** The backlog's counts when it was sent. */
  progress: progressSchema,
};

/**
 * `features.passed`: features reached `passing`. Bursts are merged into one notification, so `features` may list
 * several; `previousPassing` is the count before they passed (`passing - features.length`).
 */
export const featuresPassedNotificationSchema = z.object({
  ...envelope,
  event: z.literal("features.passed"),
  passing: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** `passing / total * 100`, one decimal. */
  percentage: z.number().min(0).max(100),
  previousPassing: z.number().int().nonnegative(),
  /** The features that newly pass, in the order they passed. */
  features: z.array(notifiedFeatureSchema).min(1),
});
/** A `features.passed` notification. */
export type FeaturesPassedNotification = z.infer<typeof featuresPassedNotificationSchema>;

/** `run.ended`: the run completed, stalled, was stopped or crashed; `reason` says why when known. */
export const runEndedNotificationSchema = z.object({
  ...envelope,
  event: z.literal("run.ended"),
  status: runEndStatusSchema,
  reason: z.string().optional(),
});
/** A `run.ended` notification. */
export type RunEndedNotification = z.infer<typeof runEndedNotificationSchema>;

/** Every webhook notification body, discriminated on `event`. */
export const webhookNotificationSchema = z.discriminatedUnion("event", [
  featuresPassedNotificationSchema,
  runEndedNotificationSchema,
]);
/** A webhook notification body. */
export type WebhookNotification = z.infer<typeof webhookNotificationSchema>;
