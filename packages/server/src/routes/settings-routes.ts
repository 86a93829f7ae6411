/**
 * Settings (secrets write-only: their values are stored with 0600 permissions and never returned), providers, and
 * the provider connection test (which saves nothing and never echoes nor logs a key).
 */
import {
  AppError,
  defaultModel,
  type Provider,
  type ProviderTestRequest,
  type ProviderTestResponse,
  providerCredentialNames,
  providerSchema,
  providersResponseSchema,
  providerTable,
  providerTestRequestSchema,
  providerTestResponseSchema,
  type Settings,
  settingsPatchRequestSchema,
  settingsResponseSchema,
} from "@autowright/protocol";
import { readSecrets, writeSecrets } from "@autowright/store";
import type { HttpApp } from "../http-app.ts";
import type { ServerServices } from "../server-services.ts";

/** The routes. */
export function settingsRoutes(services: ServerServices): (app: HttpApp) => void {
  const secretsState = () => {
    const stored = readSecrets(services.home);
    return Object.fromEntries(
      providerCredentialNames.map((name) => [name, { set: stored[name] !== undefined }]),
    );
  };
  return (app) => {
    app.get(
      "/api/settings",
      {
        schema: {
          tags: ["settings"],
          summary: "The settings, and which secrets are set (never their values)",
          response: { 200: settingsResponseSchema },
        },
      },
      async () => ({ settings: services.registry.getSettings(), secrets: secretsState() }),
    );
    app.patch(
      "/api/settings",
      {
        schema: {
          tags: ["settings"],
          summary: "Change settings, and set (a string) or remove (null) secrets; all or nothing",
          body: settingsPatchRequestSchema,
          response: { 200: settingsResponseSchema },
        },
      },
      async (request) => {
        const { secrets, ...patch } = request.body;
        const unknown = Object.keys(secrets ?? {}).filter((name) => !providerCredentialNames.includes(name));
        if (unknown.length > 0) {
          throw new AppError(
            "invalid_input",
            `unknown secrets: ${unknown.join(", ")}; use ${providerCredentialNames.join(", ")}`,
          );
        }
        if (Object.keys(patch).length > 0) services.registry.updateSettings(patch);
        if (secrets !== undefined && Object.keys(secrets).length > 0) writeSecrets(services.home, secrets);
        return { settings: services.registry.getSettings(), secrets: secretsState() };
      },
    );
    app.get(
      "/api/providers",
      {
        schema: {
          tags: ["settings"],
          summary: "Each provider: its runtime, default models, credentials needed and whether they are set",
          response: { 200: providersResponseSchema },
        },
      },
      async () => {
        const stored = readSecrets(services.home);
        return {
          providers: providerSchema.options.map((id: Provider) => {
            const row = providerTable[id];
            return {
              id,
              runtime: row.runtime,
              ...(row.wire === undefined ? {} : { wire: row.wire }),
              defaultModels: { ...row.defaultModels },
              credentialVariables: [...row.credentialVariables],
              credentialsSet:
                row.credentialVariables.length === 0 ||
                row.credentialVariables.some(
                  (name) => stored[name] !== undefined || process.env[name] !== undefined,
                ),
              baseUrlVariable: row.baseUrlVariable,
              priceSource: row.priceSource,
            };
          }),
        };
      },
    );
    app.post(
      "/api/providers/test",
      {
        schema: {
          tags: ["settings"],
          summary:
            "Test a provider's connection without saving anything (the key in the body, else the saved one); a failure is ok: false",
          body: providerTestRequestSchema,
          response: { 200: providerTestResponseSchema },
        },
      },
      async (request) =>
        testProviderConnection(request.body, {
          secrets: readSecrets(services.home),
          environment: process.env,
          settings: services.registry.getSettings(),
        }),
    );
  };
}

/** How long a connection test waits for an answer. */
export const providerTestTimeoutMs = 10_000;

