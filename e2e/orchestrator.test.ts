/**
 * The orchestrator driven in-process (so its test-only limits can be shortened) with real worker processes on the
 * replay provider, real worktrees and checks: the no-progress watchdog, slots freed while the verifier works,
 * and YOLO mode's lint/type-check gate.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Orchestrator,
  type OrchestratorOptions,
  type RunResult,
  stdioWorkerTransport,
  type WorkerTransportFactory,
} from "@autowright/orchestrator";
import {
  type FeatureImportEntry,
  featureImportEntrySchema,
  type ServerEvent,
  settingsSchema,
} from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { type TemporaryDirectory, temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git } from "./support/git.ts";
import { lastLines, watchProgress } from "./support/progress-watch.ts";
import { launcher } from "./support/worker-harness.ts";

let work: TemporaryDirectory;
const stores: ProjectStore[] = [];

beforeEach(() => {
  work = temporaryDirectory("autowright-orchestrator-");
});
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  work[Symbol.dispose]();
});

/**
 * A git repository with these package.json scripts and `count` features, independent unless `dependsOn` gives
 * some of them dependencies (0-based indices, as in an import file).
 */
function createProject(
  scripts: Record<string, string>,
  count: number,
  dependsOn: Record<number, number[]> = {},
): ProjectStore {
  const root = join(work.path, "app");
  mkdirSync(root);
  git(root, "init", "-q");
  writeFileSync(
    join(root, "package.json"),
    `${JSON.stringify({ name: "app", private: true, type: "module", scripts }, null, 2)}\n`,
  );
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "project");
  const store = ProjectStore.open(root, { create: true });
  stores.push(store);
  const entries = Array.from({ length: count }, (_, index) =>
    featureImportEntrySchema.parse({
      name: `Feature ${index + 1}`,
      category: "test",
      description: `Feature ${index + 1}.`,
      dependsOnIndices: dependsOn[index] ?? [],
    }),
  ) as FeatureImportEntry[];
  store.importFeatures(entries, { maxDependenciesPerFeature: 20 });
  return store;
}

/** More sessions than any test here needs. */
const maxSessions = 30;

async function run(
  store: ProjectStore,
  settings: Record<string, unknown>,
  options: Partial<OrchestratorOptions> & {
    latencyMs?: number;
    /** Called with each event as it is published (synchronously, as the orchestrator's own listeners are). */
    onEvent?: (event: ServerEvent, orchestrator: Orchestrator) => void;
  } = {},
): Promise<{ result: RunResult; events: ServerEvent[] }> {
  const home = join(work.path, "home");
  mkdirSync(home, { recursive: true });
  const orchestrator = new Orchestrator({
    store,
    projectName: "app",
    settings: settingsSchema.parse({ testingAgentRatio: 0, ...settings }),
    home,
    env: process.env,
    worker: { command: process.execPath, args: [launcher, "worker", "--home", home] },
    overrides: { provider: "replay", replay: { runtime: "loop", latencyMs: options.latencyMs ?? 0 } },
    ...options,
  });
  const events: ServerEvent[] = [];
  const watch = watchProgress({
    awaiting: "the run to end",
    describe: () =>
      `the orchestrator: ${orchestrator.diagnostics()}; the last events:\n  ${lastLines(events)}`,
    onQuiet: () => void orchestrator.stop("the test saw no progress"),
  });
  let sessions = 0;
  orchestrator.bus.subscribe((event) => {
    watch.touch();
    events.push(event);
    options.onEvent?.(event, orchestrator);
    // Busy is not progress: a run that starts session after session without end fails at once.
    if (event.type === "agent.started" && ++sessions > maxSessions)
      void orchestrator.stop(`the test saw more than ${maxSessions} sessions`);
  });
  const result = await watch.wait(orchestrator.run());
  if (/the test saw more than/.test(result.reason))
    throw new Error(`${result.reason}; the last events:\n  ${lastLines(events)}`);
  return { result, events };
}

