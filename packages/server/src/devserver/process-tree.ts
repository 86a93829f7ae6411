/**
 * Stopping a dev server and everything it started. It runs as the leader of its own process group, so signalling
 * the group reaches its children and grandchildren (`npm` → `node` → a watcher…); descendants that moved to a group
 * of their own are found through their parent links while the leader still lives. On Windows, `tree-kill`.
 */
import { readFileSync } from "node:fs";
import { isProcessLive, processTable } from "@autowright/agent-runtime";
import treeKill from "tree-kill";

const windows = process.platform === "win32";

/** The processes descending from `pid` (Linux `/proc`; empty elsewhere). */
export function descendantsOf(pid: number): number[] {
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const { pid: child, fields } of table) {
    const parent = Number(fields[1]);
    const siblings = children.get(parent);
    if (siblings === undefined) children.set(parent, [child]);
    else siblings.push(child);
  }
  const found: number[] = [];
  const queue = [pid];
  const seen = new Set<number>(queue);
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of children.get(next) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(target: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, name);
    return true;
  } catch {
    return false;
  }
}

/** Whether the group has a live member; zombies (dead, waiting for a reaper that may never come) do not count. */
export function groupAlive(group: number): boolean {
  if (!signal(-group, 0)) return false;
  const table = processTable();
  if (table.length === 0) return true;
  return table.some(({ fields }) => Number(fields[2]) === group && fields[0] !== "Z");
}

/** A process tree to stop: the group of `leader` plus the descendants known when it was taken. */
export interface ProcessTree {
  readonly leader: number;
  readonly descendants: readonly number[];
}

/** The tree of `leader` as it is now. */
export function processTreeOf(leader: number): ProcessTree {
  return { leader, descendants: windows ? [] : descendantsOf(leader) };
}

/** True while any process of the tree lives. */
export function treeAlive(tree: ProcessTree): boolean {
  if (windows) return isProcessLive(tree.leader);
  return groupAlive(tree.leader) || tree.descendants.some((pid) => isProcessLive(pid));
}

/** Sends `name` to every process of the tree. */
export function signalTree(tree: ProcessTree, name: NodeJS.Signals): void {
  if (windows) {
    treeKill(tree.leader, name, () => {});
    return;
  }
  signal(-tree.leader, name);
  for (const pid of tree.descendants) signal(pid, name);
}

/**
 * SIGTERM to the tree, SIGKILL to what is left after `graceMs`; resolves once nothing of it lives (or shortly
 * after the SIGKILL, which cannot be refused).
 */
export async function killTree(tree: ProcessTree, graceMs: number, pollMs = 50): Promise<void> {
  if (!treeAlive(tree)) return;
  signalTree(tree, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    if (!treeAlive(tree)) return;
  }
  signalTree(tree, "SIGKILL");
  const killDeadline = Date.now() + 2_000;
  while (Date.now() < killDeadline && treeAlive(tree)) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * When the process started (clock ticks since boot, from `/proc/<pid>/stat`), to tell a process from a later one
 * that got the same id; undefined without /proc or when it is gone.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After the command name: state is field 3, the start time field 22.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}
