/** Small controls of the settings forms: a number field with its range, and a segmented choice (radio buttons). */
import { type ReactNode, useId } from "react";
import { cn } from "../../lib/cn.ts";
import { Field, Input } from "../../ui/field.tsx";

/** The range of a number setting (from the protocol's `settingsSchema`). */
export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  /** Whole numbers only. */
  readonly integer: boolean;
  /** Empty means "none" (null). */
  readonly nullable?: boolean;
  /** A minimum that is excluded (`positive()`). */
  readonly positive?: boolean;
}

/** Why `text` is not a valid value of `range`, or undefined. */
export function numberProblem(text: string, range: NumberRange): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return range.nullable ? undefined : "a value is needed";
  const value = Number(trimmed);
  const span =
    range.min !== undefined && range.max !== undefined
      ? `from ${range.min} to ${range.max}`
      : range.positive
        ? "above 0"
        : range.min !== undefined
          ? `of at least ${range.min}`
          : "";
  const kind = range.integer ? "a whole number" : "a number";
  const expected = `${kind} ${span}`.trim();
  if (!Number.isFinite(value)) return `enter ${expected}`;
  if (range.integer && !Number.isInteger(value)) return `enter ${expected}`;
  if (range.positive && value <= 0) return `enter ${expected}`;
  if (range.min !== undefined && value < range.min) return `enter ${expected}`;
  if (range.max !== undefined && value > range.max) return `enter ${expected}`;
  return undefined;
}

/** A number setting. */
export function NumberField(props: {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly range: NumberRange;
  readonly error: string | undefined;
  readonly placeholder?: string;
  readonly step?: number | "any";
  readonly suffix?: string;
}) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <div className="flex items-center gap-2">
          <Input
            id={id}
            aria-describedby={describedBy}
            aria-invalid={props.error === undefined ? undefined : true}
            type="number"
            inputMode={props.range.integer ? "numeric" : "decimal"}
            min={props.range.positive ? undefined : props.range.min}
            max={props.range.max}
            step={props.step ?? (props.range.integer ? 1 : "any")}
            placeholder={props.placeholder}
            value={props.value}
            onChange={(event) => props.onChange(event.target.value)}
            className={cn("max-w-40", props.error !== undefined && "border-status-failed")}
          />
          {props.suffix === undefined ? null : <span className="text-sm text-muted">{props.suffix}</span>}
        </div>
      )}
    </Field>
  );
}

/** A choice among a few values, as a row of segments (radio buttons: arrows move, Space picks). */
export function Segmented<T extends string | number>(props: {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly options: readonly { readonly value: T; readonly label: string }[];
  readonly value: T;
  readonly onChange: (value: T) => void;
  readonly error: string | undefined;
}) {
  const name = useId();
  const hintId = `${name}-hint`;
  return (
    <fieldset
      className="space-y-1.5"
      aria-describedby={props.hint === undefined && props.error === undefined ? undefined : hintId}
    >
      <legend className="text-sm font-medium">{props.label}</legend>
      <div className="inline-flex rounded-lg border border-border bg-surface-muted p-0.5">
        {props.options.map((option) => (
          <label key={String(option.value)} className="relative">
            <input
              type="radio"
              name={name}
              value={String(option.value)}
              checked={option.value === props.value}
              onChange={() => props.onChange(option.value)}
              className="peer sr-only"
            />
            <span className="block min-w-10 cursor-pointer rounded-md px-3 py-1 text-center text-sm text-muted peer-checked:bg-surface peer-checked:font-medium peer-checked:text-foreground peer-checked:shadow-sm peer-focus-visible:outline-2 peer-focus-visible:outline-ring">
              {option.label}
            </span>
          </label>
        ))}
      </div>
      {props.error !== undefined ? (
        <p id={hintId} role="alert" className="text-xs text-status-failed">
          {props.error}
        </p>
      ) : props.hint !== undefined ? (
        <p id={hintId} className="text-xs text-muted">
          {props.hint}
        </p>
      ) : null}
    </fieldset>
  );
}
