/**
 * Orchestration overhead benchmark: the real orchestrator runs 60 independent features at concurrency 5 on the
 * replay provider (200 ms per model turn), with real worker processes (the built CLI bundle), worktrees,
 * verification (`npm test`: every test file in one process) and the merge queue. The wall time is compared with
 * the ideal: features / concurrency × model turns per feature × latency. Prints one JSON line.
 *
 * Run: `npm run build` (the workers are the bundle), then `node --import tsx bench/orchestration.bench.ts`.
 */
import childProcess, { type ChildProcess, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gitCommandTotals, Orchestrator, type RunResult } from "@autowright/orchestrator";
import { type FeatureImportEntry, featureImportEntrySchema, settingsSchema } from "@autowright/protocol";
import { defaultReplayScript, renderScript, sessionVariables } from "@autowright/scripted-model";
import { ProjectStore } from "@autowright/store";
import { temporaryDirectory } from "@autowright/testkit";

const featureCount = 60;
const concurrency = 5;
const latencyMs = 200;
const runs = 1;
const targetRatio = 1.15;
/**
 * A run still going after this long is stopped and reported as an error, so the benchmark stays short on a busy
 * machine; `BENCH_TIME_LIMIT_MS` overrides it (e.g. to measure a slow run to its end).
 */
const timeLimitMs = Number(process.env["BENCH_TIME_LIMIT_MS"] ?? 120_000);

const bundle = fileURLToPath(new URL("../packages/cli/dist/autowright.js", import.meta.url));

const round = (value: number): number => Math.round(value * 100) / 100;

function fail(message: string, extra: Record<string, unknown> = {}): never {
  console.log(
    JSON.stringify({
      bench: "orchestration",
      features: featureCount,
      concurrency,
      latencyMs,
      ...extra,
      error: message,
    }),
  );
  process.exit(1);
}

/**
 * Model turns of a single-feature session under the default replay script (the one `--provider replay` plays
 * when none is given), rendered for one feature: counted, not hard-coded, so the ideal follows the script.
 */
function turnsPerFeature(): number {
  const script = defaultReplayScript({ wire: "openai", toolStyle: "autowright" });
  const variables = sessionVariables({
    sessionId: "count",
    cwd: "/tmp",
    features: [{ id: 1, name: "Feature 1" }],
  });
  return renderScript(script, variables).length;
}

/**
 * The project's test runner: every `test/*.test.js` file imported into one process. `node --test` would start a
 * process per test file, so with a file per feature the checks of a 60-feature run would cost the square of the
 * feature count; this benchmark measures the orchestrator, not that.
 */
const runAllTests = [
  'import { readdirSync } from "node:fs";',
  "",
  'const directory = new URL("./", import.meta.url);',
  "for (const file of readdirSync(directory).sort()) {",
  '  if (file.endsWith(".test.js")) await import(new URL(file, directory).href);',
  "}",
  "",
].join("\n");

