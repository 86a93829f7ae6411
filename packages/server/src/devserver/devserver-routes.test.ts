import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processRunning } from "@autowright/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpApp, type HttpApp } from "../http-app.ts";
import { createTestProject, type TestProject } from "../test-project.ts";
import { devServerConfigFile } from "./config.ts";
import { DevServerManagers } from "./dev-server-managers.ts";
import { devServerRoutes } from "./devserver-routes.ts";

const serverScript = `
const server = require("node:http").createServer((request, response) => response.end("ok"));
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("at http://localhost:" + process.env.PORT));
`;

let cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function setup(): { test: TestProject; app: HttpApp; managers: DevServerManagers } {
  const test = createTestProject();
  writeFileSync(join(test.root, "package.json"), JSON.stringify({ scripts: { dev: "node server.js" } }));
  writeFileSync(join(test.root, "server.js"), serverScript);
  const managers = new DevServerManagers(test.server, {
    ports: { first: 4400, last: 4499 },
    stopGraceMs: 1_000,
    readinessPollMs: 50,
  });
  const app = createHttpApp();
  devServerRoutes(test.server, (name) => managers.of(name))(app);
  cleanups.push(() => test.close());
  cleanups.push(() => managers.close());
  cleanups.push(() => app.close());
  return { test, app, managers };
}

const base = "/api/projects/demo/devserver";

/** Polls `GET .../devserver` until it shows `status`; fails naming what it saw last. */
async function waitForStatus(app: HttpApp, status: string): Promise<{ status: string; url?: string }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = (await app.inject({ method: "GET", url: base })).json() as { status: string; url?: string };
    if (state.status === status) return state;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${status}; last seen ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("devServerRoutes", () => {
  it("starts, shows, refuses a second start, and stops the dev server", async () => {
    const { app } = setup();
    expect((await app.inject({ method: "GET", url: base })).json()).toEqual({
      status: "stopped",
      recentLog: [],
    });

    const started = await app.inject({ method: "POST", url: `${base}/start` });
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({ status: "starting", command: "npm run dev" });
    const { port, pid } = started.json() as { port: number; pid: number };

    const again = await app.inject({ method: "POST", url: `${base}/start`, payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("conflict");

    const state = await waitForStatus(app, "running");
    expect(state.url).toBe(`http://localhost:${port}/`);

    const stopped = await app.inject({ method: "POST", url: `${base}/stop` });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.json().status).toBe("stopped");
    expect(processRunning(pid)).toBe(false);
  });

  it("refuses a start body with fields and starts nothing", async () => {
    const { app } = setup();
    const response = await app.inject({
      method: "POST",
      url: `${base}/start`,
      payload: { command: "rm -rf /" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_input");
    expect((await app.inject({ method: "GET", url: base })).json().status).toBe("stopped");
  });

  it("refuses to start without any command, saying what to do", async () => {
    const { app, test } = setup();
    writeFileSync(join(test.root, "package.json"), "{}");
    const response = await app.inject({ method: "POST", url: `${base}/start` });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(/custom command/),
    });
    expect((await app.inject({ method: "GET", url: base })).json().status).toBe("stopped");
  });

  it("shows, sets and clears the custom command", async () => {
    const { app, test } = setup();
    const initial = await app.inject({ method: "GET", url: `${base}/config` });
    expect(initial.json()).toEqual({
      command: null,
      detected: ["npm", "run", "dev"],
      detectedFrom: "package.json scripts.dev",
      effective: ["npm", "run", "dev"],
    });

    const set = await app.inject({
      method: "PUT",
      url: `${base}/config`,
      payload: { command: `node server.js --title "my app"` },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({
      command: `node server.js --title "my app"`,
      effective: ["node", "server.js", "--title", "my app"],
    });
    expect(JSON.parse(readFileSync(devServerConfigFile(test.project.paths), "utf8"))).toEqual({
      command: `node server.js --title "my app"`,
    });

    const cleared = await app.inject({ method: "PUT", url: `${base}/config`, payload: { command: null } });
    expect(cleared.json()).toMatchObject({ command: null, effective: ["npm", "run", "dev"] });
  });

  it.each([
    ["a shell operator", { command: "npm run dev && rm -rf ~" }, /`&`/],
    ["a substitution", { command: "node $(whoami).js" }, /substitution/],
    ["an empty command", { command: "   " }, /empty/],
    ["a command that is too long", { command: `node ${"a".repeat(1000)}` }, /at most 1000/],
    ["a missing command", {}, /command/],
    ["a command of the wrong type", { command: 42 }, /command/],
    ["an unknown field", { command: "npm start", shell: true }, /shell|unrecognized/i],
  ])("refuses %s and keeps the stored command", async (_name, payload, message) => {
    const { app, test } = setup();
    await app.inject({ method: "PUT", url: `${base}/config`, payload: { command: "npm start" } });
    const response = await app.inject({ method: "PUT", url: `${base}/config`, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(message),
    });
    expect(JSON.parse(readFileSync(devServerConfigFile(test.project.paths), "utf8"))).toEqual({
      command: "npm start",
    });
  });

  it("refuses a body that is not JSON", async () => {
    const { app } = setup();
    const response = await app.inject({
      method: "PUT",
      url: `${base}/config`,
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_json");
  });

  it.each([
    ["GET", "/api/projects/nope/devserver"],
    ["POST", "/api/projects/nope/devserver/start"],
    ["POST", "/api/projects/nope/devserver/stop"],
    ["GET", "/api/projects/nope/devserver/config"],
    ["PUT", "/api/projects/nope/devserver/config"],
  ] as const)("%s %s on an unknown project is 404 project_not_found", async (method, url) => {
    const { app } = setup();
    const response = await app.inject({
      method,
      url,
      ...(method === "PUT" ? { payload: { command: "npm start" } } : {}),
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe("project_not_found");
  });

  it("refuses a project name that is not valid", async () => {
    const { app } = setup();
    const response = await app.inject({ method: "GET", url: "/api/projects/bad%20name!/devserver" });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_input");
  });
});
