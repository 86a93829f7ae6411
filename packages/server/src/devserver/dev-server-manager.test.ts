import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError, type DevServerUpdatedData, type ServerEvent } from "@autowright/protocol";
import { eventually, processRunning } from "@autowright/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createTestProject, type TestProject } from "../test-project.ts";
import { writeCustomCommand } from "./config.ts";
import { DevServerManager, type DevServerOptions, stopAllDevServers } from "./dev-server-manager.ts";
import { portIsFree } from "./ports.ts";
import { processStartTime } from "./process-tree.ts";

/** A real app: listens on $PORT, prints its URL (unless told not to), starts a grandchild and prints its pid. */
const serverScript = `
const http = require("node:http");
const { spawn } = require("node:child_process");
const grandchild = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
console.log("grandchild " + grandchild.pid);
console.log("host " + process.env.HOST + " marker " + process.env.MARKER + " secret " + (process.env.ANTHROPIC_API_KEY ?? "none"));
console.log("x".repeat(10000));
if (process.env.IGNORE_TERM === "1") process.on("SIGTERM", () => console.log("ignoring SIGTERM"));
const server = http.createServer((request, response) => response.end("hello from the app"));
// IGNORE_PORT=1: like Vite, the app picks its own port and only its output says where it is.
server.listen(process.env.IGNORE_PORT === "1" ? 0 : Number(process.env.PORT), "127.0.0.1", () => {
  if (process.env.QUIET !== "1") console.log("ready on http://127.0.0.1:" + server.address().port + "/");
  if (process.env.CRASH === "1") setTimeout(() => { console.error("boom"); process.exit(1); }, 100);
});
`;

const options: DevServerOptions = {
  ports: { first: 4300, last: 4399 },
  stopGraceMs: 1_000,
  maxLineLength: 500,
  readinessPollMs: 50,
};

const managers: DevServerManager[] = [];
const projects: TestProject[] = [];
const leftovers: number[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.close()));
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
  for (const project of projects.splice(0)) project.close();
});

function setup(environment: NodeJS.ProcessEnv = {}, extra: DevServerOptions = {}) {
  const test = createTestProject();
  projects.push(test);
  writeFileSync(join(test.root, "package.json"), JSON.stringify({ scripts: { dev: "node server.js" } }));
  writeFileSync(join(test.root, "server.js"), serverScript);
  const manager = new DevServerManager(
    test.project,
    () => ({ ...test.server.userProcessEnvironment(), MARKER: "m-1", ...environment }),
    { ...options, ...extra },
  );
  managers.push(manager);
  const statuses = (): DevServerUpdatedData[] =>
    test.events.flatMap((event: ServerEvent) => (event.type === "devserver.updated" ? [event.data] : []));
  const lines = (): string[] =>
    test.events.flatMap((event: ServerEvent) =>
      event.type === "devserver.log.appended" ? [event.data.line] : [],
    );
  const grandchild = (): number => {
    const line = lines().find((candidate) => candidate.startsWith("grandchild "));
    if (line === undefined) throw new Error("the app did not print its grandchild");
    const pid = Number(line.split(" ")[1]);
    leftovers.push(pid);
    return pid;
  };
  return { test, manager, statuses, lines, grandchild };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  try {
    await eventually(check, timeoutMs);
  } catch {
    throw new Error(`timed out waiting for ${what}`);
  }
}

function codeOf(error: unknown): string {
  return AppError.isInstance(error) ? error.code : String(error);
}

