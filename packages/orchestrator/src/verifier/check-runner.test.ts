import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { evidenceSchema } from "@autowright/protocol";
import { processRunning, temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import {
  outputTailLength,
  type RunChecksOptions,
  runChecks as runChecksWithEnvironment,
} from "./check-runner.ts";

/** The runner with this process's environment unless a test gives one. */
function runChecks(options: Omit<RunChecksOptions, "env"> & { env?: NodeJS.ProcessEnv }) {
  return runChecksWithEnvironment({ env: process.env, ...options });
}

async function waitUntilDead(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!processRunning(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return !processRunning(pid);
}

function readPid(path: string): number {
  return Number(readFileSync(path, "utf8").trim());
}

/** Writes files under `root`, creating their directories; an entry whose name ends in `*` is made executable. */
function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const executable = name.endsWith("*");
    const path = join(root, executable ? name.slice(0, -1) : name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    if (executable) chmodSync(path, 0o755);
  }
}

function packageJson(scripts: Record<string, string>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: "app", version: "1.2.3", ...extra, scripts });
}

const bypassNote = (name: string): string => `ran scripts.${name} directly (npm skipped)`;
/** A fixed environment, so that npm's own variables in the test runner's cannot leak into what is compared. */
const plainEnv = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: process.env["HOME"] ?? "/tmp" };

describe("runChecks", () => {
  it("passes when every command exits 0, with one evidence per command", async () => {
    using directory = temporaryDirectory();
    const result = await runChecks({
      directory: directory.path,
      commands: ["echo hello from $PWD", 'echo "CI is $CI" >&2'],
      timeoutMs: 10_000,
      sessionId: "s1",
    });
    expect(result.passed).toBe(true);
    expect(result.evidence).toHaveLength(2);
    const [first, second] = result.evidence;
    expect(first).toMatchObject({
      kind: "check",
      command: "echo hello from $PWD",
      exitCode: 0,
      sessionId: "s1",
    });
    expect(first?.outputTail).toBe(`hello from ${directory.path}\n`);
    expect(second?.outputTail).toBe("CI is true\n");
    for (const evidence of result.evidence) expect(evidenceSchema.safeParse(evidence).success).toBe(true);
  });

  it("stops at the first failing command and keeps its exit code and output", async () => {
    using directory = temporaryDirectory();
    const result = await runChecks({
      directory: directory.path,
      commands: ["true", "echo boom; echo details >&2; exit 3", "touch ran-after-failure"],
      timeoutMs: 10_000,
    });
    expect(result.passed).toBe(false);
    expect(result.evidence.map((evidence) => evidence.exitCode)).toEqual([0, 3]);
    expect(result.evidence[1]?.outputTail).toBe("boom\ndetails\n");
    expect(result.evidence[1]?.sessionId).toBeUndefined();
    expect(existsSync(join(directory.path, "ran-after-failure"))).toBe(false);
  });

  it("passes with no evidence when there is no command", async () => {
    using directory = temporaryDirectory();
    expect(await runChecks({ directory: directory.path, commands: [], timeoutMs: 1_000 })).toEqual({
      passed: true,
      evidence: [],
    });
  });

  it("kills the whole process group on timeout, a background child included", async () => {
    using directory = temporaryDirectory();
    const result = await runChecks({
      directory: directory.path,
      commands: [
        "sleep 60 >/dev/null 2>&1 & echo $! > background.pid; echo started; sleep 60",
        "touch never",
      ],
      timeoutMs: 300,
    });
    expect(result.passed).toBe(false);
    expect(result.evidence).toHaveLength(1);
    expect(result.evidence[0]).toMatchObject({ exitCode: null, note: "timed out after 300 ms" });
    expect(result.evidence[0]?.outputTail).toBe("started\n");
    expect(await waitUntilDead(readPid(join(directory.path, "background.pid")), 5_000)).toBe(true);
    expect(existsSync(join(directory.path, "never"))).toBe(false);
  });

  it("does not wait for, nor leave running, what a passing command left in the background", async () => {
    using directory = temporaryDirectory();
    const result = await runChecks({
      directory: directory.path,
      // The server keeps the output pipe open: without the group kill, the check would hang until the timeout.
      commands: ["sleep 60 & echo $! > server.pid; echo ok"],
      timeoutMs: 30_000,
    });
    expect(result.passed).toBe(true);
    expect(result.evidence[0]?.note).toBeUndefined();
    expect(await waitUntilDead(readPid(join(directory.path, "server.pid")), 5_000)).toBe(true);
  });

  it("kills the running command and stops when aborted", async () => {
    using directory = temporaryDirectory();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await runChecks({
      directory: directory.path,
      commands: ["echo $$ > shell.pid; sleep 60", "touch never"],
      timeoutMs: 30_000,
      signal: controller.signal,
    });
    expect(result.passed).toBe(false);
    expect(result.evidence).toHaveLength(1);
    expect(result.evidence[0]).toMatchObject({ exitCode: null, note: "cancelled" });
    expect(await waitUntilDead(readPid(join(directory.path, "shell.pid")), 5_000)).toBe(true);
    expect(existsSync(join(directory.path, "never"))).toBe(false);
  });

  it("runs nothing when already aborted", async () => {
    using directory = temporaryDirectory();
    const result = await runChecks({
      directory: directory.path,
      commands: ["touch never"],
      timeoutMs: 1_000,
      signal: AbortSignal.abort(),
    });
    expect(result).toEqual({ passed: false, evidence: [] });
    expect(existsSync(join(directory.path, "never"))).toBe(false);
  });

  it("keeps only the end of a long output", async () => {
    using directory = temporaryDirectory();
    const result = await runChecks({
      directory: directory.path,
      commands: ["seq 1 100000"],
      timeoutMs: 10_000,
    });
    const tail = result.evidence[0]?.outputTail ?? "";
    expect(tail.length).toBeLessThanOrEqual(outputTailLength);
    expect(tail.length).toBeGreaterThan(outputTailLength - 10);
    expect(tail.startsWith("…")).toBe(true);
    expect(tail.endsWith("99999\n100000\n")).toBe(true);
  });

  it("reports a command killed by a signal", async () => {
    using directory = temporaryDirectory();
    const result = await runChecks({
      directory: directory.path,
      commands: ["kill -KILL $$"],
      timeoutMs: 10_000,
    });
    expect(result.passed).toBe(false);
    expect(result.evidence[0]).toMatchObject({ exitCode: null, note: "killed by SIGKILL" });
  });

  it("fails, with a note, when the directory does not exist", async () => {
    using directory = temporaryDirectory();
    const result = await runChecks({
      directory: join(directory.path, "missing"),
      commands: ["true"],
      timeoutMs: 1_000,
    });
    expect(result.passed).toBe(false);
    expect(result.evidence[0]?.exitCode).toBeNull();
    expect(result.evidence[0]?.note).toMatch(/^failed to start/);
  });

  it("uses the given environment instead of the process's, plus CI=true", async () => {
    using directory = temporaryDirectory();
    const result = await runChecks({
      directory: directory.path,
      commands: ['echo "$ONLY_HERE|$CI"; printenv HOME || echo no-home'],
      timeoutMs: 10_000,
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ONLY_HERE: "yes", CI: "false" },
    });
    expect(result.evidence[0]?.outputTail).toBe("yes|true\nno-home\n");
  });
});

