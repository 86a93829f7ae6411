/**
 * `autowright run` as a user runs it, for the e2e tests: the built launcher in a temp home, on a temp project
 * (a git repository with `npm test` running node's test runner and an imported backlog), its `--json` events
 * parsed with the protocol's schema. A run that goes quiet fails at once, saying what was awaited.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { type Feature, type ServerEvent, serverEventSchema } from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { type TemporaryDirectory, temporaryDirectory } from "@autowright/testkit";
import { expect } from "vitest";
import { git } from "./git.ts";
import { lastLines, watchProgress } from "./progress-watch.ts";
import { launcher } from "./worker-harness.ts";

/** A run of `autowright run --json`. */
export interface Run {
  readonly child: ChildProcess;
  readonly events: ServerEvent[];
  readonly exit: Promise<number | null>;
  /** What the run wrote on stderr so far. */
  stderr(): string;
  /** The first event that matches; fails when the run goes quiet or exits first. */
  waitFor(predicate: (event: ServerEvent) => boolean): Promise<ServerEvent>;
}

/** Options of {@link RunHarness.startRun}. */
export interface StartRunOptions {
  /** `--provider`; default `replay`. */
  readonly provider?: string;
  /** Variables added to the CLI's environment (a provider's base URL and key, say). */
  readonly env?: NodeJS.ProcessEnv;
}

/** A temp home and work folder, and the commands to run in them. Dispose it after each test. */
export interface RunHarness extends Disposable {
  readonly home: TemporaryDirectory;
  readonly work: TemporaryDirectory;
  /** Runs the CLI to its end with no input. */
  cli(args: string[]): { code: number | null; stdout: string; stderr: string };
  /** A project with a `npm test` that runs node's test runner, and this backlog. */
  createProject(backlog: object[]): string;
  /** Starts `autowright run <root> --json` with these extra arguments. */
  startRun(root: string, args?: string[], options?: StartRunOptions): Run;
  /** The project's features, read from its database. */
  features(root: string): Feature[];
}

/** Makes a {@link RunHarness}; every run it started is killed when it is disposed. */
export function createRunHarness(): RunHarness {
  const home = temporaryDirectory("autowright-home-");
  const work = temporaryDirectory("autowright-run-");
  const children: ChildProcess[] = [];

  const cli: RunHarness["cli"] = (args) => {
    const result = spawnSync(process.execPath, [launcher, ...args, "--home", home.path], {
      encoding: "utf8",
      input: "",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  const createProject: RunHarness["createProject"] = (backlog) => {
    const root = join(work.path, "app");
    expect(cli(["init", root]).code).toBe(0);
    writeFileSync(
      join(root, "package.json"),
      `${JSON.stringify({ name: "app", private: true, type: "module", scripts: { test: "node --test" } }, null, 2)}\n`,
    );
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "project");
    const file = join(work.path, "backlog.json");
    writeFileSync(file, JSON.stringify(backlog));
    const imported = cli(["features", "import", root, file]);
    expect(imported.code, imported.stderr).toBe(0);
    return root;
  };

  const startRun: RunHarness["startRun"] = (root, args = [], options = {}) => {
    const child = spawn(
      process.execPath,
      [
        launcher,
        "run",
        root,
        "--provider",
        options.provider ?? "replay",
        "--json",
        "--home",
        home.path,
        ...args,
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } },
    );
    children.push(child);
    const events: ServerEvent[] = [];
    const waiters: { predicate: (event: ServerEvent) => boolean; resolve: (event: ServerEvent) => void }[] =
      [];
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const watch = watchProgress({
      awaiting: `autowright run ${args.join(" ")} to exit`,
      describe: () => `the last events:\n  ${lastLines(events)}\nstderr: ${stderr.slice(-2_000)}`,
      onQuiet: () => child.kill("SIGKILL"),
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      watch.touch();
      const event = serverEventSchema.parse(JSON.parse(line));
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    });
    const exit = watch.wait(
      new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code))),
    );
    return {
      child,
      events,
      exit,
      stderr: () => stderr,
      waitFor(predicate) {
        const found = events.find(predicate);
        if (found !== undefined) return Promise.resolve(found);
        const seen = new Promise<ServerEvent>((resolve) => waiters.push({ predicate, resolve }));
        const ended = exit.then((code) => {
          throw new Error(
            `autowright run exited (${code}) without the awaited event; the last events:\n  ${lastLines(events)}\nstderr: ${stderr.slice(-2_000)}`,
          );
        });
        ended.catch(() => undefined);
        // The awaited event never came and the run went quiet, or it ended without it: both fail at once.
        return Promise.race([seen, ended]);
      },
    };
  };

  const features: RunHarness["features"] = (root) => {
    const store = ProjectStore.open(root);
    try {
      return store.listFeatures();
    } finally {
      store.close();
    }
  };

  return {
    home,
    work,
    cli,
    createProject,
    startRun,
    features,
    [Symbol.dispose]() {
      for (const child of children.splice(0)) child.kill("SIGKILL");
      home[Symbol.dispose]();
      work[Symbol.dispose]();
    },
  };
}
