import { describe, expect, it } from "vitest";
import type { ServerEvent } from "./events.ts";
import { applyEvent, emptySnapshot, initialLiveState } from "./live-state.ts";

const at = "2026-12-03T10:00:00.000Z";
let seq = 0;
function durable(type: string, data: unknown): ServerEvent {
  seq += 1;
  return { v: 1, seq, at, type, data } as ServerEvent;
}
const started = (agentId: string) =>
  durable("agent.started", {
    agentId,
    index: 0,
    name: "Spark",
    role: "coding",
    featureIds: [1],
    featureNames: ["Login"],
    model: "m",
  });

describe("applyEvent", () => {
  it("folds agents: started, updated (thought kept until replaced), ended", () => {
    seq = 0;
    let state = initialLiveState();
    state = applyEvent(state, started("s1"));
    expect(state.snapshot.agents).toEqual([
      expect.objectContaining({ agentId: "s1", state: "idle", startedAt: at }),
    ]);
    state = applyEvent(
      state,
      durable("agent.updated", { agentId: "s1", state: "thinking", thought: "reading", tool: "read" }),
    );
    state = applyEvent(state, durable("agent.updated", { agentId: "s1", state: "working" }));
    expect(state.snapshot.agents[0]).toMatchObject({ state: "working", thought: "reading" });
    expect(state.snapshot.agents[0]?.tool).toBeUndefined();
    state = applyEvent(
      state,
      durable("agent.updated", { agentId: "s1", state: "rate_limited", resetAt: "2026-12-03T11:00:00.000Z" }),
    );
    expect(state.snapshot.agents[0]).toMatchObject({
      state: "rate_limited",
      resetAt: "2026-12-03T11:00:00.000Z",
    });
    state = applyEvent(
      state,
      durable("agent.ended", {
        agentId: "s1",
        featureIds: [1],
        outcome: "passed",
        usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 },
      }),
    );
    expect(state.snapshot.agents).toEqual([]);
    expect(state.lastSeq).toBe(seq);
  });

  it("ignores events already folded, ephemeral events and feature events", () => {
    seq = 0;
    const first = applyEvent(initialLiveState(), durable("run.updated", { status: "running" }));
    const replayed = applyEvent(first, {
      ...durable("run.updated", { status: "paused" }),
      seq: 1,
    } as ServerEvent);
    expect(replayed).toBe(first);
    const log = applyEvent(first, {
      v: 1,
      at,
      type: "log.appended",
      data: { line: "x", level: "info", source: "agent" },
    });
    expect(log).toBe(first);
    const feature = applyEvent(first, durable("feature.deleted", { id: 3 }));
    expect(feature.snapshot).toBe(first.snapshot);
    expect(feature.lastSeq).toBe(3);
  });

  it("keeps the last 50 decisions, with seq and time; a new run clears agents", () => {
    seq = 0;
    let state = applyEvent(initialLiveState(), started("s1"));
    for (let index = 0; index < 60; index += 1)
      state = applyEvent(
        state,
        durable("orchestrator.decided", { kind: "agent_spawned", message: `n${index}` }),
      );
    expect(state.snapshot.decisions).toHaveLength(50);
    expect(state.snapshot.decisions[0]).toMatchObject({ message: "n10", seq: 12, at });
    state = applyEvent(state, durable("run.updated", { status: "starting" }));
    expect(state.snapshot.agents).toEqual([]);
    expect(state.snapshot.run.status).toBe("starting");
  });

  it("takes the hello snapshot as a whole", () => {
    const snapshot = { ...emptySnapshot(), run: { status: "running" as const } };
    const state = applyEvent(initialLiveState(), {
      v: 1,
      at,
      type: "hello",
      data: { protocolVersion: 1, serverVersion: "1", project: "p", lastSeq: 7, snapshot },
    });
    expect(state).toEqual({ lastSeq: 7, snapshot });
  });
});
