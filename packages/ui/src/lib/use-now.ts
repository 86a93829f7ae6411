import { useEffect, useState } from "react";

/** The time, refreshed every `intervalMs` while mounted (for countdowns and "5s ago"; never for data). */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}
