/**
 * The provider settings: which provider runs the agents and chats, its credentials (write-only: the server says
 * only whether each is set, so a stored key is shown as "set ✓" with Change and Remove, never as its value), its
 * base URL, and the model of each role with the provider's defaults as placeholders.
 */
import {
  type AgentRole,
  type Provider,
  providerSchema,
  type providersResponseSchema,
  type Settings,
  type SettingsPatchRequest,
} from "@autowright/protocol";
import { Check, KeyRound, Plug } from "lucide-react";
import { useId, useState } from "react";
import type { z } from "zod";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { Field, Input, Select } from "../../ui/field.tsx";
import { SettingsSection, useSettingsSave } from "./settings-form.tsx";

/** A provider as `GET /api/providers` describes it. */
export type ProviderRow = z.infer<typeof providersResponseSchema>["providers"][number];

const providerLabels: Record<Provider, string> = {
  claude: "Claude Code (your Claude login or an Anthropic key)",
  anthropic: "Anthropic API",
  "openai-compatible": "OpenAI-compatible (Ollama, vLLM, OpenRouter, LM Studio…)",
  replay: "Replay (the offline scripted model, for demos and tests)",
};

const providerHints: Record<Provider, string> = {
  claude:
    "Sessions run through Claude Code. A Claude login on this machine works for agents; chats need an API key.",
  anthropic: "The built-in tool loop talks to the Anthropic Messages API.",
  "openai-compatible": "The built-in tool loop talks to any OpenAI-compatible endpoint: set its base URL.",
  replay: "No model and no key: scripted answers, so you can watch a run without spending anything.",
};

const baseUrlPlaceholders: Record<Provider, string> = {
  claude: "https://api.anthropic.com",
  anthropic: "https://api.anthropic.com",
  "openai-compatible": "http://localhost:11434/v1",
  replay: "",
};

/** Base URLs of well-known OpenAI-compatible servers. */
const presets = [
  { label: "Ollama", url: "http://localhost:11434/v1" },
  { label: "LM Studio", url: "http://localhost:1234/v1" },
  { label: "OpenRouter", url: "https://openrouter.ai/api/v1" },
] as const;

const roles: readonly { id: AgentRole; label: string }[] = [
  { id: "initializer", label: "Initializer" },
  { id: "coding", label: "Coding" },
  { id: "testing", label: "Testing" },
  { id: "chat", label: "Chat" },
];

type SecretEdit = { readonly mode: "set"; readonly value: string } | { readonly mode: "remove" };

interface Draft {
  readonly provider: Provider;
  readonly baseUrl: string;
  readonly models: Readonly<Record<AgentRole, string>>;
  /** Only the secrets the user acted on. */
  readonly secrets: Readonly<Record<string, SecretEdit>>;
}

function draftOf(settings: Settings): Draft {
  return {
    provider: settings.provider,
    baseUrl: settings.baseUrl ?? "",
    models: {
      initializer: settings.models.initializer ?? "",
      coding: settings.models.coding ?? "",
      testing: settings.models.testing ?? "",
      chat: settings.models.chat ?? "",
    },
    secrets: {},
  };
}

/** The patch of what changed from `settings` (secrets: only those set to a value or removed). */
function patchOf(draft: Draft, settings: Settings): SettingsPatchRequest {
  const patch: SettingsPatchRequest = {};
  if (draft.provider !== settings.provider) patch.provider = draft.provider;
  const baseUrl = draft.baseUrl.trim() === "" ? null : draft.baseUrl.trim();
  if (baseUrl !== settings.baseUrl) patch.baseUrl = baseUrl;
  const models: NonNullable<SettingsPatchRequest["models"]> = {};
  for (const { id } of roles) {
    const value = draft.models[id].trim() === "" ? null : draft.models[id].trim();
    if (value !== settings.models[id]) models[id] = value;
  }
  if (Object.keys(models).length > 0) patch.models = models;
  const secrets: Record<string, string | null> = {};
  for (const [name, edit] of Object.entries(draft.secrets)) {
    if (edit.mode === "remove") secrets[name] = null;
    else if (edit.value.trim() !== "") secrets[name] = edit.value.trim();
  }
  if (Object.keys(secrets).length > 0) patch.secrets = secrets;
  return patch;
}