describe("runChecks with package scripts", () => {
  it.each([
    { command: "npm test", name: "test" },
    { command: "npm t", name: "test" },
    { command: "  npm run test\n", name: "test" },
    { command: "npm run-script lint:all", name: "lint:all" },
  ])(
    "runs `$command` without npm, node_modules/.bin of the folder and its ancestors on PATH",
    async ({ command, name }) => {
      using directory = temporaryDirectory();
      const app = join(directory.path, "outer", "app");
      writeFiles(directory.path, {
        "outer/node_modules/.bin/outer-tool*": "#!/bin/sh\necho outer tool\n",
        "outer/node_modules/.bin/shared*": "#!/bin/sh\necho outer shared\n",
        "outer/app/node_modules/.bin/local-tool*": "#!/bin/sh\necho local tool\n",
        "outer/app/node_modules/.bin/shared*": "#!/bin/sh\necho app shared\n",
        "outer/app/package.json": packageJson({
          [name]: 'echo "event=$npm_lifecycle_event in $PWD"; local-tool; outer-tool; shared',
        }),
      });
      const result = await runChecks({
        directory: app,
        commands: [command],
        timeoutMs: 10_000,
        env: plainEnv,
      });
      expect(result.passed).toBe(true);
      expect(result.evidence[0]).toMatchObject({ command, exitCode: 0, note: bypassNote(name) });
      expect(result.evidence[0]?.outputTail).toBe(
        `event=${name} in ${app}\nlocal tool\nouter tool\napp shared\n`,
      );
      expect(evidenceSchema.safeParse(result.evidence[0]).success).toBe(true);
    },
  );

  it("gives the script the exit code, output and npm variables that npm gives it", async () => {
    using directory = temporaryDirectory();
    const script = [
      'printf "%s\\n" "$npm_lifecycle_event" "$npm_lifecycle_script" "$npm_package_name" "$npm_package_version"',
      'printf "%s\\n" "$npm_package_json" "$npm_package_config_port" "$npm_package_engines_node" "$npm_command"',
      'printf "%s\\n" "$npm_node_execpath" "$NODE" "$INIT_CWD" "$CI"',
      "echo \"$PATH\" | tr : '\\n' | grep 'node_modules/.bin$'",
      "echo '2 type errors' >&2",
      "exit 7",
    ].join("; ");
    writeFiles(directory.path, {
      "package.json": packageJson({ test: script }, { config: { port: 8080 }, engines: { node: ">=20" } }),
    });
    const direct = await runChecks({
      directory: directory.path,
      commands: ["npm test", "touch ran-after-failure"],
      timeoutMs: 30_000,
      env: plainEnv,
    });
    // `--silent` keeps npm from adding its banner and warnings, and makes it run the script itself.
    const throughNpm = await runChecks({
      directory: directory.path,
      commands: ["npm test --silent"],
      timeoutMs: 30_000,
      env: plainEnv,
    });
    expect(direct.passed).toBe(false);
    expect(direct.evidence).toHaveLength(1);
    expect(existsSync(join(directory.path, "ran-after-failure"))).toBe(false);
    expect(direct.evidence[0]).toMatchObject({ command: "npm test", exitCode: 7, note: bypassNote("test") });
    expect(throughNpm.evidence[0]?.exitCode).toBe(7);
    expect(throughNpm.evidence[0]?.note).toBeUndefined();
    const tail = direct.evidence[0]?.outputTail ?? "";
    const lines = tail.split("\n");
    expect(lines.slice(0, 12)).toEqual([
      "test",
      script,
      "app",
      "1.2.3",
      join(directory.path, "package.json"),
      "8080",
      ">=20",
      "test",
      expect.stringMatching(/node$/),
      lines[8], // NODE is npm_node_execpath
      directory.path,
      "true",
    ]);
    expect(lines[12]).toBe(join(directory.path, "node_modules", ".bin"));
    expect(tail.endsWith("2 type errors\n")).toBe(true);
    expect(tail).toBe(throughNpm.evidence[0]?.outputTail);
  });

  it("kills a script that runs out of time, and says npm was skipped", async () => {
    using directory = temporaryDirectory();
    writeFiles(directory.path, { "package.json": packageJson({ test: "echo $$ > shell.pid; sleep 60" }) });
    const result = await runChecks({ directory: directory.path, commands: ["npm test"], timeoutMs: 500 });
    expect(result.evidence[0]).toMatchObject({
      exitCode: null,
      note: `timed out after 500 ms; ${bypassNote("test")}`,
    });
    expect(await waitUntilDead(readPid(join(directory.path, "shell.pid")), 5_000)).toBe(true);
  });

  const fallbacks: {
    name: string;
    command: string;
    files: Record<string, string>;
    output: RegExp;
    created?: string;
    exitCode?: number;
  }[] = [
    {
      name: "a pretest script",
      command: "npm test",
      files: { "package.json": packageJson({ pretest: "touch pretest-ran", test: "echo test-ran" }) },
      output: /test-ran/,
      created: "pretest-ran",
    },
    {
      name: "a postlint script",
      command: "npm run lint",
      files: { "package.json": packageJson({ lint: "echo lint-ran", postlint: "touch postlint-ran" }) },
      output: /lint-ran/,
      created: "postlint-ran",
    },
    {
      name: "arguments after the script",
      command: "npm test -- --reporter dot",
      files: { "package.json": packageJson({ test: "echo args:" }) },
      output: /args: --reporter dot/,
    },
    {
      name: "a missing script",
      command: "npm run nope",
      files: { "package.json": packageJson({ test: "echo test-ran" }) },
      output: /Missing script: "nope"/,
      exitCode: 1,
    },
    {
      name: "a workspace root",
      command: "npm test",
      files: { "package.json": packageJson({ test: "echo workspace-test-ran" }, { workspaces: [] }) },
      output: /workspace-test-ran/,
    },
    {
      name: "a project .npmrc",
      command: "npm test",
      files: { "package.json": packageJson({ test: "echo npmrc-test-ran" }), ".npmrc": "fund=false\n" },
      output: /npmrc-test-ran/,
    },
    {
      name: "a script reading npm's configuration",
      command: "npm test",
      files: { "package.json": packageJson({ test: 'echo "agent=$npm_config_user_agent"' }) },
      output: /agent=npm\//,
    },
    {
      name: "more than one command on the line",
      command: "npm test && touch after",
      files: { "package.json": packageJson({ test: "echo test-ran" }) },
      output: /> app@1.2.3 test/,
      created: "after",
    },
  ];

  it.each(fallbacks)("runs npm itself for $name", async ({ command, files, output, created, exitCode }) => {
    using directory = temporaryDirectory();
    writeFiles(directory.path, files);
    const result = await runChecks({ directory: directory.path, commands: [command], timeoutMs: 30_000 });
    expect(result.evidence[0]?.note).toBeUndefined();
    expect(result.evidence[0]?.exitCode).toBe(exitCode ?? 0);
    expect(result.evidence[0]?.outputTail).toMatch(output);
    if (created !== undefined) expect(existsSync(join(directory.path, created))).toBe(true);
  });
});
