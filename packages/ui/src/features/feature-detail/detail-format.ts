/** Formatting of the feature detail: durations and commit ids. */

/** `850 ms`, `12.3 s`, `4m 05s`, `1h 02m`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1_000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1_000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const wholeSeconds = Math.round(seconds);
  const minutes = Math.floor(wholeSeconds / 60);
  if (minutes < 60) return `${minutes}m ${String(wholeSeconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

/** The time between two timestamps, or undefined when it has not ended. */
export function durationBetween(start: string, end: string | null): number | undefined {
  if (end === null) return undefined;
  const value = Date.parse(end) - Date.parse(start);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The first 10 characters of a commit id. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 10);
}

/** A date and time in the user's time zone: `Dec 3, 14:05:09`. */
export function formatDateTime(at: string): string {
  return new Date(at).toLocaleString([], {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}