/** The Providers section. */
export function ProvidersSection(props: {
  readonly settings: Settings;
  readonly secrets: Readonly<Record<string, { readonly set: boolean }>>;
  readonly providers: readonly ProviderRow[] | undefined;
  readonly providersError: string | undefined;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.settings));
  const saving = useSettingsSave("Providers", (answer) => setDraft(draftOf(answer.settings)));
  const patch = patchOf(draft, props.settings);
  const dirty = Object.keys(patch).length > 0;
  const row = props.providers?.find((candidate) => candidate.id === draft.provider);
  const change = (next: Partial<Draft>) => {
    saving.touched();
    setDraft((current) => ({ ...current, ...next }));
  };
  const errors: Record<string, string> = { ...saving.fieldErrors };
  if (errors["baseUrl"] === "Invalid URL")
    errors["baseUrl"] =
      `enter an absolute URL, such as ${baseUrlPlaceholders[draft.provider] || "https://…"}`;
  const usesBaseUrl = draft.provider !== "replay";

  return (
    <SettingsSection
      id="providers"
      icon={Plug}
      title="Providers"
      description="Which model runs the agents and the chats, and how to reach it."
      dirty={dirty}
      saving={saving.saving}
      saved={saving.saved}
      problem={saving.problem}
      onSave={() => saving.save(patch)}
      onDiscard={() => {
        saving.clearErrors();
        setDraft(draftOf(props.settings));
      }}
    >
      <Field label="Provider" hint={providerHints[draft.provider]} error={errors["provider"]}>
        {(id, describedBy) => (
          <Select
            id={id}
            aria-describedby={describedBy}
            value={draft.provider}
            onChange={(event) => change({ provider: providerSchema.parse(event.target.value) })}
          >
            {providerSchema.options.map((provider) => (
              <option key={provider} value={provider}>
                {providerLabels[provider]}
              </option>
            ))}
          </Select>
        )}
      </Field>

      {props.providersError === undefined ? null : (
        <p role="alert" className="text-sm text-status-failed">
          The providers could not be loaded: {props.providersError}
        </p>
      )}

      {row === undefined || row.credentialVariables.length === 0 ? null : (
        <fieldset className="space-y-3">
          <legend className="flex flex-wrap items-center gap-2 text-sm font-medium">
            <KeyRound className="size-4 text-muted" aria-hidden />
            Credentials
            {row.credentialsSet ? (
              <Badge tone="done">
                <Check aria-hidden /> found
              </Badge>
            ) : (
              <Badge tone="input">none found</Badge>
            )}
          </legend>
          <p className="text-xs text-muted">
            {draft.provider === "claude"
              ? "Any one of these is enough; none is needed when you are logged in to Claude Code on this machine."
              : "Stored on the server with owner-only permissions, never shown again. A variable in the server's environment works too."}
          </p>
          {row.credentialVariables.map((name) => (
            <SecretField
              key={name}
              name={name}
              stored={props.secrets[name]?.set === true}
              edit={draft.secrets[name]}
              error={errors[`secrets.${name}`] ?? errors["secrets"]}
              onEdit={(edit) => {
                const secrets = { ...draft.secrets };
                if (edit === undefined) delete secrets[name];
                else secrets[name] = edit;
                change({ secrets });
              }}
            />
          ))}
        </fieldset>
      )}

      {usesBaseUrl ? (
        <Field
          label="Base URL"
          hint={
            row?.baseUrlVariable === null || row === undefined
              ? "Leave empty for the provider's own endpoint."
              : `Leave empty for the provider's endpoint (or set ${row.baseUrlVariable} in the server's environment).`
          }
          error={errors["baseUrl"]}
        >
          {(id, describedBy) => (
            <div className="space-y-2">
              <Input
                id={id}
                aria-describedby={describedBy}
                aria-invalid={errors["baseUrl"] === undefined ? undefined : true}
                type="url"
                inputMode="url"
                autoComplete="off"
                spellCheck={false}
                placeholder={baseUrlPlaceholders[draft.provider]}
                value={draft.baseUrl}
                onChange={(event) => change({ baseUrl: event.target.value })}
              />
              {draft.provider === "openai-compatible" ? (
                <div className="flex flex-wrap items-center gap-1.5 text-xs text-muted">
                  <span>Presets:</span>
                  {presets.map((preset) => (
                    <Button
                      key={preset.label}
                      size="sm"
                      variant="ghost"
                      className="h-6 px-2 text-xs"
                      aria-label={`Use the ${preset.label} URL (${preset.url})`}
                      onClick={() => change({ baseUrl: preset.url })}
                    >
                      {preset.label}
                    </Button>
                  ))}
                </div>
              ) : null}
            </div>
          )}
        </Field>
      ) : null}

      <fieldset>
        <legend className="mb-2 text-sm font-medium">Models per role</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          {roles.map((role) => {
            const fallback =
              row === undefined ? "" : (row.defaultModels[role.id] ?? row.defaultModels["coding"] ?? "");
            return (
              <Field
                key={role.id}
                label={role.label}
                hint={
                  fallback === ""
                    ? undefined
                    : `Empty: ${fallback}${role.id === "chat" ? " (the coding default)" : " (the default)"}`
                }
                error={errors[`models.${role.id}`]}
              >
                {(id, describedBy) => (
                  <Input
                    id={id}
                    aria-describedby={describedBy}
                    aria-invalid={errors[`models.${role.id}`] === undefined ? undefined : true}
                    autoComplete="off"
                    spellCheck={false}
                    placeholder={fallback}
                    value={draft.models[role.id]}
                    onChange={(event) =>
                      change({ models: { ...draft.models, [role.id]: event.target.value } })
                    }
                  />
                )}
              </Field>
            );
          })}
        </div>
      </fieldset>
    </SettingsSection>
  );
}

