/**
 * Provider credentials set through the API or the dashboard: `$AUTOWRIGHT_HOME/secrets.json`, written atomically
 * with 0600 permissions. Write-only from the outside: callers learn which names are set, never the values (only
 * the worker environment of a run receives them).
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError, providerCredentialNames } from "@autowright/protocol";

/** The secrets file of a home directory. */
export function secretFilePath(home: string): string {
  return join(home, "secrets.json");
}

const allowed: ReadonlySet<string> = new Set(providerCredentialNames);

/** The stored secrets (name → value). A missing or unreadable file is empty. */
export function readSecrets(home: string): Record<string, string> {
  const file = secretFilePath(home);
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (typeof parsed !== "object" || parsed === null) return {};
    const result: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed)) {
      if (allowed.has(name) && typeof value === "string" && value !== "") result[name] = value;
    }
    return result;
  } catch {
    return {};
  }
}

/**
 * Sets (a string) or removes (null) secrets, all or nothing: an unknown name is refused with `invalid_input`
 * naming the accepted ones. Returns the names now set.
 */
export function writeSecrets(home: string, changes: Record<string, string | null>): string[] {
  for (const name of Object.keys(changes)) {
    if (!allowed.has(name)) {
      throw new AppError(
        "invalid_input",
        `unknown secret ${JSON.stringify(name)}: use one of ${[...allowed].join(", ")}`,
      );
    }
  }
  const next = readSecrets(home);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null || value === "") delete next[name];
    else next[name] = value;
  }
  const file = secretFilePath(home);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return Object.keys(next).sort();
}
