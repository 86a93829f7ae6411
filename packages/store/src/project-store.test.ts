/**
 * Invariants: imports are all or nothing (a rejected file leaves the backlog and the event log as they were), ids
 * are never reused, and every change appends its durable events with gap-free `seq` in the same transaction.
 */
import { existsSync, statSync } from "node:fs";
import {
  AppError,
  type Feature,
  type FeatureImportEntry,
  featureImportEntrySchema,
  featureSchema,
} from "@autowright/protocol";
import { temporaryDirectory, testFeature } from "@autowright/testkit";
import Database from "better-sqlite3";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { migrate } from "./migrations.ts";
import { projectMigrations } from "./project-migrations.ts";
import * as schema from "./project-schema.ts";
import { ProjectStore } from "./project-store.ts";

const entries = (...raw: object[]): FeatureImportEntry[] =>
  raw.map((entry) => featureImportEntrySchema.parse(entry));
const limits = { maxDependenciesPerFeature: 20 };
const fixedNow = () => new Date("2026-03-04T05:06:07.000Z");

function withStore(test: (store: ProjectStore) => void): void {
  using directory = temporaryDirectory();
  const store = ProjectStore.open(directory.path, { create: true, now: fixedNow });
  try {
    test(store);
  } finally {
    store.close();
  }
}

