/**
 * `autowright run` end to end: the real binary, real workers and runtimes on the replay provider, real git
 * worktrees and merges, in temp repositories. Invariants: work is merged or retried, never lost; nothing passes
 * without evidence; crashes of a worker or of the orchestrator itself lose nothing; a stuck backlog ends the run
 * (exit 2) instead of looping; rate limits pause spawning until the reset.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerEvent } from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git } from "./support/git.ts";
import { createRunHarness, type RunHarness } from "./support/run-harness.ts";
import { launcher } from "./support/worker-harness.ts";

let harness: RunHarness;
let home: RunHarness["home"];
let work: RunHarness["work"];

beforeEach(() => {
  harness = createRunHarness();
  ({ home, work } = harness);
});
afterEach(() => {
  harness[Symbol.dispose]();
});

const cli = (args: string[]) => harness.cli(args);
const createProject = (backlog: object[]) => harness.createProject(backlog);
const startRun = (root: string, args: string[] = []) => harness.startRun(root, args);
const features = (root: string) => harness.features(root);

function expectGapFreeLog(root: string): void {
  const store = ProjectStore.open(root);
  try {
    const seqs = store.eventsSince(0, 1_000_000).map((event) => event.seq);
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
  } finally {
    store.close();
  }
}

function expectNoWorktreesLeft(root: string): void {
  expect(git(root, "worktree", "list").trim().split("\n")).toHaveLength(1);
  expect(git(root, "branch", "--list", "autowright/*").trim()).toBe("");
  expect(git(root, "status", "--porcelain").trim()).toBe("");
}

function workerPids(): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\u0000");
        return command.includes("worker") && command.includes(home.path);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const passing = (id: number) => (event: ServerEvent) =>
  event.type === "feature.updated" && event.data.feature.id === id && event.data.feature.status === "passing";

describe("autowright run", { timeout: 600_000 }, () => {
  it("completes 20 features with dependencies at concurrency 3, merging every feature's work with evidence", async () => {
    const backlog = Array.from({ length: 20 }, (_, index) => ({
      name: `Feature ${index + 1}`,
      category: index % 2 === 0 ? "even" : "odd",
      dependsOnIndices: index < 4 ? [] : [index - 4, ...(index % 3 === 0 ? [index - 3] : [])],
    }));
    const root = createProject(backlog);
    const run = startRun(root, ["--concurrency", "3"]);
    expect(await run.exit).toBe(0);

    const done = features(root);
    expect(done.map((feature) => feature.status)).toEqual(Array(20).fill("passing"));
    for (const feature of done) {
      const checks = feature.evidence.filter((evidence) => evidence.kind === "check");
      expect(checks.length, `#${feature.id} has check evidence`).toBeGreaterThan(0);
      expect(checks.every((evidence) => evidence.exitCode === 0)).toBe(true);
      expect(feature.evidence.some((evidence) => evidence.kind === "merge")).toBe(true);
    }
    const files = git(root, "ls-files").split("\n");
    for (let id = 1; id <= 20; id += 1) {
      expect(files).toContain(`src/feature-${id}.js`);
      expect(files).toContain(`test/feature-${id}.test.js`);
    }
    expectNoWorktreesLeft(root);
    expectGapFreeLog(root);

    const started = run.events.filter((event) => event.type === "agent.started");
    const concurrent = new Map<string, string>();
    let maxRunning = 0;
    for (const event of run.events) {
      if (event.type === "agent.started") {
        expect([...concurrent.values()], "running agents never share a mascot").not.toContain(
          event.data.name,
        );
        concurrent.set(event.data.agentId, event.data.name);
      }
      if (event.type === "agent.ended") concurrent.delete(event.data.agentId);
      // Agents whose work is being verified or merged hold no slot: count the ones that do.
      if (event.type === "orchestrator.updated") {
        maxRunning = Math.max(maxRunning, event.data.codingAgents + event.data.testingAgents);
      }
    }
    expect(started.length).toBeGreaterThanOrEqual(20);
    expect(maxRunning).toBeLessThanOrEqual(3);
    expect(maxRunning).toBeGreaterThan(1);
    expect(run.events.at(-1)).toMatchObject({ type: "run.updated", data: { status: "completed" } });
    const durable = run.events.filter((event) => event.seq !== undefined).map((event) => event.seq as number);
    expect(durable).toEqual([...durable].sort((left, right) => left - right));
  });

  it("stops cleanly on Ctrl-C: exit 130, no worker left, nothing in progress, no attempt counted", async () => {
    const root = createProject([{ name: "One" }, { name: "Two" }, { name: "Three" }]);
    const run = startRun(root, ["--concurrency", "2", "--replay-latency-ms", "1500"]);
    await run.waitFor((event) => event.type === "agent.started" && event.data.role === "coding");
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(130);
    let left = workerPids();
    for (let tries = 0; tries < 40 && left.length > 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      left = workerPids();
    }
    expect(left, "no worker process outlives the run").toEqual([]);
    for (const feature of features(root)) {
      expect(feature.status).not.toBe("in_progress");
      expect(feature.status).not.toBe("verifying");
      expect(feature.lease).toBeNull();
      expect(feature.attempts).toBe(0);
    }
    expect(run.events.at(-1)).toMatchObject({ type: "run.updated", data: { status: "stopped" } });
    expectNoWorktreesLeft(root);
  });

  it("retries the feature of a worker killed with -9 and completes", async () => {
    const root = createProject([{ name: "Slow one" }, { name: "Other" }]);
    const run = startRun(root, ["--concurrency", "2", "--replay-latency-ms", "1500"]);
    await run.waitFor((event) => event.type === "agent.started" && event.data.role === "coding");
    let pids: number[] = [];
    for (let tries = 0; tries < 100 && pids.length === 0; tries += 1) {
      pids = workerPids();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(pids.length).toBeGreaterThan(0);
    process.kill(pids[0] as number, "SIGKILL");
    expect(await run.exit).toBe(0);
    const done = features(root);
    expect(done.map((feature) => feature.status)).toEqual(["passing", "passing"]);
    expect(run.events.some((event) => event.type === "agent.ended" && event.data.outcome === "failed")).toBe(
      true,
    );
    expect(done.some((feature) => feature.attempts >= 1)).toBe(true);
    expectNoWorktreesLeft(root);
  });

  it("resumes after the orchestrator itself is killed with -9, with nothing stuck and no gap in the event log", async () => {
    const root = createProject(Array.from({ length: 6 }, (_, index) => ({ name: `Feature ${index + 1}` })));
    const first = startRun(root, ["--concurrency", "2", "--replay-latency-ms", "400"]);
    await first.waitFor(passing(1));
    first.child.kill("SIGKILL");
    await first.exit;
    const interrupted = features(root);
    expect(interrupted.some((feature) => feature.status !== "passing")).toBe(true);

    const second = startRun(root, ["--concurrency", "2"]);
    expect(await second.exit).toBe(0);
    const done = features(root);
    expect(done.map((feature) => feature.status)).toEqual(Array(6).fill("passing"));
    expectGapFreeLog(root);
    expectNoWorktreesLeft(root);
    // Workers of the killed orchestrator noticed it was gone and stopped.
    expect(workerPids()).toEqual([]);
  });

  it("fails a feature whose check always fails after the attempt limit, reports its dependents stalled, and exits 2", async () => {
    const root = createProject([
      { name: "Broken", verify: ["false"] },
      { name: "Needs broken", dependsOnIndices: [0] },
      { name: "Independent" },
    ]);
    const run = startRun(root, ["--concurrency", "2"]);
    expect(await run.exit).toBe(2);
    const [broken, dependent, independent] = features(root);
    expect(broken).toMatchObject({
      status: "failed",
      attempts: 3,
      lastError: expect.stringMatching(/`false` exited 1/),
    });
    expect(dependent?.status).toBe("pending");
    expect(independent?.status).toBe("passing");
    const report = JSON.parse(cli(["features", "ready", root, "--json"]).stdout);
    expect(report.stalled).toEqual([{ id: 2, reason: "dependency_failed" }]);
    expect(run.events.at(-1)).toMatchObject({ type: "run.updated", data: { status: "stalled" } });
    expectNoWorktreesLeft(root);
  });

  it("pauses spawning during a rate limit and resumes by itself after the reset", async () => {
    const root = createProject([{ name: "A" }, { name: "B" }]);
    const resetAt = new Date(Date.now() + 5_000);
    const run = startRun(root, ["--concurrency", "2", "--replay-rate-limit-until", resetAt.toISOString()]);
    expect(await run.exit).toBe(0);
    const limited = run.events.findIndex(
      (event) => event.type === "run.updated" && event.data.status === "rate_limited",
    );
    expect(limited).toBeGreaterThanOrEqual(0);
    const limitedEvent = run.events[limited] as Extract<ServerEvent, { type: "run.updated" }>;
    expect(Date.parse(limitedEvent.data.resumeAt ?? "")).toBeGreaterThanOrEqual(resetAt.getTime() - 1_000);
    const startedDuringLimit = run.events
      .slice(limited + 1)
      .filter((event) => event.type === "agent.started" && Date.parse(event.at) < resetAt.getTime());
    expect(startedDuringLimit).toEqual([]);
    expect(features(root).map((feature) => feature.status)).toEqual(["passing", "passing"]);
    expect(features(root).map((feature) => feature.attempts)).toEqual([0, 0]);
  });

  it("resolves a merge conflict between two agents editing the same file with a new session, losing nothing", async () => {
    const root = createProject([{ name: "Red" }, { name: "Blue" }]);
    const script = {
      turns: [
        {
          forEach: "feature",
          turns: [
            {
              toolCalls: [
                {
                  name: "write_file",
                  input: { path: "src/shared.js", content: "export const owner = {{feature.id}};\n" },
                },
              ],
            },
            {
              toolCalls: [
                {
                  name: "write_file",
                  input: {
                    path: "test/feature-{{feature.id}}.test.js",
                    content: "import test from 'node:test';\ntest('feature {{feature.id}}', () => {});\n",
                  },
                },
              ],
            },
            {
              toolCalls: [
                { name: "feature_ready_for_verification", input: { feature_id: "{{feature.id}}" } },
              ],
            },
          ],
        },
        { text: "done" },
      ],
    };
    const scriptFile = join(work.path, "shared-file.json");
    writeFileSync(scriptFile, JSON.stringify(script));
    const run = startRun(root, ["--concurrency", "2", "--replay-script", scriptFile]);
    expect(await run.exit).toBe(0);
    const conflicted = run.events.find(
      (event) =>
        event.type === "feature.updated" &&
        /conflicted in src\/shared\.js/.test(event.data.feature.lastError ?? ""),
    );
    expect(conflicted, "the second merge conflicted").toBeDefined();
    expect(features(root).map((feature) => feature.status)).toEqual(["passing", "passing"]);
    const files = git(root, "ls-files").split("\n");
    expect(files).toEqual(
      expect.arrayContaining(["src/shared.js", "test/feature-1.test.js", "test/feature-2.test.js"]),
    );
    expectNoWorktreesLeft(root);
  });

  it.each([
    [["--provider", "gpt"], /--provider must be one of/],
    [["--concurrency", "0"], /--concurrency must be between 1/],
    [["--max-cost", "-3"], /--max-cost must be a positive number/],
    [["--max-tokens", "1.5"], /--max-tokens must be a positive whole number of tokens/],
  ])("refuses %j in one line", (args, message) => {
    const root = createProject([{ name: "A" }]);
    const result = spawnSync(process.execPath, [launcher, "run", root, "--home", home.path, ...args], {
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});
