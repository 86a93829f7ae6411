/**
 * The first run: choose the model the agents build with (Claude through the `claude` login or a key, an Anthropic
 * key, an Anthropic-compatible or OpenAI-compatible endpoint, or a local Ollama), test the connection, save it —
 * or try the demo, which needs none of that. Keys are write-only: once saved, only "a key is saved" is shown.
 */
import type { Provider, ProviderTestRequest, SettingsPatchRequest } from "@autowright/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  CheckCircle2,
  Cpu,
  Globe,
  KeyRound,
  type LucideIcon,
  PlugZap,
  Server,
  Sparkles,
  XCircle,
} from "lucide-react";
import { useId, useMemo, useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { getSettings, patchSettings } from "../../api/settings.ts";
import { testProvider } from "../../api/setup.ts";
import { cn } from "../../lib/cn.ts";
import { Button } from "../../ui/button.tsx";
import { Card } from "../../ui/card.tsx";
import { Field, Input } from "../../ui/field.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { TryDemoButton } from "./demo-button.tsx";

/** localStorage: set once the first-run card was saved or skipped (it is not shown again). */
export const firstRunDoneKey = "autowright-first-run-done";

/** True when the first-run card was saved or skipped in this browser. */
export function isFirstRunDone(): boolean {
  try {
    return localStorage.getItem(firstRunDoneKey) === "true";
  } catch {
    return false;
  }
}

function markFirstRunDone(): void {
  try {
    localStorage.setItem(firstRunDoneKey, "true");
  } catch {
    // Private mode: the card comes back on the next visit, which is harmless.
  }
}

/** The choices of the first run. */
export type ProviderChoiceId =
  | "claude"
  | "anthropic"
  | "anthropic-compatible"
  | "openai-compatible"
  | "ollama";

interface ProviderChoice {
  readonly id: ProviderChoiceId;
  readonly label: string;
  readonly summary: string;
  readonly icon: LucideIcon;
  readonly provider: Provider;
  /** The secret the key is saved as (none: no key field). */
  readonly secret: string | null;
  readonly keyRequired: boolean;
  readonly baseUrl: "none" | "required";
  readonly defaultBaseUrl: string;
  readonly baseUrlPlaceholder: string;
  readonly modelRequired: boolean;
  readonly defaultModel: string;
  readonly modelPlaceholder: string;
}

/** Every choice, in the order shown. */
export const providerChoices: readonly ProviderChoice[] = [
  {
    id: "claude",
    label: "Claude",
    summary: "Claude Code with your Claude subscription (the claude login) or an API key",
    icon: Sparkles,
    provider: "claude",
    secret: "ANTHROPIC_API_KEY",
    keyRequired: false,
    baseUrl: "none",
    defaultBaseUrl: "",
    baseUrlPlaceholder: "",
    modelRequired: false,
    defaultModel: "",
    modelPlaceholder: "claude-sonnet-4-5",
  },
  {
    id: "anthropic",
    label: "Anthropic API key",
    summary: "The Anthropic API, billed per token",
    icon: KeyRound,
    provider: "anthropic",
    secret: "ANTHROPIC_API_KEY",
    keyRequired: true,
    baseUrl: "none",
    defaultBaseUrl: "",
    baseUrlPlaceholder: "",
    modelRequired: false,
    defaultModel: "",
    modelPlaceholder: "claude-sonnet-4-5",
  },
  {
    id: "anthropic-compatible",
    label: "Anthropic-compatible",
    summary: "Any endpoint speaking the Anthropic Messages API (GLM, MiniMax, a proxy…)",
    icon: Globe,
    provider: "anthropic",
    secret: "ANTHROPIC_API_KEY",
    keyRequired: true,
    baseUrl: "required",
    defaultBaseUrl: "",
    baseUrlPlaceholder: "https://api.example.com/anthropic",
    modelRequired: true,
    defaultModel: "",
    modelPlaceholder: "glm-4.6",
  },
  {
    id: "openai-compatible",
    label: "OpenAI-compatible",
    summary: "OpenRouter, vLLM, LM Studio, llama.cpp or any /v1/chat/completions server",
    icon: Server,
    provider: "openai-compatible",
    secret: "OPENAI_API_KEY",
    keyRequired: false,
    baseUrl: "required",
    defaultBaseUrl: "",
    baseUrlPlaceholder: "https://openrouter.ai/api/v1",
    modelRequired: true,
    defaultModel: "",
    modelPlaceholder: "qwen/qwen3-coder",
  },
  {
    id: "ollama",
    label: "Ollama (local)",
    summary: "A model running on this machine with Ollama: free, private, no key",
    icon: Cpu,
    provider: "openai-compatible",
    secret: null,
    keyRequired: false,
    baseUrl: "required",
    defaultBaseUrl: "http://127.0.0.1:11434/v1",
    baseUrlPlaceholder: "http://127.0.0.1:11434/v1",
    modelRequired: true,
    defaultModel: "qwen2.5-coder",
    modelPlaceholder: "qwen2.5-coder",
  },
];

interface Draft {
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey: string;
  /** Claude only: the `claude` login, or a key. */
  readonly claudeLogin: boolean;
}

function draftOf(choice: ProviderChoice): Draft {
  return { baseUrl: choice.defaultBaseUrl, model: choice.defaultModel, apiKey: "", claudeLogin: true };
}

function choiceOf(id: ProviderChoiceId): ProviderChoice {
  return providerChoices.find((choice) => choice.id === id) ?? (providerChoices[0] as ProviderChoice);
}

type Problems = Partial<Record<"baseUrl" | "model" | "apiKey", string>>;

function problemsOf(choice: ProviderChoice, draft: Draft, keySaved: boolean): Problems {
  const problems: Problems = {};
  if (choice.baseUrl === "required") {
    const value = draft.baseUrl.trim();
    if (value === "") problems.baseUrl = "Enter the server's base URL.";
    else if (!isHttpUrl(value)) problems.baseUrl = "A base URL is an absolute http:// or https:// URL.";
  }
  if (choice.modelRequired && draft.model.trim() === "") problems.model = "Enter the model's name.";
  const usesKey = choice.secret !== null && !(choice.id === "claude" && draft.claudeLogin);
  if (usesKey && draft.apiKey.trim() === "" && (choice.keyRequired || choice.id === "claude") && !keySaved)
    problems.apiKey = "Enter the API key.";
  return problems;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** The first-run card; `onDone` once the choice is saved or the card skipped. */
export function FirstRun(props: { readonly onDone: () => void }) {
  const queryClient = useQueryClient();
  const { notify } = useNotify();
  const titleId = useId();
  const [choiceId, setChoiceId] = useState<ProviderChoiceId>("claude");
  const choice = choiceOf(choiceId);
  const [drafts, setDrafts] = useState<Partial<Record<ProviderChoiceId, Draft>>>({});
  const draft = drafts[choiceId] ?? draftOf(choice);
  const [attempted, setAttempted] = useState(false);
  const settings = useQuery({ queryKey: ["settings"], queryFn: getSettings });
  const keySaved = choice.secret !== null && settings.data?.secrets[choice.secret]?.set === true;
  const problems = useMemo(() => problemsOf(choice, draft, keySaved), [choice, draft, keySaved]);
  const valid = Object.keys(problems).length === 0;
  const usesKey = choice.secret !== null && !(choice.id === "claude" && draft.claudeLogin);

  const test = useMutation({ mutationFn: (body: ProviderTestRequest) => testProvider(body) });
  const save = useMutation({
    mutationFn: (body: SettingsPatchRequest) => patchSettings(body),
    onSuccess: (answer) => {
      // The key is not kept on screen once saved: it is write-only from here on.
      setDrafts((all) =>
        Object.fromEntries(Object.entries(all).map(([id, entry]) => [id, { ...entry, apiKey: "" }])),
      );
      queryClient.setQueryData(["settings"], answer);
      void queryClient.invalidateQueries({ queryKey: ["providers"] });
      markFirstRunDone();
      notify({ tone: "success", title: "Saved", message: `The agents will use ${choice.label}.` });
      props.onDone();
    },
  });

  const change = (patch: Partial<Draft>) => {
    setDrafts((all) => ({ ...all, [choiceId]: { ...draft, ...patch } }));
    test.reset();
    save.reset();
  };
  const select = (id: ProviderChoiceId) => {
    setChoiceId(id);
    setAttempted(false);
    test.reset();
    save.reset();
  };

  const model = draft.model.trim();
  const apiKey = usesKey ? draft.apiKey.trim() : "";
  const baseUrl = choice.baseUrl === "required" ? draft.baseUrl.trim() : "";
  const runTest = () => {
    setAttempted(true);
    if (!valid) return;
    test.mutate({
      provider: choice.provider,
      ...(baseUrl === "" ? {} : { baseUrl }),
      ...(model === "" ? {} : { model }),
      ...(apiKey === "" ? {} : { apiKey }),
    });
  };
  const runSave = () => {
    setAttempted(true);
    if (!valid) return;
    const modelValue = model === "" ? null : model;
    save.mutate({
      provider: choice.provider,
      baseUrl: baseUrl === "" ? null : baseUrl,
      models: { initializer: modelValue, coding: modelValue, testing: modelValue, chat: modelValue },
      ...(apiKey === "" || choice.secret === null ? {} : { secrets: { [choice.secret]: apiKey } }),
    });
  };
  const skip = () => {
    markFirstRunDone();
    props.onDone();
  };
  const shown = (key: keyof Problems) => (attempted ? problems[key] : undefined);

  return (
    <Card aria-labelledby={titleId} role="region" className="overflow-hidden" data-testid="first-run">
      <div className="flex flex-wrap items-start gap-3 border-b border-border px-5 py-4">
        <span
          aria-hidden
          className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-accent-soft text-accent"
        >
          <PlugZap className="size-5" />
        </span>
        <div className="min-w-0 flex-1">
          <h2 id={titleId} className="text-lg font-semibold">
            Set up the model that builds your app
          </h2>
          <p className="text-sm text-muted">
            Pick a provider, test the connection, save. You can change it later in Settings.
          </p>
        </div>
        <Button variant="ghost" size="sm" onClick={skip}>
          Skip for now
        </Button>
      </div>

      <div className="flex flex-wrap items-center gap-4 border-b border-border bg-accent-soft/60 px-5 py-4">
        <div className="min-w-0 flex-1">
          <p className="font-medium">New here? Try the demo first</p>
          <p className="text-sm text-muted">
            Watch agents plan, build and verify a small todo app with the offline demo model: no provider, no
            key, no network.
          </p>
        </div>
        <TryDemoButton />
      </div>

      <div className="grid md:grid-cols-[minmax(15rem,18rem)_1fr]">
        <fieldset className="border-b border-border p-3 md:border-r md:border-b-0">
          <legend className="sr-only">Provider</legend>
          <div className="space-y-1">
            {providerChoices.map((item) => {
              const Icon = item.icon;
              const checked = item.id === choiceId;
              return (
                <label
                  key={item.id}
                  className={cn(
                    "flex cursor-pointer items-start gap-3 rounded-lg border px-3 py-2.5 transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                    checked ? "border-accent bg-accent-soft" : "border-transparent hover:bg-surface-muted",
                  )}
                >
                  <input
                    type="radio"
                    name="first-run-provider"
                    value={item.id}
                    checked={checked}
                    onChange={() => select(item.id)}
                    className="sr-only"
                  />
                  <Icon
                    className={cn("mt-0.5 size-4 shrink-0", checked ? "text-accent" : "text-muted")}
                    aria-hidden
                  />
                  <span className="min-w-0">
                    <span className="block text-sm font-medium">{item.label}</span>
                    <span className="block text-xs text-muted">{item.summary}</span>
                  </span>
                </label>
              );
            })}
          </div>
        </fieldset>

        <form
          className="space-y-4 p-5"
          aria-label={`${choice.label} settings`}
          onSubmit={(event) => {
            event.preventDefault();
            runSave();
          }}
          noValidate
        >
          {choice.id === "claude" ? (
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium">How Claude Code signs in</legend>
              <div className="flex flex-wrap gap-2">
                {[
                  { login: true, label: "My Claude subscription (claude login)" },
                  { login: false, label: "An Anthropic API key" },
                ].map((option) => (
                  <label
                    key={String(option.login)}
                    className={cn(
                      "flex cursor-pointer items-center gap-2 rounded-md border px-3 py-1.5 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                      draft.claudeLogin === option.login
                        ? "border-accent bg-accent-soft text-accent"
                        : "border-border hover:bg-surface-muted",
                    )}
                  >
                    <input
                      type="radio"
                      name="claude-sign-in"
                      checked={draft.claudeLogin === option.login}
                      onChange={() => change({ claudeLogin: option.login })}
                      className="accent-[var(--accent)]"
                    />
                    {option.label}
                  </label>
                ))}
              </div>
              {draft.claudeLogin ? (
                <p className="text-sm text-muted">
                  Claude Code uses the login of the <code className="font-mono text-foreground">claude</code>{" "}
                  command on this machine. Not logged in yet? Run{" "}
                  <code className="rounded bg-surface-muted px-1 py-0.5 font-mono text-foreground">
                    claude
                  </code>{" "}
                  once in a terminal and follow the prompts.
                </p>
              ) : null}
            </fieldset>
          ) : null}

          {choice.baseUrl === "required" ? (
            <Field
              label="Base URL"
              error={shown("baseUrl")}
              hint={
                choice.id === "ollama"
                  ? "Ollama's OpenAI-compatible address. Start it with `ollama serve`."
                  : "The address before /messages or /chat/completions."
              }
            >
              {(id, describedBy) => (
                <Input
                  id={id}
                  aria-describedby={describedBy}
                  aria-invalid={shown("baseUrl") !== undefined}
                  type="url"
                  inputMode="url"
                  spellCheck={false}
                  placeholder={choice.baseUrlPlaceholder}
                  value={draft.baseUrl}
                  onChange={(event) => change({ baseUrl: event.target.value })}
                />
              )}
            </Field>
          ) : null}

          {usesKey && choice.secret !== null ? (
            <Field
              label={choice.keyRequired || choice.id === "claude" ? "API key" : "API key (optional)"}
              error={shown("apiKey")}
              hint={
                keySaved
                  ? `A key is saved (${choice.secret}). Leave this empty to keep it, or enter a new one.`
                  : `Saved on this machine as ${choice.secret}, readable by you only; never shown again.`
              }
            >
              {(id, describedBy) => (
                <Input
                  id={id}
                  aria-describedby={describedBy}
                  aria-invalid={shown("apiKey") !== undefined}
                  type="password"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder={keySaved ? "•••••••• (saved)" : "sk-…"}
                  value={draft.apiKey}
                  onChange={(event) => change({ apiKey: event.target.value })}
                />
              )}
            </Field>
          ) : null}

          {choice.id !== "claude" ? (
            <Field
              label={choice.modelRequired ? "Model" : "Model (optional)"}
              error={shown("model")}
              hint={
                choice.id === "ollama"
                  ? "A model you have pulled (`ollama pull qwen2.5-coder`); a coding model with tool calls works best."
                  : choice.modelRequired
                    ? "Every agent role uses it; per-role models are in Settings."
                    : `Empty: ${choice.modelPlaceholder}.`
              }
            >
              {(id, describedBy) => (
                <Input
                  id={id}
                  aria-describedby={describedBy}
                  aria-invalid={shown("model") !== undefined}
                  spellCheck={false}
                  placeholder={choice.modelPlaceholder}
                  value={draft.model}
                  onChange={(event) => change({ model: event.target.value })}
                />
              )}
            </Field>
          ) : null}

          <TestResult
            pending={test.isPending}
            result={test.data}
            error={test.isError ? errorMessage(test.error) : undefined}
          />
          {save.isError ? (
            <p role="alert" className="text-sm text-status-failed">
              The settings could not be saved: {errorMessage(save.error)}
            </p>
          ) : null}

          <div className="flex flex-wrap items-center gap-2 pt-1">
            <Button onClick={runTest} disabled={test.isPending}>
              <PlugZap aria-hidden />
              {test.isPending ? "Testing…" : "Test connection"}
            </Button>
            <Button type="submit" variant="primary" disabled={save.isPending} className="ml-auto">
              {save.isPending ? "Saving…" : "Save and continue"}
            </Button>
          </div>
        </form>
      </div>
    </Card>
  );
}

function TestResult(props: {
  readonly pending: boolean;
  readonly result: { ok: boolean; message: string; latencyMs: number } | undefined;
  readonly error: string | undefined;
}) {
  if (props.pending)
    return (
      <p role="status" className="text-sm text-muted">
        Testing the connection…
      </p>
    );
  if (props.error !== undefined)
    return (
      <p role="alert" className="text-sm text-status-failed">
        The test could not run: {props.error}
      </p>
    );
  if (props.result === undefined) return null;
  const { ok, message, latencyMs } = props.result;
  const Icon = ok ? CheckCircle2 : XCircle;
  return (
    <div
      role="status"
      data-testid="provider-test-result"
      className={cn(
        "flex items-start gap-2 rounded-lg border px-3 py-2 text-sm",
        ok ? "border-status-done/40 bg-status-soft-done" : "border-status-failed/40 bg-status-soft-failed",
      )}
    >
      <Icon
        className={cn("mt-0.5 size-4 shrink-0", ok ? "text-status-done" : "text-status-failed")}
        aria-hidden
      />
      <p className="min-w-0 break-words">
        <span className="font-medium">{ok ? "Connection works" : "Connection failed"}</span>
        <span className="text-muted"> · {latencyMs} ms</span>
        <br />
        {message}
      </p>
    </div>
  );
}
