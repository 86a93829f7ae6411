/**
 * The orchestrator's tick and settlement without processes: workers on the in-memory transport (scripted agents
 * that speak the real frames), fake worktrees, a fake check runner and a fake merge queue, over a real store in a
 * temp directory. The real-process paths are in e2e/orchestrator.test.ts and e2e/run.test.ts.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type FeatureImportEntry,
  featureImportEntrySchema,
  type Provider,
  type ServerEvent,
  type SessionOutcome,
  settingsSchema,
  type WorkerStartFrame,
  workerProtocolVersion,
} from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { type TemporaryDirectory, temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MergeRequest, MergeResult } from "./git/merge-queue.ts";
import { Orchestrator, type OrchestratorWorkspaces, type RunResult } from "./orchestrator.ts";
import { noCheckRan } from "./settlement.ts";
import type { RunChecksOptions, VerificationResult } from "./verifier/check-runner.ts";
import { type InMemoryWorkerEnd, inMemoryWorkerTransport } from "./worker-transport.ts";

let work: TemporaryDirectory;
let store: ProjectStore;
let storeClosed = false;

function closeStore(): void {
  if (storeClosed) return;
  storeClosed = true;
  store.close();
}

beforeEach(() => {
  work = temporaryDirectory("autowright-orchestrator-unit-");
  store = ProjectStore.open(work.path, { create: true });
  storeClosed = false;
});
afterEach(() => {
  closeStore();
  work[Symbol.dispose]();
});

function addFeatures(count: number, dependsOn: Record<number, number[]> = {}): void {
  const entries = Array.from({ length: count }, (_, index) =>
    featureImportEntrySchema.parse({
      name: `Feature ${index + 1}`,
      category: "test",
      description: `Feature ${index + 1}.`,
      dependsOnIndices: dependsOn[index] ?? [],
    }),
  ) as FeatureImportEntry[];
  store.importFeatures(entries, { maxDependenciesPerFeature: 20 });
}

/** What a scripted agent does with its session. */
type AgentPlan =
  /** Hands every assigned feature to the verifier, then ends `passed`. */
  | { kind: "hand-over"; usage?: { inputTokens: number; outputTokens: number; costUsd: number | null } }
  /** Ends at once with this outcome. */
  | { kind: "end"; outcome: SessionOutcome; summary: string; authFailed?: boolean }
  /** Keeps working (heartbeats only) until cancelled. */
  | { kind: "hang" };

interface Fakes {
  readonly starts: WorkerStartFrame[];
  readonly workers: InMemoryWorkerEnd[];
  readonly checks: RunChecksOptions[];
  readonly merges: MergeRequest[];
  readonly commits: string[];
}

/** More sessions than any test here needs: a run past it retries without end. */
const maxSessions = 40;

