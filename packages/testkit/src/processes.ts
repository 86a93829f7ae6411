/** Waiting on and looking at processes in tests. */
import { readFileSync } from "node:fs";

/** True while `pid` is a live process; a zombie waiting to be reaped counts as gone (Linux `/proc`). */
export function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Resolves once `check()` is true; rejects after `timeoutMs` (polls every `intervalMs`). */
export async function eventually(check: () => boolean, timeoutMs = 10_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
