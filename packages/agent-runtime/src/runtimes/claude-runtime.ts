/**
 * The Claude runtime: the Claude Agent SDK, which runs the Claude Code binary bundled in its npm package (users
 * install nothing else). Every tool call passes a PreToolUse hook: shell commands go through the command policy,
 * file tools must stay inside the working tree. Claude Code gets its own config directory per session and no
 * settings sources, so the user's ~/.claude and the project's CLAUDE.md are neither read nor written.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import {
  createSdkMcpServer,
  type HookJSONOutput,
  type McpSdkServerConfigWithInstance,
  type PostToolUseHookInput,
  type PreToolUseHookInput,
  query,
  type SDKMessage,
  tool,
} from "@anthropic-ai/claude-agent-sdk";
import { backlogToolDescriptions, backlogToolInputSchemas } from "@autowright/protocol";
import type { z } from "zod";
import { classifyProviderError } from "../provider-errors.ts";
import { redactDeep } from "../redaction.ts";
import {
  type AgentRuntime,
  backlogToolsByRole,
  type RuntimeResult,
  type SessionContext,
  ToolActivity,
} from "../runtime.ts";
import { securityLayers } from "../sandbox.ts";
import { placeholderSnapshot, removeSandboxPlaceholders } from "../sandbox-placeholders.ts";
import { resolveInside, resolveWritableInside } from "../tools/confinement.ts";

/** The name of the in-process MCP server that carries the backlog tools (`mcp__backlog__<tool>`). */
export const backlogServerName = "backlog";

const pathKeys = ["file_path", "path", "notebook_path"] as const;
const writingTools = new Set(["Write", "Edit", "MultiEdit", "NotebookEdit"]);
const deniedTools: Record<string, string> = {
  WebFetch: "the agents have no network access beyond the project; work from the repository",
  WebSearch: "the agents have no network access beyond the project; work from the repository",
};

function backlogServer(context: SessionContext): McpSdkServerConfigWithInstance {
  const tools = backlogToolsByRole[context.start.role].map((name) => {
    const schema = backlogToolInputSchemas[name] as unknown as z.ZodObject;
    return tool(name, backlogToolDescriptions[name], schema.shape, async (input) => {
      const answer = await context.callBacklogTool(name, input);
      return answer.ok
        ? { content: [{ type: "text", text: JSON.stringify(answer.result) }] }
        : { content: [{ type: "text", text: JSON.stringify({ error: answer.error }) }], isError: true };
    });
  });
  return createSdkMcpServer({ name: backlogServerName, version: "1.0.0", tools });
}

/** A guard's verdict on one tool call. */
export interface ToolVerdict {
  readonly decision: "allow" | "deny";
  readonly reason: string;
}

function decide(decision: "allow" | "deny", reason: string): ToolVerdict {
  return { decision, reason };
}

function asHookOutput(verdict: ToolVerdict): HookJSONOutput {
  return {
    hookSpecificOutput: {
      hookEventName: "PreToolUse",
      permissionDecision: verdict.decision,
      permissionDecisionReason: verdict.reason,
    },
  };
}

/** The guard every tool call passes (as a PreToolUse hook, and as canUseTool should a prompt be needed). */
export function toolGuard(context: SessionContext): (name: string, input: unknown) => ToolVerdict {
  return (name, rawInput) => {
    const toolInput = (rawInput ?? {}) as Record<string, unknown>;
    const refusal = deniedTools[name];
    if (refusal !== undefined) return decide("deny", refusal);
    if (name === "Bash") {
      const command = typeof toolInput["command"] === "string" ? toolInput["command"] : "";
      const verdict = context.policy.judge(command, { ownedPids: context.processes.ownedPids() });
      return decide(verdict.decision, verdict.reason);
    }
    for (const key of pathKeys) {
      const value = toolInput[key];
      if (typeof value !== "string") continue;
      try {
        if (writingTools.has(name)) resolveWritableInside(context.start.cwd, value);
        else resolveInside(context.start.cwd, value);
      } catch (error) {
        return decide("deny", (error as Error).message);
      }
    }
    return decide("allow", "allowed");
  };
}

