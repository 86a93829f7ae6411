/**
 * The per-project database (`<project>/.autowright/autowright.db`) as drizzle tables. The SQL that creates them
 * is in project-migrations.ts; a test checks that the two agree.
 */
import type {
  DurableEventType,
  Evidence,
  FeatureStatus,
  HumanInputRequest,
  HumanInputResponse,
} from "@autowright/protocol";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Features. Dependencies live in {@link featureDependencies}. */
export const features = sqliteTable(
  "features",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    priority: integer("priority").notNull(),
    category: text("category").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    steps: text("steps", { mode: "json" }).$type<string[]>().notNull(),
    verify: text("verify", { mode: "json" }).$type<string[]>().notNull(),
    status: text("status").$type<FeatureStatus>().notNull(),
    attempts: integer("attempts").notNull(),
    lastError: text("last_error"),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: text("lease_expires_at"),
    evidence: text("evidence", { mode: "json" }).$type<Evidence[]>().notNull(),
    humanInputRequest: text("human_input_request", { mode: "json" }).$type<HumanInputRequest>(),
    humanInputResponse: text("human_input_response", { mode: "json" }).$type<HumanInputResponse>(),
    /** True when the feature passed without a check (`allowUncheckedPass`); false when it is not passing. */
    unverified: integer("unverified", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (table) => [index("features_status").on(table.status)],
);

/** One row per dependency edge: `featureId` depends on `dependsOnId` (which may be missing in imported data). */
export const featureDependencies = sqliteTable(
  "feature_dependencies",
  {
    featureId: integer("feature_id")
      .notNull()
      .references(() => features.id, { onDelete: "cascade" }),
    dependsOnId: integer("depends_on_id").notNull(),
    position: integer("position").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.featureId, table.dependsOnId] }),
    index("feature_dependencies_depends_on").on(table.dependsOnId),
  ],
);

/** Agent sessions: who ran, on what, with which model, how it ended and what it cost. */
export const sessions = sqliteTable("sessions", {
  id: text("id").primaryKey(),
  role: text("role").notNull(),
  featureIds: text("feature_ids", { mode: "json" }).$type<number[]>().notNull(),
  model: text("model"),
  provider: text("provider").notNull(),
  startedAt: text("started_at").notNull(),
  endedAt: text("ended_at"),
  outcome: text("outcome"),
  summary: text("summary"),
  inputTokens: integer("input_tokens").notNull(),
  outputTokens: integer("output_tokens").notNull(),
  /** Null when the cost is unknown (a model without a price). */
  costUsd: real("cost_usd"),
});

/** The append-only log of durable events; `seq` is monotonic and never reused. */
export const events = sqliteTable("events", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  at: text("at").notNull(),
  type: text("type").$type<DurableEventType>().notNull(),
  data: text("data", { mode: "json" }).$type<unknown>().notNull(),
});

/**
 * Run schedules: a window starts at `startTime` (HH:MM, local to `timeZone`, an IANA name) on the days of
 * `daysOfWeek` (bit 0 = Monday … bit 6 = Sunday, never 0) and lasts `durationMinutes` real minutes (at most 7 days).
 */
export const schedules = sqliteTable("schedules", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  startTime: text("start_time").notNull(),
  durationMinutes: integer("duration_minutes").notNull(),
  daysOfWeek: integer("days_of_week").notNull(),
  timeZone: text("time_zone").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  yolo: integer("yolo", { mode: "boolean" }).notNull(),
  model: text("model"),
  maxConcurrency: integer("max_concurrency").notNull(),
  crashCount: integer("crash_count").notNull(),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** Settings of the project itself, one row per key (`test_command`: the project's test command). */
export const projectSettings = sqliteTable("project_settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: text("updated_at").notNull(),
});
