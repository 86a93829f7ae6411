/** An editable list of lines (acceptance steps, verify commands): one input per line, add and remove. */
import { Plus, X } from "lucide-react";
import { useRef } from "react";
import { Button } from "../../ui/button.tsx";
import { Input } from "../../ui/field.tsx";

/** The list editor. Empty lines are kept while editing; callers drop them on save ({@link cleanLines}). */
export function ListEditor(props: {
  readonly label: string;
  /** The label of one line, numbered: "Step 2". */
  readonly itemLabel: string;
  readonly addLabel: string;
  readonly items: readonly string[];
  readonly onChange: (items: string[]) => void;
  readonly placeholder?: string;
  readonly monospace?: boolean;
}) {
  const list = useRef<HTMLOListElement>(null);
  const focusLast = () =>
    requestAnimationFrame(() =>
      list.current?.querySelector<HTMLInputElement>("li:last-child input")?.focus(),
    );
  return (
    <fieldset className="space-y-1.5">
      <legend className="mb-1.5 text-sm font-medium">{props.label}</legend>
      {props.items.length === 0 ? null : (
        <ol ref={list} className="space-y-1.5">
          {props.items.map((item, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the lines have no identity but their place.
            <li key={index} className="flex items-center gap-1.5">
              <span className="w-5 shrink-0 text-right text-xs text-muted tabular-nums" aria-hidden>
                {index + 1}.
              </span>
              <Input
                value={item}
                aria-label={`${props.itemLabel} ${index + 1}`}
                placeholder={props.placeholder}
                className={props.monospace ? "font-mono text-xs" : undefined}
                onChange={(event) => {
                  const next = [...props.items];
                  next[index] = event.target.value;
                  props.onChange(next);
                }}
                onKeyDown={(event) => {
                  if (event.key === "Enter") {
                    event.preventDefault();
                    if (index === props.items.length - 1) {
                      props.onChange([...props.items, ""]);
                      focusLast();
                    }
                  }
                }}
              />
              <Button
                size="icon"
                variant="ghost"
                aria-label={`Remove ${props.itemLabel.toLowerCase()} ${index + 1}`}
                onClick={() => props.onChange(props.items.filter((_, other) => other !== index))}
              >
                <X aria-hidden />
              </Button>
            </li>
          ))}
        </ol>
      )}
      <Button
        size="sm"
        variant="ghost"
        onClick={() => {
          props.onChange([...props.items, ""]);
          focusLast();
        }}
      >
        <Plus aria-hidden />
        {props.addLabel}
      </Button>
    </fieldset>
  );
}

/** The lines worth saving: trimmed, empty ones dropped. */
export function cleanLines(items: readonly string[]): string[] {
  return items.map((item) => item.trim()).filter((item) => item !== "");
}
