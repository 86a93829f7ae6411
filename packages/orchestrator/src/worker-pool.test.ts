import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SessionOutcome, WorkerOutboundFrame } from "@autowright/protocol";
import { eventually, processRunning, type TemporaryDirectory, temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorkerPool } from "./worker-pool.ts";
import { startWorkerSession, type WorkerCommand, type WorkerSession } from "./worker-session.ts";

/**
 * A fake worker: a real process speaking the NDJSON frame protocol. What a session does is its prompt; every
 * `ended` summary is `<pid>:<sessions so far>:<reuse asked>`. It marks `<pid>.spawned` in FAKE_DIR when it starts.
 */
const fakeWorker = `
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
const dir = process.env.FAKE_DIR;
writeFileSync(dir + "/" + process.pid + ".spawned", "");
const write = (frame) => process.stdout.write(JSON.stringify({ v: 1, ...frame }) + "\\n");
const ready = () => write({ type: "ready", protocolVersion: Number(process.env.FAKE_PROTOCOL ?? 1), pid: process.pid });
let sessions = 0;
let current;
const end = (outcome) => {
  const start = current;
  current = undefined;
  write({ type: "ended", outcome, summary: process.pid + ":" + sessions + ":" + (start.reuse === true) });
  if (start.prompt === "linger") return;
  if (start.prompt === "refuse") process.stdout.write("", () => process.exit(0));
  if (start.reuse === true) setTimeout(ready, 5);
  else process.stdout.write("", () => process.exit(0));
};
createInterface({ input: process.stdin }).on("line", (line) => {
  const frame = JSON.parse(line);
  if (frame.type === "start") {
    sessions += 1;
    current = frame;
    const action = frame.prompt;
    write({ type: "heartbeat", at: new Date().toISOString() });
    if (action === "crash") process.exit(3);
    else if (action === "backlog") write({ type: "backlog.call", callId: "call-1", tool: "feature_get_stats", input: {} });
    else if (action === "stderr") { process.stderr.write("something broke\\n"); setTimeout(() => process.exit(1), 20); }
    else if (action === "hang") {}
    else if (action === "linger" || action === "refuse") end("passed");
    else setTimeout(() => end(action), 5);
  } else if (frame.type === "tool.result") {
    write({ type: "log", level: "info", line: "answer " + JSON.stringify(frame.result) });
    end("passed");
  } else if (frame.type === "cancel" && current !== undefined) {
    end("cancelled");
  }
}).on("close", () => process.exit(0));
setTimeout(ready, Number(process.env.FAKE_READY_DELAY_MS ?? 0));
`;

let directory: TemporaryDirectory;
let command: WorkerCommand;
const pools: WorkerPool[] = [];

beforeEach(() => {
  directory = temporaryDirectory("autowright-pool-");
  writeFileSync(join(directory.path, "fake-worker.mjs"), fakeWorker);
  command = { command: process.execPath, args: [join(directory.path, "fake-worker.mjs")] };
});
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close();
  for (const pid of spawnedPids()) if (processRunning(pid)) process.kill(pid, "SIGKILL");
  directory[Symbol.dispose]();
});

function pool(options: { maxSessionsPerWorker?: number; env?: NodeJS.ProcessEnv } = {}): WorkerPool {
  const created = new WorkerPool({
    worker: command,
    env: { ...process.env, FAKE_DIR: directory.path, ...options.env },
    ...(options.maxSessionsPerWorker === undefined
      ? {}
      : { maxSessionsPerWorker: options.maxSessionsPerWorker }),
  });
  pools.push(created);
  return created;
}

interface Recorded {
  readonly session: WorkerSession;
  readonly frames: WorkerOutboundFrame[];
  readonly calls: string[];
}

function run(target: WorkerPool, prompt: string, silenceLimitMs = 30_000): Recorded {
  const frames: WorkerOutboundFrame[] = [];
  const calls: string[] = [];
  const session = target.start({
    start: startBody(prompt),
    silenceLimitMs,
    onFrame: (frame) => frames.push(frame),
    onBacklogCall: (tool) => {
      calls.push(tool);
      return { ok: true, result: { passing: 3 } };
    },
  });
  return { session, frames, calls };
}