describe("the orchestrator with real workers", { timeout: 180_000 }, () => {
  it("stops a session that shows no progress, counts it as timed out, and the run ends stalled", async () => {
    const store = createProject({ test: "node --test" }, 1);
    // Each model turn takes 4 s: the worker keeps sending heartbeats, but no activity, for longer than 1 s.
    const { result, events } = await run(
      store,
      { maxConcurrency: 1, maxAttempts: 1 },
      { latencyMs: 4_000, noProgressMs: 1_000 },
    );
    expect(result.status).toBe("stalled");
    const ended = events.filter((event) => event.type === "agent.ended");
    expect(ended.map((event) => event.data.outcome)).toEqual(["timed_out"]);
    const feature = store.getFeature(1);
    expect(feature?.status).toBe("failed");
    expect(feature?.attempts).toBe(1);
    expect(feature?.lastError).toMatch(/no progress for 1000 ms/);
  });

  it("gives a session's slot to the next agent while the verifier checks its work", async () => {
    // The checks take a second and a half; the agents' own turns are quick.
    const store = createProject({ test: "sleep 1.5 && node --test" }, 3);
    const { result, events } = await run(store, { maxConcurrency: 2, concurrencyCap: 2 });
    expect(result.status, result.reason).toBe("completed");
    const order = events
      .filter((event) => event.type === "agent.started" || event.type === "agent.ended")
      .map((event) => event.type);
    // The third agent started before the first one ended (it was being verified), and never more than two
    // agents held a slot at once.
    expect(order.slice(0, 3)).toEqual(["agent.started", "agent.started", "agent.started"]);
    const working = events.flatMap((event) =>
      event.type === "orchestrator.updated" ? [event.data.codingAgents + event.data.testingAgents] : [],
    );
    expect(Math.max(...working)).toBeLessThanOrEqual(2);
    expect(
      events.some((event) => event.type === "orchestrator.updated" && (event.data.verifyingAgents ?? 0) > 0),
    ).toBe(true);
    for (const feature of store.listFeatures()) {
      expect(feature.status).toBe("passing");
      expect(feature.evidence.some((evidence) => evidence.command === "npm test")).toBe(true);
    }
  });

  it("tests passing features with their durable checks, and starts no testing agent while they pass", async () => {
    // #3 waits for #1 and #2: while it is coded a slot is free, and #1 and #2 pass, so a testing turn comes.
    const store = createProject({ test: "node --test" }, 3, { 2: [0, 1] });
    const { result, events } = await run(store, { maxConcurrency: 2, testingAgentRatio: 1 });
    expect(result.status, result.reason).toBe("completed");
    const roles = events.flatMap((event) => (event.type === "agent.started" ? [event.data.role] : []));
    expect(roles).toEqual(["coding", "coding", "coding"]);
    const checked = store
      .listFeatures()
      .filter((feature) =>
        feature.evidence.some(
          (evidence) => evidence.command === "npm test" && /regression check/.test(evidence.note ?? ""),
        ),
      )
      .map((feature) => feature.id);
    expect(checked).toEqual([1, 2]);
    for (const feature of store.listFeatures()) expect(feature.status).toBe("passing");
  });

  it("hands a failing regression check to a testing agent", async () => {
    // The checks fail from the moment #1 and #2 pass: the regression check on them fails. The marker is in the
    // repository's git directory, which the checks' sandbox shows them (its /tmp is private).
    const breaker = join(work.path, "app", ".git", "broken");
    const store = createProject({ test: `test ! -e ${JSON.stringify(breaker)} && node --test` }, 3, {
      2: [0, 1],
    });
    const passing = new Set<number>();
    const { events } = await run(
      store,
      { maxConcurrency: 2, testingAgentRatio: 1, maxAttempts: 1 },
      {
        onEvent: (event) => {
          if (event.type !== "feature.updated" || event.data.feature.status !== "passing") return;
          passing.add(event.data.feature.id);
          if (passing.has(1) && passing.has(2)) writeFileSync(breaker, "");
        },
      },
    );
    const testing = events.flatMap((event) =>
      event.type === "agent.started" && event.data.role === "testing" ? [event.data] : [],
    );
    // A regression turn takes the passing features of its moment: #1 and #2 together, or one of them when the
    // turn began before the other passed (the sandboxed checks are slow enough for that on a busy machine).
    expect(testing.length).toBeGreaterThanOrEqual(1);
    const first = testing[0]?.featureIds ?? [];
    expect(first.length).toBeGreaterThan(0);
    for (const agent of testing) expect([1, 2]).toEqual(expect.arrayContaining(agent.featureIds));
    const checked = first.map((id) => `#${id}`).join(", ");
    expect(
      events.some(
        (event) =>
          event.type === "log.appended" &&
          event.data.line.startsWith(`regression check failed for ${checked}: \`npm test\` exited 1`),
      ),
    ).toBe(true);
  });

  it("gives parallel sessions their own ports in PORT and AUTOWRIGHT_PORT_RANGE", async () => {
    const store = createProject({ test: "node --test" }, 2);
    const script = {
      turns: [
        {
          forEach: "feature",
          turns: [
            {
              toolCalls: [
                {
                  name: "bash",
                  input: { command: 'echo "$PORT $AUTOWRIGHT_PORT_RANGE" > ports-{{feature.id}}.txt' },
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
    const { result } = await run(
      store,
      { maxConcurrency: 2 },
      {
        portBase: 45_000,
        overrides: { provider: "replay", replay: { runtime: "loop", latencyMs: 0, script } },
      },
    );
    expect(result.status, result.reason).toBe("completed");
    const ports = [1, 2].map((id) => {
      const [port, range] = readFileSync(join(store.paths.root, `ports-${id}.txt`), "utf8")
        .trim()
        .split(" ");
      const [first, last] = (range ?? "").split("-").map(Number);
      return { port: Number(port), first: first ?? Number.NaN, last: last ?? Number.NaN };
    });
    for (const { port, first, last } of ports) {
      expect(port).toBe(first);
      expect(last - first).toBe(9);
      expect(port).toBeGreaterThanOrEqual(45_000);
      expect(last).toBeLessThan(45_000 + 20 * 10);
    }
    const [one, two] = ports;
    expect(one && two && (one.last < two.first || two.last < one.first), JSON.stringify(ports)).toBe(true);
  });

  it("resumes first the feature an interrupted run was working on", async () => {
    const store = createProject({ test: "node --test" }, 3);
    // A previous run died while a session worked on #3 (its lease has long expired).
    store.startSession({
      id: "coding-dead-1",
      role: "coding",
      featureIds: [3],
      model: "scripted",
      provider: "replay",
    });
    store.claimFeature(3, {
      owner: "coding-dead-1",
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
      maxAttempts: 3,
    });
    const { result, events } = await run(store, { maxConcurrency: 1 });
    expect(result.status, result.reason).toBe("completed");
    const order = events.flatMap((event) => (event.type === "agent.started" ? event.data.featureIds : []));
    expect(order).toEqual([3, 1, 2]);
  });

  it("pauses (running agents finish, none start) and resumes", async () => {
    const store = createProject({ test: "node --test" }, 4);
    let pausedAt = -1;
    let resumedAt = -1;
    let seen = 0;
    let started = 0;
    const { result, events } = await run(
      store,
      { maxConcurrency: 2 },
      {
        latencyMs: 300,
        onEvent: (event, orchestrator) => {
          seen += 1;
          if (event.type === "agent.started") started += 1;
          // Paused once both slots are taken (a session already launching when pause() comes still starts).
          if (event.type === "agent.started" && started === 2 && pausedAt < 0) {
            pausedAt = Number.POSITIVE_INFINITY; // pause once, after this event is recorded
            setImmediate(() => {
              pausedAt = seen;
              orchestrator.pause();
            });
          }
          if (event.type === "run.updated" && event.data.status === "paused" && resumedAt < 0) {
            resumedAt = Number.POSITIVE_INFINITY;
            setTimeout(() => {
              resumedAt = seen;
              orchestrator.resume();
            }, 500);
          }
        },
      },
    );
    expect(result.status, result.reason).toBe("completed");
    expect(Number.isFinite(pausedAt) && Number.isFinite(resumedAt)).toBe(true);
    const whilePaused = events.slice(pausedAt, resumedAt);
    expect(whilePaused.some((event) => event.type === "run.updated" && event.data.status === "paused")).toBe(
      true,
    );
    expect(whilePaused.filter((event) => event.type === "agent.started")).toEqual([]);
    // Everything the paused run held back was done after the resume.
    expect(events.slice(resumedAt).some((event) => event.type === "agent.started")).toBe(true);
  });

  it("cancels one session: its feature goes back without an attempt and is done by a new session", async () => {
    const store = createProject({ test: "node --test" }, 2);
    let cancelled = "";
    const { result, events } = await run(
      store,
      { maxConcurrency: 2 },
      {
        latencyMs: 300,
        onEvent: (event, orchestrator) => {
          if (event.type === "agent.started" && cancelled === "" && event.data.featureIds[0] === 1) {
            cancelled = event.data.agentId;
            setImmediate(() => expect(orchestrator.cancelSession(cancelled)).toBe(true));
          }
        },
      },
    );
    expect(result.status, result.reason).toBe("completed");
    const ended = events.find((event) => event.type === "agent.ended" && event.data.agentId === cancelled);
    expect(ended?.type === "agent.ended" && ended.data.outcome).toBe("cancelled");
    const feature = store.getFeature(1);
    expect(feature?.status).toBe("passing");
    expect(feature?.attempts).toBe(0);
    const sessionsOnOne = events.filter(
      (event) => event.type === "agent.started" && event.data.featureIds.includes(1),
    );
    expect(sessionsOnOne).toHaveLength(2);
  });

  it("changes the concurrency while running, within the cap", async () => {
    const store = createProject({ test: "node --test" }, 4);
    let raised = false;
    let capped = 0;
    const { result, events } = await run(
      store,
      { maxConcurrency: 1, concurrencyCap: 3 },
      {
        latencyMs: 300,
        onEvent: (event, orchestrator) => {
          if (event.type === "agent.started" && !raised) {
            raised = true;
            setImmediate(() => {
              orchestrator.setConcurrency(99);
              capped = orchestrator.settings.maxConcurrency;
            });
          }
        },
      },
    );
    expect(result.status, result.reason).toBe("completed");
    expect(capped).toBe(3);
    const working = events.flatMap((event) =>
      event.type === "orchestrator.updated" ? [event.data.codingAgents] : [],
    );
    expect(Math.max(...working)).toBeGreaterThan(1);
    expect(Math.max(...working)).toBeLessThanOrEqual(3);
  });

  it("in YOLO mode checks with the lint/type-check gate instead of the tests", async () => {
    // The tests would fail; the gate passes and leaves a trace of having run.
    const store = createProject(
      { test: "exit 1", lint: "node -e \"require('node:fs').appendFileSync('lint-ran', 'x')\"" },
      2,
    );
    const { result, events } = await run(store, { maxConcurrency: 2, yolo: true, testingAgentRatio: 1 });
    expect(result.status, result.reason).toBe("completed");
    for (const feature of store.listFeatures()) {
      expect(feature.status).toBe("passing");
      const commands = feature.evidence.flatMap((evidence) =>
        evidence.command === undefined ? [] : [evidence.command],
      );
      expect(commands).toContain("npm run lint");
      expect(commands).not.toContain("npm test");
    }
    const roles = events.flatMap((event) => (event.type === "agent.started" ? [event.data.role] : []));
    expect(roles).not.toContain("testing");
  });

  it("runs the checks without the secrets of its environment: none reaches a store row, an event or a prompt", async () => {
    const secrets = {
      ANTHROPIC_API_KEY: "sk-ant-api03-e2e-fake-secret-0123456789",
      DEPLOY_TOKEN: "deploy-e2e-fake-9876543210",
    };
    // The check prints its whole environment and fails: its output goes to the evidence, lastError, the events
    // and the next session's prompt. Reverse order puts ANTHROPIC_… and DEPLOY_… in the tail that lastError keeps.
    const store = createProject({ test: "env | sort -r; exit 1" }, 1);
    const home = join(work.path, "home");
    const prompts: string[] = [];
    const stdio = stdioWorkerTransport(
      { command: process.execPath, args: [launcher, "worker", "--home", home] },
      {
        ...process.env,
        ...secrets,
      },
    );
    const recording: WorkerTransportFactory = (hooks) => {
      const transport = stdio(hooks);
      return {
        get pid() {
          return transport.pid;
        },
        send: (frame) => {
          if (frame.type === "start") prompts.push(frame.prompt);
          transport.send(frame);
        },
        closeInput: () => transport.closeInput(),
        kill: () => transport.kill(),
      };
    };
    const { result, events } = await run(
      store,
      { maxConcurrency: 1, maxAttempts: 2 },
      { env: { ...process.env, ...secrets }, services: { workerTransport: recording } },
    );
    expect(result.status).toBe("stalled");
    const feature = store.getFeature(1);
    // The check did run and print its environment, without the secrets in it.
    const output = feature?.evidence.find((evidence) => evidence.command === "npm test")?.outputTail ?? "";
    expect(output).toMatch(/^PATH=/m);
    expect(output).not.toMatch(/ANTHROPIC_API_KEY|DEPLOY_TOKEN/);
    expect(prompts).toHaveLength(2);
    expect(prompts[1]).toContain("A previous attempt did not pass");
    expect(prompts[1]).toMatch(/^[A-Z][A-Z0-9_]*=/m);
    store.close();
    const written = [JSON.stringify(events), ...prompts];
    for (const file of readdirSync(join(store.paths.root, ".autowright"))) {
      const path = join(store.paths.root, ".autowright", file);
      if (file.startsWith("autowright.db") && existsSync(path))
        written.push(readFileSync(path).toString("latin1"));
    }
    for (const value of Object.values(secrets)) {
      for (const text of written) expect(text.includes(value)).toBe(false);
    }
  });

  it("in YOLO mode a failing gate keeps the feature from passing", async () => {
    const store = createProject(
      { test: "node --test", typecheck: "node -e \"console.log('type error'); process.exit(3)\"" },
      1,
    );
    const { result } = await run(store, { maxConcurrency: 1, yolo: true, maxAttempts: 1 });
    expect(result.status).toBe("stalled");
    const feature = store.getFeature(1);
    expect(feature?.status).toBe("failed");
    expect(feature?.lastError).toMatch(/npm run typecheck` exited 3/);
    expect(feature?.evidence.at(-1)?.outputTail).toMatch(/type error/);
  });
});
