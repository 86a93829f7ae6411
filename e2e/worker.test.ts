/**
 * The real worker process (`autowright worker`) running real runtimes against scripted model servers, in temp git
 * repositories: the AI SDK tool loop and the Claude Code binary bundled with the Claude Agent SDK. Invariants:
 * state is reported as typed frames, every session ends with exactly one `ended`, cancelling kills what the
 * session started, and secrets never leave the worker.
 */

import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { findExecutable } from "@autowright/agent-runtime";
import type { WorkerOutboundFrame } from "@autowright/protocol";
import {
  type ModelScript,
  type ScriptedModelServer,
  startScriptedModelServer,
} from "@autowright/scripted-model";
import { eventually, processRunning, type TemporaryDirectory, temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createProject,
  frameOfType,
  startFrame,
  startWorker,
  type WorkerRun,
} from "./support/worker-harness.ts";

let project: TemporaryDirectory;
let home: TemporaryDirectory;
const servers: ScriptedModelServer[] = [];
const workers: WorkerRun[] = [];

beforeEach(() => {
  project = temporaryDirectory("autowright-worker-");
  home = temporaryDirectory("autowright-home-");
});
afterEach(async () => {
  for (const worker of workers.splice(0)) worker.child.kill("SIGKILL");
  for (const server of servers.splice(0)) await server.close();
  project[Symbol.dispose]();
  home[Symbol.dispose]();
});

async function scripted(wire: "anthropic" | "openai", script: ModelScript): Promise<ScriptedModelServer> {
  const server = await startScriptedModelServer({ wire, script });
  servers.push(server);
  return server;
}

function run(options: Parameters<typeof startWorker>[0]): WorkerRun {
  const worker = startWorker(options);
  workers.push(worker);
  return worker;
}

const types = (frames: readonly WorkerOutboundFrame[]): string[] => frames.map((frame) => frame.type);
const toolCalls = (frames: readonly WorkerOutboundFrame[]): string[] =>
  frames.flatMap((frame) => (frame.type === "tool.called" ? [frame.tool] : []));

function expectOneEndedLast(worker: WorkerRun): void {
  const ended = worker.frames.filter((frame) => frame.type === "ended");
  expect(ended).toHaveLength(1);
  expect(worker.frames.at(-1)?.type).toBe("ended");
  expect(worker.invalidLines, "every stdout line is a valid frame").toEqual([]);
}

const twoFeatures = [
  { name: "Greeting", category: "core" },
  { name: "Farewell", category: "core" },
];

describe.each([
  [
    "the AI SDK tool loop",
    "loop" as const,
    ["write_file", "write_file", "bash", "feature_ready_for_verification"],
  ],
  [
    "the Claude Code binary",
    "claude" as const,
    ["Write", "Write", "Bash", "mcp__backlog__feature_ready_for_verification"],
  ],
])("a replayed coding session through %s", (_label, runtime, expectedTools) => {
  it("edits files, runs the test, hands both features to the verifier and reports typed frames", async () => {
    const store = createProject(project.path, twoFeatures);
    const expiresAt = new Date(Date.now() + 600_000).toISOString();
    for (const id of [1, 2]) store.claimFeature(id, { owner: "session-1", expiresAt, maxAttempts: 3 });
    const worker = run({
      home: home.path,
      store,
      start: startFrame({
        cwd: project.path,
        featureIds: [1, 2],
        features: [
          { id: 1, name: "Greeting" },
          { id: 2, name: "Farewell" },
        ],
        replay: { runtime, latencyMs: 0 },
      }),
    });
    const ended = await worker.waitFor(frameOfType("ended"), 120_000);
    expect(ended, worker.stderr()).toMatchObject({ outcome: "passed" });
    expect(await worker.exited).toBe(0);
    expectOneEndedLast(worker);

    expect(types(worker.frames)[0]).toBe("ready");
    expect(toolCalls(worker.frames)).toEqual([...expectedTools, ...expectedTools]);
    const ends = worker.frames.filter(frameOfType("tool.ended"));
    expect(ends).toHaveLength(expectedTools.length * 2);
    expect(ends.every((frame) => frame.ok)).toBe(true);
    const states = worker.frames.filter(frameOfType("agent.state")).map((frame) => frame.state);
    expect(states).toEqual(expect.arrayContaining(["thinking", "working", "testing", "success"]));
    expect(worker.frames.some((frame) => frame.type === "usage" && frame.outputTokens > 0)).toBe(true);
    expect(worker.frames.filter((frame) => frame.type === "backlog.call")).toHaveLength(2);

    for (const id of [1, 2]) {
      expect(existsSync(join(project.path, `src/feature-${id}.js`))).toBe(true);
      expect(existsSync(join(project.path, `test/feature-${id}.test.js`))).toBe(true);
      expect(store.getFeature(id)?.status).toBe("verifying");
    }
    store.close();
  });
});