function startBody(prompt: string) {
  return {
    sessionId: `session-${prompt}`,
    role: "coding" as const,
    featureIds: [],
    prompt,
    provider: "replay" as const,
    model: "scripted",
    cwd: directory.path,
    env: {},
    limits: {},
  };
}

/** `<pid>:<sessions>:<reuse>` from the fake's summary. */
function parts(summary: string): { pid: number; sessions: number; reuse: boolean } {
  const [pid, sessions, reuse] = summary.split(":");
  return { pid: Number(pid), sessions: Number(sessions), reuse: reuse === "true" };
}

function spawnedPids(): number[] {
  if (!existsSync(directory.path)) return [];
  return readdirSync(directory.path)
    .filter((name) => name.endsWith(".spawned"))
    .map((name) => Number(name.slice(0, -".spawned".length)));
}

describe("WorkerPool", () => {
  it("runs consecutive sessions on the same process, asking it to stay", async () => {
    const workers = pool();
    const summaries: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const { session } = run(workers, "passed");
      const ended = await session.done;
      expect(ended.outcome).toBe("passed");
      summaries.push(ended.summary);
    }
    const [first, second, third] = summaries.map(parts);
    expect(first?.pid).toBeGreaterThan(0);
    expect([second?.pid, third?.pid]).toEqual([first?.pid, first?.pid]);
    expect(summaries.map((summary) => parts(summary).sessions)).toEqual([1, 2, 3]);
    expect(summaries.every((summary) => parts(summary).reuse)).toBe(true);
    expect(spawnedPids()).toHaveLength(1);
  });

  it("passes one session's frames to it alone, from ready to ended, and answers its backlog calls", async () => {
    const workers = pool();
    const first = run(workers, "backlog");
    expect((await first.session.done).outcome).toBe("passed");
    const second = run(workers, "not_passed");
    expect((await second.session.done).outcome).toBe("not_passed");
    expect(first.calls).toEqual(["feature_get_stats"]);
    expect(second.calls).toEqual([]);
    expect(first.frames.map((frame) => frame.type)).toEqual([
      "ready",
      "heartbeat",
      "backlog.call",
      "log",
      "ended",
    ]);
    expect(first.frames).toContainEqual(expect.objectContaining({ line: 'answer {"passing":3}' }));
    expect(second.frames.map((frame) => frame.type)).toEqual(["ready", "heartbeat", "ended"]);
  });

  it("retires a process after maxSessionsPerWorker sessions, telling it not to stay for the last one", async () => {
    const workers = pool({ maxSessionsPerWorker: 2 });
    const summaries: { pid: number; sessions: number; reuse: boolean }[] = [];
    for (let index = 0; index < 3; index += 1)
      summaries.push(parts((await run(workers, "passed").session.done).summary));
    expect(summaries.map(({ sessions, reuse }) => [sessions, reuse])).toEqual([
      [1, true],
      [2, false],
      [1, true],
    ]);
    expect(summaries[1]?.pid).toBe(summaries[0]?.pid);
    expect(summaries[2]?.pid).not.toBe(summaries[0]?.pid);
    await eventually(() => !processRunning(summaries[0]?.pid ?? 0));
  });

  it.each([
    ["passed", true],
    ["not_passed", true],
    ["failed", false],
    ["rate_limited", false],
    ["auth_failed", false],
    ["timed_out", false],
    ["cancelled", false],
  ] as const)("after a session that ended %s, reuses the process: %s", async (outcome, reused) => {
    const workers = pool();
    const first = parts((await run(workers, outcome).session.done).summary);
    const second = parts((await run(workers, "passed").session.done).summary);
    expect(second.pid === first.pid).toBe(reused);
    if (!reused) await eventually(() => !processRunning(first.pid));
  });

  it("retires a process whose session was cancelled, and ignores a cancel after the session ended", async () => {
    const workers = pool();
    const hanging = run(workers, "hang");
    await eventually(() => hanging.frames.some((frame) => frame.type === "heartbeat"));
    hanging.session.cancel("test");
    const cancelled = await hanging.session.done;
    expect(cancelled.outcome).toBe("cancelled");
    await eventually(() => !processRunning(parts(cancelled.summary).pid));

    const finished = run(workers, "passed");
    const ended = parts((await finished.session.done).summary);
    finished.session.cancel("too late");
    const next = parts((await run(workers, "passed").session.done).summary);
    expect(next.pid).toBe(ended.pid);
    expect(next.sessions).toBe(2);
  });

  it("spawns workers ahead with prewarm and hands them out before spawning more", async () => {
    const workers = pool();
    workers.prewarm(2);
    expect(workers.idle).toBe(2);
    workers.prewarm(2);
    expect(workers.idle).toBe(2);
    await eventually(() => spawnedPids().length === 2);
    const prewarmed = spawnedPids().sort();
    const sessions = [run(workers, "passed"), run(workers, "passed")];
    expect(workers.idle).toBe(0);
    const pids = (await Promise.all(sessions.map(({ session }) => session.done))).map(
      (ended) => parts(ended.summary).pid,
    );
    expect(pids.sort()).toEqual(prewarmed);
    expect(spawnedPids()).toHaveLength(2);
    await eventually(() => workers.idle === 2);
  });

  it("gives a session to a worker that is still starting, and its frames start with ready", async () => {
    const workers = pool({ env: { FAKE_READY_DELAY_MS: "300" } });
    workers.prewarm(1);
    const recorded = run(workers, "passed");
    expect((await recorded.session.done).outcome).toBe("passed");
    expect(recorded.frames[0]?.type).toBe("ready");
    expect(spawnedPids()).toHaveLength(1);
  });

  it("moves a session waiting for a reused worker to a new process when that worker exits instead", async () => {
    const workers = pool();
    const refused = parts((await run(workers, "refuse").session.done).summary);
    expect(refused.reuse).toBe(true);
    const next = run(workers, "passed");
    expect(next.session.pid, "first given to the worker getting ready again").toBe(refused.pid);
    const ended = await next.session.done;
    expect(ended.outcome).toBe("passed");
    expect(parts(ended.summary)).toMatchObject({ sessions: 1, reuse: true });
    expect(parts(ended.summary).pid).not.toBe(refused.pid);
    expect(next.session.pid).toBe(parts(ended.summary).pid);
    expect(next.frames.map((frame) => frame.type)).toEqual(["ready", "heartbeat", "ended"]);
    expect(spawnedPids()).toHaveLength(2);
  });

  it("cancels a session that has not started without sending it to the worker", async () => {
    const workers = pool({ env: { FAKE_READY_DELAY_MS: "300" } });
    const recorded = run(workers, "passed");
    recorded.session.cancel("changed my mind");
    const ended = await recorded.session.done;
    expect(ended).toEqual({ outcome: "cancelled", summary: "cancelled before it started: changed my mind" });
    await eventually(() => spawnedPids().length === 1 && !processRunning(spawnedPids()[0] ?? 0));
    expect(recorded.frames).toEqual([]);
  });

  it("drops a worker that dies while idle", async () => {
    const workers = pool();
    const first = parts((await run(workers, "passed").session.done).summary);
    await eventually(() => workers.idle === 1);
    process.kill(first.pid, "SIGKILL");
    await eventually(() => workers.idle === 0);
    const second = await run(workers, "passed").session.done;
    expect(second.outcome).toBe("passed");
    expect(parts(second.summary).pid).not.toBe(first.pid);
  });

  it("fails a session whose worker is killed, and does not reuse it", async () => {
    const workers = pool();
    const hanging = run(workers, "hang");
    await eventually(() => hanging.frames.some((frame) => frame.type === "heartbeat"));
    const pid = hanging.session.pid ?? 0;
    process.kill(pid, "SIGKILL");
    const ended = await hanging.session.done;
    expect(ended).toMatchObject({ outcome: "failed", summary: expect.stringMatching(/SIGKILL/) });
    const next = await run(workers, "passed").session.done;
    expect(parts(next.summary).pid).not.toBe(pid);
  });

  it.each([
    ["crash", /exit code 3/],
    ["stderr", /exit code 1\): something broke/],
  ])("fails a session whose worker exits without ended (%s)", async (prompt, summary) => {
    const ended = await run(pool(), prompt).session.done;
    expect(ended).toMatchObject({ outcome: "failed", summary: expect.stringMatching(summary) });
  });

  it("kills a worker that goes silent during a session", async () => {
    const workers = pool();
    const hanging = run(workers, "hang", 300);
    const ended = await hanging.session.done;
    expect(ended).toMatchObject({
      outcome: "failed",
      summary: expect.stringMatching(/sent nothing for 300 ms/),
    });
    expect(processRunning(hanging.session.pid ?? 0)).toBe(false);
  });

  it("does not time out idle workers", async () => {
    const workers = pool();
    // A session's silence limit with room for a loaded machine; the idle wait is three times as long, so a
    // worker wrongly timed out while idle is gone by then. The second session's own limit does not matter.
    const silenceLimitMs = 500;
    const first = parts((await run(workers, "passed", silenceLimitMs).session.done).summary);
    await new Promise((resolve) => setTimeout(resolve, 3 * silenceLimitMs));
    const second = parts((await run(workers, "passed").session.done).summary);
    expect(second.pid).toBe(first.pid);
  });

  it("fails the session and drops the worker on a protocol version it does not speak", async () => {
    const workers = pool({ env: { FAKE_PROTOCOL: "2" } });
    workers.prewarm(1);
    const recorded = run(workers, "passed");
    const ended = await recorded.session.done;
    expect(ended).toMatchObject({ outcome: "failed", summary: expect.stringMatching(/protocol 2, not 1/) });
    await eventually(() => !processRunning(recorded.session.pid ?? 0));
    expect(workers.idle).toBe(0);
  });

  it("fails a session whose worker cannot be spawned", async () => {
    const broken = new WorkerPool({
      worker: { command: join(directory.path, "no-such-worker"), args: [] },
      env: process.env,
    });
    pools.push(broken);
    const ended = await run(broken, "passed").session.done;
    expect(ended).toMatchObject({ outcome: "failed", summary: expect.stringMatching(/could not start/) });
  });

  it("close() ends idle workers, leaves none alive, and later sessions spawn and retire", async () => {
    const workers = pool();
    workers.prewarm(2);
    await run(workers, "passed").session.done;
    await eventually(() => spawnedPids().length === 2);
    await workers.close();
    expect(workers.idle).toBe(0);
    expect(spawnedPids().filter(processRunning)).toEqual([]);

    const after = parts((await run(workers, "passed").session.done).summary);
    expect(after.reuse).toBe(false);
    expect(spawnedPids()).toHaveLength(3);
    await eventually(() => !processRunning(after.pid));
    workers.prewarm(2);
    expect(workers.idle).toBe(0);
  });

  it("retires a worker that was running a session when the pool closed", async () => {
    const workers = pool();
    const running = run(workers, "backlog");
    const closed = workers.close();
    await closed;
    const ended = await running.session.done;
    expect(ended.outcome).toBe("passed");
    await eventually(() => !processRunning(parts(ended.summary).pid));
  });

  it.each([0, -1, 1.5])("refuses maxSessionsPerWorker %s", (maxSessionsPerWorker) => {
    expect(() => new WorkerPool({ worker: command, env: {}, maxSessionsPerWorker })).toThrow(
      /positive integer/,
    );
  });
});

