/** Invariant: a database is upgraded in place, one recorded version at a time, and never dropped or guessed at. */
import { join } from "node:path";
import { AppError } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { type Migration, migrate } from "./migrations.ts";

const version1: Migration = {
  version: 1,
  name: "notes",
  sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);",
};
const version2: Migration = {
  version: 2,
  name: "note-tags",
  sql: "ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT 'none';",
};

describe("migrate", () => {
  it("upgrades an old database in place and keeps its rows", () => {
    using directory = temporaryDirectory();
    const path = join(directory.path, "test.db");
    const old = new Database(path);
    expect(migrate(old, [version1])).toEqual({ fromVersion: 0, toVersion: 1, applied: ["notes"] });
    old.prepare("INSERT INTO notes (text) VALUES (?)").run("kept");
    old.close();

    const upgraded = new Database(path);
    expect(migrate(upgraded, [version1, version2])).toEqual({
      fromVersion: 1,
      toVersion: 2,
      applied: ["note-tags"],
    });
    expect(upgraded.prepare("SELECT text, tag FROM notes").all()).toEqual([{ text: "kept", tag: "none" }]);
    expect(upgraded.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all()).toEqual([
      { version: 1, name: "notes" },
      { version: 2, name: "note-tags" },
    ]);
    expect(migrate(upgraded, [version1, version2]).applied).toEqual([]);
    upgraded.close();
  });

  it("refuses a database written by a newer version", () => {
    const database = new Database(":memory:");
    migrate(database, [version1, version2]);
    expect(() => migrate(database, [version1])).toThrow(
      /schema version 2, newer than this autowright understands \(1\)/,
    );
  });

  it("rolls a failing migration back and reports migration_failed", () => {
    const database = new Database(":memory:");
    migrate(database, [version1]);
    const broken: Migration = {
      version: 2,
      name: "broken",
      sql: "ALTER TABLE notes ADD COLUMN a TEXT; THIS IS NOT SQL;",
    };
    let caught: unknown;
    try {
      migrate(database, [version1, broken]);
    } catch (error) {
      caught = error;
    }
    expect(AppError.isInstance(caught) && caught.code).toBe("migration_failed");
    const columns = database.prepare("PRAGMA table_info(notes)").all() as { name: string }[];
    expect(columns.map((column) => column.name)).toEqual(["id", "text"]);
    expect(database.prepare("SELECT max(version) AS version FROM schema_migrations").get()).toEqual({
      version: 1,
    });
  });

  it("rejects a migration list whose versions are out of order", () => {
    const database = new Database(":memory:");
    expect(() => migrate(database, [version2])).toThrow(/expected 1/);
  });
});
