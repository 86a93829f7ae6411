/**
 * The built-in tool loop on the Vercel AI SDK: our own confined tools plus the backlog tools, against any
 * OpenAI-compatible server (Ollama, vLLM, LM Studio, OpenRouter…) or the Anthropic API.
 */
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import {
  backlogToolDescriptions,
  backlogToolInputSchemas,
  providerTable,
  type Usage,
} from "@autowright/protocol";
import { dynamicTool, type LanguageModel, stepCountIs, streamText, type ToolSet } from "ai";
import { classifyProviderError } from "../provider-errors.ts";
import { commandEnvironment } from "../redaction.ts";
import {
  type AgentRuntime,
  backlogToolsByRole,
  type RuntimeResult,
  type SessionContext,
  ToolActivity,
} from "../runtime.ts";
import { findExecutable, securityLayers, writableFolders } from "../sandbox.ts";
import { createWorkspaceTools } from "../tools/workspace-tools.ts";

/** Where the loop's model lives. */
export interface ToolLoopModelOptions {
  readonly wire: "openai-compatible" | "anthropic";
  readonly baseUrl: string | undefined;
  readonly apiKey: string | undefined;
  readonly model: string;
}

const defaultMaxTurns = 200;
const defaultCommandTimeoutMs = 10 * 60_000;
const defaultMaxOutputBytes = 30_000;

/** The model of a session from its provider settings (base URLs follow each SDK's conventions). */
export function createLanguageModel(options: ToolLoopModelOptions): LanguageModel {
  if (options.wire === "anthropic") {
    const baseURL =
      options.baseUrl === undefined
        ? undefined
        : options.baseUrl.replace(/\/+$/, "").replace(/(?<!\/v1)$/, "/v1");
    return createAnthropic({ apiKey: options.apiKey ?? "", ...(baseURL === undefined ? {} : { baseURL }) })(
      options.model,
    );
  }
  if (options.baseUrl === undefined) {
    throw new Error(
      "the openai-compatible provider needs a base URL (OPENAI_BASE_URL or the baseUrl setting)",
    );
  }
  return createOpenAICompatible({
    name: "openai-compatible",
    baseURL: options.baseUrl,
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    includeUsage: true,
  }).chatModel(options.model);
}

/** Model options from the session's environment and provider (the provider table names the variables). */
export function modelOptionsFromEnvironment(context: SessionContext): ToolLoopModelOptions {
  const { start, env } = context;
  const description = providerTable[start.provider];
  return {
    wire: description.wire ?? "openai-compatible",
    baseUrl: description.baseUrlVariable === null ? undefined : env[description.baseUrlVariable],
    apiKey: description.credentialVariables.map((name) => env[name]).find((value) => value !== undefined),
    model: start.model,
  };
}