describe("startWorkerSession", () => {
  const oneShot = (prompt: string, frames: WorkerOutboundFrame[] = []): WorkerSession =>
    startWorkerSession({
      worker: command,
      env: { ...process.env, FAKE_DIR: directory.path },
      start: { ...startBody(prompt), reuse: true },
      silenceLimitMs: 30_000,
      onFrame: (frame) => frames.push(frame),
      onBacklogCall: () => ({ ok: false, error: { code: "internal_error", message: "no backlog" } }),
    });

  it("runs one session without asking the worker to stay, and the process exits", async () => {
    const frames: WorkerOutboundFrame[] = [];
    const ended = await oneShot("passed", frames).done;
    expect(ended.outcome).toBe("passed");
    expect(parts(ended.summary)).toMatchObject({ sessions: 1, reuse: false });
    expect(frames.map((frame) => frame.type)).toEqual(["ready", "heartbeat", "ended"]);
    await eventually(() => !processRunning(parts(ended.summary).pid));
  });

  it("resolves at ended without waiting for the process, then closes its stdin", async () => {
    const ended = await oneShot("linger").done;
    expect(ended.outcome).toBe("passed");
    await eventually(() => !processRunning(parts(ended.summary).pid));
  });

  it.each<[string, SessionOutcome]>([
    ["crash", "failed"],
    ["not_passed", "not_passed"],
  ])("reports a %s session as %s", async (prompt, outcome) => {
    expect((await oneShot(prompt).done).outcome).toBe(outcome);
  });
});
