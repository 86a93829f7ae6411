/**
 * Which runtime runs a session: `claude` → the Claude Agent SDK; `anthropic` and `openai-compatible` → the
 * built-in tool loop; `replay` → either of them against a scripted model server started for the session, so the
 * real worker and runtime run offline (tests, demos, benchmarks).
 */

import { providerTable, type WorkerStartFrame } from "@autowright/protocol";
import {
  backlogMcpServerName,
  defaultReplayScript,
  type ModelScript,
  parseModelScript,
  sessionVariables,
  startScriptedModelServer,
} from "@autowright/scripted-model";
import type { PreparedRuntime } from "../worker.ts";
import { createClaudeRuntime } from "./claude-runtime.ts";
import { createToolLoopRuntime } from "./tool-loop-runtime.ts";

/** Picks and prepares the runtime for a session. */
export async function selectRuntime(
  start: WorkerStartFrame,
  _env: NodeJS.ProcessEnv,
): Promise<PreparedRuntime> {
  switch (providerTable[start.provider].runtime) {
    case "claude-code":
      return { runtime: createClaudeRuntime() };
    case "tool-loop":
      return { runtime: createToolLoopRuntime() };
    case "replay":
      return prepareReplay(start);
  }
}

async function prepareReplay(start: WorkerStartFrame): Promise<PreparedRuntime> {
  const runtimeName = start.replay?.runtime ?? "loop";
  const wire = runtimeName === "claude" ? "anthropic" : "openai";
  const features = start.features ?? start.featureIds.map((id) => ({ id, name: `Feature ${id}` }));
  const toolStyle = runtimeName === "claude" ? "claude-code" : "autowright";
  const server = await startScriptedModelServer({
    wire,
    script: replayScript(start, wire, toolStyle),
    variables: sessionVariables({ sessionId: start.sessionId, cwd: start.cwd, features }),
    latencyMs: start.replay?.latencyMs ?? 0,
  });
  const dispose = (): Promise<void> => server.close();
  if (runtimeName === "claude") {
    return {
      runtime: createClaudeRuntime(),
      env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: "replay", CLAUDE_CODE_MAX_RETRIES: "0" },
      dispose,
    };
  }
  return {
    runtime: createToolLoopRuntime(() => ({
      wire: "openai-compatible",
      baseUrl: server.openaiBaseUrl,
      apiKey: "replay",
      model: start.model,
    })),
    dispose,
  };
}

/** The replay script of a role: the initializer creates the spec's items, testers re-run tests, coders implement. */
function replayScript(
  start: WorkerStartFrame,
  wire: "anthropic" | "openai",
  toolStyle: "claude-code" | "autowright",
): ModelScript {
  const rateLimitUntil = start.replay?.rateLimitUntil;
  if (rateLimitUntil !== undefined && Date.parse(rateLimitUntil) > Date.now()) {
    return { turns: [{ error: { status: 429, message: "rehearsed rate limit", resetAt: rateLimitUntil } }] };
  }
  if (start.role === "coding" && start.replay?.script !== undefined)
    return parseModelScript(start.replay.script);
  const backlogTool = (name: string): string =>
    toolStyle === "claude-code" ? `mcp__${backlogMcpServerName}__${name}` : name;
  const bash = (command: string) =>
    toolStyle === "claude-code"
      ? { name: "Bash", input: { command, description: "run" } }
      : { name: "bash", input: { command } };
  if (start.role === "initializer") {
    const items = replaySpecItems(start.prompt);
    const packageJson = JSON.stringify(
      { name: "app", private: true, type: "module", scripts: { test: "node --test" } },
      null,
      2,
    );
    const writePackage =
      toolStyle === "claude-code"
        ? { name: "Write", input: { file_path: `${start.cwd}/package.json`, content: `${packageJson}\n` } }
        : { name: "write_file", input: { path: "package.json", content: `${packageJson}\n` } };
    return {
      turns: [
        {
          toolCalls: [
            {
              name: backlogTool("feature_create_bulk"),
              input: {
                features: items.map((name) => ({
                  category: "spec",
                  name,
                  description: name,
                  steps: [`${name} works`],
                })),
              },
            },
          ],
        },
        { toolCalls: [writePackage] },
        { toolCalls: [{ name: backlogTool("project_set_test_command"), input: { command: "npm test" } }] },
        { text: `Created ${items.length} features; the test command is npm test.` },
      ],
    };
  }
  if (start.role === "testing") {
    return {
      turns: [
        {
          forEach: "feature",
          turns: [{ toolCalls: [bash("node --test test/feature-{{feature.id}}.test.js")] }],
        },
        { text: "The features still pass." },
      ],
    };
  }
  return defaultReplayScript({ wire, toolStyle });
}

/** The heading under which the initializer prompt puts the app spec, and the one that follows it. */
const specHeading = /^## The specification[ \t]*$/m;
const afterSpecHeading = /^## What to do[ \t]*$/m;

/**
 * What the replay initializer turns into features: the top-level bullet items (`- item`, `* item`) of the app
 * spec in its prompt, in order. The spec is the prompt's "The specification" section when it has one (the
 * built-in template), else the whole prompt. A spec without bullets gives one "Application skeleton" item.
 */
export function replaySpecItems(prompt: string): string[] {
  let spec = prompt;
  const heading = specHeading.exec(prompt);
  if (heading !== null) {
    spec = prompt.slice(heading.index + heading[0].length);
    const next = afterSpecHeading.exec(spec);
    if (next !== null) spec = spec.slice(0, next.index);
  }
  const items = spec.split(/\r?\n/).flatMap((line) => {
    const item = /^[-*+][ \t]+(.+)$/.exec(line)?.[1]?.trim();
    return item === undefined || item === "" ? [] : [item.slice(0, 255)];
  });
  return items.length > 0 ? items : ["Application skeleton"];
}