/** A git repository with one commit whose `npm test` runs every test file in one process, and a project on it. */
function createProject(root: string): ProjectStore {
  const git = (...args: string[]): void => {
    const result = spawnSync("git", args, { cwd: root, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  };
  git("init", "--quiet");
  writeFileSync(join(root, "README.md"), "# orchestration benchmark\n");
  mkdirSync(join(root, "test"));
  writeFileSync(join(root, "test", "run-all.mjs"), runAllTests);
  writeFileSync(
    join(root, "package.json"),
    `${JSON.stringify({ name: "bench-project", private: true, type: "module", scripts: { test: "node test/run-all.mjs" } }, null, 2)}\n`,
  );
  git("add", "-A");
  git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "--quiet", "-m", "initial");
  const store = ProjectStore.open(root, { create: true });
  const entries = Array.from({ length: featureCount }, (_, index) =>
    featureImportEntrySchema.parse({
      name: `Feature ${index + 1}`,
      category: "bench",
      description: `Independent benchmark feature number ${index + 1}.`,
    }),
  ) as FeatureImportEntry[];
  store.importFeatures(entries, { maxDependenciesPerFeature: 20 });
  return store;
}

/** Where the run's time went, summed over all features (divided per feature when printed). */
interface Costs {
  /** Processes the orchestrator started itself or through its spawner helper (git, checks, workers). */
  processes: number;
  /** Of those, git commands. */
  gitCommands: number;
  /** Processes started on the whole machine during the run (`/proc/stat`): also git's own, the checks' and agents'. */
  machineProcesses: number;
  /** Duration of the git commands, summed (they overlap: this is process time, not wall time). */
  gitMs: number;
  /** Lifetime of the check commands (the verifier's and the merge train's), summed. */
  checkMs: number;
  /** From a worker's spawn to its first frame, summed over the workers started. */
  workerStartMs: number;
  workersStarted: number;
  /** The orchestrator's scheduling passes (their store calls included). */
  schedulingMs: number;
  schedulingPasses: number;
  /** Synchronous time inside `ProjectStore` methods: the orchestrator's own and the backlog tools'. */
  storeMs: number;
}

const costs: Costs = {
  processes: 0,
  gitCommands: 0,
  machineProcesses: 0,
  gitMs: 0,
  checkMs: 0,
  workerStartMs: 0,
  workersStarted: 0,
  schedulingMs: 0,
  schedulingPasses: 0,
  storeMs: 0,
};

/** Total processes forked on this machine since boot. */
function machineForks(): number {
  const line = readFileSync("/proc/stat", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("processes "));
  return Number(line?.split(" ")[1] ?? 0);
}

/**
 * Meters every process the orchestrator spawns: counted, and timed by kind (git, a worker, a check). Patched on the
 * `child_process` module itself so the orchestrator's code stays as it runs in production.
 */
function meterSpawns(): void {
  const original = childProcess.spawn;
  const metered = (...args: Parameters<typeof original>): ChildProcess => {
    const child = (original as (...spawnArgs: unknown[]) => ChildProcess)(...args);
    const command = String(args[0]);
    const commandArgs = Array.isArray(args[1]) ? (args[1] as string[]) : [];
    const started = performance.now();
    costs.processes += 1;
    if (command === process.execPath && commandArgs[0] === "-e") {
      // The orchestrator's spawner helper: git runs from there (counted with `gitCommandTotals`).
    } else if (commandArgs.includes("worker")) {
      child.stdout?.once("data", () => {
        costs.workerStartMs += performance.now() - started;
        costs.workersStarted += 1;
      });
    } else {
      child.once("close", () => {
        costs.checkMs += performance.now() - started;
      });
    }
    return child;
  };
  childProcess.spawn = metered as typeof original;
  syncBuiltinESMExports();
}

/** Times every `ProjectStore` method (outermost calls only, so nested calls are not counted twice). */
function meterStore(): void {
  const prototype = ProjectStore.prototype as unknown as Record<string, unknown>;
  let depth = 0;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    if (name === "constructor" || typeof descriptor?.value !== "function") continue;
    const method = descriptor.value as (...methodArgs: unknown[]) => unknown;
    prototype[name] = function (this: unknown, ...methodArgs: unknown[]): unknown {
      if (depth > 0) return method.apply(this, methodArgs);
      depth += 1;
      const started = performance.now();
      try {
        return method.apply(this, methodArgs);
      } finally {
        depth -= 1;
        costs.storeMs += performance.now() - started;
      }
    };
  }
}

interface RunMeasurement {
  readonly wallMs: number;
  readonly result: RunResult;
  /** The most agents holding a slot at once (from `orchestrator.updated`): should be `concurrency`. */
  readonly peakAgents: number;
  readonly passing: number;
}

