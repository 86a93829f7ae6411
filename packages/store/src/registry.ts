/**
 * The global registry in `$AUTOWRIGHT_HOME/registry.db`: which projects exist (name → resolved path) and the
 * global settings. Secrets are not kept here.
 */
import {
  AppError,
  formatZodError,
  type Project,
  projectNameSchema,
  type Settings,
  type SettingsPatch,
  settingsSchema,
} from "@autowright/protocol";
import type BetterSqlite3 from "better-sqlite3";
import { asc, eq } from "drizzle-orm";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { openDatabase } from "./connection.ts";
import { registryPath } from "./paths.ts";
import { registryMigrations } from "./registry-migrations.ts";
import * as schema from "./registry-schema.ts";

/** The registry of one `$AUTOWRIGHT_HOME`. */
export class Registry {
  readonly home: string;
  readonly #sqlite: BetterSqlite3.Database;
  readonly #database: BetterSQLite3Database<typeof schema>;
  readonly #now: () => Date;

  private constructor(home: string, sqlite: BetterSqlite3.Database, now: () => Date) {
    this.home = home;
    this.#sqlite = sqlite;
    this.#database = drizzle(sqlite, { schema });
    this.#now = now;
  }

  /** Opens (creating when needed) the registry in `home`, which must be an absolute path. */
  static open(home: string, options: { now?: () => Date } = {}): Registry {
    const sqlite = openDatabase(registryPath(home), registryMigrations, { create: true });
    return new Registry(home, sqlite, options.now ?? (() => new Date()));
  }

  /** Closes the database. */
  close(): void {
    this.#sqlite.close();
  }

  /**
   * Registers a project. The same name at the same path is a no-op that returns the existing entry; a name or a
   * path that is already taken by another entry is refused.
   */
  registerProject(input: { name: string; path: string }): { project: Project; created: boolean } {
    const name = parseProjectName(input.name);
    return this.#database.transaction(
      (transaction) => {
        const byName = transaction.select().from(schema.projects).where(eq(schema.projects.name, name)).get();
        const byPath = transaction
          .select()
          .from(schema.projects)
          .where(eq(schema.projects.path, input.path))
          .get();
        if (byName !== undefined && byName.path === input.path) return { project: byName, created: false };
        if (byName !== undefined) {
          throw new AppError(
            "project_exists",
            `a project named ${name} is already registered at ${byName.path}`,
          );
        }
        if (byPath !== undefined) {
          throw new AppError(
            "project_exists",
            `${input.path} is already registered as project ${byPath.name}`,
          );
        }
        const project: Project = { name, path: input.path, createdAt: this.#now().toISOString() };
        transaction.insert(schema.projects).values(project).run();
        return { project, created: true };
      },
      { behavior: "immediate" },
    );
  }

  /** The project with this name, or undefined. */
  getProject(name: string): Project | undefined {
    return this.#database.select().from(schema.projects).where(eq(schema.projects.name, name)).get();
  }

  /** The project registered at this resolved path, or undefined. */
  findProjectByPath(path: string): Project | undefined {
    return this.#database.select().from(schema.projects).where(eq(schema.projects.path, path)).get();
  }

  /** Every registered project, by name. */
  listProjects(): Project[] {
    return this.#database.select().from(schema.projects).orderBy(asc(schema.projects.name)).all();
  }

  /** Removes a project from the registry (its files are left alone). Returns false when it was not registered. */
  unregisterProject(name: string): boolean {
    return this.#database.delete(schema.projects).where(eq(schema.projects.name, name)).run().changes > 0;
  }

  /** The global settings, defaults applied. A stored value that no longer validates falls back to its default. */
  getSettings(): Settings {
    const stored: Record<string, unknown> = {};
    for (const row of this.#database.select().from(schema.settings).all()) stored[row.key] = row.value;
    const parsed = settingsSchema.safeParse(stored);
    if (parsed.success) return parsed.data;
    const defaults = settingsSchema.parse({});
    const merged: Record<string, unknown> = { ...defaults };
    for (const [key, value] of Object.entries(stored)) {
      if (settingsSchema.safeParse({ ...merged, [key]: value }).success) merged[key] = value;
    }
    return settingsSchema.parse(merged);
  }

  /** Applies a partial update; the result must validate as a whole or nothing is written. */
  updateSettings(patch: SettingsPatch): Settings {
    const current = this.getSettings();
    const next = settingsSchema.safeParse({
      ...current,
      ...patch,
      models: { ...current.models, ...(patch.models ?? {}) },
    });
    if (!next.success) throw new AppError("invalid_input", `invalid settings: ${formatZodError(next.error)}`);
    const at = this.#now().toISOString();
    this.#database.transaction((transaction) => {
      for (const key of Object.keys(patch) as (keyof SettingsPatch)[]) {
        const value = next.data[key];
        transaction
          .insert(schema.settings)
          .values({ key, value, updatedAt: at })
          .onConflictDoUpdate({ target: schema.settings.key, set: { value, updatedAt: at } })
          .run();
      }
    });
    return next.data;
  }
}

/** Validates a project name, throwing `invalid_project_name` with the rule in the message. */
export function parseProjectName(name: string): string {
  const parsed = projectNameSchema.safeParse(name);
  if (!parsed.success) {
    throw new AppError(
      "invalid_project_name",
      `invalid project name ${JSON.stringify(name)}: use 1 to 50 letters, digits, '_' or '-'`,
    );
  }
  return parsed.data;
}
