/**
 * Finding the server running for a home directory, for commands that should go through it rather than open a
 * project's database themselves. `autowright serve` writes `<home>/server.json` (pid, URL, start time); the token
 * is `AUTOWRIGHT_TOKEN` or `<home>/auth-token`. The server counts as running when its process is alive and
 * `GET <url>/api/health` answers 200 to that token in time; otherwise the file is stale and ignored (not deleted:
 * it belongs to the server).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { serverFileSchema } from "@autowright/protocol";

/** How long the health check may take before the server counts as not running: 2 seconds. */
export const defaultHealthTimeoutMs = 2_000;

/** A server that answered its health check. */
export interface RunningServerLink {
  /** The base URL, without a trailing slash. */
  readonly url: string;
  /** The bearer token it accepted (a secret: never print it). */
  readonly token: string;
  readonly pid: number;
}

/** Options of {@link findRunningServer}. */
export interface FindServerOptions {
  /** See {@link defaultHealthTimeoutMs}. */
  readonly timeoutMs?: number;
  /** Whether a process is alive; default: signal 0. */
  readonly isAlive?: (pid: number) => boolean;
}

/** The server running for `home`, or undefined when there is none (no file, a stale one, a wrong token). */
export async function findRunningServer(
  home: string,
  env: NodeJS.ProcessEnv,
  options: FindServerOptions = {},
): Promise<RunningServerLink | undefined> {
  const file = readJson(join(home, "server.json"));
  const parsed = serverFileSchema.safeParse(file);
  if (!parsed.success) return undefined;
  const { pid } = parsed.data;
  if (!(options.isAlive ?? processAlive)(pid)) return undefined;
  const token = serverToken(home, env);
  if (token === undefined) return undefined;
  const url = parsed.data.url.replace(/\/+$/, "");
  try {
    const response = await fetch(`${url}/api/health`, {
      headers: { authorization: `Bearer ${token}` },
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs ?? defaultHealthTimeoutMs),
    });
    await response.body?.cancel();
    return response.status === 200 ? { url, token, pid } : undefined;
  } catch {
    return undefined;
  }
}

/** The token a client presents: `AUTOWRIGHT_TOKEN` when set, else the first line of `<home>/auth-token`. */
export function serverToken(home: string, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnvironment = env["AUTOWRIGHT_TOKEN"]?.trim();
  if (fromEnvironment !== undefined && fromEnvironment !== "") return fromEnvironment;
  try {
    const stored = readFileSync(join(home, "auth-token"), "utf8").split("\n")[0]?.trim() ?? "";
    return stored === "" ? undefined : stored;
  } catch {
    return undefined;
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