describe.each([
  [
    "the AI SDK tool loop",
    "openai-compatible" as const,
    "openai" as const,
    "bash",
    (command: string) => ({ command }),
  ],
  [
    "the Claude Code binary",
    "claude" as const,
    "anthropic" as const,
    "Bash",
    (command: string) => ({ command, description: "run" }),
  ],
])("%s under the command policy", (_label, provider, wire, bashTool, bashInput) => {
  it("refuses a denied command with a reason, runs an allowed one, and redacts secrets", async () => {
    const secret = "sk-test-Secret0123456789abcdef";
    const server = await scripted(wire, {
      turns: [
        { toolCalls: [{ name: bashTool, input: bashInput("sudo rm -rf /tmp/x") }] },
        {
          toolCalls: [
            { name: bashTool, input: bashInput('echo "key=$SERVICE_API_KEY" > out.txt && cat out.txt') },
          ],
        },
        { text: "Done." },
      ],
    });
    const env: Record<string, string> =
      provider === "claude"
        ? {
            ANTHROPIC_BASE_URL: server.url,
            ANTHROPIC_API_KEY: "scripted-key-123456",
            CLAUDE_CODE_MAX_RETRIES: "0",
          }
        : { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "scripted-key-123456" };
    createProject(project.path, []).close();
    const worker = run({
      home: home.path,
      start: startFrame({
        cwd: project.path,
        provider,
        env: { ...env, SERVICE_API_KEY: secret },
        featureIds: [],
      }),
    });
    const ended = await worker.waitFor(frameOfType("ended"), 120_000);
    expect(ended.outcome, worker.stderr()).toBe("not_passed");
    expectOneEndedLast(worker);

    const results = worker.frames.filter(frameOfType("tool.ended"));
    expect(results.map((frame) => frame.ok)).toEqual([false, true]);
    expect(results[0]?.error).toMatch(/sudo/);
    expect(worker.frames.some((frame) => frame.type === "agent.state" && frame.state === "struggling")).toBe(
      true,
    );
    // Without an OS sandbox the command sees the variable (and its output is redacted); with Claude Code's
    // sandbox the variable is scrubbed from the command's environment altogether.
    expect(readFileSync(join(project.path, "out.txt"), "utf8")).toMatch(new RegExp(`^key=(${secret})?\n$`));
    expect(worker.stdoutLines.join("\n")).not.toContain(secret);
    expect(JSON.stringify(server.requests.map((request) => request.body))).not.toContain(secret);
    expect(server.errors).toEqual([]);
  });
});

describe.each([
  ["the AI SDK tool loop", "openai-compatible" as const, "openai" as const],
  ["the Claude Code binary", "claude" as const, "anthropic" as const],
])("provider failures through %s", (_label, provider, wire) => {
  const environment = (server: ScriptedModelServer): Record<string, string> =>
    provider === "claude"
      ? {
          ANTHROPIC_BASE_URL: server.url,
          ANTHROPIC_API_KEY: "scripted-key-123456",
          CLAUDE_CODE_MAX_RETRIES: "0",
        }
      : { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "scripted-key-123456" };

  it("reports a rate limit as a typed frame with the reset time the provider gave", async () => {
    const resetAt = new Date(Date.now() + 3_600_000);
    const server = await scripted(wire, {
      turns: [{ error: { status: 429, message: "slow down", resetAt: resetAt.toISOString() } }],
    });
    createProject(project.path, []).close();
    const worker = run({
      home: home.path,
      start: startFrame({ cwd: project.path, provider, env: environment(server) }),
    });
    const ended = await worker.waitFor(frameOfType("ended"), 120_000);
    expect(ended.outcome, worker.stderr()).toBe("rate_limited");
    const limited = worker.frames.find(frameOfType("rate_limited"));
    expect(limited).toBeDefined();
    if (provider !== "claude") {
      expect(Math.abs(Date.parse(limited?.resetAt ?? "") - resetAt.getTime())).toBeLessThan(2_000);
    }
    expectOneEndedLast(worker);
  });

  it("reports refused credentials as auth_failed", async () => {
    const server = await scripted(wire, {
      turns: [{ error: { status: 401, message: "invalid x-api-key" } }],
    });
    createProject(project.path, []).close();
    const worker = run({
      home: home.path,
      start: startFrame({ cwd: project.path, provider, env: environment(server) }),
    });
    const ended = await worker.waitFor(frameOfType("ended"), 120_000);
    expect(ended.outcome, worker.stderr()).toBe("auth_failed");
    expect(worker.frames.some((frame) => frame.type === "auth_failed")).toBe(true);
    expectOneEndedLast(worker);
  });
});

