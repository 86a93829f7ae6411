/**
 * Event latency benchmark: the time from a worker writing a frame to the event reaching the event bus's
 * subscribers. A tiny fake worker (a real child process) speaks the worker protocol: `ready`, waits for `start`,
 * then writes 2,000 `agent.state` frames carrying their send time in bursts of 20 every 5 ms, then `ended`. It
 * runs through the orchestrator's worker transport (`startWorkerSession`), and each `agent.state` frame is
 * published as a durable `agent.updated` event on an `EventBus` over a real project store, exactly as the
 * orchestrator's `#onFrame` does (`bus.durable`): `p50Ms`, `p99Ms`, `maxMs`. A second run does the same with
 * `bus.coalesce` keyed by agent (`coalesced`), where a frame's latency is the time until subscribers see its
 * state or a newer one, and `events` is how many `agent.updated` events were appended. Send and receive times
 * are `performance.timeOrigin + performance.now()`, which is comparable across processes on one machine. Prints
 * one JSON line.
 *
 * Run: `node --import tsx bench/event-latency.bench.ts`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EventBus, startWorkerSession } from "@autowright/orchestrator";
import type { WorkerOutboundFrame } from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { temporaryDirectory } from "@autowright/testkit";

const frameCount = 2_000;
const burstSize = 20;
const burstPauseMs = 5;

const round = (value: number): number => Math.round(value * 100) / 100;
const clock = (): number => performance.timeOrigin + performance.now();

function fail(message: string): never {
  console.log(JSON.stringify({ bench: "event-latency", frames: frameCount, error: message }));
  process.exit(1);
}

/** The fake worker: protocol frames only, no model, no tools. */
const fakeWorker = `
import { createInterface } from "node:readline";

const frameCount = ${frameCount};
const burstSize = ${burstSize};
const burstPauseMs = ${burstPauseMs};
const write = (frame) => process.stdout.write(JSON.stringify({ v: 1, ...frame }) + "\\n");
const now = () => performance.timeOrigin + performance.now();

let started = false;
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (started || JSON.parse(line).type !== "start") return;
  started = true;
  let sent = 0;
  const burst = () => {
    for (let index = 0; index < burstSize && sent < frameCount; index++, sent++) {
      write({ type: "agent.state", state: "thinking", thought: String(now()) });
    }
    if (sent < frameCount) {
      setTimeout(burst, burstPauseMs);
      return;
    }
    lines.close();
    process.stdout.write(
      JSON.stringify({ v: 1, type: "ended", outcome: "passed", summary: "done" }) + "\\n",
      () => process.exit(0),
    );
  };
  burst();
});
write({ type: "ready", protocolVersion: 1, pid: process.pid });
`;

/** How the bench publishes each `agent.state` frame. */
type Mode = "durable" | "coalesce";

/**
 * Runs the fake worker through the worker transport; resolves with the latency of every frame, in ms, and the
 * number of `agent.updated` events published.
 */
async function measure(mode: Mode): Promise<{ latencies: number[]; events: number }> {
  using directory = temporaryDirectory("autowright-bench-event-latency-");
  const root = join(directory.path, "project");
  mkdirSync(root);
  const workerFile = join(directory.path, "fake-worker.mjs");
  writeFileSync(workerFile, fakeWorker);
  const store = ProjectStore.open(root, { create: true });
  try {
    const bus = new EventBus(store);
    const agentId = "coding-bench-1";
    const latencies: number[] = [];
    /** The send time of every frame received, in order; the frames before `covered` have been published. */
    const sentTimes: number[] = [];
    let covered = 0;
    let events = 0;
    // For BENCH_VERBOSE=1: when the frames were sent and received, and the time spent publishing them.
    let firstSent = Number.POSITIVE_INFINITY;
    let lastSent = 0;
    let firstReceived = Number.POSITIVE_INFINITY;
    let lastReceived = 0;
    let publishingMs = 0;
    bus.subscribe((event) => {
      if (event.type !== "agent.updated" || event.data.thought === undefined) return;
      const received = clock();
      const sent = Number(event.data.thought);
      events += 1;
      // An event shows its frame's state and supersedes the frames before it (all of them, without coalescing).
      for (; covered < sentTimes.length && (sentTimes[covered] ?? 0) <= sent; covered++) {
        latencies.push(received - (sentTimes[covered] ?? 0));
      }
      firstSent = Math.min(firstSent, sent);
      lastSent = Math.max(lastSent, sent);
      firstReceived = Math.min(firstReceived, received);
      lastReceived = Math.max(lastReceived, received);
    });
    /** What the orchestrator's `#onFrame` does with an `agent.state` frame. */
    const onFrame = (frame: WorkerOutboundFrame): void => {
      if (frame.type !== "agent.state") return;
      if (frame.state === "success" || frame.state === "error") return;
      sentTimes.push(Number(frame.thought));
      const publishing = performance.now();
      const data = {
        agentId,
        state: frame.state,
        ...(frame.thought === undefined ? {} : { thought: frame.thought }),
        ...(frame.tool === undefined ? {} : { tool: frame.tool }),
      };
      if (mode === "durable") bus.durable("agent.updated", data);
      else bus.coalesce(agentId, "agent.updated", data);
      publishingMs += performance.now() - publishing;
    };
    const session = startWorkerSession({
      worker: { command: process.execPath, args: [workerFile] },
      env: process.env,
      silenceLimitMs: 30_000,
      start: {
        sessionId: agentId,
        role: "coding",
        featureIds: [],
        prompt: "Benchmark the event path.",
        provider: "replay",
        model: "scripted",
        cwd: root,
        env: {},
        limits: {},
      },
      onFrame,
      onBacklogCall: () => ({
        ok: false,
        error: { code: "internal_error", message: "no backlog in this benchmark" },
      }),
    });
    const ended = await session.done;
    bus.flush();
    if (ended.outcome !== "passed")
      throw new Error(`the fake worker ended ${ended.outcome}: ${ended.summary}`);
    if (latencies.length !== frameCount || (mode === "durable" && events !== frameCount))
      throw new Error(
        `expected ${frameCount} frames published, got ${events} events covering ${latencies.length}`,
      );
    if (process.env["BENCH_VERBOSE"] === "1") {
      process.stderr.write(
        `${mode}: sent over ${(lastSent - firstSent).toFixed(1)} ms, received over ${(lastReceived - firstReceived).toFixed(1)} ms, ` +
          `${events} events, the bus call took ${(publishingMs / frameCount).toFixed(3)} ms per frame\n`,
      );
    }
    return { latencies, events };
  } finally {
    store.close();
  }
}

/** The median, 99th percentile and maximum of `latencies`, in ms. */
function summarize(latencies: number[]): { p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...latencies].sort((left, right) => left - right);
  const percentile = (fraction: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
  return {
    p50Ms: round(percentile(0.5)),
    p99Ms: round(percentile(0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
  };
}

let durable: Awaited<ReturnType<typeof measure>>;
let coalesced: Awaited<ReturnType<typeof measure>>;
try {
  durable = await measure("durable");
  coalesced = await measure("coalesce");
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
console.log(
  JSON.stringify({
    bench: "event-latency",
    frames: frameCount,
    ...summarize(durable.latencies),
    coalesced: { events: coalesced.events, ...summarize(coalesced.latencies) },
  }),
);