/** Where a connection test finds what the body does not say. */
export interface ProviderTestContext {
  readonly secrets: Readonly<Record<string, string>>;
  readonly environment: NodeJS.ProcessEnv;
  readonly settings: Pick<Settings, "baseUrl">;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

const anthropicDefaultBaseUrl = "https://api.anthropic.com";

/**
 * Tests a provider's connection: Anthropic wires send a one-token message, OpenAI-compatible ones list the
 * models, `claude` only says which credential Claude Code will use (nothing is spawned), `replay` needs nothing.
 * Every failure is an answer (`ok: false`) with a readable message; the key never appears in it.
 */
export async function testProviderConnection(
  body: ProviderTestRequest,
  context: ProviderTestContext,
): Promise<ProviderTestResponse> {
  const description = providerTable[body.provider];
  const credential = (): { name: string; value: string } | undefined => {
    if (body.apiKey !== undefined) return { name: "the key you entered", value: body.apiKey };
    for (const name of description.credentialVariables) {
      const value = context.secrets[name] ?? nonEmpty(context.environment[name]);
      if (value !== undefined) return { name, value };
    }
    return undefined;
  };
  const baseUrl =
    body.baseUrl ??
    (description.baseUrlVariable === null
      ? undefined
      : nonEmpty(context.environment[description.baseUrlVariable])) ??
    context.settings.baseUrl ??
    undefined;
  const model = body.model ?? defaultModel(body.provider, "coding");
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  const answer = (ok: boolean, message: string, withModel?: string): ProviderTestResponse => ({
    ok,
    message,
    latencyMs: elapsed(),
    ...(withModel === undefined ? {} : { model: withModel }),
  });

  if (description.runtime === "replay")
    return answer(true, "The offline demo model needs no connection and no key.", model);
  if (description.runtime === "claude-code") {
    const found = credential();
    if (found === undefined)
      return answer(
        true,
        "No API key or token is set: Claude Code will use your `claude` login: run `claude` once to log in.",
      );
    if (body.apiKey === undefined) return answer(true, `Claude Code will use ${found.name}, which is set.`);
    return anthropicTest(baseUrl ?? anthropicDefaultBaseUrl, found.value, model, context, answer);
  }
  if (description.wire === "anthropic") {
    const found = credential();
    if (found === undefined)
      return answer(false, `No API key: enter one, or set ${description.credentialVariables.join(" or ")}.`);
    return anthropicTest(baseUrl ?? anthropicDefaultBaseUrl, found.value, model, context, answer);
  }
  if (baseUrl === undefined)
    return answer(
      false,
      "No base URL: enter the server's OpenAI-compatible URL (Ollama: http://127.0.0.1:11434/v1).",
    );
  return openaiModelsTest(baseUrl, credential()?.value, body.model, context, answer);
}

type Answer = (ok: boolean, message: string, model?: string) => ProviderTestResponse;

async function anthropicTest(
  baseUrl: string,
  apiKey: string,
  model: string,
  context: ProviderTestContext,
  answer: Answer,
): Promise<ProviderTestResponse> {
  const url = joinUrl(baseUrl.replace(/\/+$/, "").replace(/(?<!\/v1)$/, "/v1"), "messages");
  const result = await send(
    url,
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "x-api-key": apiKey,
      },
      body: JSON.stringify({ model, max_tokens: 1, messages: [{ role: "user", content: "ping" }] }),
    },
    context,
  );
  if (result.kind === "failed") return answer(false, redact(result.message, apiKey));
  if (result.status >= 200 && result.status < 300)
    return answer(true, `Connected to ${originOf(url)}: ${model} answered.`, model);
  return answer(false, redact(httpFailure(url, result.status, result.text), apiKey), model);
}

