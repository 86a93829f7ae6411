import { cva, type VariantProps } from "class-variance-authority";
import type { HTMLAttributes } from "react";
import { cn } from "../lib/cn.ts";

/** Badge styles, by tone (the status tones match the board's columns). */
export const badgeVariants = cva(
  "inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap [&_svg]:size-3",
  {
    variants: {
      tone: {
        neutral: "bg-surface-muted text-foreground/80",
        accent: "bg-accent-soft text-accent-strong",
        pending: "bg-status-soft-pending text-status-pending-strong",
        progress: "bg-status-soft-progress text-status-progress-strong",
        verifying: "bg-status-soft-verifying text-status-verifying-strong",
        input: "bg-status-soft-input text-status-input-strong",
        failed: "bg-status-soft-failed text-status-failed-strong",
        done: "bg-status-soft-done text-status-done-strong",
      },
    },
    defaultVariants: { tone: "neutral" },
  },
);

/** A small label. */
export function Badge({
  className,
  tone,
  ...props
}: HTMLAttributes<HTMLSpanElement> & VariantProps<typeof badgeVariants>) {
  return <span className={cn(badgeVariants({ tone }), className)} {...props} />;
}
