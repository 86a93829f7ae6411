/**
 * An agent's question on a feature: the form generated from its fields (text, textarea, select, yes/no), with the
 * required ones checked before anything is sent, and, once answered, the answer that goes into the next session.
 */
import type { Feature, HumanInputField, HumanInputRequest, HumanInputResponse } from "@autowright/protocol";
import { CircleHelp, MessageSquareReply } from "lucide-react";
import { useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { answerHumanInput } from "../../api/projects.ts";
import { cn } from "../../lib/cn.ts";
import { useProjectStore } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import { Field, Input, Select, Textarea } from "../../ui/field.tsx";
import { formatDateTime } from "./detail-format.ts";

type Value = string | boolean | undefined;

/** The question, as a form or with its answer. */
export function HumanInputSection(props: { readonly feature: Feature }) {
  const humanInput = props.feature.humanInput;
  if (humanInput === null) return null;
  return (
    <section
      aria-label="Question from the agent"
      className={cn(
        "rounded-lg border p-4",
        humanInput.response === null ? "border-status-input/50 bg-status-soft-input/60" : "border-border",
      )}
      data-testid="human-input"
    >
      <h3 className="flex items-center gap-2 text-sm font-semibold">
        {humanInput.response === null ? (
          <CircleHelp className="size-4 text-status-input" aria-hidden />
        ) : (
          <MessageSquareReply className="size-4 text-status-done" aria-hidden />
        )}
        {humanInput.response === null ? "An agent needs your answer" : "The agent's question, answered"}
      </h3>
      <p className="mt-2 text-sm whitespace-pre-wrap">{humanInput.request.prompt}</p>
      {humanInput.response === null ? (
        <HumanInputForm feature={props.feature} request={humanInput.request} />
      ) : (
        <SubmittedAnswer request={humanInput.request} response={humanInput.response} />
      )}
    </section>
  );
}

function isMissing(field: HumanInputField, value: Value): boolean {
  if (!field.required) return false;
  if (field.type === "boolean") return typeof value !== "boolean";
  return typeof value !== "string" || value.trim() === "";
}

function HumanInputForm(props: { readonly feature: Feature; readonly request: HumanInputRequest }) {
  const store = useProjectStore();
  const [values, setValues] = useState<Record<string, Value>>({});
  const [missing, setMissing] = useState<ReadonlySet<string>>(new Set());
  const [serverError, setServerError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const set = (id: string, value: Value) => {
    setValues((current) => ({ ...current, [id]: value }));
    if (missing.has(id)) setMissing((current) => new Set([...current].filter((other) => other !== id)));
  };

  const submit = async () => {
    const empty = new Set(
      props.request.fields.filter((field) => isMissing(field, values[field.id])).map((field) => field.id),
    );
    setMissing(empty);
    if (empty.size > 0) return;
    const fields: Record<string, string | boolean> = {};
    for (const field of props.request.fields) {
      const value = values[field.id];
      if (typeof value === "boolean") fields[field.id] = value;
      else if (typeof value === "string" && value.trim() !== "")
        fields[field.id] = field.type === "textarea" ? value : value.trim();
    }
    setBusy(true);
    setServerError(undefined);
    try {
      const { feature } = await answerHumanInput(store.project, props.feature.id, fields);
      // The answered question replaces the form: that is the confirmation (a notice would cover the dialog).
      store.dispatch({ type: "feature.saved", feature });
    } catch (error) {
      setServerError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      noValidate
      className="mt-3 max-w-2xl space-y-3"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {props.request.fields.map((field) => (
        <AnswerField
          key={field.id}
          field={field}
          value={values[field.id]}
          onChange={(value) => set(field.id, value)}
          error={missing.has(field.id) ? "This answer is required." : undefined}
        />
      ))}
      {serverError === undefined ? null : (
        <p
          role="alert"
          className="rounded-md border border-status-failed/40 bg-status-soft-failed px-3 py-2 text-sm text-status-failed"
        >
          The answer was not sent: {serverError}
        </p>
      )}
      <div className="flex items-center gap-3">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? "Sending…" : "Send answer"}
        </Button>
        <span className="text-xs text-muted">The feature goes back to the queue with your answer.</span>
      </div>
    </form>
  );
}

function AnswerField(props: {
  readonly field: HumanInputField;
  readonly value: Value;
  readonly onChange: (value: Value) => void;
  readonly error: string | undefined;
}) {
  const { field } = props;
  const label = (
    <>
      {field.label}
      {field.required ? (
        <span className="text-status-failed" aria-hidden>
          {" "}
          *
        </span>
      ) : (
        <span className="font-normal text-muted"> (optional)</span>
      )}
    </>
  );
  const text = typeof props.value === "string" ? props.value : "";
  if (field.type === "boolean") {
    return (
      <fieldset className="space-y-1.5">
        <legend className="text-sm font-medium">{label}</legend>
        <div className="flex gap-4">
          {[
            { value: true, label: "Yes" },
            { value: false, label: "No" },
          ].map((option) => (
            <label key={option.label} className="inline-flex items-center gap-2 text-sm">
              <input
                type="radio"
                name={`answer-${field.id}`}
                required={field.required}
                checked={props.value === option.value}
                onChange={() => props.onChange(option.value)}
                className="size-4 accent-[var(--accent)]"
              />
              {option.label}
            </label>
          ))}
        </div>
        {props.error === undefined ? null : (
          <p role="alert" className="text-xs text-status-failed">
            {props.error}
          </p>
        )}
      </fieldset>
    );
  }
  return (
    <Field label={label} error={props.error}>
      {(id, describedBy) => {
        const common = {
          id,
          "aria-describedby": describedBy,
          "aria-required": field.required,
          "aria-invalid": props.error === undefined ? undefined : true,
        } as const;
        if (field.type === "textarea")
          return (
            <Textarea
              {...common}
              rows={4}
              value={text}
              placeholder={field.placeholder}
              onChange={(event) => props.onChange(event.target.value)}
            />
          );
        if (field.type === "select")
          return (
            <Select {...common} value={text} onChange={(event) => props.onChange(event.target.value)}>
              <option value="">{field.placeholder ?? "Choose…"}</option>
              {(field.options ?? []).map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </Select>
          );
        return (
          <Input
            {...common}
            value={text}
            placeholder={field.placeholder}
            onChange={(event) => props.onChange(event.target.value)}
          />
        );
      }}
    </Field>
  );
}

function SubmittedAnswer(props: {
  readonly request: HumanInputRequest;
  readonly response: HumanInputResponse;
}) {
  const shown = (field: HumanInputField, value: string | boolean | string[] | undefined): string => {
    if (value === undefined || value === "") return "—";
    if (typeof value === "boolean") return value ? "Yes" : "No";
    if (Array.isArray(value)) return value.join(", ");
    if (field.type === "select")
      return field.options?.find((option) => option.value === value)?.label ?? value;
    return value;
  };
  return (
    <div className="mt-3 space-y-2">
      <dl className="space-y-2 text-sm">
        {props.request.fields.map((field) => (
          <div key={field.id}>
            <dt className="text-xs text-muted">{field.label}</dt>
            <dd className="whitespace-pre-wrap">{shown(field, props.response.fields[field.id])}</dd>
          </div>
        ))}
      </dl>
      <p className="text-xs text-muted">
        Answered{" "}
        <time dateTime={props.response.respondedAt}>{formatDateTime(props.response.respondedAt)}</time>
      </p>
    </div>
  );
}
