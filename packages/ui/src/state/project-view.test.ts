import { emptySnapshot, type Feature } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import { durableEvent, ephemeralEvent, helloEvent, makeFeature } from "../test-support.ts";
import {
  featuresInOrder,
  initialProjectView,
  type ProjectView,
  reduceProjectView,
  viewLimits,
} from "./project-view.ts";

const usage = { inputTokens: 100, outputTokens: 20, costUsd: 0.5 };

function fold(view: ProjectView, ...events: Parameters<typeof reduceProjectView>[1][]): ProjectView {
  return events.reduce(reduceProjectView, view);
}

const started = (seq: number, agentId = "a1", featureIds = [1]) =>
  durableEvent(
    "agent.started",
    {
      agentId,
      index: 0,
      name: "Spark",
      role: "coding",
      featureIds,
      featureNames: featureIds.map((id) => `Feature ${id}`),
      model: "m",
    },
    seq,
  );

const updated = (seq: number, feature: Feature) => durableEvent("feature.updated", { feature }, seq);

describe("the project view reducer", () => {
  it("renders nothing before the first snapshot, and the snapshot's state after it", () => {
    const view = initialProjectView("demo");
    expect(view.hasSnapshot).toBe(false);
    const next = fold(view, {
      type: "events",
      events: [
        helloEvent(
          {
            run: { status: "running" },
            progress: { ...emptySnapshot().progress, passing: 2, total: 5 },
          } as never,
          7,
        ),
      ],
    });
    expect(next.hasSnapshot).toBe(true);
    expect(next.live.lastSeq).toBe(7);
    expect(next.live.snapshot.run.status).toBe("running");
    expect(next.progressHistory).toEqual([expect.objectContaining({ passing: 2, total: 5 })]);
  });

  it("folds agents through the protocol's applyEvent, and names them in the activity feed", () => {
    const view = fold(initialProjectView("demo"), {
      type: "events",
      events: [
        helloEvent(),
        started(1),
        durableEvent("agent.updated", { agentId: "a1", state: "working", thought: "Writing the cart" }, 2),
        durableEvent("agent.updated", { agentId: "a1", state: "testing", thought: "Writing the cart" }, 3),
      ],
    });
    expect(view.live.snapshot.agents).toEqual([
      expect.objectContaining({ agentId: "a1", state: "testing", thought: "Writing the cart" }),
    ]);
    // The same thought twice is one line of the feed.
    expect(view.activity.map((item) => item.message)).toEqual(["started on Feature 1", "Writing the cart"]);
    expect(view.activity[1]).toMatchObject({ agentName: "Spark", featureId: 1 });
    const ended = fold(view, {
      type: "events",
      events: [durableEvent("agent.ended", { agentId: "a1", featureIds: [1], outcome: "passed", usage }, 4)],
    });
    expect(ended.live.snapshot.agents).toEqual([]);
    expect(ended.agentNames.get("a1")).toBe("Spark");
    expect(ended.usage).toEqual({
      inputTokens: 100,
      outputTokens: 20,
      costUsd: 0.5,
      sessions: 1,
      costPartial: false,
    });
  });

  it("merges features monotonically: an older REST answer never overwrites a newer event", () => {
    const older = makeFeature(1, { status: "pending", updatedAt: "2026-12-03T12:00:00.000Z" });
    const newer = makeFeature(1, { status: "in_progress", updatedAt: "2026-12-03T12:00:05.000Z" });
    let view = fold(initialProjectView("demo"), {
      type: "events",
      events: [helloEvent(), updated(1, newer)],
    });
    view = fold(view, { type: "features.loaded", features: [older, makeFeature(2)] });
    expect(view.features.get(1)?.status).toBe("in_progress");
    expect(view.features.get(2)).toBeDefined();
    expect(view.featuresLoaded).toBe(true);
    // A stale event is ignored too.
    view = fold(view, { type: "events", events: [updated(2, older)] });
    expect(view.features.get(1)?.status).toBe("in_progress");
  });

  it("does not bring a deleted feature back from a REST answer that raced the deletion", () => {
    let view = fold(initialProjectView("demo"), {
      type: "features.loaded",
      features: [makeFeature(1), makeFeature(2)],
    });
    view = fold(view, {
      type: "events",
      events: [helloEvent(), durableEvent("feature.deleted", { id: 1 }, 1)],
    });
    view = fold(view, { type: "features.loaded", features: [makeFeature(1), makeFeature(2)] });
    expect([...view.features.keys()]).toEqual([2]);
  });

  it("celebrates a feature that passed verification live, and only that", () => {
    const pending = makeFeature(3, { status: "verifying", updatedAt: "2026-12-03T12:00:01.000Z" });
    const passing = makeFeature(3, { status: "passing", updatedAt: "2026-12-03T12:00:09.000Z" });
    let view = fold(initialProjectView("demo"), { type: "features.loaded", features: [pending] });
    view = fold(view, { type: "events", events: [helloEvent({}, 5), started(6, "a1", [3])] });
    // A session that ended "passed" is not a pass: the verifier decides.
    view = fold(view, {
      type: "events",
      events: [durableEvent("agent.ended", { agentId: "a1", featureIds: [3], outcome: "passed", usage }, 7)],
    });
    expect(view.celebrations).toEqual([]);
    view = fold(view, { type: "events", events: [updated(8, passing)] });
    expect(view.celebrations).toEqual([expect.objectContaining({ kind: "feature_passed", featureId: 3 })]);
    const dismissed = fold(view, { type: "celebration.dismissed", key: view.celebrations[0]?.key ?? "" });
    expect(dismissed.celebrations).toEqual([]);
  });

  it("does not celebrate what a replay brings back (events at or below the hello's lastSeq)", () => {
    const verifying = makeFeature(3, { status: "verifying", updatedAt: "2026-12-03T12:00:01.000Z" });
    const passing = makeFeature(3, { status: "passing", updatedAt: "2026-12-03T12:00:09.000Z" });
    let view = fold(initialProjectView("demo"), { type: "features.loaded", features: [verifying] });
    view = fold(view, {
      type: "events",
      events: [
        helloEvent({}, 20),
        updated(8, passing),
        durableEvent("run.updated", { status: "completed" }, 9),
      ],
    });
    expect(view.features.get(3)?.status).toBe("passing");
    expect(view.celebrations).toEqual([]);
  });

  it("celebrates a project that completes live, once", () => {
    let view = fold(initialProjectView("demo"), {
      type: "events",
      events: [helloEvent({ run: { status: "running" } }, 3)],
    });
    view = fold(view, {
      type: "events",
      events: [
        durableEvent("run.updated", { status: "completed" }, 4),
        durableEvent("run.updated", { status: "completed" }, 5),
      ],
    });
    expect(view.celebrations.map((celebration) => celebration.kind)).toEqual(["project_completed"]);
  });

  it("takes each durable event into the history once, also when a replay overlaps the snapshot", () => {
    const progress = (seq: number, passing: number) =>
      durableEvent("progress.updated", { ...emptySnapshot().progress, passing, total: 4 }, seq);
    // First connection with sinceSeq=0: the snapshot at 3, then the replay of 1..3.
    let view = fold(initialProjectView("demo"), {
      type: "events",
      events: [helloEvent({}, 3), progress(1, 0), progress(2, 1), progress(3, 2)],
    });
    expect(view.progressHistory.map((point) => point.passing)).toEqual([0, 1, 2]);
    // A reconnect with sinceSeq=3 replays nothing old; a second hello does not duplicate anything.
    view = fold(view, { type: "events", events: [helloEvent({}, 4), progress(4, 3), progress(3, 2)] });
    expect(view.progressHistory.map((point) => point.passing)).toEqual([0, 1, 2, 3]);
  });

  it("keeps the chart in time order when the log's points replay after the snapshot's", () => {
    const progress = (seq: number, passing: number) =>
      durableEvent("progress.updated", { ...emptySnapshot().progress, passing, total: 4 }, seq);
    const snapshotProgress = { ...emptySnapshot().progress, passing: 2, total: 4 };
    const view = fold(initialProjectView("demo"), {
      type: "events",
      events: [helloEvent({ progress: snapshotProgress }, 2), progress(1, 1), progress(2, 2)],
    });
    const times = view.progressHistory.map((point) => point.at);
    expect([...times].sort()).toEqual(times);
    expect(view.progressHistory.map((point) => point.passing)).toEqual([1, 2]);
  });

  it("starts the history again when the server's log is behind it (a reset project)", () => {
    let view = fold(initialProjectView("demo"), {
      type: "events",
      events: [
        helloEvent({}, 0),
        durableEvent("orchestrator.decided", { kind: "run_started", message: "go" }, 1),
      ],
    });
    expect(view.activity).toHaveLength(1);
    view = fold(view, { type: "events", events: [helloEvent({}, 0)] });
    expect(view.activity).toHaveLength(0);
  });

  it("keeps the latest screenshot and forgets it when screenshots stop", () => {
    let view = fold(initialProjectView("demo"), {
      type: "events",
      events: [
        helloEvent(),
        ephemeralEvent("browser.screenshot", {
          url: "http://127.0.0.1:5173/",
          mimeType: "image/jpeg",
          imageData: "AAAA",
          width: 10,
          height: 10,
        }),
      ],
    });
    expect(view.screenshot?.src).toBe("data:image/jpeg;base64,AAAA");
    view = fold(view, { type: "screenshots.stopped" });
    expect(view.screenshot).toBeUndefined();
  });

  it("shows error frames and connection changes, and returns the same object when nothing changed", () => {
    let view = initialProjectView("demo");
    view = fold(view, {
      type: "events",
      events: [ephemeralEvent("error", { code: "invalid_input", message: "bad frame" })],
    });
    expect(view.streamError).toBe("bad frame");
    const reconnecting = fold(view, { type: "connection", status: "reconnecting", detail: "closed (1006)" });
    expect(reconnecting.connection).toBe("reconnecting");
    expect(fold(reconnecting, { type: "connection", status: "reconnecting", detail: "closed (1006)" })).toBe(
      reconnecting,
    );
    expect(fold(reconnecting, { type: "celebration.dismissed", key: "none" })).toBe(reconnecting);
  });

  it("caps the activity feed", () => {
    const events = [helloEvent()];
    for (let seq = 1; seq <= viewLimits.activityItems + 10; seq++)
      events.push(durableEvent("orchestrator.decided", { kind: "at_capacity", message: `m${seq}` }, seq));
    const view = fold(initialProjectView("demo"), { type: "events", events });
    expect(view.activity).toHaveLength(viewLimits.activityItems);
    expect(view.activity.at(-1)?.message).toBe(`m${viewLimits.activityItems + 10}`);
  });

  it("orders features by priority, then id", () => {
    const view = fold(initialProjectView("demo"), {
      type: "features.loaded",
      features: [
        makeFeature(1, { priority: 5 }),
        makeFeature(2, { priority: 1 }),
        makeFeature(3, { priority: 1 }),
      ],
    });
    expect(featuresInOrder(view).map((feature) => feature.id)).toEqual([2, 3, 1]);
  });
});
