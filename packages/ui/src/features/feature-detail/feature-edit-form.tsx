/** Editing a feature's fields (name, description, steps, category, priority, verify commands): only what changed is sent. */
import type { Feature, FeaturePatchRequest } from "@autowright/protocol";
import { useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { patchFeature } from "../../api/projects.ts";
import { useProjectStore } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import { Field, Input, Textarea } from "../../ui/field.tsx";
import { cleanLines, ListEditor } from "./list-editor.tsx";

const sameLines = (left: readonly string[], right: readonly string[]) =>
  left.length === right.length && left.every((line, index) => line === right[index]);

/** The edit form. */
export function FeatureEditForm(props: { readonly feature: Feature; readonly onDone: () => void }) {
  const store = useProjectStore();
  const { feature } = props;
  const [name, setName] = useState(feature.name);
  const [category, setCategory] = useState(feature.category);
  const [priority, setPriority] = useState(String(feature.priority));
  const [description, setDescription] = useState(feature.description);
  const [steps, setSteps] = useState<string[]>(feature.steps.length === 0 ? [""] : [...feature.steps]);
  const [verify, setVerify] = useState<string[]>([...feature.verify]);
  const [errors, setErrors] = useState<{ name?: string; priority?: string }>({});
  const [serverError, setServerError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    const nextErrors: { name?: string; priority?: string } = {};
    if (name.trim() === "") nextErrors.name = "A feature needs a name.";
    if (!/^-?\d{1,9}$/.test(priority.trim()))
      nextErrors.priority = "The priority is a whole number (lower runs first).";
    setErrors(nextErrors);
    if (Object.keys(nextErrors).length > 0) return;
    const patch: FeaturePatchRequest = {};
    if (name.trim() !== feature.name) patch.name = name.trim();
    if (category.trim() !== feature.category) patch.category = category.trim();
    if (Number(priority) !== feature.priority) patch.priority = Number(priority);
    if (description !== feature.description) patch.description = description;
    if (!sameLines(cleanLines(steps), feature.steps)) patch.steps = cleanLines(steps);
    if (!sameLines(cleanLines(verify), feature.verify)) patch.verify = cleanLines(verify);
    if (Object.keys(patch).length === 0) {
      props.onDone();
      return;
    }
    setBusy(true);
    setServerError(undefined);
    try {
      const answer = await patchFeature(store.project, feature.id, patch);
      store.dispatch({ type: "feature.saved", feature: answer.feature });
      props.onDone();
    } catch (error) {
      setServerError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      noValidate
      aria-label={`Edit feature #${feature.id}`}
      className="space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <div className="grid gap-4 sm:grid-cols-[2fr_1fr_8rem]">
        <Field label="Name" error={errors.name}>
          {(id, describedBy) => (
            <Input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={errors.name === undefined ? undefined : true}
              value={name}
              maxLength={255}
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </Field>
        <Field label="Category">
          {(id) => (
            <Input
              id={id}
              value={category}
              maxLength={100}
              onChange={(event) => setCategory(event.target.value)}
            />
          )}
        </Field>
        <Field label="Priority" error={errors.priority}>
          {(id, describedBy) => (
            <Input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={errors.priority === undefined ? undefined : true}
              inputMode="numeric"
              value={priority}
              onChange={(event) => setPriority(event.target.value)}
            />
          )}
        </Field>
      </div>
      <Field label="Description">
        {(id) => (
          <Textarea
            id={id}
            rows={4}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        )}
      </Field>
      <ListEditor
        label="Acceptance steps"
        itemLabel="Step"
        addLabel="Add a step"
        items={steps}
        onChange={setSteps}
      />
      <ListEditor
        label="Verify commands"
        itemLabel="Command"
        addLabel="Add a command"
        items={verify}
        monospace
        placeholder="npm test -- cart"
        onChange={setVerify}
      />
      {serverError === undefined ? null : (
        <p
          role="alert"
          className="rounded-md border border-status-failed/40 bg-status-soft-failed px-3 py-2 text-sm text-status-failed"
        >
          The changes were not saved: {serverError}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <Button onClick={props.onDone}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? "Saving…" : "Save changes"}
        </Button>
      </div>
    </form>
  );
}
