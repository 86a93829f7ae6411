import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { evidenceSchema } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { detectTestCommand, outputTailLength, runChecks } from "./verifier.ts";

/** Alive and not a zombie waiting for a parent to reap it. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

async function waitUntilDead(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return !isAlive(pid);
}

function readPid(path: string): number {
  return Number(readFileSync(path, "utf8").trim());
}

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

describe("detectTestCommand", () => {
  const cases: { name: string; files: Record<string, string>; expected: string | null }[] = [
    { name: "nothing", files: {}, expected: null },
    {
      name: "a package.json test script",
      files: { "package.json": '{"scripts":{"test":"vitest"}}' },
      expected: "npm test",
    },
    {
      name: "npm's placeholder test script",
      files: { "package.json": '{"scripts":{"test":"echo \\"Error: no test specified\\" && exit 1"}}' },
      expected: null,
    },
    { name: "a package.json without scripts", files: { "package.json": '{"name":"x"}' }, expected: null },
    { name: "an unreadable package.json", files: { "package.json": "{ not json" }, expected: null },
    { name: "pytest.ini", files: { "pytest.ini": "[pytest]\n" }, expected: "pytest" },
    {
      name: "pyproject with [tool.pytest.ini_options]",
      files: { "pyproject.toml": '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n' },
      expected: "pytest",
    },
    {
      name: "pyproject without pytest",
      files: { "pyproject.toml": '[project]\nname = "x"\n' },
      expected: null,
    },
    { name: "setup.cfg with [tool:pytest]", files: { "setup.cfg": "[tool:pytest]\n" }, expected: "pytest" },
    { name: "Cargo.toml", files: { "Cargo.toml": '[package]\nname = "x"\n' }, expected: "cargo test" },
    { name: "go.mod", files: { "go.mod": "module example.com/x\n" }, expected: "go test ./..." },
    {
      name: "a Makefile with a test target",
      files: { Makefile: "build:\n\tcc x.c\n\ntest: build\n\t./x\n" },
      expected: "make test",
    },
    {
      name: "a Makefile with test among targets",
      files: { Makefile: "check test:\n\t./run\n" },
      expected: "make test",
    },
    { name: "a Makefile without a test target", files: { Makefile: "build:\n\tcc x.c\n" }, expected: null },
    {
      name: "a Makefile with only a test variable",
      files: { Makefile: "test := 1\ntests:\n\t./x\n" },
      expected: null,
    },
    {
      name: "npm before make",
      files: { "package.json": '{"scripts":{"test":"node --test"}}', Makefile: "test:\n\tnpm test\n" },
      expected: "npm test",
    },
  ];

  it.each(cases)("$name → $expected", ({ files, expected }) => {
    using directory = temporaryDirectory();
    for (const [name, content] of Object.entries(files)) writeFileSync(join(directory.path, name), content);
    expect(detectTestCommand(directory.path)).toBe(expected);
  });
});
