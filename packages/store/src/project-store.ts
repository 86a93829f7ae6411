/**
 * The per-project store: features and their dependencies, sessions, the durable event log. It is the only writer
 * of `<project>/.autowright/autowright.db`; every mutation appends its durable events in the same transaction, so
 * the log and the state never disagree and `seq` has no gaps.
 */
import { existsSync } from "node:fs";
import { type DependencyViolation, validateDependencyChanges } from "@autowright/domain";
import {
  AppError,
  type Feature,
  type FeatureId,
  type FeatureImportEntry,
  featureStatuses,
} from "@autowright/protocol";
import type BetterSqlite3 from "better-sqlite3";
import { asc, gt, sql } from "drizzle-orm";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { openDatabase } from "./connection.ts";
import { type ProjectPaths, projectPaths } from "./paths.ts";
import { projectMigrations } from "./project-migrations.ts";
import * as schema from "./project-schema.ts";

/** A durable event as stored in the log. */
export interface StoredEvent {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** Options for {@link ProjectStore.open}. */
export interface ProjectStoreOptions {
  /** Create the database when it does not exist (only `init` and imports do). Default false. */
  readonly create?: boolean;
  /** The clock; tests pass a fixed one. */
  readonly now?: () => Date;
}

type FeatureRow = typeof schema.features.$inferSelect;
type Transaction = Parameters<Parameters<BetterSQLite3Database<typeof schema>["transaction"]>[0]>[0];
type Database = BetterSQLite3Database<typeof schema> | Transaction;

/** The store of one project. Open it once per process; close it when done. */
export class ProjectStore {
  readonly paths: ProjectPaths;
  readonly #sqlite: BetterSqlite3.Database;
  readonly #database: BetterSQLite3Database<typeof schema>;
  readonly #now: () => Date;

  private constructor(paths: ProjectPaths, sqlite: BetterSqlite3.Database, now: () => Date) {
    this.paths = paths;
    this.#sqlite = sqlite;
    this.#database = drizzle(sqlite, { schema });
    this.#now = now;
  }

  /** Opens the store of the project rooted at `root` (absolute and resolved). */
  static open(root: string, options: ProjectStoreOptions = {}): ProjectStore {
    const paths = projectPaths(root);
    if (options.create !== true && !existsSync(paths.database)) {
      throw new AppError(
        "project_not_found",
        `${root} is not an autowright project (no ${paths.database}); run \`autowright init ${root}\` first`,
      );
    }
    const sqlite = openDatabase(paths.database, projectMigrations, { create: options.create === true });
    return new ProjectStore(paths, sqlite, options.now ?? (() => new Date()));
  }

  /** Closes the database. */
  close(): void {
    this.#sqlite.close();
  }

  /** Every feature, by id. */
  listFeatures(): Feature[] {
    return this.#readFeatures(this.#database);
  }

  /** One feature, or undefined. */
  getFeature(id: FeatureId): Feature | undefined {
    const row = this.#database.select().from(schema.features).where(sql`${schema.features.id} = ${id}`).get();
    if (row === undefined) return undefined;
    const dependencies = this.#database
      .select({ dependsOnId: schema.featureDependencies.dependsOnId })
      .from(schema.featureDependencies)
      .where(sql`${schema.featureDependencies.featureId} = ${id}`)
      .orderBy(asc(schema.featureDependencies.position))
      .all()
      .map((edge) => edge.dependsOnId);
    return toFeature(row, dependencies);
  }

  /** How many features the backlog has. */
  countFeatures(): number {
    const row = this.#database.select({ count: sql<number>`count(*)` }).from(schema.features).get();
    return row?.count ?? 0;
  }

