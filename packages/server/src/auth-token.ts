/**
 * The server's auth token: `AUTOWRIGHT_TOKEN` when set, otherwise generated once and kept in
 * `$AUTOWRIGHT_HOME/auth-token` with 0600 permissions (the CLI prints it in the URL it opens).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The token file of a home directory. */
export function authTokenFile(home: string): string {
  return join(home, "auth-token");
}

/** The token for this home directory and environment (see the module comment). */
export function loadAuthToken(home: string, env: NodeJS.ProcessEnv): string {
  const fromEnvironment = env["AUTOWRIGHT_TOKEN"];
  if (fromEnvironment !== undefined && fromEnvironment.trim() !== "") return fromEnvironment.trim();
  const file = authTokenFile(home);
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    const stored = readFileSync(file, "utf8").trim();
    if (stored.length >= 16) return stored;
  }
  const token = randomBytes(32).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

/** Compares a presented token with the real one in constant time. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  const left = Buffer.from(presented);
  const right = Buffer.from(token);
  return left.length === right.length && timingSafeEqual(left, right);
}