async function runOnce(): Promise<RunMeasurement> {
  using directory = temporaryDirectory("autowright-bench-orchestration-");
  const root = join(directory.path, "project");
  const home = join(directory.path, "home");
  mkdirSync(root);
  mkdirSync(home);
  const store = createProject(root);
  try {
    const orchestrator = new Orchestrator({
      store,
      projectName: "bench-project",
      settings: settingsSchema.parse({
        maxConcurrency: concurrency,
        concurrencyCap: concurrency,
        testingAgentRatio: 0,
      }),
      home,
      env: process.env,
      worker: { command: process.execPath, args: [bundle, "worker", "--home", home] },
      overrides: { provider: "replay", replay: { runtime: "loop", latencyMs } },
    });
    const verbose = process.env["BENCH_VERBOSE"] === "1";
    let peakAgents = 0;
    let passing = 0;
    const started = performance.now();
    orchestrator.bus.subscribe((event) => {
      if (event.type === "orchestrator.updated")
        peakAgents = Math.max(peakAgents, event.data.codingAgents + event.data.testingAgents);
      else if (event.type === "progress.updated") passing = event.data.passing;
      // BENCH_VERBOSE=1 traces the run's events on stderr (stdout carries only the result line).
      if (verbose) {
        const at = Math.round(performance.now() - started);
        process.stderr.write(`${at} ${event.type} ${JSON.stringify(event.data).slice(0, 300)}\n`);
      }
    });
    const forksBefore = machineForks();
    const gitBefore = gitCommandTotals();
    const timer = setTimeout(() => {
      void orchestrator.stop(`the benchmark's time limit of ${timeLimitMs / 1000} s passed`);
    }, timeLimitMs);
    try {
      const result = await orchestrator.run();
      return { wallMs: performance.now() - started, result, peakAgents, passing };
    } finally {
      clearTimeout(timer);
      costs.machineProcesses += machineForks() - forksBefore;
      const gitAfter = gitCommandTotals();
      costs.gitCommands += gitAfter.commands - gitBefore.commands;
      costs.processes += gitAfter.commands - gitBefore.commands;
      costs.gitMs += gitAfter.ms - gitBefore.ms;
      costs.schedulingMs += orchestrator.scheduling().ms;
      costs.schedulingPasses += orchestrator.scheduling().ticks;
    }
  } finally {
    store.close();
  }
}

meterSpawns();
meterStore();
if (!existsSync(bundle)) fail(`the CLI bundle ${bundle} is missing: run \`npm run build\` first`);
const turns = turnsPerFeature();
const idealMs = (featureCount / concurrency) * turns * latencyMs;
const wallTimes: number[] = [];
let peakAgents = 0;
for (let run = 0; run < runs; run++) {
  const measured = await runOnce();
  peakAgents = Math.max(peakAgents, measured.peakAgents);
  if (measured.result.status !== "completed") {
    fail(`run ${run + 1} ended ${measured.result.status}: ${measured.result.reason.slice(0, 1_000)}`, {
      turnsPerFeature: turns,
      wallMs: round(measured.wallMs),
      passing: measured.passing,
      peakAgents: measured.peakAgents,
      perFeature: perFeature(),
    });
  }
  wallTimes.push(measured.wallMs);
}
/** The costs per feature (over all runs), and the mean start time of a worker. */
function perFeature(): Record<string, number> {
  const features = featureCount * runs;
  return {
    processes: round(costs.processes / features),
    gitCommands: round(costs.gitCommands / features),
    machineProcesses: round(costs.machineProcesses / features),
    gitMs: round(costs.gitMs / features),
    checkMs: round(costs.checkMs / features),
    workerStartMs: round(costs.workerStartMs / features),
    workersStarted: costs.workersStarted,
    meanWorkerStartMs: round(costs.workerStartMs / Math.max(1, costs.workersStarted)),
    schedulingMs: round(costs.schedulingMs / features),
    schedulingPasses: round(costs.schedulingPasses / features),
    storeMs: round(costs.storeMs / features),
  };
}

wallTimes.sort((left, right) => left - right);
const wallMs = wallTimes[Math.floor(wallTimes.length / 2)] ?? 0;
// The extra session time each feature costs: the wall time beyond the ideal is paid by `concurrency` slots at
// once, so spread over the features it is (wallMs − idealMs) × concurrency / features.
const overheadMsPerFeature = ((wallMs - idealMs) * concurrency) / featureCount;
console.log(
  JSON.stringify({
    bench: "orchestration",
    features: featureCount,
    concurrency,
    latencyMs,
    turnsPerFeature: turns,
    wallMs: round(wallMs),
    idealMs: round(idealMs),
    ratio: round(wallMs / idealMs),
    overheadMsPerFeature: round(overheadMsPerFeature),
    runs,
    peakAgents,
    targetRatio,
    perFeature: perFeature(),
  }),
);
