/**
 * Builds AutoForge projects the way AutoForge leaves them on disk: `features.db` with AutoForge's own schema
 * (HEAD, or an older one without the later columns) and its prompts, for import tests.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

/** One AutoForge feature row. Unset fields take AutoForge's defaults. */
export interface AutoforgeFeatureRow {
  id: number;
  name: string;
  priority?: number;
  category?: string;
  description?: string;
  steps?: unknown;
  passes?: boolean;
  inProgress?: boolean;
  dependencies?: unknown;
  needsHumanInput?: boolean;
  humanInputRequest?: unknown;
  humanInputResponse?: unknown;
}

/** How to lay the project out. */
export interface AutoforgeFixtureOptions {
  /** `.autoforge` (HEAD), `.autocoder` (before the rename) or `.` (oldest layout). Default `.autoforge`. */
  layout?: ".autoforge" | ".autocoder" | ".";
  /** `head` has every column; `legacy` lacks in_progress, dependencies and the human-input columns. */
  schema?: "head" | "legacy";
  /** Prompt files to write (name → text), e.g. `app_spec.txt`. */
  prompts?: Record<string, string>;
  /** Leave the database in WAL mode with an open -wal file, as a running AutoForge does. */
  wal?: boolean;
}

const headSchema = `
CREATE TABLE features (
  id INTEGER NOT NULL PRIMARY KEY,
  priority INTEGER NOT NULL DEFAULT 999,
  category VARCHAR(100) NOT NULL,
  name VARCHAR(255) NOT NULL,
  description TEXT NOT NULL,
  steps JSON NOT NULL,
  passes BOOLEAN NOT NULL DEFAULT 0,
  in_progress BOOLEAN NOT NULL DEFAULT 0,
  dependencies JSON,
  needs_human_input BOOLEAN NOT NULL DEFAULT 0,
  human_input_request JSON,
  human_input_response JSON
);
CREATE INDEX ix_feature_status ON features (passes, in_progress, needs_human_input);
CREATE TABLE schedules (id INTEGER PRIMARY KEY, project_name VARCHAR(50), start_time VARCHAR(5), duration_minutes INTEGER);
`;

const legacySchema = `
CREATE TABLE features (
  id INTEGER NOT NULL PRIMARY KEY,
  priority INTEGER NOT NULL DEFAULT 999,
  category VARCHAR(100) NOT NULL,
  name VARCHAR(255) NOT NULL,
  description TEXT NOT NULL,
  steps JSON NOT NULL,
  passes BOOLEAN NOT NULL DEFAULT 0
);
`;

/** Writes an AutoForge project into `root`; returns the database path. */
export function writeAutoforgeProject(
  root: string,
  rows: readonly AutoforgeFeatureRow[],
  options: AutoforgeFixtureOptions = {},
): string {
  const layout = options.layout ?? ".autoforge";
  const directory = join(root, layout);
  mkdirSync(directory, { recursive: true });
  const path = join(directory, "features.db");
  const database = new Database(path);
  if (options.wal === true) database.pragma("journal_mode = WAL");
  const legacy = options.schema === "legacy";
  database.exec(legacy ? legacySchema : headSchema);
  const json = (value: unknown): string | null =>
    value === undefined ? null : typeof value === "string" ? value : JSON.stringify(value);
  const insert = legacy
    ? database.prepare(
        "INSERT INTO features (id, priority, category, name, description, steps, passes) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
    : database.prepare(
        `INSERT INTO features (id, priority, category, name, description, steps, passes, in_progress, dependencies,
           needs_human_input, human_input_request, human_input_response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
  for (const row of rows) {
    const base = [
      row.id,
      row.priority ?? 999,
      row.category ?? "functional",
      row.name,
      row.description ?? `${row.name} works`,
      json(row.steps ?? ["Open the app", `Check that ${row.name} works`]),
      row.passes === true ? 1 : 0,
    ];
    if (legacy) insert.run(...base);
    else {
      insert.run(
        ...base,
        row.inProgress === true ? 1 : 0,
        json(row.dependencies),
        row.needsHumanInput === true ? 1 : 0,
        json(row.humanInputRequest),
        json(row.humanInputResponse),
      );
    }
  }
  if (options.wal !== true) database.close();
  // With wal: the connection is deliberately left open until the process ends, like a live AutoForge.
  const promptDirectory = layout === "." ? join(root, "prompts") : join(directory, "prompts");
  if (options.prompts !== undefined) {
    mkdirSync(promptDirectory, { recursive: true });
    for (const [name, text] of Object.entries(options.prompts))
      writeFileSync(join(promptDirectory, name), text);
  }
  return path;
}
