/**
 * The one provider table: for each provider, the runtime that runs its sessions, its default model per role, the
 * environment variables that hold its credentials and base URL, and where the cost of a session comes from. A new
 * provider is a row here (plus its runtime, if it needs a new one); the runtime selection, the default models, the
 * worker environment, the redaction of credentials and the budget check all read this table.
 */

import { priceOf } from "./prices.ts";
import type { Provider, Settings } from "./project.ts";
import type { OrchestratedRole } from "./session.ts";

/** One provider's description. */
export interface ProviderDescription {
  /**
   * Which runtime runs its sessions: the Claude Agent SDK (Claude Code), the built-in tool loop on an Anthropic or
   * an OpenAI-compatible wire, or the scripted offline model (which drives either runtime).
   */
  readonly runtime: "claude-code" | "tool-loop" | "replay";
  /** The wire of the tool loop (when `runtime` is `tool-loop`). */
  readonly wire?: "anthropic" | "openai-compatible";
  /** The model of each role when the settings name none. */
  readonly defaultModels: Readonly<Record<OrchestratedRole, string>>;
  /** Variables that hold its credentials: the runtime reads them, agents' commands never see them. */
  readonly credentialVariables: readonly string[];
  /** The variable of its base URL (the `baseUrl` setting fills it when unset), or null when it has none. */
  readonly baseUrlVariable: string | null;
  /**
   * Where a session's cost comes from: `runtime` (the runtime reports it, as Claude Code does) or `price-table`
   * (the tokens priced by `modelPrices` and the `modelPrices` setting; a model without a price has an unknown cost).
   */
  readonly priceSource: "runtime" | "price-table";
}

function sameModel(model: string): Record<OrchestratedRole, string> {
  return { initializer: model, coding: model, testing: model };
}

/** Every provider, described. */
export const providerTable: Readonly<Record<Provider, ProviderDescription>> = {
  claude: {
    runtime: "claude-code",
    defaultModels: sameModel("claude-sonnet-4-5"),
    credentialVariables: ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"],
    baseUrlVariable: "ANTHROPIC_BASE_URL",
    priceSource: "runtime",
  },
  anthropic: {
    runtime: "tool-loop",
    wire: "anthropic",
    defaultModels: sameModel("claude-sonnet-4-5"),
    credentialVariables: ["ANTHROPIC_API_KEY"],
    baseUrlVariable: "ANTHROPIC_BASE_URL",
    priceSource: "price-table",
  },
  "openai-compatible": {
    runtime: "tool-loop",
    wire: "openai-compatible",
    defaultModels: sameModel("qwen2.5-coder"),
    credentialVariables: ["OPENAI_API_KEY"],
    baseUrlVariable: "OPENAI_BASE_URL",
    priceSource: "price-table",
  },
  replay: {
    runtime: "replay",
    defaultModels: sameModel("scripted"),
    credentialVariables: [],
    baseUrlVariable: null,
    priceSource: "price-table",
  },
};

/** The model a role runs when the settings name none. */
export function defaultModel(provider: Provider, role: OrchestratedRole): string {
  return providerTable[provider].defaultModels[role];
}

/** The credential variables of every provider (for redaction and the scrubbed command environment). */
export const providerCredentialNames: readonly string[] = [
  ...new Set(Object.values(providerTable).flatMap((description) => description.credentialVariables)),
];

/** The model a role of a run uses: the override, else the role's setting, else the provider's default. */
export function modelOfRole(
  provider: Provider,
  settings: Pick<Settings, "models">,
  role: OrchestratedRole,
  override?: string,
): string {
  return override ?? settings.models[role] ?? defaultModel(provider, role);
}

/** The model of each role of a run ({@link modelOfRole}). */
export function modelsOfRun(
  provider: Provider,
  settings: Pick<Settings, "models">,
  override?: string,
): Record<OrchestratedRole, string> {
  const model = (role: OrchestratedRole): string => modelOfRole(provider, settings, role, override);
  return { initializer: model("initializer"), coding: model("coding"), testing: model("testing") };
}

/**
 * The models of a run whose cost cannot be known (no price in the table or the `modelPrices` setting, and a
 * provider whose runtime does not report cost). Empty when every session of the run can be priced.
 */
export function unpricedModels(
  provider: Provider,
  settings: Pick<Settings, "models" | "modelPrices">,
  override?: string,
): string[] {
  if (providerTable[provider].priceSource === "runtime") return [];
  const models = Object.values(modelsOfRun(provider, settings, override));
  return [...new Set(models.filter((model) => priceOf(model, settings.modelPrices) === null))];
}