  /**
   * Adds features from an import file, all or nothing. Entries may depend on ids already in the backlog
   * (`dependencies`) and on other entries of the same file (`dependsOnIndices`). Any bad entry rejects the whole
   * file with a message naming it, and the backlog is unchanged.
   */
  importFeatures(
    entries: readonly FeatureImportEntry[],
    options: { maxDependenciesPerFeature: number },
  ): Feature[] {
    const run = this.#database.transaction(
      (transaction) => {
        const graph = this.#readGraph(transaction);
        const firstId = this.#nextFeatureId(transaction);
        const firstPriority = this.#nextPriority(transaction);
        const describe = (index: number): string =>
          `entry ${index} (${JSON.stringify(entries[index]?.name ?? "")})`;
        const problems: string[] = [];
        const changes = new Map<FeatureId, FeatureId[]>();
        entries.forEach((entry, index) => {
          const dependencies = [...entry.dependencies];
          for (const dependencyIndex of entry.dependsOnIndices) {
            if (dependencyIndex >= entries.length) {
              problems.push(
                `${describe(index)}: depends on index ${dependencyIndex}, but the file has ${entries.length} entries`,
              );
            } else if (dependencyIndex === index) {
              problems.push(`${describe(index)}: depends on its own index ${index}`);
            } else {
              dependencies.push(firstId + dependencyIndex);
            }
          }
          changes.set(firstId + index, dependencies);
        });
        if (problems.length === 0) {
          for (const violation of validateDependencyChanges({
            graph,
            changes,
            maxPerFeature: options.maxDependenciesPerFeature,
          })) {
            problems.push(
              `${describe(violation.featureId - firstId)}: ${describeViolation(violation, firstId, entries.length)}`,
            );
          }
        }
        if (problems.length > 0) {
          throw new AppError(
            "invalid_input",
            `the import was rejected, nothing was changed: ${problems.join("; ")}`,
            {
              details: { problems },
            },
          );
        }
        const at = this.#now().toISOString();
        const rows = entries.map((entry, index) => ({
          id: firstId + index,
          priority: entry.priority ?? firstPriority + index,
          category: entry.category,
          name: entry.name,
          description: entry.description,
          steps: entry.steps,
          verify: entry.verify,
          status: "pending" as const,
          attempts: 0,
          evidence: [],
          createdAt: at,
          updatedAt: at,
        }));
        return this.#insertFeatures(transaction, rows, changes, at);
      },
      { behavior: "immediate" },
    );
    return run;
  }

  /**
   * Inserts features exactly as given (ids, statuses, dependencies), without dependency validation. Only for
   * importing another tool's backlog, whose graph may already hold cycles or missing ids: they are kept so the
   * stall report can show them to the user. Refused when the backlog is not empty.
   */
  insertFeaturesVerbatim(featuresToInsert: readonly Feature[]): Feature[] {
    return this.#database.transaction(
      (transaction) => {
        const existing = transaction.select({ count: sql<number>`count(*)` }).from(schema.features).get();
        if ((existing?.count ?? 0) > 0) {
          throw new AppError(
            "conflict",
            `the backlog already has ${existing?.count} features; import into an empty project`,
          );
        }
        const at = this.#now().toISOString();
        const rows = featuresToInsert.map((feature) => ({
          id: feature.id,
          priority: feature.priority,
          category: feature.category,
          name: feature.name,
          description: feature.description,
          steps: feature.steps,
          verify: feature.verify,
          status: feature.status,
          attempts: feature.attempts,
          lastError: feature.lastError,
          leaseOwner: feature.lease?.owner ?? null,
          leaseExpiresAt: feature.lease?.expiresAt ?? null,
          evidence: feature.evidence,
          humanInputRequest: feature.humanInput?.request ?? null,
          humanInputResponse: feature.humanInput?.response ?? null,
          createdAt: feature.createdAt,
          updatedAt: feature.updatedAt,
        }));
        const dependencies = new Map(
          featuresToInsert.map((feature) => [feature.id, [...feature.dependencies]]),
        );
        return this.#insertFeatures(transaction, rows, dependencies, at);
      },
      { behavior: "immediate" },
    );
  }

  /** Appends a durable event outside any other change; returns its `seq`. */
  appendEvent(type: string, data: Record<string, unknown>): number {
    return appendEvent(this.#database, type, data, this.#now().toISOString());
  }

  /** Durable events with `seq` greater than `sinceSeq`, oldest first. */
  eventsSince(sinceSeq: number, limit = 10_000): StoredEvent[] {
    return this.#database
      .select()
      .from(schema.events)
      .where(gt(schema.events.seq, sinceSeq))
      .orderBy(asc(schema.events.seq))
      .limit(limit)
      .all();
  }

  /** The `seq` of the newest durable event, 0 when the log is empty. */
  lastSeq(): number {
    const row = this.#database
      .select({ seq: sql<number | null>`max(${schema.events.seq})` })
      .from(schema.events)
      .get();
    return row?.seq ?? 0;
  }

  #readFeatures(database: Database): Feature[] {
    const rows = database.select().from(schema.features).orderBy(asc(schema.features.id)).all();
    const graph = this.#readGraph(database);
    return rows.map((row) => toFeature(row, graph.get(row.id) ?? []));
  }

  #readGraph(database: Database): Map<FeatureId, FeatureId[]> {
    const graph = new Map<FeatureId, FeatureId[]>();
    for (const { id } of database.select({ id: schema.features.id }).from(schema.features).all())
      graph.set(id, []);
    const edges = database
      .select()
      .from(schema.featureDependencies)
      .orderBy(asc(schema.featureDependencies.featureId), asc(schema.featureDependencies.position))
      .all();
    for (const edge of edges) graph.get(edge.featureId)?.push(edge.dependsOnId);
    return graph;
  }

  #nextFeatureId(database: Database): number {
    // AUTOINCREMENT keeps ids of deleted features retired; honour its counter as well as the current maximum.
    const counter = database.get<{ seq: number | null }>(
      sql`SELECT max(seq) AS seq FROM sqlite_sequence WHERE name = 'features'`,
    );
    const maximum = database
      .select({ id: sql<number | null>`max(${schema.features.id})` })
      .from(schema.features)
      .get();
    return Math.max(counter?.seq ?? 0, maximum?.id ?? 0) + 1;
  }

  #nextPriority(database: Database): number {
    const row = database
      .select({ priority: sql<number | null>`max(${schema.features.priority})` })
      .from(schema.features)
      .get();
    return (row?.priority ?? 0) + 1;
  }

  #insertFeatures(
    database: Database,
    rows: (typeof schema.features.$inferInsert & { id: number })[],
    dependencies: ReadonlyMap<FeatureId, readonly FeatureId[]>,
    at: string,
  ): Feature[] {
    if (rows.length === 0) return [];
    for (let start = 0; start < rows.length; start += 500) {
      database
        .insert(schema.features)
        .values(rows.slice(start, start + 500))
        .run();
    }
    const edges = rows.flatMap((row) =>
      (dependencies.get(row.id) ?? []).map((dependsOnId, position) => ({
        featureId: row.id,
        dependsOnId,
        position,
      })),
    );
    for (let start = 0; start < edges.length; start += 500) {
      database
        .insert(schema.featureDependencies)
        .values(edges.slice(start, start + 500))
        .run();
    }
    const ids = new Set(rows.map((row) => row.id));
    const created = this.#readFeatures(database).filter((feature) => ids.has(feature.id));
    for (const feature of created) appendEvent(database, "feature.created", { feature }, at);
    return created;
  }
}

