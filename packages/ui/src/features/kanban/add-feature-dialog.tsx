/**
 * The add-feature form: category (with the categories already used offered), name, description, acceptance steps,
 * an optional priority (default: the end of the queue), extra verify commands and dependencies. A missing name is
 * refused here; what the server refuses (a dependency cycle, say) is shown in the form with its message.
 */
import type { FeatureCreateRequest } from "@autowright/protocol";
import { useId, useMemo, useRef, useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { createFeature } from "../../api/projects.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { Field, Input, Textarea } from "../../ui/field.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { DependencyPicker } from "../feature-detail/dependency-picker.tsx";
import { cleanLines, ListEditor } from "../feature-detail/list-editor.tsx";

interface Draft {
  category: string;
  name: string;
  description: string;
  steps: string[];
  priority: string;
  verify: string[];
  dependencies: number[];
}

const emptyDraft: Draft = {
  category: "",
  name: "",
  description: "",
  steps: [""],
  priority: "",
  verify: [],
  dependencies: [],
};

/** The dialog (its state is reset each time it opens). */
export function AddFeatureDialog(props: {
  readonly open: boolean;
  readonly onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title="Add a feature"
      description="It joins the queue; an agent picks it up when its dependencies pass."
      wide
    >
      {props.open ? <AddFeatureForm onDone={() => props.onOpenChange(false)} /> : null}
    </Dialog>
  );
}

function AddFeatureForm(props: { readonly onDone: () => void }) {
  const store = useProjectStore();
  const features = useProjectView((view) => view.features);
  const { notify } = useNotify();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [errors, setErrors] = useState<{ name?: string; priority?: string }>({});
  const [serverError, setServerError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const categoriesId = useId();
  const nameInput = useRef<HTMLInputElement>(null);
  const priorityInput = useRef<HTMLInputElement>(null);
  const categories = useMemo(() => {
    const names = new Set<string>();
    for (const feature of features.values()) if (feature.category !== "") names.add(feature.category);
    return [...names].sort();
  }, [features]);
  const update = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));

  const submit = async () => {
    const nextErrors: { name?: string; priority?: string } = {};
    if (draft.name.trim() === "") nextErrors.name = "A feature needs a name.";
    const priorityText = draft.priority.trim();
    if (priorityText !== "" && !/^-?\d{1,9}$/.test(priorityText))
      nextErrors.priority = "The priority is a whole number (lower runs first).";
    setErrors(nextErrors);
    if (nextErrors.name !== undefined) nameInput.current?.focus();
    else if (nextErrors.priority !== undefined) priorityInput.current?.focus();
    if (Object.keys(nextErrors).length > 0) return;
    const body: FeatureCreateRequest = {
      category: draft.category.trim(),
      name: draft.name.trim(),
      description: draft.description.trim(),
      steps: cleanLines(draft.steps),
      verify: cleanLines(draft.verify),
      dependencies: draft.dependencies,
      ...(priorityText === "" ? {} : { priority: Number(priorityText) }),
    };
    setBusy(true);
    setServerError(undefined);
    try {
      const { feature } = await createFeature(store.project, body);
      store.dispatch({ type: "feature.saved", feature });
      notify({ tone: "success", title: `Feature #${feature.id} added`, message: feature.name });
      props.onDone();
    } catch (error) {
      setServerError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="grid gap-4 sm:grid-cols-[1fr_2fr]">
        <Field label="Category" hint="Groups related features.">
          {(id, describedBy) => (
            <>
              <Input
                id={id}
                aria-describedby={describedBy}
                list={categoriesId}
                value={draft.category}
                maxLength={100}
                placeholder="e.g. checkout"
                onChange={(event) => update({ category: event.target.value })}
              />
              <datalist id={categoriesId}>
                {categories.map((category) => (
                  <option key={category} value={category} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Name" error={errors.name}>
          {(id, describedBy) => (
            <Input
              ref={nameInput}
              id={id}
              aria-describedby={describedBy}
              aria-invalid={errors.name === undefined ? undefined : true}
              aria-required
              value={draft.name}
              maxLength={255}
              autoFocus
              placeholder="What the user can do"
              onChange={(event) => update({ name: event.target.value })}
            />
          )}
        </Field>
      </div>
      <Field label="Description">
        {(id) => (
          <Textarea
            id={id}
            value={draft.description}
            rows={3}
            placeholder="What it does and why, for the agent that builds it"
            onChange={(event) => update({ description: event.target.value })}
          />
        )}
      </Field>
      <ListEditor
        label="Acceptance steps"
        itemLabel="Step"
        addLabel="Add a step"
        items={draft.steps}
        placeholder="A step a tester can check"
        onChange={(steps) => update({ steps })}
      />
      <div className="grid gap-4 sm:grid-cols-[1fr_2fr]">
        <Field
          label="Priority (optional)"
          hint="Lower runs first; empty puts it at the end of the queue."
          error={errors.priority}
        >
          {(id, describedBy) => (
            <Input
              ref={priorityInput}
              id={id}
              aria-describedby={describedBy}
              aria-invalid={errors.priority === undefined ? undefined : true}
              inputMode="numeric"
              value={draft.priority}
              onChange={(event) => update({ priority: event.target.value })}
            />
          )}
        </Field>
        <ListEditor
          label="Verify commands (optional)"
          itemLabel="Command"
          addLabel="Add a command"
          items={draft.verify}
          placeholder="npm test -- cart"
          monospace
          onChange={(verify) => update({ verify })}
        />
      </div>
      <fieldset>
        <legend className="mb-1.5 text-sm font-medium">Dependencies</legend>
        <DependencyPicker
          features={features}
          selected={draft.dependencies}
          onAdd={(id) => update({ dependencies: [...draft.dependencies, id] })}
          onRemove={(id) => update({ dependencies: draft.dependencies.filter((other) => other !== id) })}
        />
      </fieldset>
      {serverError === undefined ? null : (
        <p
          role="alert"
          className="rounded-md border border-status-failed/40 bg-status-soft-failed px-3 py-2 text-sm text-status-failed"
        >
          The feature was not added: {serverError}
        </p>
      )}
      <div className="flex justify-end gap-2 border-t border-border pt-4">
        <Button onClick={props.onDone}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? "Adding…" : "Add feature"}
        </Button>
      </div>
    </form>
  );
}
