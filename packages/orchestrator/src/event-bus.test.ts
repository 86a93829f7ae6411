/**
 * The bus over a real project store: durable events, whether appended through the bus or by the store inside its
 * own transactions, reach listeners exactly once, in `seq` order, with no gap, and equal to the log; ephemeral
 * events never touch the log; a failing listener stops nobody.
 */
import {
  type FeatureImportEntry,
  featureImportEntrySchema,
  type ServerEvent,
  serverEventSchema,
} from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { EventBus } from "./event-bus.ts";

const fixedNow = () => new Date("2026-03-04T05:06:07.000Z");
const limits = { maxDependenciesPerFeature: 20 };

const entries = (count: number): FeatureImportEntry[] =>
  Array.from({ length: count }, (_, index) => featureImportEntrySchema.parse({ name: `F${index}` }));

function withStore(test: (store: ProjectStore) => void | Promise<void>): () => Promise<void> {
  return async () => {
    using directory = temporaryDirectory();
    const store = ProjectStore.open(directory.path, { create: true, now: fixedNow });
    try {
      await test(store);
    } finally {
      store.close();
    }
  };
}

/** Subscribes a listener that records every event, checking each against the protocol. */
function record(bus: EventBus): ServerEvent[] {
  const events: ServerEvent[] = [];
  bus.subscribe((event) => {
    events.push(serverEventSchema.parse(event));
  });
  return events;
}

/** The log as the bus should have published it. */
const logAsPublished = (store: ProjectStore, sinceSeq = 0): ServerEvent[] =>
  store.eventsSince(sinceSeq, 1_000_000).map((stored) => ({ v: 1, ...stored }) as ServerEvent);

