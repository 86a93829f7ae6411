/**
 * `autowright serve` as a user starts it: the built CLI prints the link with its token, serves the API behind it,
 * points a second start for the same home to the first, and on SIGTERM stops and removes its server file.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { temporaryDirectory } from "@autowright/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { launcher } from "./support/worker-harness.ts";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** Starts `serve` and resolves with the printed link (fails with the output when it exits first). */
function serve(home: string, args: string[] = []): Promise<{ child: ChildProcess; link: string }> {
  const child = spawn(process.execPath, [launcher, "serve", "--port", "0", "--home", home, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, AUTOWRIGHT_TOKEN: "" },
  });
  children.push(child);
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      output += `${line}\n`;
      const match = /Mission Control: (\S+)/.exec(line);
      if (match?.[1] !== undefined) resolve({ child, link: match[1] });
    });
    child.on("exit", (code) =>
      reject(new Error(`serve exited (${code}) before printing its link:\n${output}`)),
    );
  });
}

describe("autowright serve", () => {
  it("prints its link, needs its token, points a second start to it, and stops cleanly", async () => {
    using home = temporaryDirectory("autowright-serve-");
    const { child, link } = await serve(home.path, ["--no-open"]);
    const url = new URL(link);
    const token = url.searchParams.get("token") ?? "";
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(home.path, "auth-token"), "utf8").trim()).toBe(token);
    expect(statSync(join(home.path, "auth-token")).mode & 0o777).toBe(0o600);
    expect((await fetch(`${url.origin}/api/health`)).status).toBe(401);
    const health = await fetch(`${url.origin}/api/health`, { headers: { authorization: `Bearer ${token}` } });
    expect(await health.json()).toMatchObject({ ok: true, pid: child.pid });
    expect(JSON.parse(readFileSync(join(home.path, "server.json"), "utf8"))).toMatchObject({
      pid: child.pid,
      url: url.origin,
    });

    const second = spawnSync(process.execPath, [launcher, "--home", home.path], {
      encoding: "utf8",
      env: { ...process.env, AUTOWRIGHT_TOKEN: "" },
    });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`already running for ${home.path}: ${url.origin}/?token=${token}`);

    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(join(home.path, "server.json"))).toBe(false);
  });

  it("starts on a fresh machine, where the home directory does not exist yet", async () => {
    using parent = temporaryDirectory("autowright-serve-");
    const home = join(parent.path, "not", "there", "yet");
    const { child, link } = await serve(home, ["--no-open"]);
    expect(link).toMatch(/\/\?token=/);
    expect(statSync(join(home, "auth-token")).mode & 0o777).toBe(0o600);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("refuses a bad port in one line", () => {
    using home = temporaryDirectory("autowright-serve-");
    const result = spawnSync(process.execPath, [launcher, "serve", "--port", "http", "--home", home.path], {
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('autowright: --port must be a port number (0 to 65535), got "http"\n');
  });
});
