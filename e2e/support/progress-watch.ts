/**
 * Tests wait on events, never on speed, and a run that stops making progress fails the test within seconds,
 * saying what was awaited, instead of sitting until the test's timeout.
 */

/** How long a run may be silent (no event, no output line) before the test gives up on it. */
export const quietLimitMs = 45_000;

/** Options of {@link watchProgress}. */
export interface ProgressWatchOptions {
  /** What the test is waiting for, for the failure message. */
  readonly awaiting: string;
  /** The silence that fails the test. Default {@link quietLimitMs}. */
  readonly quietMs?: number;
  /** What is known when it fails (the last events, the orchestrator's diagnostics, stderr…). */
  readonly describe: () => string;
  /** Called when the silence limit is reached, before the rejection (stop the run, kill the process). */
  readonly onQuiet?: () => void;
}

/** A watch on a run: call `touch()` on every sign of progress; `wait(done)` rejects on silence. */
export interface ProgressWatch {
  touch(): void;
  wait<T>(done: Promise<T>): Promise<T>;
}

/** Watches a run for progress (see {@link ProgressWatch}). */
export function watchProgress(options: ProgressWatchOptions): ProgressWatch {
  const quietMs = options.quietMs ?? quietLimitMs;
  let last = Date.now();
  return {
    touch() {
      last = Date.now();
    },
    wait<T>(done: Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setInterval(() => {
          const silent = Date.now() - last;
          if (silent < quietMs) return;
          clearInterval(timer);
          options.onQuiet?.();
          reject(
            new Error(
              `no progress for ${Math.round(silent / 1_000)} s while waiting for ${options.awaiting}; ${options.describe()}`,
            ),
          );
        }, 1_000);
        done.then(
          (value) => {
            clearInterval(timer);
            resolve(value);
          },
          (error: unknown) => {
            clearInterval(timer);
            reject(error);
          },
        );
      });
    },
  };
}

/** The last `count` items as one line each (for failure messages). */
export function lastLines(items: readonly unknown[], count = 12): string {
  return items
    .slice(-count)
    .map((item) => JSON.stringify(item).slice(0, 300))
    .join("\n  ");
}
