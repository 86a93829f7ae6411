/** The per-project schema history. Append new migrations; never edit one that has shipped. */
import type { Migration } from "./migrations.ts";

/** Every migration of the per-project database, in order. */
export const projectMigrations: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
CREATE TABLE features (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  priority INTEGER NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  description TEXT NOT NULL DEFAULT '',
  steps TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(steps)),
  verify TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(verify)),
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending','in_progress','verifying','passing','failed','needs_input','regressed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error TEXT,
  lease_owner TEXT,
  lease_expires_at TEXT,
  evidence TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(evidence)),
  human_input_request TEXT,
  human_input_response TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
);
CREATE INDEX features_status ON features (status);
CREATE TABLE feature_dependencies (
  feature_id INTEGER NOT NULL REFERENCES features (id) ON DELETE CASCADE,
  depends_on_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (feature_id, depends_on_id)
);
CREATE INDEX feature_dependencies_depends_on ON feature_dependencies (depends_on_id);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  feature_ids TEXT NOT NULL DEFAULT '[]',
  model TEXT,
  provider TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  outcome TEXT,
  summary TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0
);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL CHECK (json_valid(data))
);
CREATE TABLE schedules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  start_time TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]'),
  duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
  days_of_week INTEGER NOT NULL CHECK (days_of_week BETWEEN 1 AND 127),
  enabled INTEGER NOT NULL DEFAULT 1,
  yolo INTEGER NOT NULL DEFAULT 0,
  model TEXT,
  max_concurrency INTEGER NOT NULL DEFAULT 3 CHECK (max_concurrency >= 1),
  crash_count INTEGER NOT NULL DEFAULT 0 CHECK (crash_count >= 0),
  created_at TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: "project-settings",
    sql: `
CREATE TABLE project_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`,
  },
  {
    version: 3,
    name: "feature-unverified",
    sql: `
ALTER TABLE features ADD COLUMN unverified INTEGER NOT NULL DEFAULT 0 CHECK (unverified IN (0, 1));
`,
  },
  {
    version: 4,
    name: "session-cost-unknown",
    // SQLite cannot drop a NOT NULL in place: the table is rebuilt (nothing references it). A NULL cost is unknown.
    sql: `
CREATE TABLE sessions_new (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  feature_ids TEXT NOT NULL DEFAULT '[]',
  model TEXT,
  provider TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  outcome TEXT,
  summary TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL DEFAULT 0 CHECK (cost_usd IS NULL OR cost_usd >= 0)
);
INSERT INTO sessions_new SELECT id, role, feature_ids, model, provider, started_at, ended_at, outcome, summary,
  input_tokens, output_tokens, cost_usd FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
`,
  },
  {
    version: 5,
    name: "schedule-time-zones",
    // Rebuilt to widen the duration CHECK to seven days and add the time zone (earlier start times were UTC). The
    // id high-water mark is carried over so ids of deleted schedules are never reused.
    sql: `
CREATE TABLE schedules_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  start_time TEXT NOT NULL CHECK (start_time GLOB '[0-2][0-9]:[0-5][0-9]' AND start_time <= '23:59'),
  duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 1 AND 10080),
  days_of_week INTEGER NOT NULL CHECK (days_of_week BETWEEN 1 AND 127),
  time_zone TEXT NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 100),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  yolo INTEGER NOT NULL DEFAULT 0 CHECK (yolo IN (0, 1)),
  model TEXT,
  max_concurrency INTEGER NOT NULL DEFAULT 3 CHECK (max_concurrency >= 1),
  crash_count INTEGER NOT NULL DEFAULT 0 CHECK (crash_count >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
INSERT INTO schedules_new (id, start_time, duration_minutes, days_of_week, time_zone, enabled, yolo, model,
  max_concurrency, crash_count, created_at, updated_at)
  SELECT id, start_time, duration_minutes, days_of_week, 'UTC', enabled, yolo, model, max_concurrency, crash_count,
    created_at, created_at FROM schedules;
DELETE FROM sqlite_sequence WHERE name = 'schedules_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'schedules_new', seq FROM sqlite_sequence WHERE name = 'schedules';
DROP TABLE schedules;
ALTER TABLE schedules_new RENAME TO schedules;
`,
  },
];