async function openaiModelsTest(
  baseUrl: string,
  apiKey: string | undefined,
  model: string | undefined,
  context: ProviderTestContext,
  answer: Answer,
): Promise<ProviderTestResponse> {
  const url = joinUrl(baseUrl, "models");
  const result = await send(
    url,
    {
      method: "GET",
      headers: {
        accept: "application/json",
        ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }),
      },
    },
    context,
  );
  const clean = (message: string) => (apiKey === undefined ? message : redact(message, apiKey));
  if (result.kind === "failed") return answer(false, clean(result.message));
  if (result.status < 200 || result.status >= 300)
    return answer(false, clean(httpFailure(url, result.status, result.text)));
  const models = modelIds(result.text);
  if (models === undefined)
    return answer(
      false,
      `${url} answered, but not with an OpenAI-compatible model list: is the base URL right?`,
    );
  const listed = `${models.length} ${models.length === 1 ? "model" : "models"}`;
  if (model === undefined)
    return answer(true, `Connected to ${originOf(url)}: ${listed} available.`, models[0]);
  const found = models.find((id) => id === model) ?? models.find((id) => id.startsWith(`${model}:`));
  if (found !== undefined)
    return answer(true, `Connected to ${originOf(url)}: ${found} is available.`, found);
  const sample = models.slice(0, 5).join(", ");
  return answer(
    false,
    `Connected to ${originOf(url)}, but ${model} is not among its ${listed}${sample === "" ? "" : ` (${sample}${models.length > 5 ? ", …" : ""})`}${
      /:11434\b/.test(url) ? `: run \`ollama pull ${model}\`` : ""
    }.`,
  );
}

type SendResult =
  | { readonly kind: "answered"; readonly status: number; readonly text: string }
  | { readonly kind: "failed"; readonly message: string };

async function send(url: string, init: RequestInit, context: ProviderTestContext): Promise<SendResult> {
  const parsed = parseUrl(url);
  if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
    return { kind: "failed", message: `${url} is not an http(s) URL.` };
  const timeoutMs = context.timeoutMs ?? providerTestTimeoutMs;
  try {
    const response = await (context.fetch ?? fetch)(url, {
      ...init,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = (await response.text()).slice(0, 64 * 1024);
    return { kind: "answered", status: response.status, text };
  } catch (error) {
    return { kind: "failed", message: networkFailure(url, error, timeoutMs) };
  }
}

function networkFailure(url: string, error: unknown, timeoutMs: number): string {
  const origin = originOf(url);
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return `No answer from ${origin} within ${Math.round(timeoutMs / 1000)} s.`;
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? cause.code : undefined;
  switch (code) {
    case "ECONNREFUSED":
      return `Nothing listens at ${origin}: is the server running?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `The host ${parseUrl(url)?.hostname ?? origin} cannot be found.`;
    case "ECONNRESET":
      return `${origin} closed the connection.`;
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return `No answer from ${origin} within ${Math.round(timeoutMs / 1000)} s.`;
    default: {
      const reason =
        typeof cause?.message === "string"
          ? cause.message
          : error instanceof Error
            ? error.message
            : String(error);
      return `Cannot reach ${origin}: ${reason}`;
    }
  }
}

function httpFailure(url: string, status: number, text: string): string {
  const detail = upstreamMessage(text);
  const suffix = detail === undefined ? "" : `: ${detail}`;
  if (status === 401 || status === 403) return `The key was refused (HTTP ${status})${suffix}.`;
  if (status === 404) return `${url} answered HTTP 404${suffix}: is the base URL (or the model) right?`;
  if (status === 429) return `Rate-limited (HTTP 429)${suffix}: the server is there, try again later.`;
  if (status >= 300 && status < 400) return `${url} redirects (HTTP ${status}): use the final URL.`;
  return `${url} answered HTTP ${status}${suffix}.`;
}

/** The error message an API put in its body (Anthropic and OpenAI both use `{ error: { message } }`). */
function upstreamMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message =
      typeof parsed.error === "string"
        ? parsed.error
        : typeof parsed.error?.message === "string"
          ? parsed.error.message
          : typeof parsed.message === "string"
            ? parsed.message
            : undefined;
    return message === undefined ? undefined : message.replace(/\s+/g, " ").trim().slice(0, 300);
  } catch {
    return undefined;
  }
}

function modelIds(text: string): string[] | undefined {
  try {
    const parsed = JSON.parse(text) as { data?: unknown };
    if (!Array.isArray(parsed.data)) return undefined;
    return parsed.data.flatMap((entry: unknown) =>
      typeof entry === "object" && entry !== null && typeof (entry as { id?: unknown }).id === "string"
        ? [(entry as { id: string }).id]
        : [],
    );
  } catch {
    return undefined;
  }
}

/** A key never leaves the server, even when an upstream error message quotes it. */
function redact(message: string, secret: string): string {
  return secret.length < 4 ? message : message.split(secret).join("[key]");
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path}`;
}

function originOf(url: string): string {
  return parseUrl(url)?.origin ?? url;
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
