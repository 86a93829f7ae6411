import { Switch as SwitchPrimitive } from "radix-ui";
import { useId } from "react";
import { cn } from "../lib/cn.ts";

/** An on/off switch with its label. */
export function Switch(props: {
  readonly checked: boolean;
  readonly onCheckedChange: (checked: boolean) => void;
  readonly label: string;
  readonly disabled?: boolean;
  readonly className?: string;
  readonly hideLabel?: boolean;
}) {
  const id = useId();
  return (
    <div className={cn("inline-flex items-center gap-2", props.className)}>
      <SwitchPrimitive.Root
        id={id}
        checked={props.checked}
        onCheckedChange={props.onCheckedChange}
        disabled={props.disabled}
        aria-label={props.hideLabel ? props.label : undefined}
        className="relative h-5 w-9 shrink-0 rounded-full bg-border transition-colors data-[state=checked]:bg-accent disabled:opacity-50"
      >
        <SwitchPrimitive.Thumb className="block size-4 translate-x-0.5 rounded-full bg-white shadow transition-transform data-[state=checked]:translate-x-4.5" />
      </SwitchPrimitive.Root>
      {props.hideLabel ? null : (
        <label htmlFor={id} className="text-sm">
          {props.label}
        </label>
      )}
    </div>
  );
}
