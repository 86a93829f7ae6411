/** Opening SQLite files the same way everywhere: WAL, foreign keys, a busy timeout, then migrations. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { AppError } from "@autowright/protocol";
import Database from "better-sqlite3";
import { type Migration, migrate } from "./migrations.ts";

/** Opens (creating if asked) a database file, sets the pragmas and applies the migrations. */
export function openDatabase(
  path: string,
  migrations: readonly Migration[],
  options: { create: boolean },
): Database.Database {
  if (options.create) mkdirSync(dirname(path), { recursive: true });
  let database: Database.Database;
  try {
    database = new Database(path, { fileMustExist: !options.create });
  } catch (error) {
    throw new AppError("database_error", `cannot open database ${path}: ${String(error)}`, { cause: error });
  }
  try {
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
    database.pragma("busy_timeout = 5000");
    migrate(database, migrations);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}
