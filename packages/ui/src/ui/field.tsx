import {
  forwardRef,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from "react";
import { cn } from "../lib/cn.ts";

const control =
  "w-full rounded-md border border-border bg-surface px-3 py-2 text-sm text-foreground placeholder:text-muted focus-visible:outline-2 focus-visible:outline-ring disabled:opacity-60";

/** A text input. */
export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function Input(
  { className, ...props },
  ref,
) {
  return <input ref={ref} className={cn(control, "h-9", className)} {...props} />;
});

/** A multi-line input. */
export const Textarea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(
  function Textarea({ className, ...props }, ref) {
    return <textarea ref={ref} className={cn(control, "min-h-20", className)} {...props} />;
  },
);

/** A native select (accessible, keyboard-friendly). */
export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement>>(function Select(
  { className, ...props },
  ref,
) {
  return <select ref={ref} className={cn(control, "h-9", className)} {...props} />;
});

/** A label, a control and an optional hint or error, wired together by id. */
export function Field(props: {
  readonly label: ReactNode;
  readonly hint?: ReactNode;
  readonly error?: string | undefined;
  readonly children: (id: string, describedBy: string | undefined) => ReactNode;
  readonly className?: string;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const describedBy = props.error !== undefined || props.hint !== undefined ? hintId : undefined;
  return (
    <div className={cn("space-y-1.5", props.className)}>
      <label htmlFor={id} className="block text-sm font-medium">
        {props.label}
      </label>
      {props.children(id, describedBy)}
      {props.error !== undefined ? (
        <p id={hintId} role="alert" className="text-xs text-status-failed">
          {props.error}
        </p>
      ) : props.hint !== undefined ? (
        <p id={hintId} className="text-xs text-muted">
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}
