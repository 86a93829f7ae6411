/**
 * The one-writer rule across processes: the process that drives a project (an `autowright serve` holding it open,
 * or an `autowright run`) records itself in `<project>/.autowright/tmp/owner.json`; another one that wants to drive
 * the same project reads it and refuses, pointing to the owner. A record whose process is gone is stale and
 * replaced.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "@autowright/protocol";
import type { ProjectPaths } from "./paths.ts";

/** Who drives a project. */
export interface ProjectOwner {
  readonly pid: number;
  readonly kind: "server" | "run";
  /** The server's base URL, when the owner is a server. */
  readonly url?: string;
  readonly since: string;
}

/** The owner record's file. */
export function projectOwnerFile(paths: ProjectPaths): string {
  // Under tmp/, which the scaffolded .gitignore keeps out of the user's repository.
  return join(paths.dataDirectory, "tmp", "owner.json");
}

/** The live owner of a project, if any (a record whose process is gone is ignored). */
export function readProjectOwner(
  paths: ProjectPaths,
  isLive: (pid: number) => boolean = processExists,
): ProjectOwner | undefined {
  let owner: ProjectOwner;
  try {
    owner = JSON.parse(readFileSync(projectOwnerFile(paths), "utf8")) as ProjectOwner;
  } catch {
    return undefined;
  }
  if (typeof owner.pid !== "number" || !isLive(owner.pid)) return undefined;
  return owner;
}

/**
 * Records this process as the project's owner; returns the release function. Refused with `conflict` (naming the
 * owner and where to go) when another live process owns it.
 */
export function claimProjectOwnership(
  paths: ProjectPaths,
  owner: Omit<ProjectOwner, "since" | "pid">,
  options: { pid?: number; now?: () => Date; isLive?: (pid: number) => boolean } = {},
): () => void {
  const pid = options.pid ?? process.pid;
  const file = projectOwnerFile(paths);
  mkdirSync(join(paths.dataDirectory, "tmp"), { recursive: true });
  const record: ProjectOwner = { pid, ...owner, since: (options.now?.() ?? new Date()).toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const descriptor = openSync(file, "wx", 0o600);
      try {
        writeSync(descriptor, `${JSON.stringify(record)}\n`);
      } finally {
        closeSync(descriptor);
      }
      return () => releaseIfOurs(file, pid);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const current = readProjectOwner(paths, options.isLive);
      if (current !== undefined && current.pid !== pid) throw ownedError(paths, current);
      rmSync(file, { force: true });
    }
  }
  throw new AppError(
    "conflict",
    `could not record the owner of ${paths.root}: another process keeps claiming it`,
  );
}

function releaseIfOurs(file: string, pid: number): void {
  try {
    const current = JSON.parse(readFileSync(file, "utf8")) as ProjectOwner;
    if (current.pid === pid) rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}

function ownedError(paths: ProjectPaths, owner: ProjectOwner): AppError {
  const where =
    owner.kind === "server"
      ? `the autowright server at ${owner.url ?? "(unknown URL)"} (pid ${owner.pid}) drives this project: start, pause and stop its run there`
      : `an autowright run (pid ${owner.pid}) is driving this project: wait for it or stop it`;
  return new AppError("conflict", `${paths.root}: ${where}`, { details: { owner } });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
