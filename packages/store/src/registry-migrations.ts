/** The registry's schema history. Append new migrations; never edit one that has shipped. */
import type { Migration } from "./migrations.ts";

/** Every migration of the registry database, in order. */
export const registryMigrations: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
CREATE TABLE projects (
  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 50),
  path TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at TEXT NOT NULL
);
`,
  },
];