describe("stopping a session", () => {
  const sleeper = "sleep 300 & echo $! > background.pid; echo $$ > shell.pid; sleep 300";

  it.each([
    ["cancel", "cancelled" as const, {}],
    ["the time limit", "timed_out" as const, { timeoutMs: 6_000 }],
  ])("%s kills the command and the processes it left in the background", async (_label, outcome, limits) => {
    const server = await scripted("openai", {
      turns: [{ toolCalls: [{ name: "bash", input: { command: sleeper } }] }, { text: "never" }],
    });
    createProject(project.path, []).close();
    const worker = run({
      home: home.path,
      start: startFrame({
        cwd: project.path,
        provider: "openai-compatible",
        env: { OPENAI_BASE_URL: server.openaiBaseUrl, OPENAI_API_KEY: "x" },
        limits,
      }),
    });
    await worker.waitFor(frameOfType("tool.called"));
    await eventually(
      () => existsSync(join(project.path, "shell.pid")) && existsSync(join(project.path, "background.pid")),
    );
    const pids = ["shell.pid", "background.pid"].map((file) =>
      Number(readFileSync(join(project.path, file), "utf8").trim()),
    );
    expect(pids.every(processRunning)).toBe(true);
    if (outcome === "cancelled") worker.send({ type: "cancel", reason: "test" });
    const ended = await worker.waitFor(frameOfType("ended"), 30_000);
    expect(ended.outcome).toBe(outcome);
    await eventually(() => !pids.some(processRunning), 30_000);
    expect(await worker.exited).toBe(0);
    expectOneEndedLast(worker);
  });

  it("says so when the provider never answers, instead of waiting for the no-progress limit", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      createProject(project.path, []).close();
      const worker = run({
        home: home.path,
        start: startFrame({
          cwd: project.path,
          provider: "openai-compatible",
          env: {
            OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
            OPENAI_API_KEY: "x",
            AUTOWRIGHT_PROVIDER_TIMEOUT_MS: "1500",
          },
        }),
      });
      const ended = await worker.waitFor(frameOfType("ended"), 30_000);
      expect(ended.outcome).toBe("failed");
      expect(ended.summary).toMatch(
        /^the model provider did not answer within 2 s: check that it is running/,
      );
      expect(await worker.exited).toBe(0);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("ends the session when the orchestrator goes away (stdin closes)", async () => {
    const server = await scripted("openai", {
      turns: [{ toolCalls: [{ name: "bash", input: { command: sleeper } }] }],
    });
    createProject(project.path, []).close();
    const worker = run({
      home: home.path,
      start: startFrame({
        cwd: project.path,
        provider: "openai-compatible",
        env: { OPENAI_BASE_URL: server.openaiBaseUrl },
      }),
    });
    await worker.waitFor(frameOfType("tool.called"));
    await eventually(() => existsSync(join(project.path, "background.pid")));
    const background = Number(readFileSync(join(project.path, "background.pid"), "utf8").trim());
    worker.child.stdin?.end();
    expect(await worker.exited).toBe(0);
    await eventually(() => !processRunning(background));
  });
});

describe.each([
  ["the AI SDK tool loop", "loop" as const],
  ["the Claude Code binary", "claude" as const],
])("a reused worker process through %s", (_label, runtime) => {
  const claude = runtime === "claude";
  const bash = (command: string) =>
    claude ? { name: "Bash", input: { command, description: "run" } } : { name: "bash", input: { command } };
  const handOver = (featureId: number) => ({
    name: claude ? "mcp__backlog__feature_ready_for_verification" : "feature_ready_for_verification",
    input: { feature_id: featureId, summary: "done" },
  });

  it("runs two sessions in a row; the second sees nothing of the first's processes or environment", async () => {
    const store = createProject(project.path, twoFeatures);
    const expiresAt = new Date(Date.now() + 600_000).toISOString();
    store.claimFeature(1, { owner: "session-1", expiresAt, maxAttempts: 3 });
    store.claimFeature(2, { owner: "session-2", expiresAt, maxAttempts: 3 });
    // The loop's commands are ours (tracked by process group); Claude Code's shell is its own, so only the
    // environment is compared there.
    const background = claude ? "" : "sleep 300 > /dev/null 2>&1 & echo $! > background.pid; ";
    const backgroundAtSecondReady: boolean[] = [];
    const worker = run({
      home: home.path,
      store,
      start: (index) => {
        if (index === 0) {
          return startFrame({
            sessionId: "session-1",
            cwd: project.path,
            featureIds: [1],
            reuse: true,
            env: { FIRST_ONLY: "first-value", SHARED: "from-first" },
            replay: {
              runtime,
              latencyMs: 0,
              script: {
                turns: [
                  { toolCalls: [bash(`${background}echo "first=$FIRST_ONLY shared=$SHARED" > first.txt`)] },
                  { toolCalls: [handOver(1)] },
                  { text: "first done" },
                ],
              },
            },
          });
        }
        if (index === 1) {
          if (!claude) {
            const pid = Number(readFileSync(join(project.path, "background.pid"), "utf8").trim());
            backgroundAtSecondReady.push(processRunning(pid));
          }
          return startFrame({
            sessionId: "session-2",
            cwd: project.path,
            featureIds: [2],
            reuse: true,
            env: { SHARED: "from-second" },
            replay: {
              runtime,
              latencyMs: 0,
              script: {
                turns: [
                  {
                    toolCalls: [
                      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions
                      bash('echo "first=${FIRST_ONLY:-unset} shared=${SHARED:-unset}" > second.txt'),
                    ],
                  },
                  { toolCalls: [handOver(2)] },
                  { text: "second done" },
                ],
              },
            },
          });
        }
        return undefined;
      },
    });
    const thirdReady = worker.waitFor(
      (frame): frame is Extract<WorkerOutboundFrame, { type: "ready" }> =>
        frame.type === "ready" && worker.frames.filter((each) => each.type === "ready").length === 3,
      150_000,
    );
    const first = await Promise.race([
      thirdReady.then(() => "ready again"),
      worker.exited.then(() => "exited"),
    ]);
    const logs = worker.frames.flatMap((frame) => (frame.type === "log" ? [frame.line] : []));
    expect(first, `${logs.join("\n")}\n${worker.stderr()}`).toBe("ready again");
    const ended = worker.frames.filter(frameOfType("ended"));
    expect(
      ended.map((frame) => frame.outcome),
      worker.stderr(),
    ).toEqual(["passed", "passed"]);
    const readies = worker.frames.filter(frameOfType("ready"));
    expect(new Set(readies.map((frame) => frame.pid))).toEqual(new Set([worker.child.pid]));
    expect(worker.invalidLines).toEqual([]);

    expect(readFileSync(join(project.path, "first.txt"), "utf8")).toBe(
      "first=first-value shared=from-first\n",
    );
    expect(readFileSync(join(project.path, "second.txt"), "utf8")).toBe("first=unset shared=from-second\n");
    if (!claude) expect(backgroundAtSecondReady).toEqual([false]);
    expect(store.getFeature(1)?.status).toBe("verifying");
    expect(store.getFeature(2)?.status).toBe("verifying");

    worker.child.stdin?.end();
    expect(await worker.exited).toBe(0);
    expect(worker.frames.at(-1)?.type).toBe("ready");
    store.close();
  }, 180_000);
});

describe("the worker's protocol", () => {
  it("says ready, ignores invalid lines with a warning, and fails a start whose folder does not exist", async () => {
    const worker = run({
      home: home.path,
      start: startFrame({ cwd: join(project.path, "missing") }),
    });
    worker.child.stdin?.write("this is not json\n");
    const ended = await worker.waitFor(frameOfType("ended"));
    expect(ended).toMatchObject({ outcome: "failed", summary: expect.stringMatching(/does not exist/) });
    expect(worker.frames[0]).toMatchObject({ type: "ready", protocolVersion: 1 });
    expect(worker.frames.some((frame) => frame.type === "log" && /invalid frame/.test(frame.line))).toBe(
      true,
    );
    expect(await worker.exited).toBe(0);
  });
});

describe("the OS sandbox of the tool loop", () => {
  it.skipIf(findExecutable("bwrap") === undefined)(
    "lets a project script write inside the working tree but not outside it",
    async () => {
      using outside = temporaryDirectory("autowright-outside-");
      const script =
        "const fs = require('node:fs'); for (const path of process.argv.slice(2)) { try { fs.writeFileSync(path, 'x'); console.log('wrote ' + path); } catch (error) { console.log('refused ' + path + ': ' + error.code); } }";
      const server = await scripted("openai", {
        turns: [
          { toolCalls: [{ name: "write_file", input: { path: "escape.cjs", content: script } }] },
          {
            toolCalls: [
              {
                name: "bash",
                input: { command: `node escape.cjs inside.txt ${join(outside.path, "escaped.txt")}` },
              },
            ],
          },
          { text: "done" },
        ],
      });
      createProject(project.path, []).close();
      const worker = run({
        home: home.path,
        start: startFrame({
          cwd: project.path,
          provider: "openai-compatible",
          env: { OPENAI_BASE_URL: server.openaiBaseUrl },
        }),
      });
      await worker.waitFor(frameOfType("ended"), 60_000);
      expect(existsSync(join(project.path, "inside.txt"))).toBe(true);
      expect(existsSync(join(outside.path, "escaped.txt"))).toBe(false);
      const log = worker.frames.find((frame) => frame.type === "log" && frame.line.includes("protection:"));
      expect(log).toMatchObject({ line: expect.stringMatching(/OS sandbox \(bubblewrap\)/) });
    },
  );
});
