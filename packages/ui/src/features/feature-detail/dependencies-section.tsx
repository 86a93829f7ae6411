/**
 * A feature's dependencies, edited in place: each add or remove is saved at once (the whole list, PUT). A change the
 * server refuses (a cycle, itself, an unknown id, too many) is explained here with the server's reason, and the
 * list stays as it was (it is the store's, which only a saved change updates). Also what blocks the feature, and
 * what waits for it.
 */
import type { Feature } from "@autowright/protocol";
import { AlertTriangle } from "lucide-react";
import { useMemo, useState } from "react";
import { ApiError, errorMessage } from "../../api/client.ts";
import { putDependencies } from "../../api/projects.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Badge } from "../../ui/badge.tsx";
import { blockingDependencies, statusBadge } from "../kanban/board-model.ts";
import { DependencyPicker } from "./dependency-picker.tsx";

interface Refusal {
  readonly headline: string;
  readonly message: string;
}

interface Violation {
  readonly code?: string;
  readonly featureId?: number;
  readonly dependencyId?: number;
  readonly cycle?: readonly number[];
}

/** A refused dependency change in plain words, from the error's `details.violations` when it has them. */
export function explainRefusal(error: unknown): Refusal {
  const message = errorMessage(error);
  if (!(error instanceof ApiError)) return { headline: "The dependencies were not changed.", message };
  const details = error.details as { violations?: readonly Violation[] } | undefined;
  const first = details?.violations?.[0];
  const ids = (list: readonly number[]) => list.map((id) => `#${id}`).join(" → ");
  switch (error.code) {
    case "dependency_cycle": {
      const cycle = first?.cycle ?? [];
      const headline =
        cycle.length > 0
          ? `${ids([...cycle, cycle[0] as number])} would be a cycle: a feature would wait for itself.`
          : "That would make a cycle: a feature would wait for itself.";
      return { headline, message };
    }
    case "dependency_self":
      return { headline: "A feature cannot depend on itself.", message };
    case "dependency_unknown":
      return {
        headline:
          first?.dependencyId === undefined
            ? "That feature does not exist."
            : `Feature #${first.dependencyId} does not exist.`,
        message,
      };
    case "dependency_limit":
      return { headline: "Too many dependencies for one feature.", message };
    case "dependency_duplicate":
      return { headline: "That dependency is already listed.", message };
    default:
      return { headline: "The dependencies were not changed.", message };
  }
}

/** The dependencies section. */
export function DependenciesSection(props: { readonly feature: Feature }) {
  const store = useProjectStore();
  const features = useProjectView((view) => view.features);
  const { feature } = props;
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | undefined>(undefined);
  const blocking = blockingDependencies(feature, features);
  const dependents = useMemo(
    () =>
      [...features.values()]
        .filter((other) => other.dependencies.includes(feature.id))
        .sort((left, right) => left.id - right.id),
    [features, feature.id],
  );

  const save = async (dependencyIds: number[]) => {
    setBusy(true);
    try {
      const answer = await putDependencies(store.project, feature.id, dependencyIds);
      store.dispatch({ type: "feature.saved", feature: answer.feature });
      setRefusal(undefined);
    } catch (error) {
      setRefusal(explainRefusal(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="space-y-4">
      <section aria-labelledby="dependencies-heading" className="space-y-2">
        <h3 id="dependencies-heading" className="text-sm font-semibold">
          Dependencies
        </h3>
        <DependencyPicker
          features={features}
          selected={feature.dependencies}
          ownId={feature.id}
          disabled={busy}
          onAdd={(id) => void save([...feature.dependencies, id])}
          onRemove={(id) => void save(feature.dependencies.filter((other) => other !== id))}
        />
        {refusal === undefined ? null : (
          <div
            role="alert"
            data-testid="dependency-refusal"
            className="flex gap-2 rounded-md border border-status-failed/40 bg-status-soft-failed px-3 py-2 text-sm"
          >
            <AlertTriangle className="mt-0.5 size-4 shrink-0 text-status-failed" aria-hidden />
            <div className="min-w-0">
              <p className="font-medium text-status-failed">{refusal.headline}</p>
              <p className="mt-0.5 text-xs break-words text-foreground/80">{refusal.message}</p>
            </div>
          </div>
        )}
      </section>
      <section aria-labelledby="blocked-heading" className="space-y-2">
        <h3 id="blocked-heading" className="text-sm font-semibold">
          Blocked by
        </h3>
        {blocking.length === 0 ? (
          <p className="text-sm text-muted">
            {feature.dependencies.length === 0 || feature.status === "passing"
              ? "Nothing."
              : "Nothing: every dependency passes."}
          </p>
        ) : (
          <ul className="space-y-1" aria-label="Blocking dependencies">
            {blocking.map((id) => (
              <FeatureLine key={id} id={id} feature={features.get(id)} />
            ))}
          </ul>
        )}
      </section>
      {dependents.length === 0 ? null : (
        <section aria-labelledby="dependents-heading" className="space-y-2">
          <h3 id="dependents-heading" className="text-sm font-semibold">
            Needed by
          </h3>
          <ul className="space-y-1">
            {dependents.map((other) => (
              <FeatureLine key={other.id} id={other.id} feature={other} />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function FeatureLine(props: { readonly id: number; readonly feature: Feature | undefined }) {
  const status = props.feature === undefined ? undefined : statusBadge(props.feature.status);
  return (
    <li className="flex items-center gap-2 text-sm">
      <span className="font-mono text-xs text-muted">#{props.id}</span>
      <span className="min-w-0 flex-1 truncate">
        {props.feature?.name ?? "a feature that does not exist"}
      </span>
      {status === undefined ? (
        <Badge tone="failed">missing</Badge>
      ) : (
        <Badge tone={status.tone}>{status.label}</Badge>
      )}
    </li>
  );
}
