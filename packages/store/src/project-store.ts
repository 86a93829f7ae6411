/**
 * The per-project store: features and their dependencies, sessions, the durable event log. It is the only writer
 * of `<project>/.autowright/autowright.db`; every mutation appends its durable events in the same transaction, so
 * the log and the state never disagree and `seq` has no gaps.
 */
import { existsSync } from "node:fs";
import {
  assertTransition,
  type DependencyViolation,
  isLeaseActive,
  validateDependencyChanges,
} from "@autowright/domain";
import {
  AppError,
  agentRoleSchema,
  type DurableEventType,
  type EventData,
  type Evidence,
  type Feature,
  type FeatureId,
  type FeatureImportEntry,
  type FeatureStatus,
  featureStatuses,
  type HumanInputRequest,
  type HumanInputResponse,
  type Lease,
  type SessionId,
  type SessionRecord,
  sessionOutcomeSchema,
  type TestCommand,
  type Usage,
} from "@autowright/protocol";
import type BetterSqlite3 from "better-sqlite3";
import { and, asc, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { openDatabase } from "./connection.ts";
import { type ProjectPaths, projectPaths } from "./paths.ts";
import { projectMigrations } from "./project-migrations.ts";
import * as schema from "./project-schema.ts";
import { ScheduleRepository } from "./schedule-repository.ts";

/** A durable event as stored in the log. */
export type StoredEvent = {
  [T in DurableEventType]: {
    readonly seq: number;
    readonly at: string;
    readonly type: T;
    readonly data: EventData<T>;
  };
}[DurableEventType];

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

/** Who changes a feature: a session, which must hold the feature's lease, or the orchestrator, which may change any. */
export type FeatureActor =
  | { readonly kind: "session"; readonly sessionId: SessionId }
  | { readonly kind: "orchestrator" };

/** Options of {@link ProjectStore.claimFeature}. */
export interface ClaimOptions {
  /** The session taking the lease. */
  readonly owner: SessionId;
  /** When the lease expires unless renewed (ISO-8601). */
  readonly expiresAt: string;
  /** A pending feature with this many attempts or more cannot be claimed. */
  readonly maxAttempts: number;
}

/** What {@link ProjectStore.claimFeature} returns. */
export interface ClaimResult {
  readonly feature: Feature;
  /** True when the owner already held the lease (then only a held `regressed` feature changes, to `in_progress`). */
  readonly alreadyClaimed: boolean;
}

/** A status change for {@link ProjectStore.changeFeatureStatus}. */
export interface StatusChange {
  /** The new status; the move must be allowed by `assertTransition`. */
  readonly to: FeatureStatus;
  /** Who makes the change. */
  readonly actor: FeatureActor;
  /** Apply the change only from one of these statuses (else `invalid_transition`); any allowed one when absent. */
  readonly from?: readonly FeatureStatus[];
  /** The new `lastError` (`null` clears it); unchanged when absent. */
  readonly lastError?: string | null;
  /** Count one more attempt. */
  readonly countAttempt?: boolean;
  /** Evidence to append. */
  readonly evidence?: readonly Evidence[];
  /** A question for a person; replaces any earlier request and clears its answer. */
  readonly humanInputRequest?: HumanInputRequest;
  /** A person's answer to the stored request. */
  readonly humanInputResponse?: HumanInputResponse;
  /** A new priority, or `"last"` for the end of the queue (the largest priority + 1). */
  readonly priority?: number | "last";
  /**
   * Only with `to: "passing"`: the feature passed without a check (`allowUncheckedPass`). Every status change
   * sets the feature's `unverified` flag: true only for a pass marked so, false otherwise.
   */
  readonly unverified?: boolean;
  /**
   * The lease afterwards: `"keep"`, `null` (release) or a new lease. Default: kept when the new status is
   * `in_progress`, `verifying` or `regressed`, released otherwise.
   */
  readonly lease?: "keep" | Lease | null;
}

type FeaturePatch = Partial<Omit<typeof schema.features.$inferInsert, "id" | "createdAt" | "updatedAt">>;

type EventRow = { seq: number; at: string; type: DurableEventType; data: string };

/** The event log's statements, prepared once: the log is on the hot path of every agent frame. */
interface EventStatements {
  readonly insert: BetterSqlite3.Statement<[at: string, type: DurableEventType, data: string]>;
  readonly since: BetterSqlite3.Statement<[sinceSeq: number, limit: number], EventRow>;
  readonly lastSeq: BetterSqlite3.Statement<[], { seq: number }>;
}

/** The store of one project. Open it once per process; close it when done. */
export class ProjectStore {
  readonly paths: ProjectPaths;
  readonly #sqlite: BetterSqlite3.Database;
  readonly #database: BetterSQLite3Database<typeof schema>;
  readonly #events: EventStatements;
  readonly #now: () => Date;

  private constructor(paths: ProjectPaths, sqlite: BetterSqlite3.Database, now: () => Date) {
    this.paths = paths;
    this.#sqlite = sqlite;
    this.#database = drizzle(sqlite, { schema });
    this.#events = {
      // Not `RETURNING seq` read with `get()`: measured, it kept the WAL auto-checkpoint from running (24 MB of
      // WAL after 3,000 appends) and the next read paid for it (~40 ms). `seq` is the rowid.
      insert: sqlite.prepare("INSERT INTO events (at, type, data) VALUES (?, ?, ?)"),
      since: sqlite.prepare("SELECT seq, at, type, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?"),
      lastSeq: sqlite.prepare("SELECT coalesce(max(seq), 0) AS seq FROM events"),
    };
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

  /** Closes the database. Every other method then throws `AppError("store_closed")`. Closing twice is a no-op. */
  close(): void {
    if (this.#sqlite.open) this.#sqlite.close();
  }

  /** True once {@link close} was called (or the connection was lost). */
  get closed(): boolean {
    return !this.#sqlite.open;
  }

  #schedules: ScheduleRepository | undefined;

  /** The project's run schedules. */
  get schedules(): ScheduleRepository {
    this.#assertOpen();
    this.#schedules ??= new ScheduleRepository(this.#database, {
      isOpen: () => this.#sqlite.open,
      now: () => this.#now(),
    });
    return this.#schedules;
  }

  /**
   * The project's test command as recorded by `project_set_test_command` (the initializer), with when it was
   * recorded; null when none was.
   */
  getTestCommand(): TestCommand | null {
    this.#assertOpen();
    const row = this.#database
      .select()
      .from(schema.projectSettings)
      .where(eq(schema.projectSettings.key, testCommandKey))
      .get();
    return row === undefined ? null : { command: row.value, recordedAt: row.updatedAt };
  }

  /**
   * Records the project's test command (one line, not empty: `invalid_input` otherwise), replacing any earlier
   * one, and appends `project.updated` in the same transaction. Returns what was recorded.
   */
  setTestCommand(command: string): TestCommand {
    this.#assertOpen();
    const trimmed = command.trim();
    if (trimmed === "" || /[\r\n]/.test(trimmed)) {
      throw new AppError("invalid_input", "the test command must be one line and not empty");
    }
    return this.#database.transaction(
      (transaction) => {
        const at = this.#now().toISOString();
        transaction
          .insert(schema.projectSettings)
          .values({ key: testCommandKey, value: trimmed, updatedAt: at })
          .onConflictDoUpdate({
            target: schema.projectSettings.key,
            set: { value: trimmed, updatedAt: at },
          })
          .run();
        const testCommand = { command: trimmed, recordedAt: at };
        appendEvent(this.#events, "project.updated", { testCommand }, at);
        return testCommand;
      },
      { behavior: "immediate" },
    );
  }

  /** Every feature, by id. */
  listFeatures(): Feature[] {
    this.#assertOpen();
    return this.#readFeatures(this.#database);
  }

  /** One feature, or undefined. */
  getFeature(id: FeatureId): Feature | undefined {
    this.#assertOpen();
    return this.#getFeature(this.#database, id);
  }

  /** How many features the backlog has. */
  countFeatures(): number {
    this.#assertOpen();
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
    this.#assertOpen();
    return this.createFeatures(entries, { ...options, source: "import" });
  }

  /**
   * Creates features from drafts (REST, MCP, the CLI, imports), all or nothing, in one immediate transaction.
   * Entries may depend on ids already in the backlog (`dependencies`) and on other entries of the same batch
   * (`dependsOnIndices`); every dependency is validated (no self-edge, unknown id, duplicate, cycle, or more than
   * the limit). Any bad entry rejects the whole batch with `invalid_input`, a message naming each entry at fault
   * (`the batch was rejected, nothing was changed: …`, or `the import …` for an import file) and
   * `details.problems`. Appends one `feature.created` per feature.
   */
  createFeatures(
    entries: readonly FeatureImportEntry[],
    options: { maxDependenciesPerFeature: number; source?: "batch" | "import" },
  ): Feature[] {
    this.#assertOpen();
    const [operation, container] = options.source === "import" ? ["import", "file"] : ["batch", "batch"];
    return this.#database.transaction(
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
                `${describe(index)}: depends on index ${dependencyIndex}, but the ${container} has ${entries.length} entries`,
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
            `the ${operation} was rejected, nothing was changed: ${problems.join("; ")}`,
            { details: { problems } },
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
  }

  /**
   * Inserts features exactly as given (ids, statuses, dependencies), without dependency validation. Only for
   * importing another tool's backlog, whose graph may already hold cycles or missing ids: they are kept so the
   * stall report can show them to the user. Refused when the backlog is not empty.
   */
  insertFeaturesVerbatim(featuresToInsert: readonly Feature[]): Feature[] {
    this.#assertOpen();
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
          unverified: feature.unverified,
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

  /** The store's clock (the `now` option), for callers that compute lease expiries. */
  now(): Date {
    this.#assertOpen();
    return this.#now();
  }

  /**
   * Takes a lease on a feature for `owner`, in one immediate transaction:
   * - `pending` (ready: every dependency passing, attempts below `maxAttempts`) or `regressed` → `in_progress`;
   * - `passing` → leased without a status change (a testing session guards it; it may then report a regression);
   * - `in_progress` with no lease, an expired one, or one of `owner` → the lease moves to `owner`.
   *
   * Idempotent: when `owner` already holds the lease, `alreadyClaimed` is true and nothing changes, except that a
   * `regressed` feature it holds moves to `in_progress` (a testing session starts fixing it). Refused with
   * `lease_held` when another owner holds an unexpired lease, `conflict` when a pending feature is blocked or out of
   * attempts, `invalid_transition` for any other status, and `feature_not_found`. Appends `feature.updated`.
   */
  claimFeature(id: FeatureId, options: ClaimOptions): ClaimResult {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => {
        const feature = this.#requireFeature(transaction, id);
        const now = this.#now();
        if (feature.lease?.owner === options.owner) {
          if (feature.status !== "regressed") return { feature, alreadyClaimed: true };
          return {
            feature: this.#writeFeature(transaction, id, { status: "in_progress" }, now),
            alreadyClaimed: true,
          };
        }
        if (feature.lease !== null && isLeaseActive(feature.lease, now.getTime())) {
          throw new AppError(
            "lease_held",
            `feature ${id} is leased by session ${feature.lease.owner} until ${feature.lease.expiresAt}`,
            { details: { owner: feature.lease.owner, expiresAt: feature.lease.expiresAt } },
          );
        }
        if (feature.status === "pending") {
          const unmet = this.#unmetDependencies(transaction, feature);
          if (unmet.length > 0) {
            throw new AppError(
              "feature_blocked",
              `feature ${id} is blocked: its dependencies ${unmet.join(", ")} do not pass yet`,
              { details: { blockedBy: unmet } },
            );
          }
          if (feature.attempts >= options.maxAttempts) {
            throw new AppError(
              "attempts_exhausted",
              `feature ${id} has used all ${options.maxAttempts} attempts; a person must retry it`,
              { details: { attempts: feature.attempts } },
            );
          }
        }
        const lease = { leaseOwner: options.owner, leaseExpiresAt: options.expiresAt };
        if (feature.status === "passing" || feature.status === "in_progress") {
          return { feature: this.#writeFeature(transaction, id, lease, now), alreadyClaimed: false };
        }
        assertTransition(feature.status, "in_progress");
        return {
          feature: this.#writeFeature(transaction, id, { ...lease, status: "in_progress" }, now),
          alreadyClaimed: false,
        };
      },
      { behavior: "immediate" },
    );
  }

  /**
   * Extends every lease `owner` holds to `expiresAt` (worker heartbeats); returns the renewed feature ids. Renewals
   * append no event: the durable log would otherwise grow by one event per feature per heartbeat, and the expiry
   * is bookkeeping that only the writer acts on.
   */
  renewLeases(owner: SessionId, expiresAt: string): FeatureId[] {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) =>
        transaction
          .update(schema.features)
          .set({ leaseExpiresAt: expiresAt })
          .where(eq(schema.features.leaseOwner, owner))
          .returning({ id: schema.features.id })
          .all()
          .map((row) => row.id)
          .sort((left, right) => left - right),
      { behavior: "immediate" },
    );
  }

  /**
   * Releases the lease on a feature: an `in_progress` feature goes back to `pending` (with `reason` as its
   * `lastError` when given), a `regressed` one is queued again (`pending`); any other status is kept. A session must
   * hold the lease (`lease_not_held`); the orchestrator may release any. Appends `feature.updated` (nothing
   * changes, and no event, when the feature has no lease).
   */
  releaseLease(id: FeatureId, options: { actor: FeatureActor; reason?: string }): Feature {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => {
        const feature = this.#requireFeature(transaction, id);
        if (options.actor.kind === "session") assertLeaseHeld(feature, options.actor.sessionId);
        if (feature.lease === null) return feature;
        return this.#writeFeature(transaction, id, releasePatch(feature, options.reason), this.#now());
      },
      { behavior: "immediate" },
    );
  }

  /** Releases every lease `owner` holds, as {@link releaseLease} does (a session ended); returns the changed features. */
  releaseLeases(owner: SessionId, options: { reason?: string } = {}): Feature[] {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => {
        const now = this.#now();
        return this.#readFeatures(transaction)
          .filter((feature) => feature.lease?.owner === owner)
          .map((feature) =>
            this.#writeFeature(transaction, feature.id, releasePatch(feature, options.reason), now),
          );
      },
      { behavior: "immediate" },
    );
  }

  /**
   * Changes a feature's status, in one immediate transaction. A session must hold the feature's lease
   * (`lease_not_held`; a lease names its owner even after it expires, until another session takes it over or it is
   * reclaimed); the orchestrator may change any feature. The move must start from one of `from` when given and be
   * allowed by the domain's status machine (`invalid_transition`). Optionally records `lastError`, counts an
   * attempt, appends evidence, stores a human-input request or answer, and moves the feature in the queue. The
   * lease is kept when the feature becomes `in_progress`, `verifying` or `regressed` and released otherwise, unless
   * `lease` says otherwise. Appends `feature.updated`.
   */
  changeFeatureStatus(id: FeatureId, change: StatusChange): Feature {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => {
        const feature = this.#requireFeature(transaction, id);
        if (change.actor.kind === "session") assertLeaseHeld(feature, change.actor.sessionId);
        if (change.from !== undefined && !change.from.includes(feature.status)) {
          throw new AppError(
            "invalid_transition",
            `feature ${id} is ${feature.status}; this change needs it to be ${change.from.join(" or ")}`,
            { details: { from: feature.status, to: change.to, expected: [...change.from] } },
          );
        }
        assertTransition(feature.status, change.to);
        if (change.unverified === true && change.to !== "passing") {
          throw new AppError(
            "invalid_input",
            `feature ${id} cannot be marked unverified when it becomes ${change.to}: only a pass is unverified`,
          );
        }
        const patch: FeaturePatch = { status: change.to, unverified: change.unverified === true };
        const lease = change.lease ?? (leaseKeepingStatuses.has(change.to) ? "keep" : null);
        if (lease !== "keep") {
          patch.leaseOwner = lease?.owner ?? null;
          patch.leaseExpiresAt = lease?.expiresAt ?? null;
        }
        if (change.lastError !== undefined) patch.lastError = change.lastError;
        if (change.countAttempt === true) patch.attempts = feature.attempts + 1;
        if (change.evidence !== undefined && change.evidence.length > 0) {
          patch.evidence = [...feature.evidence, ...change.evidence];
        }
        if (change.humanInputRequest !== undefined) {
          patch.humanInputRequest = change.humanInputRequest;
          patch.humanInputResponse = null;
        }
        if (change.humanInputResponse !== undefined) {
          if (feature.humanInput === null && change.humanInputRequest === undefined) {
            throw new AppError("conflict", `feature ${id} has no human-input request to answer`);
          }
          patch.humanInputResponse = change.humanInputResponse;
        }
        if (change.priority === "last") {
          patch.priority = this.#nextPriority(transaction);
        } else if (change.priority !== undefined) {
          patch.priority = change.priority;
        }
        return this.#writeFeature(transaction, id, patch, this.#now());
      },
      { behavior: "immediate" },
    );
  }

  /**
   * Appends evidence to a feature without changing anything else (e.g. a regression check that passed on a
   * `passing` feature). Orchestrator only. Appends `feature.updated`.
   */
  appendEvidence(id: FeatureId, evidence: readonly Evidence[]): Feature {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => {
        const feature = this.#requireFeature(transaction, id);
        if (evidence.length === 0) return feature;
        return this.#writeFeature(
          transaction,
          id,
          { evidence: [...feature.evidence, ...evidence] },
          this.#now(),
        );
      },
      { behavior: "immediate" },
    );
  }

  /**
   * Replaces a feature's dependency list, validated with the domain (no self-edge, unknown id, duplicate, cycle,
   * or more than `maxDependenciesPerFeature`). A rejected edit changes nothing and throws the first violation's code
   * with every reason and `details.violations`. Appends `feature.updated` when the list changes.
   */
  setDependencies(
    id: FeatureId,
    dependencyIds: readonly FeatureId[],
    options: { maxDependenciesPerFeature: number },
  ): Feature {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => this.#setDependencies(transaction, id, () => [...dependencyIds], options),
      { behavior: "immediate" },
    );
  }

  /** Adds one dependency (validated as {@link setDependencies}; an existing one is a `dependency_duplicate`). */
  addDependency(
    id: FeatureId,
    dependencyId: FeatureId,
    options: { maxDependenciesPerFeature: number },
  ): Feature {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) =>
        this.#setDependencies(transaction, id, (current) => [...current, dependencyId], options),
      { behavior: "immediate" },
    );
  }

  /**
   * Removes one dependency. Removing one the feature does not have changes nothing (`removed: false`, no event);
   * removal can never introduce a violation.
   */
  removeDependency(id: FeatureId, dependencyId: FeatureId): { feature: Feature; removed: boolean } {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => {
        const feature = this.#requireFeature(transaction, id);
        if (!feature.dependencies.includes(dependencyId)) return { feature, removed: false };
        const next = feature.dependencies.filter((dependency) => dependency !== dependencyId);
        return { feature: this.#replaceDependencies(transaction, id, next), removed: true };
      },
      { behavior: "immediate" },
    );
  }

  /**
   * Recovers features whose session went away: an `in_progress` feature without an active lease goes back to
   * `pending` with the interruption as its `lastError`; a `regressed` one whose lease expired is queued again
   * (`pending`); an expired lease on any other status is cleared. Attempts are not counted (the orchestrator
   * decides what an interruption costs). Returns the changed features, each with a `feature.updated` event.
   */
  reclaimExpiredLeases(): Feature[] {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => {
        const now = this.#now();
        const changed: Feature[] = [];
        for (const feature of this.#readFeatures(transaction)) {
          if (isLeaseActive(feature.lease, now.getTime())) continue;
          const patch: FeaturePatch = { leaseOwner: null, leaseExpiresAt: null };
          if (feature.status === "in_progress") {
            patch.status = "pending";
            patch.lastError =
              feature.lease === null
                ? "the feature was in progress without a lease; its session was interrupted"
                : `session ${feature.lease.owner} was interrupted: its lease expired at ${feature.lease.expiresAt}`;
          } else if (feature.status === "regressed" && feature.lease !== null) {
            patch.status = "pending";
          } else if (feature.lease === null) {
            continue;
          }
          changed.push(this.#writeFeature(transaction, feature.id, patch, now));
        }
        return changed;
      },
      { behavior: "immediate" },
    );
  }

  /** Records that a session started. */
  startSession(session: {
    id: SessionId;
    role: string;
    featureIds: readonly FeatureId[];
    model: string | null;
    provider: string;
  }): void {
    this.#assertOpen();
    this.#database
      .insert(schema.sessions)
      .values({
        id: session.id,
        role: session.role,
        featureIds: [...session.featureIds],
        model: session.model,
        provider: session.provider,
        startedAt: this.#now().toISOString(),
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
      })
      .run();
  }

  /** Records how a session ended and what it cost. */
  endSession(id: SessionId, result: { outcome: string; summary: string; usage: Usage }): void {
    this.#assertOpen();
    this.#database
      .update(schema.sessions)
      .set({
        endedAt: this.#now().toISOString(),
        outcome: result.outcome,
        summary: result.summary,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
        costUsd: result.usage.costUsd,
      })
      .where(eq(schema.sessions.id, id))
      .run();
  }

  /** Sessions that were started and never ended (their process died with the orchestrator). */
  unfinishedSessions(): { id: SessionId; featureIds: FeatureId[] }[] {
    this.#assertOpen();
    return this.#database
      .select({ id: schema.sessions.id, featureIds: schema.sessions.featureIds })
      .from(schema.sessions)
      .where(isNull(schema.sessions.endedAt))
      .all();
  }

  /** Closes sessions left open by a crash, with the outcome `failed`. */
  closeUnfinishedSessions(summary: string): number {
    this.#assertOpen();
    return this.#database
      .update(schema.sessions)
      .set({ endedAt: this.#now().toISOString(), outcome: "failed", summary })
      .where(isNull(schema.sessions.endedAt))
      .run().changes;
  }

  /** Token usage and cost of all sessions started at or after `since` (ISO), and per feature. */
  usageSince(since: string): { total: Usage; byFeature: Map<FeatureId, Usage> } {
    this.#assertOpen();
    const rows = this.#database
      .select()
      .from(schema.sessions)
      .where(gte(schema.sessions.startedAt, since))
      .all();
    const total: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
    const byFeature = new Map<FeatureId, Usage>();
    // A sum with an unknown part is unknown (null), never a smaller number.
    const addCost = (sum: number | null, part: number | null): number | null =>
      sum === null || part === null ? null : sum + part;
    for (const row of rows) {
      total.inputTokens += row.inputTokens;
      total.outputTokens += row.outputTokens;
      total.costUsd = addCost(total.costUsd, row.costUsd);
      const share = row.featureIds.length === 0 ? 0 : 1 / row.featureIds.length;
      for (const id of row.featureIds) {
        const usage = byFeature.get(id) ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 };
        usage.inputTokens += Math.round(row.inputTokens * share);
        usage.outputTokens += Math.round(row.outputTokens * share);
        usage.costUsd = addCost(usage.costUsd, row.costUsd === null ? null : row.costUsd * share);
        byFeature.set(id, usage);
      }
    }
    return { total, byFeature };
  }

  /**
   * Appends a durable event outside any other change and returns it as stored (its `seq`, its `at`, and its data
   * as read back from the log, so it equals what {@link ProjectStore.eventsSince} returns for it).
   */
  appendEvent<T extends DurableEventType>(type: T, data: EventData<T>): StoredEvent & { readonly type: T } {
    this.#assertOpen();
    const at = this.#now().toISOString();
    const { seq, json } = appendEvent(this.#events, type, data, at);
    return { seq, at, type, data: JSON.parse(json) } as StoredEvent & { readonly type: T };
  }

  /** Durable events with `seq` greater than `sinceSeq`, oldest first, at most `limit` of them. */
  eventsSince(sinceSeq: number, limit = 10_000): StoredEvent[] {
    this.#assertOpen();
    // Rows are written only through appendEvent, whose signature ties each type to its data.
    return this.#events.since
      .all(sinceSeq, limit)
      .map(
        (row) => ({ seq: row.seq, at: row.at, type: row.type, data: JSON.parse(row.data) }) as StoredEvent,
      );
  }

  /** The newest `limit` durable events of one type, oldest first. */
  recentEvents<T extends DurableEventType>(type: T, limit: number): (StoredEvent & { readonly type: T })[] {
    this.#assertOpen();
    const rows = this.#sqlite
      .prepare("SELECT seq, at, type, data FROM events WHERE type = ? ORDER BY seq DESC LIMIT ?")
      .all(type, limit) as { seq: number; at: string; type: T; data: string }[];
    return rows.reverse().map(
      (row) =>
        ({ seq: row.seq, at: row.at, type: row.type, data: JSON.parse(row.data) }) as StoredEvent & {
          readonly type: T;
        },
    );
  }

  /** The `seq` of the newest durable event, 0 when the log is empty. */
  lastSeq(): number {
    this.#assertOpen();
    return this.#events.lastSeq.get()?.seq ?? 0;
  }

  /**
   * Edits a feature's own fields (and, when given, its dependencies, validated as {@link setDependencies}) in one
   * transaction: a rejected edit changes nothing. Appends `feature.updated`.
   */
  updateFeature(
    id: FeatureId,
    patch: {
      priority?: number;
      category?: string;
      name?: string;
      description?: string;
      steps?: string[];
      verify?: string[];
      dependencies?: FeatureId[];
    },
    options: { maxDependenciesPerFeature: number },
  ): Feature {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => {
        this.#requireFeature(transaction, id);
        const { dependencies, ...fields } = patch;
        if (dependencies !== undefined)
          this.#setDependencies(transaction, id, () => [...dependencies], options);
        const changes: FeaturePatch = {};
        for (const [key, value] of Object.entries(fields)) {
          if (value !== undefined) (changes as Record<string, unknown>)[key] = value;
        }
        return this.#writeFeature(transaction, id, changes, this.#now());
      },
      { behavior: "immediate" },
    );
  }

  /**
   * Deletes a feature. Refused while a session holds it (`lease_held`) or while other features depend on it
   * (`conflict`, naming them: remove those dependencies first). Appends `feature.deleted`.
   */
  deleteFeature(id: FeatureId): void {
    this.#assertOpen();
    this.#database.transaction(
      (transaction) => {
        const feature = this.#requireFeature(transaction, id);
        if (isLeaseActive(feature.lease, this.#now().getTime())) {
          throw new AppError(
            "lease_held",
            `feature ${id} is being worked on by ${feature.lease?.owner}: stop it first`,
          );
        }
        const dependents = transaction
          .select({ featureId: schema.featureDependencies.featureId })
          .from(schema.featureDependencies)
          .where(eq(schema.featureDependencies.dependsOnId, id))
          .all()
          .map((row) => row.featureId);
        if (dependents.length > 0) {
          throw new AppError(
            "conflict",
            `feature ${id} cannot be deleted: ${dependents.map((dependent) => `#${dependent}`).join(", ")} depend on it; remove those dependencies first`,
            { details: { dependents } },
          );
        }
        transaction.delete(schema.features).where(eq(schema.features.id, id)).run();
        appendEvent(this.#events, "feature.deleted", { id }, this.#now().toISOString());
      },
      { behavior: "immediate" },
    );
  }

  /**
   * A person skips a feature: it moves to the end of the queue (a failed one is queued again with fresh
   * attempts). Refused while a session holds it. Appends `feature.updated`.
   */
  skipFeature(id: FeatureId): Feature {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => {
        const feature = this.#requireFeature(transaction, id);
        if (isLeaseActive(feature.lease, this.#now().getTime()) || feature.status === "verifying") {
          throw new AppError("lease_held", `feature ${id} is being worked on: stop its session first`);
        }
        const patch: FeaturePatch = { priority: this.#nextPriority(transaction) };
        if (feature.status === "failed") {
          patch.status = "pending";
          patch.attempts = 0;
          patch.lastError = "queued again by a person (skip)";
        }
        return this.#writeFeature(transaction, id, patch, this.#now());
      },
      { behavior: "immediate" },
    );
  }

  /** Recorded sessions, newest first (at most `limit`). */
  listSessions(limit = 500): SessionRecord[] {
    this.#assertOpen();
    return this.#database
      .select()
      .from(schema.sessions)
      .orderBy(sql`${schema.sessions.startedAt} DESC`, sql`rowid DESC`)
      .limit(limit)
      .all()
      .map(toSessionRecord);
  }

  /** One recorded session, or undefined. */
  getSession(id: SessionId): SessionRecord | undefined {
    this.#assertOpen();
    const row = this.#database.select().from(schema.sessions).where(eq(schema.sessions.id, id)).get();
    return row === undefined ? undefined : toSessionRecord(row);
  }

  /**
   * Empties the backlog, the sessions and the event log (a "quick reset"). Event seqs keep growing (a client's
   * `sinceSeq` stays meaningful); feature ids start again at 1. Appends one `feature.deleted` per feature removed.
   * Returns how many features were removed.
   */
  resetBacklog(): number {
    this.#assertOpen();
    return this.#database.transaction(
      (transaction) => {
        const ids = transaction.select({ id: schema.features.id }).from(schema.features).all();
        transaction.delete(schema.featureDependencies).run();
        transaction.delete(schema.features).run();
        transaction.delete(schema.sessions).run();
        transaction.delete(schema.events).run();
        transaction.run(sql`DELETE FROM sqlite_sequence WHERE name = 'features'`);
        const at = this.#now().toISOString();
        for (const { id } of ids) appendEvent(this.#events, "feature.deleted", { id }, at);
        return ids.length;
      },
      { behavior: "immediate" },
    );
  }

  /** Throws `store_closed` once the store is closed, instead of the driver's "connection is not open". */
  #assertOpen(): void {
    if (!this.#sqlite.open) throw new AppError("store_closed", "the project store is closed");
  }

  #getFeature(database: Database, id: FeatureId): Feature | undefined {
    const row = database.select().from(schema.features).where(eq(schema.features.id, id)).get();
    if (row === undefined) return undefined;
    const dependencies = database
      .select({ dependsOnId: schema.featureDependencies.dependsOnId })
      .from(schema.featureDependencies)
      .where(eq(schema.featureDependencies.featureId, id))
      .orderBy(asc(schema.featureDependencies.position))
      .all()
      .map((edge) => edge.dependsOnId);
    return toFeature(row, dependencies);
  }

  #requireFeature(database: Database, id: FeatureId): Feature {
    const feature = this.#getFeature(database, id);
    if (feature === undefined) {
      throw new AppError("feature_not_found", `feature ${id} does not exist`, { details: { id } });
    }
    return feature;
  }

  /** The dependencies of `feature` that do not exist or do not pass, in list order. */
  #unmetDependencies(database: Database, feature: Feature): FeatureId[] {
    if (feature.dependencies.length === 0) return [];
    const passing = new Set(
      database
        .select({ id: schema.features.id })
        .from(schema.features)
        .where(and(inArray(schema.features.id, feature.dependencies), eq(schema.features.status, "passing")))
        .all()
        .map((row) => row.id),
    );
    return feature.dependencies.filter((dependencyId) => !passing.has(dependencyId));
  }

  /** Applies `patch` to one feature, stamps `updatedAt`, appends `feature.updated` and returns the feature. */
  #writeFeature(database: Database, id: FeatureId, patch: FeaturePatch, now: Date): Feature {
    const at = now.toISOString();
    database
      .update(schema.features)
      .set({ ...patch, updatedAt: at })
      .where(eq(schema.features.id, id))
      .run();
    const feature = this.#requireFeature(database, id);
    appendEvent(this.#events, "feature.updated", { feature }, at);
    return feature;
  }

  #setDependencies(
    database: Database,
    id: FeatureId,
    next: (current: readonly FeatureId[]) => FeatureId[],
    options: { maxDependenciesPerFeature: number },
  ): Feature {
    const feature = this.#requireFeature(database, id);
    const dependencies = next(feature.dependencies);
    const violations = validateDependencyChanges({
      graph: this.#readGraph(database),
      changes: new Map([[id, dependencies]]),
      maxPerFeature: options.maxDependenciesPerFeature,
    });
    const first = violations[0];
    if (first !== undefined) {
      throw new AppError(
        first.code,
        `the dependency change was rejected, nothing was changed: ${violations.map((violation) => violation.message).join("; ")}`,
        { details: { violations } },
      );
    }
    if (sameList(dependencies, feature.dependencies)) return feature;
    return this.#replaceDependencies(database, id, dependencies);
  }

  /** Replaces the dependency rows of one feature (a new list, never mutated in place: AutoForge W6). */
  #replaceDependencies(database: Database, id: FeatureId, dependencies: readonly FeatureId[]): Feature {
    database.delete(schema.featureDependencies).where(eq(schema.featureDependencies.featureId, id)).run();
    if (dependencies.length > 0) {
      database
        .insert(schema.featureDependencies)
        .values(dependencies.map((dependsOnId, position) => ({ featureId: id, dependsOnId, position })))
        .run();
    }
    return this.#writeFeature(database, id, {}, this.#now());
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
    for (const feature of created) appendEvent(this.#events, "feature.created", { feature }, at);
    return created;
  }
}