/** Runs an orchestrator on the fakes; `plan` says what each session's agent does. */
async function runOrchestrator(
  options: {
    settings?: Record<string, unknown>;
    plan?: (start: WorkerStartFrame, index: number) => AgentPlan;
    check?: (options: RunChecksOptions) => VerificationResult;
    merge?: (request: MergeRequest, index: number) => MergeResult;
    env?: NodeJS.ProcessEnv;
    overrides?: { provider: Provider; model?: string };
    onEvent?: (event: ServerEvent, orchestrator: Orchestrator) => void;
  } = {},
): Promise<{ result: RunResult; events: ServerEvent[]; fakes: Fakes; orchestrator: Orchestrator }> {
  const fakes: Fakes = { starts: [], workers: [], checks: [], merges: [], commits: [] };
  const plan: (start: WorkerStartFrame, index: number) => AgentPlan =
    options.plan ?? (() => ({ kind: "hand-over" }));
  const workspaces: OrchestratorWorkspaces = {
    ensureRepository: async () => ({ branch: "main", head: "0".repeat(40) }),
    create: async (sessionId) => {
      const path = join(store.paths.worktreesDirectory, sessionId);
      mkdirSync(path, { recursive: true });
      // A worktree has the project's files: the test command is detected there.
      const manifest = join(store.paths.root, "package.json");
      if (existsSync(manifest)) copyFileSync(manifest, join(path, "package.json"));
      return { path, worktree: path, branch: `autowright/${sessionId}` };
    },
    remove: async (sessionId) =>
      rmSync(join(store.paths.worktreesDirectory, sessionId), { recursive: true, force: true }),
    commitAll: async (_path, message) => {
      fakes.commits.push(message);
      return true;
    },
    pruneAll: async () => undefined,
  };
  const transport = inMemoryWorkerTransport(() => {
    let session: { start: WorkerStartFrame; left: number[]; calls: number } | undefined;
    const end = (worker: InMemoryWorkerEnd, outcome: SessionOutcome, summary: string): void => {
      const reuse = session?.start.reuse === true;
      session = undefined;
      worker.send({ type: "ended", outcome, summary });
      if (reuse) worker.send({ type: "ready", protocolVersion: workerProtocolVersion, pid: worker.pid });
      else worker.exit(0);
    };
    const next = (worker: InMemoryWorkerEnd): void => {
      if (session === undefined) return;
      const id = session.left.shift();
      if (id === undefined) {
        end(worker, "passed", "handed everything over");
        return;
      }
      session.calls += 1;
      worker.send({
        type: "backlog.call",
        callId: `${session.start.sessionId}-${session.calls}`,
        tool: "feature_ready_for_verification",
        input: { feature_id: id, summary: `did #${id}` },
      });
    };
    return {
      onStart: (worker) => {
        fakes.workers.push(worker);
        worker.send({ type: "ready", protocolVersion: workerProtocolVersion, pid: worker.pid });
      },
      onFrame: (worker, frame) => {
        if (frame.type === "start") {
          fakes.starts.push(frame);
          session = { start: frame, left: [...frame.featureIds], calls: 0 };
          const planned: AgentPlan = plan(frame, fakes.starts.length - 1);
          worker.send({ type: "agent.state", state: "thinking", thought: "reading the code" });
          if (planned.kind === "end") {
            if (planned.authFailed === true) worker.send({ type: "auth_failed", message: planned.summary });
            end(worker, planned.outcome, planned.summary);
          } else if (planned.kind === "hand-over") {
            if (planned.usage !== undefined) worker.send({ type: "usage", ...planned.usage });
            next(worker);
          }
        } else if (frame.type === "tool.result") {
          next(worker);
        } else if (frame.type === "cancel") {
          end(worker, "cancelled", frame.reason ?? "cancelled");
        }
      },
    };
  });
  const orchestrator = new Orchestrator({
    store,
    projectName: "app",
    settings: settingsSchema.parse({ testingAgentRatio: 0, maxConcurrency: 2, ...options.settings }),
    home: join(work.path, "home"),
    env: options.env ?? { PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
    overrides: options.overrides ?? { provider: "replay" },
    services: {
      workerTransport: transport,
      workspaces,
      runChecks: async (checkOptions) => {
        fakes.checks.push(checkOptions);
        return (
          options.check?.(checkOptions) ?? {
            passed: true,
            evidence: checkOptions.commands.map((command) => ({
              kind: "check" as const,
              command,
              exitCode: 0,
              outputTail: "ok\n",
              at: new Date().toISOString(),
            })),
          }
        );
      },
      createMergeQueue: () => ({
        enqueue: async (request) => {
          fakes.merges.push(request);
          return (
            options.merge?.(request, fakes.merges.length - 1) ?? {
              kind: "merged",
              commit: `c${fakes.merges.length}`.padEnd(40, "0"),
              verification: { passed: true, evidence: [] },
              batchSize: 1,
            }
          );
        },
      }),
    },
  });
  const events: ServerEvent[] = [];
  orchestrator.bus.subscribe((event) => {
    events.push(event);
    options.onEvent?.(event, orchestrator);
    // A run that starts session after session without end fails the test at once, not at its timeout.
    if (event.type === "agent.started" && fakes.starts.length > maxSessions)
      void orchestrator.stop(`the test saw more than ${maxSessions} sessions`);
  });
  const result = await orchestrator.run();
  expect(result.reason).not.toMatch(/the test saw more than/);
  return { result, events, fakes, orchestrator };
}

/** A project whose test command the detection finds. */
function withTestScript(): void {
  writeFileSync(join(store.paths.root, "package.json"), JSON.stringify({ scripts: { test: "node --test" } }));
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
}

describe("the orchestrator's tick and settlement (in-memory workers)", () => {
  it("runs every feature to passing with the evidence, and nothing of it runs once run() resolves", async () => {
    withTestScript();
    addFeatures(3, { 2: [0] });
    const timersBefore = activeTimers();
    const { result, events, fakes, orchestrator } = await runOrchestrator();
    expect(result).toEqual({ status: "completed", reason: "all 3 features pass" });
    for (const feature of store.listFeatures()) {
      expect(feature.status).toBe("passing");
      expect(feature.lease).toBeNull();
      // The agent's own summary, the verifier's check, the merge.
      expect(feature.evidence.map((evidence) => evidence.kind)).toEqual(["manual", "check", "merge"]);
      expect(feature.evidence[1]?.command).toBe("npm test");
    }
    // #3 waited for #1: it started after #1 ended passing.
    const firstEnd = events.findIndex((event) => event.type === "agent.ended");
    const third = events.findIndex(
      (event) => event.type === "agent.started" && event.data.featureIds[0] === 3,
    );
    expect(firstEnd).toBeGreaterThan(-1);
    expect(third).toBeGreaterThan(firstEnd);
    expect(fakes.merges.map((request) => request.commands)).toEqual([
      ["npm test"],
      ["npm test"],
      ["npm test"],
    ]);
    // Ended: the bus is closed, every worker has exited, no timer of the run is left, a tick does nothing.
    expect(orchestrator.bus.closed).toBe(true);
    expect(fakes.workers.every((worker) => worker.ended)).toBe(true);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
    const seen = events.length;
    orchestrator.setConcurrency(1);
    orchestrator.pause();
    orchestrator.resume();
    await orchestrator.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toHaveLength(seen);
    await expect(orchestrator.run()).rejects.toMatchObject({ code: "conflict" });
  });

  it("sends a feature back when no check ran, and fails it once its attempts are used up", async () => {
    addFeatures(1);
    const { result, fakes } = await runOrchestrator({ settings: { maxAttempts: 2 } });
    expect(result.status).toBe("stalled");
    expect(fakes.starts).toHaveLength(2);
    expect(fakes.checks).toEqual([]);
    expect(fakes.merges).toEqual([]);
    const feature = store.getFeature(1);
    expect(feature?.status).toBe("failed");
    expect(feature?.attempts).toBe(2);
    expect(feature?.lastError).toContain(noCheckRan);
    expect(feature?.evidence.at(-1)?.note).toContain(noCheckRan);
  });

  it("passes a feature no check applies to as unverified when allowUncheckedPass is on", async () => {
    addFeatures(2);
    const { result, events, fakes } = await runOrchestrator({ settings: { allowUncheckedPass: true } });
    expect(result.status).toBe("completed");
    expect(fakes.checks).toEqual([]);
    for (const feature of store.listFeatures()) {
      expect(feature).toMatchObject({ status: "passing", unverified: true, attempts: 0 });
      expect(feature.evidence.some((evidence) => evidence.note?.startsWith("unverified:"))).toBe(true);
    }
    const passed = events.flatMap((event) =>
      event.type === "feature.updated" && event.data.feature.status === "passing" ? [event.data.feature] : [],
    );
    expect(passed.length).toBeGreaterThanOrEqual(2);
    expect(passed.every((feature) => feature.unverified)).toBe(true);
    const last = events.filter((event) => event.type === "progress.updated").at(-1);
    expect(last?.type === "progress.updated" && last.data).toMatchObject({ passing: 2, unverified: 2 });
  });

  it("runs the test command the initializer recorded, and a checked pass is not unverified", async () => {
    addFeatures(1);
    store.setTestCommand("make check");
    const { result, fakes } = await runOrchestrator({ settings: { allowUncheckedPass: true } });
    expect(result.status).toBe("completed");
    expect(fakes.checks.map((check) => check.commands)).toEqual([["make check"]]);
    expect(fakes.merges.map((request) => request.commands)).toEqual([["make check"]]);
    expect(store.getFeature(1)).toMatchObject({ status: "passing", unverified: false });
  });

  it("runs the checks with the environment scrubbed of secrets, the redactor and the worktree", async () => {
    withTestScript();
    addFeatures(1);
    const secret = "sk-ant-api03-orchestrator-test-secret-value";
    const { fakes } = await runOrchestrator({
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        ANTHROPIC_API_KEY: secret,
        MY_SERVICE_TOKEN: "token-value-123",
      },
    });
    const [check] = fakes.checks;
    expect(check?.env["ANTHROPIC_API_KEY"]).toBeUndefined();
    expect(check?.env["MY_SERVICE_TOKEN"]).toBeUndefined();
    expect(check?.env["PATH"]).toBeDefined();
    expect(check?.redact?.(`key ${secret} and token-value-123`)).toBe("key [redacted] and [redacted]");
    expect(check?.directory).toContain(join(".autowright", "worktrees"));
  });

  it("sends the features of a failing check back with the reason, and of a conflicting merge for a redo", async () => {
    withTestScript();
    addFeatures(2);
    let checked = 0;
    const { result, events } = await runOrchestrator({
      check: (options) =>
        options.sessionId !== undefined && ++checked === 1
          ? {
              passed: false,
              evidence: [
                {
                  kind: "check",
                  command: "npm test",
                  exitCode: 1,
                  outputTail: "1 failing\n",
                  at: new Date().toISOString(),
                },
              ],
            }
          : { passed: true, evidence: [] },
      merge: (_request, index) =>
        index === 0 ? { kind: "conflict", files: ["src/app.js"], message: "conflict" } : { kind: "empty" },
    });
    expect(result.status, result.reason).toBe("completed");
    const first = events.find(
      (event) => event.type === "feature.updated" && event.data.feature.status === "pending",
    );
    expect(first?.type === "feature.updated" && first.data.feature.lastError).toMatch(
      /the checks failed: `npm test` exited 1\n1 failing/,
    );
    const conflicted = events.find(
      (event) =>
        event.type === "feature.updated" &&
        /conflicted in src\/app\.js/.test(event.data.feature.lastError ?? ""),
    );
    expect(conflicted).toBeDefined();
    expect(store.listFeatures().map((feature) => feature.attempts)).toEqual([1, 1]);
  });

  it("counts a merge blocked by the main tree as an attempt, so a run cannot retry it without end", async () => {
    withTestScript();
    addFeatures(1);
    const { result, fakes } = await runOrchestrator({
      settings: { maxAttempts: 2 },
      check: () => ({ passed: true, evidence: [] }),
      merge: () => ({
        kind: "blocked",
        reason: "untracked files in the project would be overwritten by merging: test/a.test.js",
      }),
    });
    expect(result.status).toBe("stalled");
    expect(fakes.starts).toHaveLength(2);
    const feature = store.getFeature(1);
    expect(feature?.status).toBe("failed");
    expect(feature?.lastError).toMatch(/^merge blocked: untracked files/);
  });

  it("stops the whole run when the provider refuses the credentials", async () => {
    withTestScript();
    addFeatures(3);
    const { result, fakes } = await runOrchestrator({
      settings: { maxConcurrency: 1 },
      plan: () => ({
        kind: "end",
        outcome: "auth_failed",
        summary: "401 invalid x-api-key",
        authFailed: true,
      }),
    });
    expect(result.status).toBe("stopped");
    expect(result.governor).toBe("auth_failed");
    expect(result.reason).toMatch(/refused the credentials: 401 invalid x-api-key/);
    expect(fakes.starts).toHaveLength(1);
    expect(store.listFeatures().map((feature) => [feature.status, feature.attempts])).toEqual([
      ["pending", 0],
      ["pending", 0],
      ["pending", 0],
    ]);
  });

  it("stops the run once the tokens used pass the budget", async () => {
    withTestScript();
    addFeatures(4);
    const { result, fakes } = await runOrchestrator({
      settings: { maxConcurrency: 1, maxTokens: 1_500 },
      plan: () => ({ kind: "hand-over", usage: { inputTokens: 900, outputTokens: 100, costUsd: 0 } }),
    });
    expect(result).toMatchObject({ status: "stopped", governor: "budget" });
    expect(result.reason).toMatch(/used 2000 tokens, more than the budget of 1500/);
    expect(fakes.starts).toHaveLength(2);
  });

  it("prices the tokens of a runtime that reports no cost, and stops at the cost budget", async () => {
    withTestScript();
    addFeatures(4);
    const { result, fakes } = await runOrchestrator({
      settings: { maxConcurrency: 1, maxCostUsd: 4 },
      overrides: { provider: "anthropic" },
      // One million input tokens on claude-sonnet-4-5 (the provider's default model) cost $3.
      plan: () => ({ kind: "hand-over", usage: { inputTokens: 1_000_000, outputTokens: 0, costUsd: null } }),
    });
    expect(result).toMatchObject({ status: "stopped", governor: "budget" });
    expect(result.reason).toMatch(/the run's cost \$6\.00 passed the budget of \$4/);
    expect(fakes.starts).toHaveLength(2);
    expect(store.usageSince("2000-01-01T00:00:00.000Z").total.costUsd).toBeCloseTo(6, 10);
  });

  it("refuses a cost budget for a model without a price, before anything starts", async () => {
    withTestScript();
    addFeatures(1);
    const eventsBefore = store.eventsSince(0, 100).length;
    const run = runOrchestrator({
      settings: { maxCostUsd: 1 },
      overrides: { provider: "openai-compatible" },
    });
    await expect(run).rejects.toThrow(
      /a cost budget needs prices, and "qwen2.5-coder" has none: add it to the modelPrices setting, or budget tokens instead \(--max-tokens\)/,
    );
    await expect(run).rejects.toMatchObject({ code: "invalid_input" });
    expect(store.eventsSince(0, 100)).toHaveLength(eventsBefore);
    expect(store.usageSince("2000-01-01T00:00:00.000Z").total.inputTokens).toBe(0);
    expect(store.getFeature(1)?.status).toBe("pending");
  });

  it("budgets a priced model once the modelPrices setting has its price", async () => {
    withTestScript();
    addFeatures(3);
    const { result, fakes } = await runOrchestrator({
      settings: {
        maxConcurrency: 1,
        maxCostUsd: 1.5,
        modelPrices: { "qwen2.5-coder": { inputPerMTok: 1, outputPerMTok: 2 } },
      },
      overrides: { provider: "openai-compatible" },
      plan: () => ({
        kind: "hand-over",
        usage: { inputTokens: 500_000, outputTokens: 250_000, costUsd: null },
      }),
    });
    expect(result.reason).toMatch(/the run's cost \$2\.00 passed the budget of \$1.5/);
    expect(fakes.starts).toHaveLength(2);
  });

  it("stops on request: sessions cancelled, their features back without an attempt", async () => {
    withTestScript();
    addFeatures(2);
    const { result } = await runOrchestrator({
      plan: () => ({ kind: "hang" }),
      onEvent: (event, orchestrator) => {
        if (event.type === "agent.started" && event.data.featureIds[0] === 2)
          void orchestrator.stop("enough");
      },
    });
    expect(result).toEqual({ status: "stopped", reason: "enough" });
    expect(store.listFeatures().map((feature) => [feature.status, feature.attempts, feature.lease])).toEqual([
      ["pending", 0, null],
      ["pending", 0, null],
    ]);
  });

  it("ends a run whose store was closed under it as failed, with no uncaught error", async () => {
    withTestScript();
    addFeatures(2);
    const { result } = await runOrchestrator({
      plan: () => ({ kind: "hang" }),
      onEvent: (event) => {
        if (event.type === "agent.started") setImmediate(closeStore);
      },
    });
    expect(result.status).toBe("failed");
    expect(result.reason).toMatch(/closed/);
  });

  it("reports a stall with its reasons when a dependency failed", async () => {
    withTestScript();
    addFeatures(2, { 1: [0] });
    const { result, events } = await runOrchestrator({
      settings: { maxAttempts: 1 },
      check: () => ({
        passed: false,
        evidence: [{ kind: "check", command: "npm test", exitCode: 1, at: new Date().toISOString() }],
      }),
    });
    expect(result.status).toBe("stalled");
    expect(result.reason).toBe(
      "nothing can progress without you; failed: #1; stalled: #2: dependency_failed",
    );
    const last = events.filter((event) => event.type === "progress.updated").at(-1);
    expect(last?.type === "progress.updated" && last.data).toMatchObject({ failed: 1, blocked: 1, total: 2 });
  });
});
