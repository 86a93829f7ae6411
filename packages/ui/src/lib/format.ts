/** Formatting shared by the screens: numbers, money, times. The clock is passed in where it matters. */

/** `12,345`. */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

/** `1.2k`, `3.4M`. */
export function formatTokens(value: number): string {
  if (value < 1_000) return String(value);
  if (value < 1_000_000) return `${(value / 1_000).toFixed(value < 10_000 ? 1 : 0)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}

/** `$0.42`, or `—` when unknown. */
export function formatCost(value: number | null): string {
  if (value === null) return "—";
  return value < 0.01 && value > 0 ? "<$0.01" : `$${value.toFixed(2)}`;
}

/** `5s ago`, `3m ago`, `2h ago`, `4d ago` relative to `now`. */
export function formatRelative(at: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.round(hours / 24)}d ago`;
}

/** `1:05` / `1:02:03` until `at` from `now` (0:00 when past). */
export function formatCountdown(at: string, now: number): string {
  const total = Math.max(0, Math.ceil((Date.parse(at) - now) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (value: number) => String(value).padStart(2, "0");
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
}

/** A time of day in the user's time zone: `14:05`. */
export function formatClock(at: string): string {
  return new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