/**
 * Appends one event on the store's connection, so inside a transaction it is part of that transaction; returns
 * its `seq` and the JSON stored as its data.
 */
function appendEvent<T extends DurableEventType>(
  statements: EventStatements,
  type: T,
  data: EventData<T>,
  at: string,
): { seq: number; json: string } {
  const json = JSON.stringify(data);
  return { seq: Number(statements.insert.run(at, type, json).lastInsertRowid), json };
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
    unverified: row.unverified,
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

/** The `project_settings` key of the project's test command. */
const testCommandKey = "test_command";

/** The statuses after which a status change keeps the lease by default. */
const leaseKeepingStatuses: ReadonlySet<FeatureStatus> = new Set(["in_progress", "verifying", "regressed"]);

/** Throws `lease_not_held` unless `sessionId` holds the feature's lease. */
function assertLeaseHeld(feature: Feature, sessionId: SessionId): void {
  if (feature.lease?.owner === sessionId) return;
  const holder =
    feature.lease === null
      ? "nobody holds a lease on it"
      : `session ${feature.lease.owner} holds its lease until ${feature.lease.expiresAt}`;
  throw new AppError(
    "lease_not_held",
    `session ${sessionId} does not hold the lease on feature ${feature.id} (${holder}); claim it first`,
    { details: { id: feature.id, owner: feature.lease?.owner ?? null } },
  );
}

/** The change that releases a feature's lease: in-progress work is given back, a regression is queued again. */
function releasePatch(feature: Feature, reason: string | undefined): FeaturePatch {
  const patch: FeaturePatch = { leaseOwner: null, leaseExpiresAt: null };
  if (feature.status === "in_progress" || feature.status === "regressed") {
    assertTransition(feature.status, "pending");
    patch.status = "pending";
    if (reason !== undefined) patch.lastError = reason;
  }
  return patch;
}

function sameList(left: readonly FeatureId[], right: readonly FeatureId[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

function toSessionRecord(row: typeof schema.sessions.$inferSelect): SessionRecord {
  const role = agentRoleSchema.safeParse(row.role);
  const outcome = sessionOutcomeSchema.safeParse(row.outcome);
  return {
    id: row.id,
    role: role.success ? role.data : "coding",
    featureIds: row.featureIds,
    model: row.model,
    provider: row.provider,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    outcome: outcome.success ? outcome.data : null,
    summary: row.summary,
    usage: { inputTokens: row.inputTokens, outputTokens: row.outputTokens, costUsd: row.costUsd },
  };
}