const seqs = (events: readonly ServerEvent[]): (number | undefined)[] =>
  events.map((event) => ("seq" in event ? event.seq : undefined));

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("EventBus durable events", () => {
  it(
    "publishes bus and store events once, in seq order, without gaps, equal to the log",
    withStore((store) => {
      const bus = new EventBus(store, fixedNow);
      const events = record(bus);

      bus.durable("run.updated", { status: "running" });
      store.importFeatures(entries(2), limits); // two feature.created, not published yet
      bus.durable("agent.updated", { agentId: "coding-1", state: "thinking", thought: "plan" });
      store.claimFeature(1, { owner: "coding-1", expiresAt: "2026-03-04T06:00:00.000Z", maxAttempts: 3 });
      bus.flush();
      bus.flush();
      store.claimFeature(2, { owner: "coding-1", expiresAt: "2026-03-04T06:00:00.000Z", maxAttempts: 3 });
      bus.durable("agent.ended", {
        agentId: "coding-1",
        featureIds: [1, 2],
        outcome: "passed",
        usage: { inputTokens: 1, outputTokens: 2, costUsd: 0 },
      });
      bus.flush();

      expect(events.map((event) => event.type)).toEqual([
        "run.updated",
        "feature.created",
        "feature.created",
        "agent.updated",
        "feature.updated",
        "feature.updated",
        "agent.ended",
      ]);
      expect(seqs(events)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(events).toEqual(logAsPublished(store));
    }),
  );

  it(
    "does not publish what was in the log before the bus existed",
    withStore((store) => {
      store.importFeatures(entries(3), limits);
      const bus = new EventBus(store);
      const events = record(bus);
      bus.flush();
      bus.durable("run.updated", { status: "paused", reason: "asked" });
      expect(seqs(events)).toEqual([4]);
      expect(events[0]).toEqual({
        v: 1,
        seq: 4,
        at: "2026-03-04T05:06:07.000Z",
        type: "run.updated",
        data: { status: "paused", reason: "asked" },
      });
    }),
  );

  it(
    "publishes the data as the log holds it, not the caller's object",
    withStore((store) => {
      const bus = new EventBus(store);
      const events = record(bus);
      const data = { agentId: "coding-1", state: "working" as const, tool: undefined };
      bus.durable("agent.updated", data);
      data.state = "idle" as "working";
      expect(events).toEqual(logAsPublished(store));
      expect(events[0]?.data).toStrictEqual({ agentId: "coding-1", state: "working" });
    }),
  );

  it(
    "publishes a backlog larger than one read of the log, gap-free",
    withStore((store) => {
      const bus = new EventBus(store);
      const events = record(bus);
      store.importFeatures(entries(1_200), limits);
      bus.durable("run.updated", { status: "running" });
      expect(seqs(events)).toEqual(Array.from({ length: 1_201 }, (_, index) => index + 1));
    }),
  );

  it(
    "gives every listener the events in seq order even when a listener publishes while being called",
    withStore((store) => {
      const bus = new EventBus(store);
      const first = record(bus);
      bus.subscribe((event) => {
        if (event.type === "agent.started") {
          bus.durable("agent.updated", { agentId: event.data.agentId, state: "thinking" });
          bus.ephemeral("log.appended", { line: "started", level: "info", source: "orchestrator" });
        }
      });
      const last = record(bus);
      bus.durable("agent.started", {
        agentId: "coding-1",
        index: 0,
        name: "Spark",
        role: "coding",
        featureIds: [],
        featureNames: [],
        model: "scripted",
      });
      const expected = ["agent.started", "agent.updated", "log.appended"];
      expect(first.map((event) => event.type)).toEqual(expected);
      expect(last.map((event) => event.type)).toEqual(expected);
      expect(seqs(last)).toEqual([1, 2, undefined]);
    }),
  );
});

describe("EventBus ephemeral events", () => {
  it(
    "publishes them without seq and never stores them",
    withStore((store) => {
      const bus = new EventBus(store, fixedNow);
      const events = record(bus);
      bus.ephemeral("log.appended", { line: "hello", level: "info", source: "orchestrator" });
      bus.flush();
      expect(events).toEqual([
        {
          v: 1,
          at: "2026-03-04T05:06:07.000Z",
          type: "log.appended",
          data: { line: "hello", level: "info", source: "orchestrator" },
        },
      ]);
      expect(store.lastSeq()).toBe(0);
      bus.durable("run.updated", { status: "running" });
      expect(seqs(events)).toEqual([undefined, 1]);
    }),
  );
});

describe("EventBus listeners", () => {
  it(
    "keeps calling the other listeners when one throws, and stops calling an unsubscribed one",
    withStore((store) => {
      const bus = new EventBus(store);
      const before = record(bus);
      bus.subscribe(() => {
        throw new Error("listener failed");
      });
      const after = record(bus);
      const removed = record(bus);
      bus.durable("run.updated", { status: "running" });
      bus.ephemeral("pong", {});
      bus.subscribe(() => undefined)();
      const unsubscribe = bus.subscribe((event) => removed.push(event));
      unsubscribe();
      bus.durable("run.updated", { status: "stopped" });
      // The failure is reported once, as an error line after the event it failed on; its later failures are not.
      expect(before.map((event) => event.type)).toEqual([
        "run.updated",
        "log.appended",
        "pong",
        "run.updated",
      ]);
      const report = before[1];
      expect(report?.type === "log.appended" && report.data).toMatchObject({
        level: "error",
        source: "orchestrator",
        line: expect.stringMatching(/an event listener failed on run\.updated #1: listener failed/),
      });
      expect(after).toEqual(before);
      expect(removed).toEqual(before);
    }),
  );
});

describe("EventBus.close", () => {
  it(
    "publishes what was queued, then refuses durable events with a typed error and drops ephemeral ones",
    withStore((store) => {
      const bus = new EventBus(store);
      const events = record(bus);
      bus.coalesce("coding-1", "agent.updated", { agentId: "coding-1", state: "thinking" });
      bus.close();
      bus.close();
      expect(bus.closed).toBe(true);
      expect(events.map((event) => event.type)).toEqual(["agent.updated"]);
      expect(() => bus.durable("run.updated", { status: "stopped" })).toThrow(
        expect.objectContaining({ code: "store_closed" }),
      );
      expect(() => bus.coalesce("x", "run.updated", { status: "stopped" })).toThrow(
        expect.objectContaining({ code: "store_closed" }),
      );
      bus.ephemeral("pong", {});
      expect(events).toHaveLength(1);
      expect(store.lastSeq()).toBe(1);
    }),
  );
});

describe("EventBus.coalesce", () => {
  it(
    "appends only the latest event per key, at the end of the turn, in order of the latest update",
    withStore(async (store) => {
      const bus = new EventBus(store);
      const events = record(bus);
      bus.coalesce("coding-1", "agent.updated", { agentId: "coding-1", state: "thinking", thought: "a" });
      bus.coalesce("coding-2", "agent.updated", { agentId: "coding-2", state: "thinking" });
      bus.coalesce("coding-1", "agent.updated", { agentId: "coding-1", state: "working", tool: "bash" });
      expect(events).toEqual([]);
      expect(store.lastSeq()).toBe(0);
      await endOfTurn();
      expect(events.map((event) => event.data)).toEqual([
        { agentId: "coding-2", state: "thinking" },
        { agentId: "coding-1", state: "working", tool: "bash" },
      ]);
      expect(events).toEqual(logAsPublished(store));
      await endOfTurn();
      expect(events).toHaveLength(2);
    }),
  );

  it(
    "appends queued events before the next durable event and on flush, gap-free with store events",
    withStore(async (store) => {
      const bus = new EventBus(store);
      const events = record(bus);
      bus.coalesce("coding-1", "agent.updated", { agentId: "coding-1", state: "thinking" });
      bus.durable("run.updated", { status: "running" });
      store.importFeatures(entries(1), limits);
      bus.coalesce("coding-1", "agent.updated", { agentId: "coding-1", state: "working" });
      bus.flush();
      await endOfTurn();
      expect(events.map((event) => event.type)).toEqual([
        "agent.updated",
        "run.updated",
        "feature.created",
        "agent.updated",
      ]);
      expect(seqs(events)).toEqual([1, 2, 3, 4]);
      expect(events).toEqual(logAsPublished(store));
    }),
  );
});
