/**
 * Finding the running server: `server.json` must parse, name a live process, and its URL must answer the health
 * check with the token (the environment's first, else the home's file) in time. Anything else is a stale file.
 * Health checks hit a real http server on 127.0.0.1.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { temporaryDirectory } from "@autowright/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRunningServer, serverToken } from "./server-link.ts";

const token = "the-right-token-0123456789";
let server: Server;
let url = "";
/** What `/api/health` does: answer with a status, or never. */
let health: number | "hang" = 200;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url !== "/api/health") {
      response.writeHead(404).end();
      return;
    }
    if (health === "hang") return;
    const authorized = request.headers.authorization === `Bearer ${token}`;
    response.writeHead(authorized ? health : 401, { "content-type": "application/json" });
    response.end(JSON.stringify({ ok: authorized }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

/** A pid that is certainly gone: a child that has exited and been reaped. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  if (child.pid === undefined) throw new Error("could not spawn node");
  return child.pid;
}

async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

interface Case {
  readonly name: string;
  readonly serverFile?: () => Promise<string> | string;
  readonly tokenFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly health?: number | "hang";
  readonly found: boolean;
}

const serverJson = (fields: Record<string, unknown>) =>
  JSON.stringify({ pid: process.pid, url, startedAt: "2026-01-02T03:04:05.000Z", ...fields });

const cases: Case[] = [
  {
    name: "a live server answering the token from the home's file",
    serverFile: () => serverJson({}),
    tokenFile: `${token}\n`,
    found: true,
  },
  {
    name: "the environment's token, before the file's",
    serverFile: () => serverJson({}),
    tokenFile: "wrong-token\n",
    env: { AUTOWRIGHT_TOKEN: token },
    found: true,
  },
  {
    name: "a URL with a trailing slash",
    serverFile: () => serverJson({ url: `${url}/` }),
    tokenFile: token,
    found: true,
  },
  { name: "no server.json", tokenFile: token, found: false },
  { name: "a server.json that is not JSON", serverFile: () => "{pid:", tokenFile: token, found: false },
  {
    name: "a server.json without a URL",
    serverFile: () => JSON.stringify({ pid: process.pid, startedAt: "2026-01-02T03:04:05.000Z" }),
    tokenFile: token,
    found: false,
  },
  {
    name: "a URL that is not http",
    serverFile: () => serverJson({ url: "file:///etc/passwd" }),
    tokenFile: token,
    found: false,
  },
  {
    name: "a process that is gone (its URL still answers)",
    serverFile: () => serverJson({ pid: deadPid() }),
    tokenFile: token,
    found: false,
  },
  { name: "no token anywhere", serverFile: () => serverJson({}), found: false },
  {
    name: "a token the server refuses",
    serverFile: () => serverJson({}),
    tokenFile: "wrong-token",
    found: false,
  },
  {
    name: "a health check that fails",
    serverFile: () => serverJson({}),
    tokenFile: token,
    health: 500,
    found: false,
  },
  {
    name: "a health check that never answers",
    serverFile: () => serverJson({}),
    tokenFile: token,
    health: "hang",
    found: false,
  },
  {
    name: "nothing listening at the URL",
    serverFile: async () => serverJson({ url: await closedPortUrl() }),
    tokenFile: token,
    found: false,
  },
];

describe("findRunningServer", () => {
  for (const testCase of cases) {
    it(`${testCase.found ? "finds" : "ignores"} ${testCase.name}`, async () => {
      using home = temporaryDirectory("autowright-server-link-");
      if (testCase.serverFile !== undefined)
        writeFileSync(join(home.path, "server.json"), await testCase.serverFile());
      if (testCase.tokenFile !== undefined) writeFileSync(join(home.path, "auth-token"), testCase.tokenFile);
      health = testCase.health ?? 200;
      const found = await findRunningServer(home.path, testCase.env ?? {}, { timeoutMs: 500 });
      expect(found).toEqual(testCase.found ? { url, token, pid: process.pid } : undefined);
    });
  }
});

describe("serverToken", () => {
  it("takes the first line of the file, trimmed, and ignores an empty environment variable", () => {
    using home = temporaryDirectory("autowright-server-link-");
    writeFileSync(join(home.path, "auth-token"), "  abc  \nsecond line\n");
    expect(serverToken(home.path, { AUTOWRIGHT_TOKEN: "  " })).toBe("abc");
    expect(serverToken(home.path, { AUTOWRIGHT_TOKEN: " env-token " })).toBe("env-token");
  });
});
