/**
 * `autowright run` on a project that has only a spec: the real binary, the replay provider, a temp git
 * repository. Invariants: the initializer agent runs first and turns each spec item into a feature; every feature
 * then passes with evidence and is merged on the main branch; no worktree is left behind. Without a spec and
 * without features, the run refuses in one line.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Feature, featureSchema, type ServerEvent, serverEventSchema } from "@autowright/protocol";
import { type TemporaryDirectory, temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git } from "./support/git.ts";
import { watchProgress } from "./support/progress-watch.ts";

const launcher = fileURLToPath(new URL("../packages/cli/bin/autowright.js", import.meta.url));

const byNumber = (left: number, right: number): number => left - right;
const specItems = ["Add a todo", "Complete a todo", "Delete a todo", "List todos"];
const spec = `# Todo app

A tiny todo list for one person, kept in memory.

## Features

${specItems.map((item) => `- ${item}`).join("\n")}
`;

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let home: TemporaryDirectory;
let work: TemporaryDirectory;
const children: ChildProcess[] = [];

beforeEach(() => {
  home = temporaryDirectory("autowright-home-");
  work = temporaryDirectory("autowright-initializer-");
});
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  home[Symbol.dispose]();
  work[Symbol.dispose]();
});

function environment(): NodeJS.ProcessEnv {
  return { ...process.env, AUTOWRIGHT_DEBUG: undefined, AUTOWRIGHT_HOME: undefined };
}

/** A short command: synchronous. */
function autowright(args: string[]): Result {
  const result = spawnSync(process.execPath, [launcher, ...args, "--home", home.path], {
    cwd: work.path,
    env: environment(),
    encoding: "utf8",
    input: "",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `run`: asynchronous; killed if the test ends first, or when it prints nothing for a while (it is stuck). */
function autowrightRun(args: string[]): Promise<Result> {
  const child = spawn(process.execPath, [launcher, "run", ...args, "--home", home.path], {
    cwd: work.path,
    env: environment(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const watch = watchProgress({
    awaiting: `autowright run ${args.join(" ")} to exit`,
    describe: () => `the last output:\n${stdout.slice(-3_000)}\nstderr: ${stderr.slice(-2_000)}`,
    onQuiet: () => child.kill("SIGKILL"),
  });
  child.stdout.on("data", (chunk: Buffer) => {
    watch.touch();
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  children.push(child);
  return watch.wait(
    new Promise((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    }),
  );
}

/** A git repository with one commit and nothing else: no package.json, no backlog. */
function createRepository(): string {
  const root = join(work.path, "todo");
  mkdirSync(root);
  git(root, "init", "--quiet");
  writeFileSync(join(root, "README.md"), "# todo\n");
  git(root, "add", "-A");
  git(root, "commit", "--quiet", "-m", "initial");
  return root;
}

/** Every line of stdout, parsed as a protocol event: a line that does not parse fails the test. */
function parseEvents(stdout: string): ServerEvent[] {
  const lines = stdout.split("\n").filter((line) => line !== "");
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((line, index) => {
    const parsed = serverEventSchema.safeParse(JSON.parse(line));
    expect(parsed.success, `stdout line ${index + 1} is a protocol event: ${line.slice(0, 300)}`).toBe(true);
    return parsed.data as ServerEvent;
  });
}

function listFeatures(root: string): Feature[] {
  const listed = autowright(["features", "list", root, "--json"]);
  expect(listed.code, listed.stderr).toBe(0);
  return featureSchema.array().parse(JSON.parse(listed.stdout));
}

function expectOneLineError(result: Result, message: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/^autowright: /);
  expect(result.stderr.trimEnd().split("\n"), "exactly one line on stderr").toHaveLength(1);
  expect(result.stderr).toMatch(message);
  expect(result.stderr, "no stack trace").not.toMatch(/\n\s+at |\bat .+:\d+:\d+\)?$/m);
}

describe("autowright run on a project with only a spec", { timeout: 300_000 }, () => {
  it("runs the initializer first, then implements, verifies and merges one feature per spec item", async () => {
    const root = createRepository();
    const specFile = join(work.path, "spec.md");
    writeFileSync(specFile, spec);
    const initialized = autowright(["init", root, "--spec", specFile]);
    expect(initialized.code, initialized.stderr).toBe(0);
    expect(listFeatures(root), "the backlog starts empty").toEqual([]);

    const result = await autowrightRun([root, "--provider", "replay", "--concurrency", "2", "--json"]);
    const events = parseEvents(result.stdout);
    const log = events
      .flatMap((event) => (event.type === "log.appended" ? [`${event.data.level}: ${event.data.line}`] : []))
      .join("\n");
    expect(result.code, `${result.stderr}\n${log}`.slice(-4_000)).toBe(0);
    expect(result.stderr).toBe("");
    const started = events.flatMap((event) => (event.type === "agent.started" ? [event.data] : []));
    expect(started[0]?.role, "the initializer is the first agent").toBe("initializer");
    expect(started.filter((agent) => agent.role === "initializer")).toHaveLength(1);
    const initializerId = started[0]?.agentId;
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "agent.ended",
        data: expect.objectContaining({ agentId: initializerId, outcome: "passed" }),
      }),
    );
    // No coding agent starts before the initializer's work is committed (it would branch from a bare main).
    const initializerEnd = events.findIndex(
      (event) => event.type === "agent.ended" && event.data.agentId === initializerId,
    );
    const firstCoding = events.findIndex(
      (event) => event.type === "agent.started" && event.data.role === "coding",
    );
    expect(firstCoding, "the first coding agent starts after the initializer ended").toBeGreaterThan(
      initializerEnd,
    );
    const created = events.flatMap((event) => (event.type === "feature.created" ? [event.data.feature] : []));
    expect(created.map((feature) => feature.name)).toEqual(specItems);
    // The initializer recorded the test command with its backlog tool, and the verifier ran it.
    const recorded = events.flatMap((event) => (event.type === "project.updated" ? [event.data] : []));
    expect(recorded).toEqual([{ testCommand: { command: "npm test", recordedAt: expect.any(String) } }]);
    const listedText = autowright(["features", "list", root]);
    expect(listedText.stdout).toMatch(/^test command: npm test \(recorded /m);
    const codedFeatures = new Set(
      started.filter((agent) => agent.role === "coding").flatMap((agent) => agent.featureIds),
    );
    expect([...codedFeatures].sort(byNumber)).toEqual(created.map((feature) => feature.id).sort(byNumber));
    expect(events.at(-1)).toMatchObject({ type: "run.updated", data: { status: "completed" } });

    const features = listFeatures(root);
    expect(features.map((feature) => feature.name)).toEqual(specItems);
    for (const feature of features) {
      expect(feature.status, `#${feature.id} ${feature.name}`).toBe("passing");
      const checks = feature.evidence.filter((evidence) => evidence.kind === "check");
      expect(checks.length, `#${feature.id} has check evidence`).toBeGreaterThan(0);
      expect(checks.every((evidence) => evidence.exitCode === 0)).toBe(true);
      expect(checks.map((evidence) => evidence.command)).toContain("npm test");
      expect(feature.unverified).toBe(false);
      expect(
        feature.evidence.some((evidence) => evidence.kind === "merge"),
        `#${feature.id} has merge evidence`,
      ).toBe(true);
    }

    const history = git(root, "log", "--first-parent", "--reverse", "--format=%H %P%x09%s", "HEAD")
      .trim()
      .split("\n")
      .map((line) => {
        const [hashes = "", subject = ""] = line.split("\t");
        const [commit = "", ...parents] = hashes.split(" ");
        return { commit, parents, subject };
      });
    expect(history[0]?.subject).toBe("initial");
    const setUp = history.filter(
      (entry) => entry.subject === "autowright: project set up by the initializer",
    );
    expect(setUp, "one initializer commit on the main branch").toHaveLength(1);
    expect(setUp[0]?.parents, "the initializer's commit is not a merge").toHaveLength(1);
    const setUpFiles = git(root, "show", "--name-only", "--format=", setUp[0]?.commit ?? "")
      .trim()
      .split("\n");
    expect(setUpFiles).toEqual(expect.arrayContaining([".autowright/prompts/app-spec.md", "package.json"]));
    const merges = history.filter((entry) => entry.parents.length === 2);
    expect(merges, "one merge per feature").toHaveLength(specItems.length);
    expect(
      merges.map((entry) => Number(/\(feature #(\d+)\)$/.exec(entry.subject)?.[1])).sort(byNumber),
      "each merge names its feature",
    ).toEqual(features.map((feature) => feature.id).sort(byNumber));
    expect(history.slice(-merges.length), "the merges come after the initializer's commit").toEqual(merges);
    const files = git(root, "ls-files").split("\n");
    for (const feature of features) expect(files).toContain(`test/feature-${feature.id}.test.js`);

    const worktrees = join(root, ".autowright", "worktrees");
    expect(existsSync(worktrees) ? readdirSync(worktrees) : [], "no worktree left").toEqual([]);
    expect(git(root, "worktree", "list").trim().split("\n")).toHaveLength(1);
    expect(git(root, "branch", "--list", "autowright/*").trim()).toBe("");
    expect(git(root, "status", "--porcelain").trim()).toBe("");
  });

  it.each([
    ["--json", ["--json"]],
    ["the plain view", []],
  ])("refuses a project with no spec and no features in one line (%s)", async (_, extra) => {
    const root = createRepository();
    const initialized = autowright(["init", root]);
    expect(initialized.code, initialized.stderr).toBe(0);
    const head = git(root, "rev-parse", "HEAD");

    const result = await autowrightRun([root, "--provider", "replay", "--concurrency", "2", ...extra]);
    expectOneLineError(result, /the backlog is empty and there is no app spec/);
    expect(result.stderr).toContain("import features");
    if (extra.includes("--json")) {
      const events = parseEvents(result.stdout);
      expect(
        events.some((event) => event.type === "agent.started"),
        "no agent started",
      ).toBe(false);
      expect(events.at(-1)).toMatchObject({ type: "run.updated", data: { status: "crashed" } });
    } else {
      expect(result.stdout).not.toMatch(/\n\s+at /);
      // Said once on stdout (the run's end) and once on stderr (the error), not a third time as a summary.
      expect(result.stdout.match(/there is no app spec/g) ?? []).toHaveLength(1);
    }
    expect(listFeatures(root)).toEqual([]);
    expect(git(root, "rev-parse", "HEAD"), "no commit was made").toBe(head);
  });
});
