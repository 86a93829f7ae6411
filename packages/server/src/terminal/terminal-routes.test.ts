import { randomUUID } from "node:crypto";
import { processRunning } from "@autowright/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpApp, type HttpApp } from "../http-app.ts";
import { createTestProject, type TestProject } from "../test-project.ts";
import { TerminalManager } from "./terminal-manager.ts";
import { terminalRoutes } from "./terminal-routes.ts";

let app: HttpApp | undefined;
let project: TestProject | undefined;
let terminals: TerminalManager | undefined;
afterEach(async () => {
  await app?.close();
  await terminals?.close();
  project?.close();
  app = undefined;
  terminals = undefined;
  project = undefined;
});

function build(options: { maxTerminals?: number } = {}): { server: HttpApp; manager: TerminalManager } {
  project = createTestProject();
  const context = project.server;
  const manager = new TerminalManager({
    cwd: project.root,
    environment: () => context.userProcessEnvironment(),
    shellArguments: ["--noprofile", "--norc"],
    ...options,
  });
  terminals = manager;
  const server = createHttpApp();
  terminalRoutes(context, (name) => {
    expect(name).toBe("demo");
    return manager;
  })(server);
  app = server;
  return { server, manager };
}

const base = "/api/projects/demo/terminals";

describe("terminalRoutes", () => {
  it("creates, lists, renames and deletes terminals", async () => {
    const { server, manager } = build();
    expect((await server.inject({ method: "GET", url: base })).json()).toEqual({ terminals: [] });

    const created = await server.inject({ method: "POST", url: base, payload: {} });
    expect(created.statusCode).toBe(200);
    expect(created.json().terminal).toMatchObject({
      name: "Terminal 1",
      cols: 80,
      rows: 24,
      status: "running",
      exitCode: null,
    });
    const bare = await server.inject({ method: "POST", url: base });
    expect(bare.statusCode).toBe(200);
    expect(bare.json().terminal.name).toBe("Terminal 2");
    const sized = await server.inject({
      method: "POST",
      url: base,
      payload: { name: "dev", cols: 120, rows: 40 },
    });
    expect(sized.json().terminal).toMatchObject({ name: "dev", cols: 120, rows: 40 });

    const id: string = created.json().terminal.id;
    const renamed = await server.inject({ method: "PATCH", url: `${base}/${id}`, payload: { name: "logs" } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().terminal).toMatchObject({ id, name: "logs" });

    const listed = await server.inject({ method: "GET", url: base });
    expect(listed.json().terminals.map((terminal: { name: string }) => terminal.name)).toEqual([
      "logs",
      "Terminal 2",
      "dev",
    ]);

    const pid = manager.get(id).pid;
    const deleted = await server.inject({ method: "DELETE", url: `${base}/${id}` });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ id });
    expect(processRunning(pid)).toBe(false);
    expect((await server.inject({ method: "GET", url: base })).json().terminals).toHaveLength(2);
  });

  it("refuses bad input with the error model and changes nothing", async () => {
    const { server, manager } = build();
    const existing = manager.create({ name: "keep" });
    const before = manager.list();
    const cases: {
      method: "POST" | "PATCH" | "DELETE" | "GET";
      url: string;
      payload?: object;
      status: number;
      code: string;
    }[] = [
      { method: "POST", url: base, payload: { cols: 0 }, status: 400, code: "invalid_input" },
      { method: "POST", url: base, payload: { rows: 1001 }, status: 400, code: "invalid_input" },
      { method: "POST", url: base, payload: { cols: "80" }, status: 400, code: "invalid_input" },
      { method: "POST", url: base, payload: { name: "   " }, status: 400, code: "invalid_input" },
      { method: "POST", url: base, payload: { shell: "/bin/zsh" }, status: 400, code: "invalid_input" },
      { method: "POST", url: base, payload: [], status: 400, code: "invalid_input" },
      { method: "PATCH", url: `${base}/${existing.id}`, payload: {}, status: 400, code: "invalid_input" },
      {
        method: "PATCH",
        url: `${base}/${existing.id}`,
        payload: { name: 7 },
        status: 400,
        code: "invalid_input",
      },
      {
        method: "PATCH",
        url: `${base}/${existing.id}`,
        payload: { name: "x".repeat(101) },
        status: 400,
        code: "invalid_input",
      },
      {
        method: "PATCH",
        url: `${base}/not-a-uuid`,
        payload: { name: "x" },
        status: 400,
        code: "invalid_input",
      },
      {
        method: "PATCH",
        url: `${base}/${randomUUID()}`,
        payload: { name: "x" },
        status: 404,
        code: "not_found",
      },
      { method: "DELETE", url: `${base}/${randomUUID()}`, status: 404, code: "not_found" },
      { method: "DELETE", url: `${base}/42`, status: 400, code: "invalid_input" },
      { method: "GET", url: "/api/projects/other/terminals", status: 404, code: "project_not_found" },
      {
        method: "POST",
        url: "/api/projects/other/terminals",
        payload: {},
        status: 404,
        code: "project_not_found",
      },
      { method: "GET", url: "/api/projects/Bad%20Name/terminals", status: 400, code: "invalid_input" },
    ];
    for (const { method, url, payload, status, code } of cases) {
      const response = await server.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      expect({ method, url, status: response.statusCode, code: response.json().error?.code }).toEqual({
        method,
        url,
        status,
        code,
      });
    }
    expect(manager.list()).toEqual(before);
  });

  it("refuses a terminal past the limit with 409", async () => {
    const { server, manager } = build({ maxTerminals: 1 });
    expect((await server.inject({ method: "POST", url: base, payload: {} })).statusCode).toBe(200);
    const refused = await server.inject({ method: "POST", url: base, payload: {} });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("conflict");
    expect(manager.list()).toHaveLength(1);
  });
});
