/**
 * The real-time stream and the run controls on a real server with real workers (the scripted model): a whole
 * replay run created, started, watched live (agents, Maestro's decisions, logs, progress), paused, resumed and
 * finished; a reconnect with `sinceSeq` that misses nothing, also across a server restart; refused upgrades; bad
 * client frames; per-session logs after the session and after a restart; `autowright run` on a served project.
 */
import { spawnSync } from "node:child_process";
import type { ServerEvent } from "@autowright/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type ServerHarness, type StreamClient, startServerHarness } from "./support/server-harness.ts";
import { launcher } from "./support/worker-harness.ts";

let harness: ServerHarness;
beforeEach(async () => {
  harness = await startServerHarness();
});
afterEach(async () => {
  await harness.close();
});

const backlog = [
  { category: "core", name: "Cart" },
  { category: "core", name: "Checkout", dependsOnIndices: [0] },
  { category: "ui", name: "Theme" },
];

const runEnded = (event: ServerEvent): boolean =>
  event.type === "run.updated" && ["completed", "stalled", "stopped", "crashed"].includes(event.data.status);

/** Durable seqs of the frames, in order. */
const seqs = (frames: readonly ServerEvent[]): number[] =>
  frames.flatMap((frame) => (frame.seq === undefined ? [] : [frame.seq]));

