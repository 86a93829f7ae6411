/**
 * WebSocket fan-out benchmark: a real server (`startServer`, loopback, a real project) publishes 2,000 events/s
 * for 10 s on a project's bus (bursts of 20 every 10 ms; one in ten durable `agent.updated`, appended to SQLite,
 * the rest `log.appended` lines), and 20 clients in a separate process receive them over `/ws/projects/:name`.
 * Latency is from the publish to a client's receive (`performance.timeOrigin + performance.now()`, comparable
 * across processes): `p50Ms`, `p99Ms`, `maxMs` over every frame of every client; `rssMb` is the server process's
 * resident memory at the end; `received` must equal `events × clients` (nothing dropped on loopback). Several runs
 * (`BENCH_RUNS`, default 3): the figures are medians. Prints one JSON line.
 *
 * Run: `node --import tsx bench/ws-fanout.bench.ts`.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startServer } from "@autowright/server";
import { temporaryDirectory } from "@autowright/testkit";

const clients = 20;
const eventsPerSecond = 2_000;
const seconds = 10;
const burst = 20;
const runs = Number(process.env["BENCH_RUNS"] ?? 3);
const clock = (): number => performance.timeOrigin + performance.now();
const round = (value: number): number => Math.round(value * 100) / 100;
const launcher = fileURLToPath(new URL("../packages/cli/bin/autowright.js", import.meta.url));
const wsModule = fileURLToPath(new URL("../node_modules/ws/wrapper.mjs", import.meta.url));

/** The clients' process: opens the sockets, says "ready", records latencies, prints them when told to stop. */
const clientScript = `
import WebSocket from ${JSON.stringify(wsModule)};
const [url, token, count] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const latencies = [];
let open = 0;
for (let index = 0; index < Number(count); index++) {
  const socket = new WebSocket(url, { headers: { authorization: "Bearer " + token } });
  socket.on("message", (data) => {
    const received = now();
    const frame = JSON.parse(data.toString());
    const sent = frame.type === "log.appended" ? Number(frame.data.line) : frame.type === "agent.updated" ? Number(frame.data.thought) : NaN;
    if (!Number.isNaN(sent)) latencies.push(received - sent);
    if (frame.type === "hello" && ++open === Number(count)) process.stdout.write("ready\\n");
  });
}
process.stdin.on("data", () => { process.stdout.write(JSON.stringify(latencies) + "\\n", () => process.exit(0)); });
`;

async function measure(): Promise<{
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rssMb: number;
  received: number;
  expected: number;
}> {
  using directory = temporaryDirectory("autowright-bench-ws-");
  const home = join(directory.path, "home");
  const root = join(directory.path, "project");
  mkdirSync(home);
  const clientFile = join(directory.path, "clients.mjs");
  writeFileSync(clientFile, clientScript);
  const server = await startServer({
    home,
    port: 0,
    env: { ...process.env, AUTOWRIGHT_TOKEN: "" },
    worker: { command: process.execPath, args: [launcher, "worker"] },
    allowedRoots: [directory.path],
  });
  try {
    const created = await fetch(`${server.url}/api/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", path: root }),
    });
    if (created.status !== 201) throw new Error(`could not create the project: ${await created.text()}`);
    const host = server.hosts.host("bench");
    const child = spawn(
      process.execPath,
      [clientFile, `${server.url.replace("http", "ws")}/ws/projects/bench`, server.token, String(clients)],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    const lines = createInterface({ input: child.stdout });
    const nextLine = (): Promise<string> => new Promise((resolve) => lines.once("line", resolve));
    if ((await nextLine()) !== "ready") throw new Error("the clients did not connect");
    host.events.durable("agent.started", {
      agentId: "coding-bench",
      index: 0,
      name: "Spark",
      role: "coding",
      featureIds: [],
      featureNames: [],
      model: "bench",
    });
    const total = eventsPerSecond * seconds;
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(
        () => {
          for (let index = 0; index < burst && sent < total; index++, sent++) {
            const at = String(clock());
            if (sent % 10 === 0)
              host.events.durable("agent.updated", {
                agentId: "coding-bench",
                state: "working",
                thought: at,
              });
            else
              host.events.ephemeral("log.appended", {
                line: at,
                level: "info",
                source: "agent",
                agentId: "coding-bench",
              });
          }
          if (sent >= total) {
            clearInterval(timer);
            resolve();
          }
        },
        (1_000 * burst) / eventsPerSecond,
      );
    });
    // Let the last frames arrive: the clients answer after everything queued before the request.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssMb = Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;
    child.stdin.write("done\n");
    const latencies = (JSON.parse(await nextLine()) as number[]).sort((left, right) => left - right);
    const at = (fraction: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? Number.NaN;
    return {
      p50Ms: round(at(0.5)),
      p99Ms: round(at(0.99)),
      maxMs: round(latencies.at(-1) ?? Number.NaN),
      rssMb,
      received: latencies.length,
      expected: total * clients,
    };
  } finally {
    await server.close();
  }
}

const results = [];
for (let run = 0; run < runs; run++) results.push(await measure());
const median = (values: number[]): number =>
  [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] ?? Number.NaN;
console.log(
  JSON.stringify({
    bench: "ws-fanout",
    clients,
    eventsPerSecond,
    seconds,
    runs,
    p50Ms: median(results.map((result) => result.p50Ms)),
    p99Ms: median(results.map((result) => result.p99Ms)),
    maxMs: median(results.map((result) => result.maxMs)),
    rssMb: median(results.map((result) => result.rssMb)),
    received: results.map((result) => result.received),
    expected: results[0]?.expected,
    p99MsRuns: results.map((result) => result.p99Ms),
  }),
);
process.exit(0);