/** One credential: write-only. */
function SecretField(props: {
  readonly name: string;
  readonly stored: boolean;
  readonly edit: SecretEdit | undefined;
  readonly error: string | undefined;
  readonly onEdit: (edit: SecretEdit | undefined) => void;
}) {
  const { name, stored, edit } = props;
  const id = useId();
  const editing = edit?.mode === "set" || (!stored && edit === undefined);
  return (
    <div className="space-y-1.5" data-testid={`secret-${name}`}>
      {editing ? (
        <label htmlFor={id} className="block font-mono text-xs font-medium">
          {name}
        </label>
      ) : (
        <p className="font-mono text-xs font-medium">{name}</p>
      )}
      {edit?.mode === "remove" ? (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Badge tone="failed">will be removed</Badge>
          <span className="text-muted">when you save.</span>
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Keep ${name}`}
            onClick={() => props.onEdit(undefined)}
          >
            Keep it
          </Button>
        </div>
      ) : editing ? (
        <div className="flex items-center gap-2">
          <Input
            id={id}
            type="password"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={props.error === undefined ? undefined : true}
            placeholder={stored ? "Paste the new value" : "Not set: paste the value"}
            value={edit?.mode === "set" ? edit.value : ""}
            onChange={(event) => props.onEdit({ mode: "set", value: event.target.value })}
          />
          {stored ? (
            <Button
              size="sm"
              variant="ghost"
              aria-label={`Keep the stored ${name}`}
              onClick={() => props.onEdit(undefined)}
            >
              Cancel
            </Button>
          ) : null}
        </div>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <Badge tone="done">
            <Check aria-hidden /> set
          </Badge>
          <span className="text-xs text-muted">Stored on the server; never shown.</span>
          <Button
            size="sm"
            aria-label={`Change ${name}`}
            onClick={() => props.onEdit({ mode: "set", value: "" })}
          >
            Change
          </Button>
          <Button
            size="sm"
            variant="ghost"
            aria-label={`Remove ${name}`}
            onClick={() => props.onEdit({ mode: "remove" })}
          >
            Remove
          </Button>
        </div>
      )}
      {props.error === undefined ? null : (
        <p role="alert" className="text-xs text-status-failed">
          {props.error}
        </p>
      )}
    </div>
  );
}
