/**
 * Invariants of the feature mutations: leases are exclusive (a second session can neither claim nor change a
 * feature it does not hold), every status change follows the domain's status machine, dependency edits are
 * validated and persist in every case (AutoForge W6/W7), and every change appends `feature.updated` in the same
 * transaction while a refused change leaves the backlog and the event log as they were.
 */
import {
  AppError,
  type ErrorCode,
  type Feature,
  type FeatureImportEntry,
  featureImportEntrySchema,
} from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { type FeatureActor, ProjectStore } from "./project-store.ts";

const limits = { maxDependenciesPerFeature: 20 };
const start = Date.parse("2026-03-04T05:00:00.000Z");
const minutes = (count: number): string => new Date(start + count * 60_000).toISOString();
const session = (sessionId: string): FeatureActor => ({ kind: "session", sessionId });
const orchestrator: FeatureActor = { kind: "orchestrator" };
const entries = (...raw: object[]): FeatureImportEntry[] =>
  raw.map((entry) => featureImportEntrySchema.parse(entry));

/** A store on a clock the test moves (`clock.minutes = 11`). */
function withStore(test: (store: ProjectStore, clock: { minutes: number }) => void): void {
  using directory = temporaryDirectory();
  const clock = { minutes: 0 };
  const store = ProjectStore.open(directory.path, {
    create: true,
    now: () => new Date(start + clock.minutes * 60_000),
  });
  try {
    test(store, clock);
  } finally {
    store.close();
  }
}

/** Runs `action`, expects an AppError with `code` (and `message`), and that nothing changed. */
function expectRefused(
  store: ProjectStore,
  action: () => unknown,
  code: ErrorCode,
  message?: RegExp,
): AppError {
  const before = { features: store.listFeatures(), seq: store.lastSeq() };
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(AppError.isInstance(caught), `expected ${code}, got ${String(caught)}`).toBe(true);
  const error = caught as AppError;
  expect(error.code).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
  expect(store.listFeatures()).toEqual(before.features);
  expect(store.lastSeq()).toBe(before.seq);
  return error;
}

const claim = (store: ProjectStore, id: number, owner: string, expiresIn = 10, maxAttempts = 3) =>
  store.claimFeature(id, { owner, expiresAt: minutes(expiresIn), maxAttempts });

/** Sets a feature's status through the orchestrator, following allowed transitions from pending. */
function drive(store: ProjectStore, id: number, path: Feature["status"][]): void {
  for (const to of path) store.changeFeatureStatus(id, { to, actor: orchestrator, lease: null });
}

describe("claimFeature", () => {
  it("leases a ready pending feature, moves it to in_progress and appends feature.updated", () =>
    withStore((store) => {
      store.createFeatures(entries({ name: "A" }), limits);
      const seq = store.lastSeq();
      const result = claim(store, 1, "s1");
      expect(result.alreadyClaimed).toBe(false);
      expect(result.feature).toMatchObject({
        status: "in_progress",
        lease: { owner: "s1", expiresAt: minutes(10) },
        updatedAt: minutes(0),
      });
      const events = store.eventsSince(seq);
      expect(events.map((event) => [event.seq, event.type])).toEqual([[seq + 1, "feature.updated"]]);
      expect(events[0]?.data).toEqual({ feature: result.feature });
    }));

  it("is idempotent for the holder and refuses another session while the lease lasts", () =>
    withStore((store, clock) => {
      store.createFeatures(entries({ name: "A" }), limits);
      claim(store, 1, "s1");
      const seq = store.lastSeq();
      expect(claim(store, 1, "s1").alreadyClaimed).toBe(true);
      expect(store.lastSeq()).toBe(seq);
      const error = expectRefused(store, () => claim(store, 1, "s2"), "lease_held", /leased by session s1/);
      expect(error.details).toEqual({ owner: "s1", expiresAt: minutes(10) });
      clock.minutes = 10;
      const takeover = claim(store, 1, "s2", 20);
      expect(takeover).toMatchObject({
        alreadyClaimed: false,
        feature: { status: "in_progress", lease: { owner: "s2", expiresAt: minutes(20) } },
      });
    }));

  it.each<[string, (store: ProjectStore) => void, ErrorCode, RegExp]>([
    ["an unknown feature", () => {}, "feature_not_found", /feature 9 does not exist/],
    [
      "a feature whose dependencies do not pass",
      (store) => store.setDependencies(9, [1], limits),
      "feature_blocked",
      /blocked: its dependencies 1 do not pass yet/,
    ],
    [
      "a feature out of attempts",
      (store) => {
        claim(store, 9, "s0");
        store.changeFeatureStatus(9, { to: "pending", actor: session("s0"), countAttempt: true });
        claim(store, 9, "s0");
        store.changeFeatureStatus(9, { to: "pending", actor: session("s0"), countAttempt: true });
      },
      "attempts_exhausted",
      /used all 2 attempts/,
    ],
    [
      "a feature waiting for input",
      (store) => drive(store, 9, ["in_progress", "needs_input"]),
      "invalid_transition",
      /cannot move from needs_input to in_progress/,
    ],
    [
      "a feature being verified",
      (store) => drive(store, 9, ["in_progress", "verifying"]),
      "invalid_transition",
      /cannot move from verifying to in_progress/,
    ],
  ])("refuses %s and changes nothing", (_label, arrange, code, message) =>
    withStore((store) => {
      store.createFeatures(entries(...Array.from({ length: 9 }, (_, index) => ({ name: `F${index + 1}` }))), {
        maxDependenciesPerFeature: 20,
      });
      arrange(store);
      const id = code === "feature_not_found" ? 10 : 9;
      const error = expectRefused(
        store,
        () => store.claimFeature(id, { owner: "s1", expiresAt: minutes(10), maxAttempts: 2 }),
        code,
      );
      expect(error.message).toMatch(code === "feature_not_found" ? /feature 10 does not exist/ : message);
    }),
  );

  it("claims a regressed feature back to in_progress and leases a passing one without changing it", () =>
    withStore((store) => {
      store.createFeatures(entries({ name: "A" }, { name: "B" }), limits);
      drive(store, 1, ["in_progress", "verifying", "passing"]);
      drive(store, 2, ["in_progress", "verifying", "passing", "regressed"]);
      expect(claim(store, 1, "tester").feature).toMatchObject({
        status: "passing",
        lease: { owner: "tester" },
      });
      expect(claim(store, 2, "fixer").feature).toMatchObject({
        status: "in_progress",
        lease: { owner: "fixer" },
      });
    }));
});

