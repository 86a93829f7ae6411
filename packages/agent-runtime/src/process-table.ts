/** What `/proc` says of processes (Linux); every function degrades to what signals can tell elsewhere. */
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** The fields of `/proc/<pid>/stat` after the command name (state, ppid, pgrp, …), or undefined. */
export function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is parenthesised and may itself contain spaces and parentheses.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** True unless the process is gone or a zombie (without /proc: whether a signal can reach it). */
export function isProcessLive(pid: number): boolean {
  if (existsSync("/proc/self/stat")) {
    const fields = statFields(pid);
    return fields !== undefined && fields[0] !== "Z";
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process id in `/proc` with its stat fields; empty without /proc. */
export function processTable(): { pid: number; fields: string[] }[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    const pid = Number(entry);
    const fields = statFields(pid);
    return fields === undefined ? [] : [{ pid, fields }];
  });
}
