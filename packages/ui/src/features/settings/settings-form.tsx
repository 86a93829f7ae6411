/**
 * What every settings section shares: saving a patch of only the changed fields (checked with the protocol's
 * `settingsPatchRequestSchema` first), the server's validation errors mapped to their fields when its `details`
 * carry paths (else shown as the section's notice), the saved notice, and the section's frame.
 */
import {
  type SettingsPatchRequest,
  type SettingsResponse,
  settingsPatchRequestSchema,
} from "@autowright/protocol";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, type LucideIcon } from "lucide-react";
import { type ReactNode, useState } from "react";
import { ApiError, errorMessage } from "../../api/client.ts";
import { patchSettings } from "../../api/settings.ts";
import { Button } from "../../ui/button.tsx";
import { Card } from "../../ui/card.tsx";
import { useNotify } from "../../ui/notices.tsx";

/** The query keys of the settings and the providers. */
export const settingsQueryKey = ["settings"] as const;
export const providersQueryKey = ["providers"] as const;

/** Errors by field path (`maxConcurrency`, `models.coding`, `secrets.OPENAI_API_KEY`). */
export type FieldErrors = Readonly<Record<string, string>>;

/**
 * The field errors an API error carries: the server's validation answer has `details.issues` of
 * `{ path: "body.maxConcurrency", message }`. Null when it names no field.
 */
export function fieldErrorsOf(error: unknown): FieldErrors | null {
  if (!(error instanceof ApiError) || error.code !== "invalid_input") return null;
  const issues = (error.details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return null;
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    if (typeof issue !== "object" || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    if (typeof path !== "string" || typeof message !== "string") continue;
    const field = path.replace(/^body\.?/, "");
    if (field !== "" && fields[field] === undefined) fields[field] = message;
  }
  return Object.keys(fields).length === 0 ? null : fields;
}

/** Checks a patch with the protocol's schema before it is sent: the errors by field, or null. */
export function validatePatch(patch: SettingsPatchRequest): FieldErrors | null {
  const parsed = settingsPatchRequestSchema.safeParse(patch);
  if (parsed.success) return null;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join(".");
    fields[field] ??= issue.message;
  }
  return fields;
}

/** A number field's text as a value: `null` when empty (for the nullable ones), NaN when not a number. */
export function numberOf(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return Number(trimmed);
}

/** Saving one section: only the changed fields, validated, with its errors and its saved notice. */
export function useSettingsSave(section: string, onSaved: (answer: SettingsResponse) => void) {
  const queryClient = useQueryClient();
  const { notify, notifyError } = useNotify();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  const mutation = useMutation({
    mutationFn: (patch: SettingsPatchRequest) => patchSettings(patch),
    onSuccess: (answer, patch) => {
      queryClient.setQueryData(settingsQueryKey, answer);
      if (patch.secrets !== undefined || patch.provider !== undefined)
        void queryClient.invalidateQueries({ queryKey: providersQueryKey });
      setFieldErrors({});
      setProblem(undefined);
      setSaved(true);
      notify({ tone: "success", title: `${section} saved` });
      onSaved(answer);
    },
    onError: (error) => {
      setSaved(false);
      const fields = fieldErrorsOf(error);
      if (fields !== null) {
        setFieldErrors(fields);
        setProblem(undefined);
        return;
      }
      setFieldErrors({});
      setProblem(errorMessage(error));
      notifyError(`${section} could not be saved`, error);
    },
  });
  return {
    fieldErrors,
    problem,
    saved,
    saving: mutation.isPending,
    /** Forgets the saved notice (the user changed something). */
    touched: () => setSaved(false),
    save: (patch: SettingsPatchRequest, extraErrors: FieldErrors = {}) => {
      const errors = { ...(validatePatch(patch) ?? {}), ...extraErrors };
      if (Object.keys(errors).length > 0) {
        setFieldErrors(errors);
        setProblem(undefined);
        setSaved(false);
        return;
      }
      mutation.mutate(patch);
    },
    clearErrors: () => {
      setFieldErrors({});
      setProblem(undefined);
    },
  };
}

/** A settings section: a card with its title, its fields and its Save button. */
export function SettingsSection(props: {
  readonly id: string;
  readonly icon: LucideIcon;
  readonly title: string;
  readonly description: ReactNode;
  readonly children: ReactNode;
  /** Without these the section saves by itself (appearance). */
  readonly dirty?: boolean;
  readonly saving?: boolean;
  readonly saved?: boolean;
  readonly problem?: string | undefined;
  readonly onSave?: () => void;
  readonly onDiscard?: () => void;
}) {
  const Icon = props.icon;
  return (
    <Card id={props.id} className="scroll-mt-4" aria-label={`${props.title} settings`} role="region">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          props.onSave?.();
        }}
      >
        <div className="flex items-start gap-3 border-b border-border px-5 py-4">
          <span className="flex size-8 shrink-0 items-center justify-center rounded-lg bg-accent-soft text-accent">
            <Icon className="size-4" aria-hidden />
          </span>
          <div className="min-w-0">
            <h2 id={`${props.id}-title`} className="font-semibold">
              {props.title}
            </h2>
            <p className="text-sm text-muted">{props.description}</p>
          </div>
        </div>
        <div className="space-y-5 px-5 py-4">{props.children}</div>
        {props.onSave === undefined ? null : (
          <div className="flex flex-wrap items-center justify-end gap-3 border-t border-border px-5 py-3">
            {props.problem === undefined ? null : (
              <p role="alert" className="mr-auto flex min-w-0 items-start gap-1.5 text-sm text-status-failed">
                <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
                <span className="break-words">{props.problem}</span>
              </p>
            )}
            {props.saved && !props.dirty && props.problem === undefined ? (
              <p role="status" className="mr-auto flex items-center gap-1.5 text-sm text-status-done">
                <CheckCircle2 className="size-4" aria-hidden />
                Saved
              </p>
            ) : null}
            {props.dirty && props.onDiscard !== undefined ? (
              <Button variant="ghost" onClick={props.onDiscard} disabled={props.saving}>
                Discard changes
              </Button>
            ) : null}
            <Button type="submit" variant="primary" disabled={props.dirty !== true || props.saving}>
              {props.saving ? "Saving…" : `Save ${props.title.toLowerCase()}`}
            </Button>
          </div>
        )}
      </form>
    </Card>
  );
}