describe("renewLeases, releaseLease, releaseLeases", () => {
  it("renews only the owner's leases, without events", () =>
    withStore((store) => {
      store.createFeatures(entries({ name: "A" }, { name: "B" }, { name: "C" }), limits);
      claim(store, 1, "s1");
      claim(store, 2, "s2");
      claim(store, 3, "s1");
      const seq = store.lastSeq();
      expect(store.renewLeases("s1", minutes(30))).toEqual([1, 3]);
      expect(store.lastSeq()).toBe(seq);
      expect(store.listFeatures().map((feature) => feature.lease?.expiresAt)).toEqual([
        minutes(30),
        minutes(10),
        minutes(30),
      ]);
      expect(store.renewLeases("nobody", minutes(30))).toEqual([]);
    }));

  it("gives in-progress work back, for the holder or the orchestrator only", () =>
    withStore((store) => {
      store.createFeatures(entries({ name: "A" }, { name: "B" }), limits);
      claim(store, 1, "s1");
      claim(store, 2, "s1");
      expectRefused(
        store,
        () => store.releaseLease(1, { actor: session("s2") }),
        "lease_not_held",
        /session s2 does not hold the lease on feature 1 \(session s1 holds its lease/,
      );
      expect(store.releaseLease(1, { actor: session("s1"), reason: "stopped" })).toMatchObject({
        status: "pending",
        lease: null,
        lastError: "stopped",
      });
      expect(store.releaseLease(2, { actor: orchestrator })).toMatchObject({
        status: "pending",
        lease: null,
      });
      const seq = store.lastSeq();
      expect(store.releaseLease(2, { actor: orchestrator })).toMatchObject({ status: "pending" });
      expect(store.lastSeq()).toBe(seq);
    }));

  it("releases every lease of a session that ended", () =>
    withStore((store) => {
      store.createFeatures(entries({ name: "A" }, { name: "B" }, { name: "C" }), limits);
      drive(store, 3, ["in_progress", "verifying", "passing"]);
      claim(store, 1, "s1");
      claim(store, 2, "s2");
      claim(store, 3, "s1");
      const released = store.releaseLeases("s1", { reason: "the session ended" });
      expect(
        released.map((feature) => [feature.id, feature.status, feature.lease, feature.lastError]),
      ).toEqual([
        [1, "pending", null, "the session ended"],
        [3, "passing", null, null],
      ]);
      expect(store.getFeature(2)?.lease?.owner).toBe("s2");
    }));
});

describe("changeFeatureStatus", () => {
  it("checks the lease: a session cannot change a feature it does not hold", () =>
    withStore((store) => {
      store.createFeatures(entries({ name: "A" }, { name: "B" }), limits);
      claim(store, 1, "s1");
      expectRefused(
        store,
        () => store.changeFeatureStatus(1, { to: "verifying", actor: session("s2") }),
        "lease_not_held",
      );
      expectRefused(
        store,
        () => store.changeFeatureStatus(2, { to: "in_progress", actor: session("s1") }),
        "lease_not_held",
        /nobody holds a lease on it/,
      );
    }));

  it("checks the transition with the domain", () =>
    withStore((store) => {
      store.createFeatures(entries({ name: "A" }), limits);
      claim(store, 1, "s1");
      expectRefused(
        store,
        () => store.changeFeatureStatus(1, { to: "passing", actor: session("s1") }),
        "invalid_transition",
        /cannot move from in_progress to passing/,
      );
      expectRefused(
        store,
        () => store.changeFeatureStatus(1, { to: "in_progress", actor: orchestrator }),
        "invalid_transition",
      );
    }));

  it("keeps the lease into verifying and releases it when the orchestrator passes the feature", () =>
    withStore((store, clock) => {
      store.createFeatures(entries({ name: "A" }), limits);
      claim(store, 1, "s1");
      const evidence = { kind: "check" as const, command: "npm test", exitCode: 0, at: minutes(1) };
      const verifying = store.changeFeatureStatus(1, { to: "verifying", actor: session("s1") });
      expect(verifying.lease?.owner).toBe("s1");
      clock.minutes = 2;
      const passing = store.changeFeatureStatus(1, {
        to: "passing",
        actor: orchestrator,
        evidence: [evidence],
        lastError: null,
      });
      expect(passing).toMatchObject({
        status: "passing",
        lease: null,
        evidence: [evidence],
        updatedAt: minutes(2),
      });
    }));

  it("records lastError, attempts, evidence, human input and moves a feature to the end of the queue", () =>
    withStore((store) => {
      store.createFeatures(entries({ name: "A" }, { name: "B", priority: 40 }), limits);
      claim(store, 1, "s1");
      const skipped = store.changeFeatureStatus(1, {
        to: "pending",
        actor: session("s1"),
        lastError: "skipped: needs B first",
        priority: "last",
        countAttempt: true,
      });
      expect(skipped).toMatchObject({
        status: "pending",
        priority: 41,
        attempts: 1,
        lastError: "skipped: needs B first",
        lease: null,
      });
      claim(store, 1, "s2");
      const request = {
        prompt: "Which payment provider?",
        fields: [{ id: "provider", label: "Provider", type: "text" as const, required: true }],
        requestedAt: minutes(0),
        sessionId: "s2",
      };
      const waiting = store.changeFeatureStatus(1, {
        to: "needs_input",
        actor: session("s2"),
        humanInputRequest: request,
      });
      expect(waiting).toMatchObject({
        status: "needs_input",
        lease: null,
        humanInput: { request, response: null },
      });
      const response = { fields: { provider: "Stripe" }, respondedAt: minutes(1) };
      const answered = store.changeFeatureStatus(1, {
        to: "pending",
        actor: orchestrator,
        humanInputResponse: response,
      });
      expect(answered.humanInput).toEqual({ request, response });
    }));

  it("lets a testing session that holds a passing feature report a regression and keep working on it", () =>
    withStore((store) => {
      store.createFeatures(entries({ name: "A" }), limits);
      drive(store, 1, ["in_progress", "verifying", "passing"]);
      claim(store, 1, "tester");
      const regressed = store.changeFeatureStatus(1, {
        to: "regressed",
        actor: session("tester"),
        lastError: "login test fails",
      });
      expect(regressed).toMatchObject({ status: "regressed", lease: { owner: "tester" } });
      expect(claim(store, 1, "tester")).toMatchObject({
        alreadyClaimed: true,
        feature: { status: "in_progress", lease: { owner: "tester" } },
      });
      expect(store.changeFeatureStatus(1, { to: "verifying", actor: session("tester") }).lease?.owner).toBe(
        "tester",
      );
    }));
});

describe("createFeatures", () => {
  it("creates a batch with dependencies by index and names entries when it refuses one", () =>
    withStore((store) => {
      const created = store.createFeatures(
        entries({ name: "A" }, { name: "B", dependsOnIndices: [0] }),
        limits,
      );
      expect(created.map((feature) => [feature.id, feature.dependencies])).toEqual([
        [1, []],
        [2, [1]],
      ]);
      expectRefused(
        store,
        () => store.createFeatures(entries({ name: "C", dependsOnIndices: [4] }), limits),
        "invalid_input",
        /the batch was rejected, nothing was changed: entry 0 \("C"\): depends on index 4, but the batch has 1 entries/,
      );
      expectRefused(
        store,
        () => store.createFeatures(entries({ name: "C", dependencies: [7] }), limits),
        "invalid_input",
        /depends on feature 7, which is not in the backlog/,
      );
    }));
});

describe("dependency edits", () => {
  const backlog = (store: ProjectStore): void => {
    store.createFeatures(entries(...["A", "B", "C", "D"].map((name) => ({ name }))), limits);
  };

  it("persist adding to a non-empty list and removing one of several (AutoForge W6)", () =>
    withStore((store) => {
      backlog(store);
      store.setDependencies(4, [1], limits);
      expect(store.addDependency(4, 2, limits).dependencies).toEqual([1, 2]);
      expect(store.addDependency(4, 3, limits).dependencies).toEqual([1, 2, 3]);
      expect(store.getFeature(4)?.dependencies).toEqual([1, 2, 3]);
      expect(store.removeDependency(4, 2)).toMatchObject({
        removed: true,
        feature: { dependencies: [1, 3] },
      });
      expect(store.getFeature(4)?.dependencies).toEqual([1, 3]);
      const seq = store.lastSeq();
      expect(store.removeDependency(4, 2)).toMatchObject({
        removed: false,
        feature: { dependencies: [1, 3] },
      });
      expect(store.setDependencies(4, [1, 3], limits).dependencies).toEqual([1, 3]);
      expect(store.lastSeq()).toBe(seq);
      expect(store.setDependencies(4, [], limits).dependencies).toEqual([]);
      const last = store.eventsSince(seq);
      expect(last.map((event) => event.type)).toEqual(["feature.updated"]);
      expect(last[0]?.data).toMatchObject({ feature: { id: 4, dependencies: [] } });
    }));

  it.each<[string, (store: ProjectStore) => unknown, ErrorCode, RegExp]>([
    ["a self-edge", (store) => store.addDependency(1, 1, limits), "dependency_self", /depends on itself/],
    [
      "an unknown id",
      (store) => store.setDependencies(1, [4, 42], limits),
      "dependency_unknown",
      /unknown feature 42/,
    ],
    ["a duplicate", (store) => store.addDependency(2, 1, limits), "dependency_duplicate", /more than once/],
    ["a cycle", (store) => store.addDependency(1, 3, limits), "dependency_cycle", /cycle: 1 → 3 → 2 → 1/],
    ["a cycle through set", (store) => store.setDependencies(1, [4, 3], limits), "dependency_cycle", /cycle/],
    [
      "more than the limit",
      (store) => store.setDependencies(4, [1, 2, 3], { maxDependenciesPerFeature: 2 }),
      "dependency_limit",
      /more than the limit of 2/,
    ],
    ["an unknown feature", (store) => store.setDependencies(9, [], limits), "feature_not_found", /feature 9/],
  ])("refuse %s, say why, and change nothing (AutoForge W7)", (_label, edit, code, message) =>
    withStore((store) => {
      backlog(store);
      store.setDependencies(2, [1], limits);
      store.setDependencies(3, [2], limits);
      const error = expectRefused(store, () => edit(store), code, message);
      if (code !== "feature_not_found") {
        expect(error.message).toMatch(/nothing was changed/);
        expect(error.details).toHaveProperty("violations");
      }
    }),
  );
});

describe("reclaimExpiredLeases", () => {
  it("gives interrupted work back, requeues abandoned regressions and clears other expired leases", () =>
    withStore((store, clock) => {
      store.createFeatures(entries(...["A", "B", "C", "D", "E"].map((name) => ({ name }))), limits);
      drive(store, 3, ["in_progress", "verifying", "passing"]);
      drive(store, 4, ["in_progress", "verifying", "passing"]);
      claim(store, 1, "s1", 10);
      claim(store, 2, "s2", 30);
      claim(store, 3, "tester", 10);
      claim(store, 4, "tester", 10);
      store.changeFeatureStatus(4, { to: "regressed", actor: session("tester"), lastError: "broken" });
      expect(store.reclaimExpiredLeases()).toEqual([]);
      clock.minutes = 15;
      const seq = store.lastSeq();
      const changed = store.reclaimExpiredLeases();
      expect(
        changed.map((feature) => [feature.id, feature.status, feature.lease, feature.lastError]),
      ).toEqual([
        [1, "pending", null, `session s1 was interrupted: its lease expired at ${minutes(10)}`],
        [3, "passing", null, null],
        [4, "pending", null, "broken"],
      ]);
      expect(store.eventsSince(seq).map((event) => event.type)).toEqual([
        "feature.updated",
        "feature.updated",
        "feature.updated",
      ]);
      expect(store.getFeature(2)).toMatchObject({ status: "in_progress", lease: { owner: "s2" } });
      expect(store.getFeature(1)?.attempts).toBe(0);
      expect(store.reclaimExpiredLeases()).toEqual([]);
    }));
});