describe("DevServerManager", () => {
  it("runs the detected npm dev script on a free port, and stop ends the whole tree and frees the port", async () => {
    const { test, manager, statuses, lines, grandchild } = setup();
    const started = await manager.start();
    expect(started).toMatchObject({ status: "starting", command: "npm run dev" });
    const port = started.port ?? 0;
    expect(port).toBeGreaterThanOrEqual(4300);
    await waitFor("running", () => manager.status().status === "running");
    const state = manager.status();
    // From the output line, or from the port answering, whichever came first.
    const url = state.url ?? "";
    expect([`http://127.0.0.1:${port}/`, `http://localhost:${port}/`]).toContain(url);
    const response = await fetch(state.url ?? "");
    expect(await response.text()).toBe("hello from the app");
    const child = grandchild();
    expect(processRunning(child)).toBe(true);
    // The environment is the given one (no secrets) plus PORT and HOST; long lines are cut.
    expect(lines()).toContain("host 127.0.0.1 marker m-1 secret none");
    const long = lines().find((line) => line.startsWith("xxxx"));
    expect(long?.length).toBe(500);
    expect(
      JSON.parse(
        readFileSync(join(test.project.paths.dataDirectory, "tmp", "devserver-process.json"), "utf8"),
      ),
    ).toMatchObject({ pid: state.pid });

    const stopped = await manager.stop();
    expect(stopped.status).toBe("stopped");
    expect(processRunning(child)).toBe(false);
    expect(processRunning(state.pid ?? 0)).toBe(false);
    expect(await portIsFree(port)).toBe(true);
    expect(statuses()).toEqual([
      { status: "starting", port, command: "npm run dev" },
      { status: "running", url, port, command: "npm run dev" },
      { status: "stopped" },
    ]);
    expect(() =>
      readFileSync(join(test.project.paths.dataDirectory, "tmp", "devserver-process.json")),
    ).toThrow();
    // Stopping again is a no-op.
    expect((await manager.stop()).status).toBe("stopped");
    expect(statuses()).toHaveLength(3);
  });

  it("refuses a second start while one runs, and starts again after a stop", async () => {
    const { manager, statuses } = setup();
    await manager.start();
    const second = await manager.start().catch((error: unknown) => error);
    expect(codeOf(second)).toBe("conflict");
    expect(String((second as Error).message)).toMatch(/already (starting|running).*stop it first/);
    await waitFor("running", () => manager.status().status === "running");
    await manager.stop();
    await manager.start();
    await waitFor("running again", () => manager.status().status === "running");
    expect(statuses().map((data) => data.status)).toEqual([
      "starting",
      "running",
      "stopped",
      "starting",
      "running",
    ]);
  });

  it("takes the URL from the output when the app listens elsewhere than PORT", async () => {
    const { manager } = setup({ IGNORE_PORT: "1" });
    const { port } = await manager.start();
    await waitFor("running", () => manager.status().status === "running");
    const state = manager.status();
    expect(state.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(state.port).not.toBe(port);
    expect(await (await fetch(state.url ?? "")).text()).toBe("hello from the app");
  });

  it("is running once the port answers when the output names no URL", async () => {
    const { manager } = setup({ QUIET: "1" });
    const { port } = await manager.start();
    await waitFor("running", () => manager.status().status === "running");
    expect(manager.status()).toMatchObject({ url: `http://localhost:${port}/`, port });
  });

  it("is crashed when the app exits by itself, says how in the log, and ends what it left behind", async () => {
    const { test, manager, statuses, lines, grandchild } = setup({ CRASH: "1" });
    writeCustomCommand(test.project.paths, "node server.js --name 'my app'");
    const started = await manager.start();
    expect(started.command).toBe("node server.js --name 'my app'");
    await waitFor("crashed", () => manager.status().status === "crashed");
    expect(manager.status()).toMatchObject({ status: "crashed", exitCode: 1, command: started.command });
    expect(lines()).toContain("boom");
    expect(lines().at(-1)).toMatch(/exited with code 1 \(it was not asked to stop\)/);
    await waitFor("the grandchild gone", () => !processRunning(grandchild()));
    expect(statuses().at(-1)).toEqual({ status: "crashed", port: started.port, command: started.command });
    expect(await portIsFree(started.port ?? 0)).toBe(true);
    // Stop on a crashed server makes it stopped; start works again.
    expect((await manager.stop()).status).toBe("stopped");
    expect(statuses().at(-1)).toEqual({ status: "stopped" });
  });

  it("is crashed with a clear line when the program does not exist", async () => {
    const { test, manager, lines } = setup();
    writeCustomCommand(test.project.paths, "no-such-program-autowright --port $PORT");
    const state = await manager.start();
    expect(state.status).toBe("crashed");
    expect(lines().at(-1)).toMatch(/`no-such-program-autowright` was not found/);
  });

  it("kills a tree that ignores SIGTERM after the grace period", async () => {
    const { manager, grandchild, lines } = setup({ IGNORE_TERM: "1" }, { stopGraceMs: 300 });
    const { pid } = await manager.start();
    await waitFor("running", () => manager.status().status === "running");
    const child = grandchild();
    await manager.stop();
    expect(lines()).toContain("ignoring SIGTERM");
    expect(processRunning(pid ?? 0)).toBe(false);
    expect(processRunning(child)).toBe(false);
  });

  it("refuses to start without a command, saying what to do, and changes nothing", async () => {
    const { test, manager, statuses } = setup();
    writeFileSync(join(test.root, "package.json"), JSON.stringify({ scripts: {} }));
    const error = await manager.start().catch((caught: unknown) => caught);
    expect(codeOf(error)).toBe("invalid_input");
    expect(String((error as Error).message)).toMatch(/no dev command.*custom command/);
    expect(manager.status().status).toBe("stopped");
    expect(statuses()).toEqual([]);
  });

  it("refuses a stored command that is not valid (the file edited by hand)", async () => {
    const { test, manager } = setup();
    writeFileSync(
      join(test.project.paths.dataDirectory, "devserver.json"),
      JSON.stringify({ command: "a | b" }),
    );
    const error = await manager.start().catch((caught: unknown) => caught);
    expect(codeOf(error)).toBe("invalid_input");
    expect(manager.config()).toMatchObject({
      command: "a | b",
      effective: null,
      commandError: expect.stringMatching(/pipe/),
    });
  });

  it("close() stops the server, leaves no process behind and refuses later starts", async () => {
    const { manager, grandchild } = setup();
    const { pid } = await manager.start();
    await waitFor("running", () => manager.status().status === "running");
    const child = grandchild();
    await manager.close();
    expect(processRunning(pid ?? 0)).toBe(false);
    expect(processRunning(child)).toBe(false);
    expect(codeOf(await manager.start().catch((error: unknown) => error))).toBe("conflict");
    await manager.close();
  });

  it("stopAllDevServers stops the servers of every project", async () => {
    const first = setup();
    const second = setup();
    const [a, b] = await Promise.all([first.manager.start(), second.manager.start()]);
    expect(a.port).not.toBe(b.port);
    await waitFor(
      "both running",
      () => first.manager.status().status === "running" && second.manager.status().status === "running",
    );
    await stopAllDevServers();
    expect(processRunning(a.pid ?? 0)).toBe(false);
    expect(processRunning(b.pid ?? 0)).toBe(false);
    expect(first.manager.closed && second.manager.closed).toBe(true);
  });

  it("ends a dev server an earlier autowright left running", async () => {
    const { test } = setup();
    // A dead server process, and the dev server it left behind in its own group.
    const dead = spawn(process.execPath, ["-e", ""]);
    const deadPid = dead.pid ?? 0;
    await new Promise((resolve) => dead.once("exit", resolve));
    const orphan = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
      detached: true,
      stdio: "ignore",
    });
    orphan.unref();
    const orphanPid = orphan.pid ?? 0;
    leftovers.push(orphanPid);
    await waitFor("the orphan started", () => processStartTime(orphanPid) !== undefined);
    mkdirSync(join(test.project.paths.dataDirectory, "tmp"), { recursive: true });
    writeFileSync(
      join(test.project.paths.dataDirectory, "tmp", "devserver-process.json"),
      JSON.stringify({
        serverPid: deadPid,
        pid: orphanPid,
        startTime: processStartTime(orphanPid),
        command: "npm run dev",
      }),
    );
    const manager = new DevServerManager(test.project, () => test.server.userProcessEnvironment(), options);
    managers.push(manager);
    await waitFor("the orphan gone", () => !processRunning(orphanPid));
    expect(manager.status().recentLog.join("\n")).toMatch(/left running by an earlier autowright/);
  });
});
