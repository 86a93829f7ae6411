/**
 * Which model a chat talks to: the provider of the settings, with credentials and base URL from the server's
 * environment (the provider table names the variables). `replay` starts a scripted model server for the turn,
 * so chats run offline in tests and demos. The credentials stay here: they never reach a chat's history or frames.
 */
import { createLanguageModel, type ToolLoopModelOptions } from "@autowright/agent-runtime";
import { AppError, type ChatKind, defaultModel, providerTable, type Settings } from "@autowright/protocol";
import { type ModelScript, startScriptedModelServer } from "@autowright/scripted-model";
import type { LanguageModel } from "ai";
import { defaultChatReplayScript } from "./replay-scripts.ts";

/** The model of one turn; dispose it when the turn is over. */
export interface ChatModelHandle {
  readonly model: LanguageModel;
  dispose(): Promise<void>;
}

/** Opens the model for one turn of a chat. */
export type ChatModelSource = (kind: ChatKind, chatId: string) => Promise<ChatModelHandle>;

/** Options of {@link settingsModelSource}. */
export interface SettingsModelSourceOptions {
  readonly settings: () => Settings;
  /** The server's environment, where the credentials are. */
  readonly environment: () => NodeJS.ProcessEnv;
  /** The script a `replay` chat plays (default: {@link defaultChatReplayScript}). */
  readonly replayScript?: (kind: ChatKind) => ModelScript;
}

/** The model the chat role of `settings` names: `models.chat`, else the provider's default coding model. */
export function chatModelName(settings: Settings): string {
  return settings.models.chat ?? defaultModel(settings.provider, "coding");
}

/**
 * The tool-loop options of a chat for a provider that is not `replay`. Claude Code runs no chats yet: the
 * `claude` provider's chats use the Anthropic API directly, which needs `ANTHROPIC_API_KEY`.
 */
export function chatModelOptions(settings: Settings, environment: NodeJS.ProcessEnv): ToolLoopModelOptions {
  const description = providerTable[settings.provider];
  const baseUrl =
    (description.baseUrlVariable === null ? undefined : nonEmpty(environment[description.baseUrlVariable])) ??
    settings.baseUrl ??
    undefined;
  const model = chatModelName(settings);
  if (description.runtime === "claude-code") {
    const apiKey = nonEmpty(environment["ANTHROPIC_API_KEY"]);
    if (apiKey === undefined) {
      throw new AppError(
        "invalid_input",
        "chats with the claude provider need ANTHROPIC_API_KEY in the server's environment (a Claude subscription login does not work for chats yet)",
      );
    }
    return { wire: "anthropic", baseUrl, apiKey, model };
  }
  const apiKey = description.credentialVariables
    .map((name) => nonEmpty(environment[name]))
    .find((value) => value !== undefined);
  if (description.wire === "openai-compatible" && baseUrl === undefined) {
    throw new AppError(
      "invalid_input",
      `chats with the ${settings.provider} provider need a base URL (${description.baseUrlVariable ?? "the baseUrl setting"})`,
    );
  }
  return { wire: description.wire ?? "openai-compatible", baseUrl, apiKey, model };
}

/** The model source that follows the settings (read on every turn). */
export function settingsModelSource(options: SettingsModelSourceOptions): ChatModelSource {
  return async (kind, chatId) => {
    const settings = options.settings();
    if (providerTable[settings.provider].runtime === "replay") {
      const server = await startScriptedModelServer({
        wire: "openai",
        script: (options.replayScript ?? defaultChatReplayScript)(kind),
        variables: { chatId },
      });
      return {
        model: createLanguageModel({
          wire: "openai-compatible",
          baseUrl: server.openaiBaseUrl,
          apiKey: "replay",
          model: chatModelName(settings),
        }),
        dispose: () => server.close(),
      };
    }
    return {
      model: createLanguageModel(chatModelOptions(settings, options.environment())),
      dispose: async () => undefined,
    };
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