function appendEvent(database: Database, type: string, data: Record<string, unknown>, at: string): number {
  const row = database
    .insert(schema.events)
    .values({ at, type, data })
    .returning({ seq: schema.events.seq })
    .get();
  return row.seq;
}

const knownStatuses: ReadonlySet<string> = new Set(featureStatuses);

function toFeature(row: FeatureRow, dependencies: FeatureId[]): Feature {
  if (!knownStatuses.has(row.status)) {
    throw new AppError(
      "database_error",
      `feature ${row.id} has an unknown status ${JSON.stringify(row.status)}`,
    );
  }
  return {
    id: row.id,
    priority: row.priority,
    category: row.category,
    name: row.name,
    description: row.description,
    steps: row.steps,
    dependencies,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    lease:
      row.leaseOwner !== null && row.leaseExpiresAt !== null
        ? { owner: row.leaseOwner, expiresAt: row.leaseExpiresAt }
        : null,
    evidence: row.evidence,
    humanInput:
      row.humanInputRequest !== null
        ? { request: row.humanInputRequest, response: row.humanInputResponse }
        : null,
    verify: row.verify,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Says what is wrong with an import entry, naming other entries by index and existing features by id. */
function describeViolation(violation: DependencyViolation, firstId: number, count: number): string {
  const label = (id: FeatureId): string =>
    id >= firstId && id < firstId + count ? `entry ${id - firstId}` : `feature ${id}`;
  const dependency = violation.dependencyId === undefined ? "?" : label(violation.dependencyId);
  switch (violation.code) {
    case "dependency_self":
      return "depends on itself";
    case "dependency_unknown":
      return `depends on ${dependency}, which is not in the backlog`;
    case "dependency_duplicate":
      return `lists ${dependency} more than once`;
    case "dependency_limit":
      return violation.message;
    case "dependency_cycle": {
      const cycle = violation.cycle ?? [];
      return `dependencies would form a cycle: ${[...cycle, ...cycle.slice(0, 1)].map(label).join(" → ")}`;
    }
  }
}