describe("the project stream", () => {
  it("streams a whole replay run live: hello, agents, Maestro's decisions, logs and progress", async () => {
    await harness.createProject("shop", backlog);
    const client = harness.stream("/ws/projects/shop");
    const hello = await client.waitFor((event) => event.type === "hello", "hello");
    expect(client.frames[0]?.type).toBe("hello");
    if (hello.type !== "hello") throw new Error("not hello");
    expect(hello.data).toMatchObject({
      project: "shop",
      protocolVersion: 1,
      snapshot: { run: { status: "stopped" } },
    });
    expect(hello.data.snapshot.progress.total).toBe(3);

    const started = await harness.api("POST", "/api/projects/shop/run/start", {
      provider: "replay",
      concurrency: 2,
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ active: true, provider: "replay", maxConcurrency: 2 });
    const second = await harness.api("POST", "/api/projects/shop/run/start", { provider: "replay" });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("conflict");

    const end = await client.waitFor(runEnded, "the end of the run");
    expect(end).toMatchObject({ data: { status: "completed" } });
    const types = new Set(client.frames.map((frame) => frame.type));
    for (const type of [
      "agent.started",
      "agent.updated",
      "agent.ended",
      "orchestrator.updated",
      "progress.updated",
      "log.appended",
      "feature.updated",
    ])
      expect(types, type).toContain(type);
    const decisions = client.frames.flatMap((frame) =>
      frame.type === "orchestrator.decided" ? [frame.data.kind] : [],
    );
    expect(decisions).toEqual(
      expect.arrayContaining(["run_started", "agent_spawned", "feature_verified", "run_completed"]),
    );
    expect(decisions.filter((kind) => kind === "feature_verified")).toHaveLength(3);
    const lastProgress = client.frames.filter((frame) => frame.type === "progress.updated").at(-1);
    expect(lastProgress?.data).toMatchObject({ passing: 3, total: 3, percentage: 100 });
    // Durable frames arrive in seq order, with no gap, from the hello on.
    const live = seqs(client.frames);
    expect(live).toEqual(live.map((_, index) => hello.data.lastSeq + 1 + index));

    const state = await harness.api("GET", "/api/projects/shop/run");
    expect(state.body).toMatchObject({
      active: false,
      status: "completed",
    });
    expect((await harness.api("POST", "/api/projects/shop/run/pause")).status).toBe(409);
    expect((await harness.api("PATCH", "/api/projects/shop/run", { maxConcurrency: 2 })).status).toBe(409);

    // The hello of a new client carries the decisions (at most 50) and the final state.
    const late = harness.stream("/ws/projects/shop");
    const lateHello = await late.waitFor((event) => event.type === "hello");
    if (lateHello.type !== "hello") throw new Error("not hello");
    expect(lateHello.data.snapshot.decisions.map((decision) => decision.kind)).toContain("run_completed");
    expect(lateHello.data.snapshot).toMatchObject({
      run: { status: "completed" },
      agents: [],
      progress: { passing: 3 },
    });
  });

  it("pauses, changes the concurrency, resumes and stops a run", async () => {
    await harness.createProject("shop", backlog);
    const client = harness.stream("/ws/projects/shop");
    await client.waitFor((event) => event.type === "hello");
    await harness.api("POST", "/api/projects/shop/run/start", {
      provider: "replay",
      concurrency: 1,
      replayLatencyMs: 50,
    });
    await client.waitFor((event) => event.type === "agent.started", "the first agent");
    // As the README's curl sends it: a JSON content type and no body.
    const paused = await harness.api("POST", "/api/projects/shop/run/pause", undefined, {
      headers: { "content-type": "application/json" },
    });
    expect(paused.body).toMatchObject({ active: true, paused: true });
    await client.waitFor(
      (event) => event.type === "run.updated" && event.data.status === "paused",
      "the pause",
    );
    const agentsStarted = client.frames.filter((frame) => frame.type === "agent.started").length;
    const agentsEnded = client.frames.filter((frame) => frame.type === "agent.ended").length;
    expect(agentsEnded).toBe(agentsStarted);
    const features = (await harness.api("GET", "/api/projects/shop/features")).body.features as {
      status: string;
    }[];
    expect(features.some((feature) => feature.status === "pending")).toBe(true);
    expect(
      (await harness.api("PATCH", "/api/projects/shop/run", { maxConcurrency: 2 })).body.maxConcurrency,
    ).toBe(2);
    expect((await harness.api("PATCH", "/api/projects/shop/run", { maxConcurrency: 0 })).status).toBe(400);
    expect((await harness.api("POST", "/api/projects/shop/run/resume")).body.paused).toBe(false);
    await client.waitFor(
      (event) =>
        event.type === "agent.started" &&
        client.frames.indexOf(event) >
          client.frames.findIndex((frame) => frame.type === "run.updated" && frame.data.status === "paused"),
      "an agent after the resume",
    );
    const stopped = await harness.api("POST", "/api/projects/shop/run/stop");
    expect(stopped.body).toMatchObject({ active: false });
    expect(["stopped", "completed"]).toContain(stopped.body.status);
    const decisions = client.frames.flatMap((frame) =>
      frame.type === "orchestrator.decided" ? [frame.data.kind] : [],
    );
    expect(decisions).toEqual(expect.arrayContaining(["paused", "resumed"]));
  });

  it("replays what a reconnecting client missed with sinceSeq, without a gap, also after a restart", async () => {
    await harness.createProject("shop", backlog);
    const first = harness.stream("/ws/projects/shop");
    await first.waitFor((event) => event.type === "hello");
    await harness.api("POST", "/api/projects/shop/run/start", { provider: "replay", concurrency: 2 });
    await first.waitFor((event) => event.type === "agent.started");
    const seen = Math.max(...seqs(first.frames));
    first.close();
    await first.closed;

    const ended = harness.stream("/ws/projects/shop");
    await ended.waitFor(runEnded, "the end of the run");
    ended.close();

    const again = harness.stream(`/ws/projects/shop?sinceSeq=${seen}`);
    const hello = await again.waitFor((event) => event.type === "hello");
    if (hello.type !== "hello") throw new Error("not hello");
    await again.waitFor((event) => event.seq === hello.data.lastSeq, "the replay up to lastSeq");
    const replayed = seqs(again.frames);
    expect(replayed).toEqual(
      Array.from({ length: hello.data.lastSeq - seen }, (_, index) => seen + 1 + index),
    );
    expect(again.frames.some(runEnded)).toBe(true);
    again.close();

    await harness.restart();
    const afterRestart = harness.stream(`/ws/projects/shop?sinceSeq=${seen}`);
    const restartHello = await afterRestart.waitFor((event) => event.type === "hello");
    if (restartHello.type !== "hello") throw new Error("not hello");
    expect(restartHello.data.lastSeq).toBe(hello.data.lastSeq);
    expect(restartHello.data.snapshot.progress.passing).toBe(3);
    await afterRestart.waitFor(
      (event) => event.seq === restartHello.data.lastSeq,
      "the replay after the restart",
    );
    expect(seqs(afterRestart.frames)).toEqual(replayed);

    // Session logs outlive the sessions and the restart.
    const sessions = (await harness.api("GET", "/api/projects/shop/sessions")).body.sessions as {
      id: string;
      outcome: string;
    }[];
    expect(sessions.length).toBeGreaterThanOrEqual(3);
    expect(sessions.every((session) => session.outcome === "passed")).toBe(true);
    const detail = await harness.api("GET", `/api/projects/shop/sessions/${sessions[0]?.id}`);
    expect(detail.body.session.usage.inputTokens).toBeGreaterThan(0);
    expect(detail.body.log.lines.length).toBeGreaterThan(2);
    const next = await harness.api(
      "GET",
      `/api/projects/shop/sessions/${sessions[0]?.id}/log?offset=${detail.body.log.nextOffset}`,
    );
    expect(next.body.lines).toEqual([]);
    expect(
      (await harness.api("GET", `/api/projects/shop/sessions/${sessions[0]?.id}/log?offset=-1`)).status,
    ).toBe(400);
    expect((await harness.api("GET", "/api/projects/shop/sessions/nope")).status).toBe(404);
    expect((await harness.api("DELETE", "/api/projects/shop/sessions/nope")).status).toBe(404);
  });

  it("answers ping with pong and bad frames with an error frame, and stays open", async () => {
    await harness.createProject("shop");
    const client = harness.stream("/ws/projects/shop");
    await client.waitFor((event) => event.type === "hello");
    const errors = (): ServerEvent[] => client.frames.filter((frame) => frame.type === "error");
    client.send("{not json");
    await client.waitFor(() => errors().length === 1, "an error for bad JSON");
    client.send({ v: 1, type: "explode" });
    await client.waitFor(() => errors().length === 2, "an error for an unknown type");
    client.send({ v: 2, type: "ping" });
    await client.waitFor(() => errors().length === 3, "an error for another protocol version");
    client.send({ v: 1, type: "subscribe", data: { sinceSeq: -1 } });
    await client.waitFor(() => errors().length === 4, "an error for a bad subscribe");
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    await client.waitFor(() => errors().length === 5, "an error for a binary frame");
    expect(errors().map((frame) => (frame.type === "error" ? frame.data.code : ""))).toEqual([
      "invalid_json",
      "invalid_input",
      "unsupported_protocol_version",
      "invalid_input",
      "invalid_input",
    ]);
    client.send({ v: 1, id: "p1", type: "ping" });
    const pong = await client.waitFor((event) => event.type === "pong", "pong");
    expect(pong.data).toEqual({ id: "p1" });
  });

  it("refuses upgrades without the token, from another origin or for an unknown project", async () => {
    await harness.createProject("shop");
    const cases: [StreamClient, number, string][] = [
      [harness.stream("/ws/projects/shop", { token: null }), 4403, "unauthorized"],
      [
        harness.stream("/ws/projects/shop", { headers: { origin: "https://evil.example" } }),
        4403,
        "forbidden",
      ],
      [harness.stream("/ws/projects/nope"), 4404, "project_not_found"],
      [harness.stream("/ws/projects/shop?sinceSeq=abc"), 4400, "invalid_input"],
    ];
    for (const [client, code, errorCode] of cases) {
      expect((await client.closed).code).toBe(code);
      expect(client.frames.map((frame) => frame.type)).toEqual(["error"]);
      expect(client.frames[0]?.data).toMatchObject({ code: errorCode });
    }
    const byQuery = harness.stream(`/ws/projects/shop?token=${harness.server.token}`, { token: null });
    expect((await byQuery.waitFor((event) => event.type === "hello")).type).toBe("hello");
  });

  it("serves terminals only behind the token and the Origin check, and pipes a real shell", async () => {
    await harness.createProject("shop");
    const created = await harness.api("POST", "/api/projects/shop/terminals", { name: "build" });
    expect(created.status).toBe(200);
    const id: string = created.body.terminal.id;
    const base = harness.server.url.replace("http", "ws");
    const open = (
      headers: Record<string, string>,
      terminal = id,
    ): Promise<{ code: number; frames: unknown[]; socket: WebSocket }> =>
      new Promise((resolve) => {
        const socket = new WebSocket(`${base}/ws/projects/shop/terminals/${terminal}`, { headers });
        const frames: unknown[] = [];
        socket.on("message", (data) => {
          frames.push(JSON.parse(data.toString()));
          if (frames.some((frame) => JSON.stringify(frame).includes("marker-42")))
            resolve({ code: 0, frames, socket });
        });
        socket.on("open", () =>
          socket.send(JSON.stringify({ type: "input", data: "echo marker-$((40+2))\n" })),
        );
        socket.on("close", (code) => resolve({ code, frames, socket }));
        socket.on("error", () => undefined);
      });
    const anonymous = await open({});
    expect(anonymous.code).toBe(4403);
    const crossSite = await open({
      authorization: `Bearer ${harness.server.token}`,
      origin: "https://evil.example",
    });
    expect(crossSite.code).toBe(4403);
    const allowed = await open({ authorization: `Bearer ${harness.server.token}` });
    expect(allowed.code).toBe(0);
    allowed.socket.close();
    const unknown = await open(
      { authorization: `Bearer ${harness.server.token}` },
      "0b7d6b8e-1d1e-4f0e-9d55-1f7b8a6c2e11",
    );
    expect(unknown.code).toBe(4404);
  });

  it("is the one writer: `autowright run` on a served project is refused with a pointer to the server", async () => {
    const root = await harness.createProject("shop", backlog);
    await harness.api("GET", "/api/projects/shop");
    const result = spawnSync(
      process.execPath,
      [launcher, "run", root, "--provider", "replay", "--home", harness.home.path],
      {
        encoding: "utf8",
        input: "",
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`the autowright server at ${harness.server.url}`);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(
      (await harness.api("GET", "/api/projects/shop/features")).body.features.every(
        (feature: { status: string }) => feature.status === "pending",
      ),
    ).toBe(true);
  });
});