/** A per-session Claude Code config directory, carrying over only the user's login (for subscriptions). */
function sessionConfigDirectory(environment: NodeJS.ProcessEnv): string {
  const directory = mkdtempSync(join(tmpdir(), "autowright-claude-"));
  const userDirectory = environment["CLAUDE_CONFIG_DIR"] ?? join(homedir(), ".claude");
  const credentials = join(userDirectory, ".credentials.json");
  if (existsSync(credentials)) copyFileSync(credentials, join(directory, ".credentials.json"));
  return directory;
}

/** The Claude Agent SDK runtime. */
export function createClaudeRuntime(): AgentRuntime {
  return {
    name: "claude",
    async run(context) {
      const { start } = context;
      const activity = new ToolActivity(context.emit, context.redact);
      const configDirectory = sessionConfigDirectory(context.env);
      const abortController = new AbortController();
      const onAbort = (): void => abortController.abort();
      context.signal.addEventListener("abort", onAbort, { once: true });
      const guard = toolGuard(context);
      let result: RuntimeResult | undefined;
      let lastText = "";
      let rateLimit: { resetAt: string | null; message: string } | undefined;
      let authFailure: string | undefined;
      // What the sandbox may create in the working directory (empty bind-mount targets) must not outlive the session.
      const placeholders = placeholderSnapshot(start.cwd);
      try {
        const messages = query({
          prompt: start.prompt,
          options: {
            cwd: start.cwd,
            model: start.model,
            abortController,
            settingSources: [],
            maxTurns: start.limits.maxTurns ?? 200,
            mcpServers: { [backlogServerName]: backlogServer(context) },
            env: {
              ...context.env,
              CLAUDE_CONFIG_DIR: configDirectory,
              CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
              ENABLE_TOOL_SEARCH: "false",
              DISABLE_AUTOUPDATER: "1",
              ...(securityLayers(context.env).claudeSandbox ? { CLAUDE_CODE_SUBPROCESS_ENV_SCRUB: "1" } : {}),
            },
            hooks: {
              PreToolUse: [
                {
                  hooks: [
                    async (input) => {
                      const hookInput = input as PreToolUseHookInput;
                      return asHookOutput(guard(hookInput.tool_name, hookInput.tool_input));
                    },
                  ],
                },
              ],
              PostToolUse: [
                {
                  hooks: [
                    async (input) => {
                      const response = (input as PostToolUseHookInput).tool_response;
                      const redacted = redactDeep(response, context.redact);
                      return redacted === response
                        ? {}
                        : {
                            hookSpecificOutput: { hookEventName: "PostToolUse", updatedToolOutput: redacted },
                          };
                    },
                  ],
                },
              ],
            },
            canUseTool: async (name, input) => {
              const verdict = guard(name, input);
              return verdict.decision === "allow"
                ? { behavior: "allow", updatedInput: input }
                : { behavior: "deny", message: verdict.reason };
            },
            stderr: (data) => {
              const line = context.redact(data.trimEnd());
              if (line !== "") context.emit({ type: "log", level: "debug", line });
            },
          },
        });
        for await (const message of messages) {
          const outcome = handleMessage(message, context, activity);
          if (outcome.text !== undefined) lastText = outcome.text;
          if (outcome.rateLimit !== undefined) rateLimit = outcome.rateLimit;
          if (outcome.authFailure !== undefined) authFailure = outcome.authFailure;
          if (outcome.result !== undefined) result = outcome.result;
        }
      } catch (error) {
        if (!context.signal.aborted) {
          const failure = classifyProviderError(error);
          result =
            failure.kind === "rate_limited"
              ? { kind: "rate_limited", summary: failure.message, resetAt: failure.resetAt }
              : failure.kind === "auth_failed"
                ? { kind: "auth_failed", summary: failure.message }
                : { kind: "failed", summary: context.redact(failure.message) };
        }
      } finally {
        context.signal.removeEventListener("abort", onAbort);
        rmSync(configDirectory, { recursive: true, force: true });
        try {
          const removed = removeSandboxPlaceholders(start.cwd, placeholders);
          if (removed.length > 0)
            context.emit({
              type: "log",
              level: "info",
              line: `removed the sandbox's empty placeholders: ${removed.join(", ")}`,
            });
        } catch (error) {
          context.emit({
            type: "log",
            level: "warn",
            line: `could not remove the sandbox's placeholders: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
      }
      if (rateLimit !== undefined)
        return { kind: "rate_limited", summary: rateLimit.message, resetAt: rateLimit.resetAt };
      if (authFailure !== undefined) return { kind: "auth_failed", summary: context.redact(authFailure) };
      if (context.signal.aborted) return { kind: "failed", summary: "the session was stopped" };
      return result ?? { kind: "failed", summary: lastText.trim() || "Claude Code ended without a result" };
    },
  };
}

interface MessageOutcome {
  text?: string;
  rateLimit?: { resetAt: string | null; message: string };
  authFailure?: string;
  result?: RuntimeResult;
}

function handleMessage(message: SDKMessage, context: SessionContext, activity: ToolActivity): MessageOutcome {
  const outcome: MessageOutcome = {};
  switch (message.type) {
    case "assistant": {
      if (message.error === "rate_limit")
        outcome.rateLimit = { resetAt: null, message: "the model provider's rate limit was reached" };
      if (message.error === "authentication_failed" || message.error === "oauth_org_not_allowed") {
        outcome.authFailure = "the model provider refused the credentials";
      }
      for (const block of message.message.content) {
        if (block.type === "text" && block.text.trim() !== "") {
          context.emit({ type: "text", text: context.redact(block.text) });
          activity.thought(block.text);
          outcome.text = block.text;
        } else if (block.type === "tool_use") {
          activity.called(block.id, block.name, block.input);
        }
      }
      break;
    }
    case "user": {
      const content = message.message.content;
      if (Array.isArray(content)) {
        for (const block of content) {
          if (typeof block === "object" && block !== null && block.type === "tool_result") {
            const isError = block.is_error === true;
            const text = typeof block.content === "string" ? block.content : undefined;
            activity.ended(block.tool_use_id, !isError, isError ? (text ?? "the tool failed") : undefined);
          }
        }
      }
      break;
    }
    case "rate_limit_event": {
      const info = message.rate_limit_info;
      if (info.status === "rejected") {
        outcome.rateLimit = {
          resetAt: info.resetsAt === undefined ? null : new Date(info.resetsAt * 1_000).toISOString(),
          message: `usage limit reached${info.rateLimitType === undefined ? "" : ` (${info.rateLimitType})`}`,
        };
      }
      break;
    }
    case "result": {
      const usage = message.usage as { input_tokens?: number; output_tokens?: number };
      context.emit({
        type: "usage",
        inputTokens: usage.input_tokens ?? 0,
        outputTokens: usage.output_tokens ?? 0,
        costUsd: message.total_cost_usd,
      });
      if (message.subtype === "success") {
        outcome.result = message.is_error
          ? { kind: "failed", summary: context.redact(message.result).slice(0, 2_000) }
          : {
              kind: "completed",
              summary: context.redact(message.result).slice(0, 2_000) || "the agent finished",
            };
      } else if (message.subtype === "error_max_turns") {
        outcome.result = { kind: "completed", summary: "the agent reached its turn limit" };
      } else {
        outcome.result = {
          kind: "failed",
          summary: context.redact(message.errors.join("; ")).slice(0, 2_000) || message.subtype,
        };
      }
      break;
    }
    default:
      break;
  }
  return outcome;
}