describe("ProjectStore.open", () => {
  it("refuses a folder that is not a project, and creates the database only when asked", () => {
    using directory = temporaryDirectory();
    expect(() => ProjectStore.open(directory.path)).toThrow(/is not an autowright project/);
    expect(existsSync(`${directory.path}/.autowright/autowright.db`)).toBe(false);
    ProjectStore.open(directory.path, { create: true }).close();
    const reopened = ProjectStore.open(directory.path);
    expect(reopened.countFeatures()).toBe(0);
    reopened.close();
  });

  it("uses WAL and records its schema version", () => {
    using directory = temporaryDirectory();
    ProjectStore.open(directory.path, { create: true }).close();
    const database = new Database(`${directory.path}/.autowright/autowright.db`);
    expect(database.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(database.prepare("SELECT max(version) AS version FROM schema_migrations").get()).toEqual({
      version: projectMigrations.length,
    });
    database.close();
  });
});

describe("the schema", () => {
  it("matches the drizzle tables column for column", () => {
    const database = new Database(":memory:");
    migrate(database, projectMigrations);
    for (const table of [
      schema.features,
      schema.featureDependencies,
      schema.sessions,
      schema.events,
      schema.schedules,
      schema.projectSettings,
    ]) {
      const config = getTableConfig(table);
      const columns = database.prepare(`PRAGMA table_info(${config.name})`).all() as {
        name: string;
        notnull: number;
      }[];
      expect(columns.map((column) => column.name).sort(), config.name).toEqual(
        config.columns.map((column) => column.name).sort(),
      );
      for (const column of config.columns) {
        const actual = columns.find((candidate) => candidate.name === column.name);
        expect(actual?.notnull === 1 || column.primary, `${config.name}.${column.name} NOT NULL`).toBe(
          column.notNull,
        );
      }
    }
  });
});

describe("importFeatures", () => {
  it("creates features with ids, priorities, steps and dependencies by index and by id", () =>
    withStore((store) => {
      const first = store.importFeatures(
        entries(
          { name: "Database", category: "infrastructure", steps: ["connect"] },
          { name: "Login", dependsOnIndices: [0], priority: -5 },
          { name: "Profile", dependsOnIndices: [1, 0], description: "edit your profile" },
        ),
        limits,
      );
      expect(first.map((feature) => [feature.id, feature.priority, feature.dependencies])).toEqual([
        [1, 1, []],
        [2, -5, [1]],
        [3, 3, [2, 1]],
      ]);
      const second = store.importFeatures(
        entries({ name: "Settings", dependencies: [3], dependsOnIndices: [1] }, { name: "Theme" }),
        limits,
      );
      expect(second.map((feature) => [feature.id, feature.dependencies])).toEqual([
        [4, [3, 5]],
        [5, []],
      ]);
      const all = store.listFeatures();
      expect(all).toHaveLength(5);
      for (const feature of all) expect(featureSchema.parse(feature)).toEqual(feature);
      expect(store.getFeature(3)).toEqual<Feature>({
        id: 3,
        priority: 3,
        category: "",
        name: "Profile",
        description: "edit your profile",
        steps: [],
        dependencies: [2, 1],
        status: "pending",
        attempts: 0,
        lastError: null,
        lease: null,
        evidence: [],
        humanInput: null,
        verify: [],
        unverified: false,
        createdAt: "2026-03-04T05:06:07.000Z",
        updatedAt: "2026-03-04T05:06:07.000Z",
      });
      expect(store.getFeature(99)).toBeUndefined();
    }));

  it("appends one feature.created event per feature with gap-free seq", () =>
    withStore((store) => {
      store.importFeatures(entries({ name: "A" }, { name: "B", dependsOnIndices: [0] }), limits);
      const events = store.eventsSince(0);
      expect(events.map((event) => [event.seq, event.type])).toEqual([
        [1, "feature.created"],
        [2, "feature.created"],
      ]);
      expect(events[1]?.data).toMatchObject({ feature: { id: 2, dependencies: [1] } });
      expect(store.lastSeq()).toBe(2);
      expect(store.eventsSince(1).map((event) => event.seq)).toEqual([2]);
    }));

  it.each([
    [
      "an index past the end",
      [{ name: "A", dependsOnIndices: [3] }],
      /entry 0 \("A"\): depends on index 3, but the file has 1 entries/,
    ],
    [
      "its own index",
      [{ name: "A" }, { name: "B", dependsOnIndices: [1] }],
      /entry 1 \("B"\): depends on its own index 1/,
    ],
    [
      "an unknown id",
      [{ name: "A", dependencies: [42] }],
      /entry 0 \("A"\): depends on feature 42, which is not in the backlog/,
    ],
    [
      "a cycle between entries",
      [
        { name: "A", dependsOnIndices: [2] },
        { name: "B", dependsOnIndices: [0] },
        { name: "C", dependsOnIndices: [1] },
      ],
      /cycle: entry \d → entry \d → entry \d → entry \d/,
    ],
    [
      "the same dependency twice",
      [{ name: "A" }, { name: "B", dependsOnIndices: [0, 0] }],
      /entry 1 \("B"\): lists entry 0 more than once/,
    ],
    [
      "more dependencies than the limit",
      [
        ...Array.from({ length: 21 }, (_, index) => ({ name: `D${index}` })),
        { name: "Z", dependsOnIndices: Array.from({ length: 21 }, (_, index) => index) },
      ],
      /entry 21 \("Z"\)/,
    ],
  ])("rejects %s, naming the entry, and changes nothing", (_label, raw, message) =>
    withStore((store) => {
      store.importFeatures(entries({ name: "Existing" }), limits);
      const before = { features: store.listFeatures(), seq: store.lastSeq() };
      let caught: unknown;
      try {
        store.importFeatures(entries(...raw), limits);
      } catch (error) {
        caught = error;
      }
      expect(AppError.isInstance(caught)).toBe(true);
      expect((caught as AppError).code).toBe("invalid_input");
      expect((caught as AppError).message).toMatch(message);
      expect((caught as AppError).message).toMatch(/nothing was changed/);
      expect(store.listFeatures()).toEqual(before.features);
      expect(store.lastSeq()).toBe(before.seq);
    }),
  );

  it("never reuses the id of a feature that once existed", () =>
    withStore((store) => {
      store.importFeatures(entries({ name: "A" }, { name: "B" }), limits);
      const database = new Database(store.paths.database);
      database.prepare("DELETE FROM features WHERE id = 2").run();
      database.close();
      expect(store.importFeatures(entries({ name: "C" }), limits).map((feature) => feature.id)).toEqual([3]);
    }));
});

describe("insertFeaturesVerbatim", () => {
  const feature = (id: number, dependencies: number[], status: Feature["status"] = "pending"): Feature =>
    testFeature({ id, category: "imported", dependencies, status });

  it("keeps ids, statuses, cycles and dependencies on missing features as they are", () =>
    withStore((store) => {
      const imported = [feature(3, [4]), feature(4, [3]), feature(7, [99], "passing"), feature(10, [7])];
      store.insertFeaturesVerbatim(imported);
      expect(store.listFeatures()).toEqual(imported);
      expect(store.lastSeq()).toBe(4);
      expect(store.importFeatures(entries({ name: "Next" }), limits)[0]?.id).toBe(11);
    }));

  it("refuses to import into a backlog that is not empty", () =>
    withStore((store) => {
      store.importFeatures(entries({ name: "A" }), limits);
      expect(() => store.insertFeaturesVerbatim([feature(5, [])])).toThrow(/already has 1 features/);
      expect(store.countFeatures()).toBe(1);
    }));
});

describe("the event log", () => {
  it("starts empty", () =>
    withStore((store) => {
      expect(store.lastSeq()).toBe(0);
      expect(store.eventsSince(0)).toEqual([]);
    }));

  it("returns an appended event as stored, after the events the store appended itself", () =>
    withStore((store) => {
      store.importFeatures(entries({ name: "A" }, { name: "B" }), limits);
      const data = { agentId: "coding-1", state: "working" as const, thought: "tests", tool: undefined };
      const appended = store.appendEvent("agent.updated", data);
      expect(appended).toStrictEqual({
        seq: 3,
        at: "2026-03-04T05:06:07.000Z",
        type: "agent.updated",
        data: { agentId: "coding-1", state: "working", thought: "tests" },
      });
      expect(appended.data).not.toBe(data);
      expect(store.eventsSince(2)).toEqual([appended]);
      expect(store.lastSeq()).toBe(3);
    }));

  it("reads events after a seq, oldest first, at most `limit` of them", () =>
    withStore((store) => {
      for (const status of ["running", "paused", "stopped"] as const)
        store.appendEvent("run.updated", { status });
      expect(store.eventsSince(0, 2).map((event) => [event.seq, event.data])).toEqual([
        [1, { status: "running" }],
        [2, { status: "paused" }],
      ]);
      expect(store.eventsSince(2).map((event) => event.seq)).toEqual([3]);
      expect(store.eventsSince(3)).toEqual([]);
    }));

  it("lets the WAL auto-checkpoint run while events are appended one by one", () =>
    withStore((store) => {
      for (let index = 0; index < 3_000; index++) store.appendEvent("run.updated", { status: "running" });
      // Two 4 KiB pages per append (the row and sqlite_sequence); the checkpoint runs every 1,000 pages.
      expect(statSync(`${store.paths.database}-wal`).size).toBeLessThan(8 * 1024 * 1024);
      expect(store.lastSeq()).toBe(3_000);
    }));

  it("appends nothing for a rejected change, and seq goes on from the last event", () =>
    withStore((store) => {
      store.appendEvent("run.updated", { status: "running" });
      expect(() =>
        store.importFeatures(entries({ name: "A" }, { name: "B", dependsOnIndices: [5] }), limits),
      ).toThrow();
      expect(store.lastSeq()).toBe(1);
      expect(store.appendEvent("run.updated", { status: "stopped" }).seq).toBe(2);
    }));
});

describe("a closed store", () => {
  it("throws store_closed from every method, and says it is closed", () => {
    using directory = temporaryDirectory();
    const store = ProjectStore.open(directory.path, { create: true, now: fixedNow });
    expect(store.closed).toBe(false);
    store.close();
    expect(store.closed).toBe(true);
    store.close();
    const methods = Object.getOwnPropertyNames(ProjectStore.prototype).filter((name) => {
      const descriptor = Object.getOwnPropertyDescriptor(ProjectStore.prototype, name);
      return name !== "constructor" && name !== "close" && typeof descriptor?.value === "function";
    });
    expect(methods.length).toBeGreaterThan(20);
    for (const name of methods) {
      const method = (store as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
      let caught: unknown;
      try {
        method?.call(store, 1, { to: "pending", actor: { kind: "orchestrator" } });
      } catch (error) {
        caught = error;
      }
      expect(AppError.isInstance(caught) && caught.code, name).toBe("store_closed");
      expect((caught as Error).message, name).toBe("the project store is closed");
    }
  });
});

describe("the test command", () => {
  it("is null until recorded, then the latest one with when it was recorded, with a project.updated event", () => {
    using directory = temporaryDirectory();
    let now = new Date("2026-03-04T05:06:07.000Z");
    const store = ProjectStore.open(directory.path, { create: true, now: () => now });
    try {
      expect(store.getTestCommand()).toBeNull();
      expect(store.setTestCommand("  npm test ")).toEqual({
        command: "npm test",
        recordedAt: "2026-03-04T05:06:07.000Z",
      });
      now = new Date("2026-03-04T06:00:00.000Z");
      store.setTestCommand("pnpm vitest run");
      expect(store.getTestCommand()).toEqual({
        command: "pnpm vitest run",
        recordedAt: "2026-03-04T06:00:00.000Z",
      });
      expect(store.eventsSince(0).map((event) => [event.type, event.data])).toEqual([
        ["project.updated", { testCommand: { command: "npm test", recordedAt: "2026-03-04T05:06:07.000Z" } }],
        [
          "project.updated",
          { testCommand: { command: "pnpm vitest run", recordedAt: "2026-03-04T06:00:00.000Z" } },
        ],
      ]);
    } finally {
      store.close();
    }
    const reopened = ProjectStore.open(directory.path);
    expect(reopened.getTestCommand()?.command).toBe("pnpm vitest run");
    reopened.close();
  });

  it.each(["", "   ", "npm test\nrm -rf /"])("refuses %j and changes nothing", (command) =>
    withStore((store) => {
      let caught: unknown;
      try {
        store.setTestCommand(command);
      } catch (error) {
        caught = error;
      }
      expect(AppError.isInstance(caught) && caught.code).toBe("invalid_input");
      expect(store.getTestCommand()).toBeNull();
      expect(store.lastSeq()).toBe(0);
    }),
  );
});

describe("unverified passes", () => {
  const toVerifying = (store: ProjectStore): void => {
    store.importFeatures(entries({ name: "A" }), limits);
    store.claimFeature(1, { owner: "s1", expiresAt: "2099-01-01T00:00:00.000Z", maxAttempts: 3 });
    store.changeFeatureStatus(1, { to: "verifying", actor: { kind: "orchestrator" } });
  };

  it("marks a pass unverified when asked, clears it on the next change, and keeps it on reopen", () => {
    using directory = temporaryDirectory();
    const store = ProjectStore.open(directory.path, { create: true, now: fixedNow });
    toVerifying(store);
    expect(store.getFeature(1)?.unverified).toBe(false);
    const passed = store.changeFeatureStatus(1, {
      to: "passing",
      actor: { kind: "orchestrator" },
      unverified: true,
    });
    expect(passed).toMatchObject({ status: "passing", unverified: true });
    const event = store.eventsSince(0).at(-1);
    expect(event?.type === "feature.updated" && event.data.feature.unverified).toBe(true);
    store.close();
    const reopened = ProjectStore.open(directory.path, { now: fixedNow });
    expect(reopened.getFeature(1)?.unverified).toBe(true);
    expect(
      reopened.changeFeatureStatus(1, { to: "pending", actor: { kind: "orchestrator" } }).unverified,
    ).toBe(false);
    reopened.close();
  });

  it("is false for a verified pass, and refused on any other status", () =>
    withStore((store) => {
      toVerifying(store);
      expect(() =>
        store.changeFeatureStatus(1, { to: "pending", actor: { kind: "orchestrator" }, unverified: true }),
      ).toThrow(/only a pass is unverified/);
      expect(
        store.changeFeatureStatus(1, { to: "passing", actor: { kind: "orchestrator" } }).unverified,
      ).toBe(false);
    }));
});

describe("an upgrade from schema version 1", () => {
  it("keeps the features, verified, and has no test command", () => {
    using directory = temporaryDirectory();
    ProjectStore.open(directory.path, { create: true }).close();
    const path = `${directory.path}/.autowright/autowright.db`;
    const database = new Database(path);
    database.exec("DROP TABLE project_settings; ALTER TABLE features DROP COLUMN unverified;");
    database.exec("DELETE FROM schema_migrations WHERE version > 1");
    database
      .prepare(
        "INSERT INTO features (priority, name, status, created_at, updated_at) VALUES (1, 'Old', 'passing', 'x', 'x')",
      )
      .run();
    database.close();
    const store = ProjectStore.open(directory.path);
    expect(store.getFeature(1)).toMatchObject({ name: "Old", status: "passing", unverified: false });
    expect(store.getTestCommand()).toBeNull();
    store.close();
  });
});

describe("session costs", () => {
  const session = (id: string, featureIds: number[]) => ({
    id,
    role: "coding",
    featureIds,
    model: "m",
    provider: "anthropic",
  });

  it("adds up known costs, per run and per feature", () =>
    withStore((store) => {
      store.startSession(session("a", [1, 2]));
      store.endSession("a", { outcome: "completed", summary: "", usage: usage(100, 50, 0.5) });
      store.startSession(session("b", [1]));
      store.endSession("b", { outcome: "completed", summary: "", usage: usage(10, 5, 0.25) });
      const { total, byFeature } = store.usageSince("2000-01-01T00:00:00.000Z");
      expect(total).toEqual({ inputTokens: 110, outputTokens: 55, costUsd: 0.75 });
      expect(byFeature.get(1)).toEqual({ inputTokens: 60, outputTokens: 30, costUsd: 0.5 });
      expect(byFeature.get(2)).toEqual({ inputTokens: 50, outputTokens: 25, costUsd: 0.25 });
    }));

  it("keeps an unknown cost unknown: a sum with an unpriced session is null, not smaller", () =>
    withStore((store) => {
      store.startSession(session("a", [1]));
      store.endSession("a", { outcome: "completed", summary: "", usage: usage(100, 50, 0.5) });
      store.startSession(session("b", [2]));
      store.endSession("b", { outcome: "completed", summary: "", usage: usage(10, 5, null) });
      const { total, byFeature } = store.usageSince("2000-01-01T00:00:00.000Z");
      expect(total).toEqual({ inputTokens: 110, outputTokens: 55, costUsd: null });
      expect(byFeature.get(1)?.costUsd).toBe(0.5);
      expect(byFeature.get(2)?.costUsd).toBeNull();
    }));

  it("upgrades a version-3 database: its sessions keep their cost, and a cost can then be unknown", () => {
    using directory = temporaryDirectory();
    ProjectStore.open(directory.path, { create: true }).close();
    const path = `${directory.path}/.autowright/autowright.db`;
    const database = new Database(path);
    database.exec(`DROP TABLE sessions;
CREATE TABLE sessions (id TEXT PRIMARY KEY, role TEXT NOT NULL, feature_ids TEXT NOT NULL DEFAULT '[]', model TEXT,
  provider TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, outcome TEXT, summary TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0, cost_usd REAL NOT NULL DEFAULT 0);
INSERT INTO sessions (id, role, feature_ids, provider, started_at, input_tokens, output_tokens, cost_usd)
  VALUES ('old', 'coding', '[1]', 'claude', '2026-01-01T00:00:00.000Z', 7, 3, 0.125);
DELETE FROM schema_migrations WHERE version > 3;`);
    database.close();
    const store = ProjectStore.open(directory.path);
    try {
      expect(store.usageSince("2000-01-01T00:00:00.000Z").total).toEqual({
        inputTokens: 7,
        outputTokens: 3,
        costUsd: 0.125,
      });
      store.startSession(session("new", [1]));
      store.endSession("new", { outcome: "completed", summary: "", usage: usage(1, 1, null) });
      expect(store.usageSince("2000-01-01T00:00:00.000Z").total.costUsd).toBeNull();
    } finally {
      store.close();
    }
  });
});

function usage(inputTokens: number, outputTokens: number, costUsd: number | null) {
  return { inputTokens, outputTokens, costUsd };
}
