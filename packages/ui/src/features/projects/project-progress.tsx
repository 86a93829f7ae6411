/** A project's progress as a bar and words: passing of total, with the work in progress beside it. */
import type { Progress } from "@autowright/protocol";
import { cn } from "../../lib/cn.ts";

/** The bar (passing, then in progress and verifying) with an accessible name. */
export function ProgressBar(props: {
  readonly progress: Progress;
  readonly label: string;
  readonly className?: string;
}) {
  const { passing, inProgress, verifying, total } = props.progress;
  const share = (value: number) => (total === 0 ? 0 : (value / total) * 100);
  return (
    <div
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={Math.max(total, 1)}
      aria-valuenow={passing}
      aria-valuetext={total === 0 ? "no features yet" : `${passing} of ${total} passing`}
      className={cn("flex h-1.5 w-full overflow-hidden rounded-full bg-surface-muted", props.className)}
    >
      <div className="h-full bg-status-done" style={{ width: `${share(passing)}%` }} />
      <div className="h-full bg-status-progress/70" style={{ width: `${share(inProgress + verifying)}%` }} />
    </div>
  );
}

/** "3/6 passing", or "no features yet". */
export function progressText(progress: Progress): string {
  return progress.total === 0 ? "no features yet" : `${progress.passing}/${progress.total} passing`;
}
