/**
 * Idle CPU benchmark: the real `autowright serve` process (the built CLI) with one registered project, one
 * client connected to its stream, and no run: the CPU time (user + system, from /proc) it uses over 30 s
 * (`BENCH_IDLE_SECONDS`), as a percentage of one core. The target is near zero: nothing polls. Prints one line.
 *
 * Run: `node --import tsx bench/idle-cpu.bench.ts` (after `npm run build`).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { temporaryDirectory } from "@autowright/testkit";
import WebSocket from "ws";

const seconds = Number(process.env["BENCH_IDLE_SECONDS"] ?? 30);
const launcher = fileURLToPath(new URL("../packages/cli/bin/autowright.js", import.meta.url));
const ticksPerSecond = 100;

/** The CPU time of a process, in seconds (utime + stime of /proc/PID/stat). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

using directory = temporaryDirectory("autowright-bench-idle-");
const home = join(directory.path, "home");
mkdirSync(home);
const server = spawn(process.execPath, [launcher, "serve", "--port", "0", "--no-open", "--home", home], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, AUTOWRIGHT_PROJECT_ROOTS: directory.path, AUTOWRIGHT_TOKEN: "" },
});
const lines = createInterface({ input: server.stdout });
const openUrl = await new Promise<string>((resolve) =>
  lines.on("line", (line) => {
    const match = /Mission Control: (\S+)/.exec(line);
    if (match?.[1] !== undefined) resolve(match[1]);
  }),
);
const url = new URL(openUrl);
const token = url.searchParams.get("token") ?? "";
const created = await fetch(`${url.origin}/api/projects`, {
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: JSON.stringify({ name: "idle", path: join(directory.path, "idle") }),
});
if (created.status !== 201) throw new Error(`could not create the project: ${await created.text()}`);
const socket = new WebSocket(`${url.origin.replace("http", "ws")}/ws/projects/idle`, {
  headers: { authorization: `Bearer ${token}` },
});
await new Promise((resolve) => socket.once("message", resolve));
// Start-up work (the JIT, the first requests) is over once the hello arrived; measure from a quiet second on.
await new Promise((resolve) => setTimeout(resolve, 1_000));
const pid = server.pid as number;
const before = cpuSeconds(pid);
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
const used = cpuSeconds(pid) - before;
const elapsed = (performance.now() - started) / 1_000;
socket.close();
server.kill("SIGTERM");
await new Promise((resolve) => server.once("exit", resolve));
console.log(
  JSON.stringify({
    bench: "idle-cpu",
    seconds: Math.round(elapsed),
    cpuSeconds: Math.round(used * 1_000) / 1_000,
    cpuPercent: Math.round((used / elapsed) * 100 * 1_000) / 1_000,
  }),
);
