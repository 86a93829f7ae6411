import type { HTMLAttributes } from "react";
import { cn } from "../lib/cn.ts";

/** A surface with a border. */
export function Card({ className, ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div className={cn("rounded-xl border border-border bg-surface shadow-sm", className)} {...props} />;
}
