/**
 * Versioned migrations. Each database records what it has applied in `schema_migrations`; opening a database
 * applies the missing versions in order, each in its own transaction, so an old database is upgraded in place and
 * never dropped. A database written by a newer autowright is refused rather than guessed at.
 */
import { AppError } from "@autowright/protocol";
import type BetterSqlite3 from "better-sqlite3";

/** One migration: a version (1, 2, 3…), a short name and the SQL that moves the schema forward. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** What {@link migrate} did. */
export interface MigrationResult {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly applied: readonly string[];
}

/** Applies the migrations a database is missing. Throws `migration_failed` on a newer or broken database. */
export function migrate(database: BetterSqlite3.Database, migrations: readonly Migration[]): MigrationResult {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new AppError(
        "internal_error",
        `migration ${migration.name} has version ${migration.version}, expected ${index + 1}`,
      );
    }
  });
  database.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
  );
  const row = database.prepare("SELECT MAX(version) AS version FROM schema_migrations").get() as {
    version: number | null;
  };
  const fromVersion = row.version ?? 0;
  const latest = migrations.length;
  if (fromVersion > latest) {
    throw new AppError(
      "migration_failed",
      `this database is at schema version ${fromVersion}, newer than this autowright understands (${latest}); upgrade autowright`,
    );
  }
  const applied: string[] = [];
  const record = database.prepare(
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
  );
  for (const migration of migrations.slice(fromVersion)) {
    const apply = database.transaction(() => {
      database.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    });
    try {
      apply.immediate();
    } catch (error) {
      throw new AppError(
        "migration_failed",
        `migration ${migration.version} (${migration.name}) failed: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
    applied.push(migration.name);
  }
  return { fromVersion, toVersion: latest, applied };
}