/** The AI SDK tool loop. `modelOptions` defaults to what the session's provider and environment say. */
export function createToolLoopRuntime(
  modelOptions?: (context: SessionContext) => ToolLoopModelOptions,
): AgentRuntime {
  return {
    name: "tool-loop",
    async run(context) {
      const { start } = context;
      const activity = new ToolActivity(context.emit, context.redact);
      let model: LanguageModel;
      try {
        model = createLanguageModel((modelOptions ?? modelOptionsFromEnvironment)(context));
      } catch (error) {
        return { kind: "failed", summary: (error as Error).message };
      }

      const tools: ToolSet = {};
      const workspace = createWorkspaceTools({
        root: start.cwd,
        policy: context.policy,
        processes: context.processes,
        env: commandEnvironment(context.env),
        maxOutputBytes: start.limits.maxOutputBytes ?? defaultMaxOutputBytes,
        commandTimeoutMs: defaultCommandTimeoutMs,
        signal: context.signal,
        sandbox: commandSandbox(context),
      });
      for (const [name, definition] of Object.entries(workspace)) {
        tools[name] = dynamicTool({
          description: definition.description,
          inputSchema: definition.inputSchema,
          execute: async (input: unknown, { toolCallId }: { toolCallId: string }) => {
            activity.called(toolCallId, name, input);
            try {
              const output = await (definition.execute as (value: unknown) => Promise<string>)(input);
              activity.ended(toolCallId, true);
              return context.redact(output);
            } catch (error) {
              const message = context.redact((error as Error).message);
              activity.ended(toolCallId, false, message);
              throw new Error(message);
            }
          },
        });
      }
      for (const name of backlogToolsByRole[start.role]) {
        tools[name] = dynamicTool({
          description: backlogToolDescriptions[name],
          inputSchema: backlogToolInputSchemas[name],
          execute: async (input: unknown, { toolCallId }: { toolCallId: string }) => {
            activity.called(toolCallId, name, input);
            const answer = await context.callBacklogTool(name, input);
            if (!answer.ok) {
              const message = `${answer.error.code}: ${answer.error.message}`;
              activity.ended(toolCallId, false, message);
              throw new Error(message);
            }
            activity.ended(toolCallId, true);
            return JSON.stringify(answer.result);
          },
        });
      }

      let lastText = "";
      let currentText = "";
      // The loop counts tokens; the orchestrator prices them (the price table and the modelPrices setting).
      const usage: Usage = { inputTokens: 0, outputTokens: 0, costUsd: null };
      let streamError: unknown;
      // A provider that never answers (a wrong port, a model still loading) is said as such, not waited on for
      // the no-progress limit: the first answer must come within the provider timeout.
      const firstAnswerMs = providerTimeoutMs(context.env);
      const watched = new AbortController();
      const forward = (): void => watched.abort(context.signal.reason);
      context.signal.addEventListener("abort", forward, { once: true });
      let silentProvider = false;
      const firstAnswer = setTimeout(() => {
        silentProvider = true;
        watched.abort(new Error("the provider did not answer"));
      }, firstAnswerMs);
      try {
        const stream = streamText({
          model,
          prompt: start.prompt,
          tools,
          stopWhen: stepCountIs(start.limits.maxTurns ?? defaultMaxTurns),
          abortSignal: watched.signal,
          maxRetries: 0,
        });
        for await (const part of stream.fullStream) {
          // `start` and `start-step` come before any request: only what the provider sends counts as an answer.
          if (part.type !== "start" && part.type !== "start-step") clearTimeout(firstAnswer);
          switch (part.type) {
            case "text-delta":
              currentText += part.text;
              break;
            case "text-end":
              if (currentText.trim() !== "") {
                context.emit({ type: "text", text: context.redact(currentText) });
                activity.thought(currentText);
                lastText = currentText;
              }
              currentText = "";
              break;
            case "finish-step":
              usage.inputTokens += part.usage.inputTokens ?? 0;
              usage.outputTokens += part.usage.outputTokens ?? 0;
              context.emit({ type: "usage", ...usage });
              break;
            case "error":
              streamError = part.error;
              break;
            default:
              break;
          }
          if (streamError !== undefined) break;
        }
      } catch (error) {
        streamError = error;
      } finally {
        clearTimeout(firstAnswer);
        context.signal.removeEventListener("abort", forward);
      }
      if (silentProvider && !context.signal.aborted) {
        return {
          kind: "failed",
          summary: `the model provider did not answer within ${Math.round(firstAnswerMs / 1_000)} s: check that it is running and that its base URL and model are right (AUTOWRIGHT_PROVIDER_TIMEOUT_MS changes the wait)`,
        };
      }
      if (streamError !== undefined) return failureResult(streamError, context);
      return {
        kind: "completed",
        summary: context.redact(lastText.trim()).slice(0, 2_000) || "the agent finished",
      };
    },
  };
}

/** How long the first answer of the provider may take (`AUTOWRIGHT_PROVIDER_TIMEOUT_MS`, default 120 s). */
function providerTimeoutMs(env: NodeJS.ProcessEnv): number {
  const configured = Number(env["AUTOWRIGHT_PROVIDER_TIMEOUT_MS"]);
  return Number.isFinite(configured) && configured > 0 ? configured : 120_000;
}

/** The OS sandbox for the loop's commands, when bubblewrap is here and not turned off (`AUTOWRIGHT_SANDBOX=off`). */
function commandSandbox(context: SessionContext): { bwrap: string; writable: string[] } | undefined {
  const bwrap = securityLayers(context.env).toolLoopSandbox
    ? findExecutable("bwrap", context.env)
    : undefined;
  return bwrap === undefined
    ? undefined
    : { bwrap, writable: writableFolders(context.start.cwd, context.env) };
}

function failureResult(error: unknown, context: SessionContext): RuntimeResult {
  if (context.signal.aborted) return { kind: "failed", summary: "the session was stopped" };
  const failure = classifyProviderError(error);
  const summary = context.redact(failure.message).slice(0, 2_000);
  if (failure.kind === "rate_limited") return { kind: "rate_limited", summary, resetAt: failure.resetAt };
  if (failure.kind === "auth_failed") return { kind: "auth_failed", summary };
  return { kind: "failed", summary };
}
