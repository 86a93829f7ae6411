import type { ReactNode } from "react";
import { cn } from "../../lib/cn.ts";
import { useOpenFeature } from "./mission-format.ts";

/** `#3 Cart` as a button that opens the feature. */
export function FeatureLink(props: {
  readonly featureId: number;
  readonly name?: string | undefined;
  readonly className?: string;
  readonly children?: ReactNode;
}) {
  const open = useOpenFeature();
  return (
    <button
      type="button"
      onClick={() => open(props.featureId)}
      className={cn(
        "inline-flex max-w-full min-w-0 items-baseline gap-1 rounded text-left hover:text-accent hover:underline focus-visible:text-accent",
        props.className,
      )}
      title={
        props.name === undefined
          ? `Open feature #${props.featureId}`
          : `Open #${props.featureId} ${props.name}`
      }
    >
      <span className="shrink-0 font-mono text-[0.92em] text-muted">#{props.featureId}</span>
      {props.name === undefined ? null : <span className="truncate">{props.name}</span>}
      {props.children}
    </button>
  );
}
