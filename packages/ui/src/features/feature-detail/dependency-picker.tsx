/**
 * Choosing dependencies: the chosen ones as chips (with their status, each removable) and a search over the other
 * features to add one. Used by the add form (a local list) and the feature detail (each change saved at once).
 */
import type { Feature } from "@autowright/protocol";
import { Plus, X } from "lucide-react";
import { useId, useMemo, useState } from "react";
import { Badge } from "../../ui/badge.tsx";
import { Input } from "../../ui/field.tsx";
import { matchesSearch, statusBadge } from "../kanban/board-model.ts";

const resultLimit = 8;

/** The picker. */
export function DependencyPicker(props: {
  readonly features: ReadonlyMap<number, Feature>;
  readonly selected: readonly number[];
  /** The feature being edited (not offered: a feature cannot depend on itself). */
  readonly ownId?: number;
  readonly onAdd: (id: number) => void;
  readonly onRemove: (id: number) => void;
  readonly disabled?: boolean;
  readonly label?: string;
}) {
  const [query, setQuery] = useState("");
  const inputId = useId();
  const resultsId = useId();
  const chosen = useMemo(() => new Set(props.selected), [props.selected]);
  const results = useMemo(() => {
    if (query.trim() === "") return [];
    const found: Feature[] = [];
    for (const feature of props.features.values()) {
      if (feature.id === props.ownId || chosen.has(feature.id) || !matchesSearch(feature, query)) continue;
      found.push(feature);
    }
    return found.sort((left, right) => left.id - right.id).slice(0, resultLimit);
  }, [props.features, props.ownId, chosen, query]);

  return (
    <div className="space-y-2">
      {props.selected.length === 0 ? (
        <p className="text-sm text-muted">No dependencies: it can start at once.</p>
      ) : (
        <ul className="flex flex-wrap gap-1.5" aria-label="Dependencies">
          {props.selected.map((id) => {
            const dependency = props.features.get(id);
            const status = dependency === undefined ? undefined : statusBadge(dependency.status);
            return (
              <li
                key={id}
                className="inline-flex max-w-full items-center gap-1.5 rounded-md border border-border bg-surface-muted py-0.5 pr-0.5 pl-2 text-sm"
              >
                <span className="font-mono text-xs text-muted">#{id}</span>
                <span className="max-w-56 truncate">{dependency?.name ?? "unknown feature"}</span>
                {status === undefined ? (
                  <Badge tone="failed">missing</Badge>
                ) : (
                  <Badge tone={status.tone}>{status.label}</Badge>
                )}
                <button
                  type="button"
                  disabled={props.disabled}
                  onClick={() => props.onRemove(id)}
                  aria-label={`Remove dependency #${id}`}
                  className="rounded p-1 text-muted hover:bg-surface hover:text-foreground disabled:opacity-50"
                >
                  <X className="size-3.5" aria-hidden />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div>
        <label htmlFor={inputId} className="sr-only">
          {props.label ?? "Add a dependency"}
        </label>
        <Input
          id={inputId}
          type="search"
          value={query}
          disabled={props.disabled}
          placeholder="Add a dependency: search by name or #id"
          aria-controls={resultsId}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            const first = results[0];
            if (event.key === "Enter" && first !== undefined) {
              event.preventDefault();
              props.onAdd(first.id);
              setQuery("");
            }
          }}
        />
        <ul id={resultsId} className="mt-1 space-y-0.5" aria-label="Matching features">
          {results.map((feature) => {
            const status = statusBadge(feature.status);
            return (
              <li key={feature.id}>
                <button
                  type="button"
                  disabled={props.disabled}
                  onClick={() => {
                    props.onAdd(feature.id);
                    setQuery("");
                  }}
                  className="flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm hover:bg-surface-muted disabled:opacity-50"
                >
                  <Plus className="size-3.5 shrink-0 text-muted" aria-hidden />
                  <span className="font-mono text-xs text-muted">#{feature.id}</span>
                  <span className="min-w-0 flex-1 truncate">
                    <span className="sr-only">Add dependency </span>
                    {feature.name}
                  </span>
                  <Badge tone={status.tone}>{status.label}</Badge>
                </button>
              </li>
            );
          })}
          {query.trim() !== "" && results.length === 0 ? (
            <li className="px-2 py-1.5 text-sm text-muted">No other feature matches “{query.trim()}”.</li>
          ) : null}
        </ul>
      </div>
    </div>
  );
}
