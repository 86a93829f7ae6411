/**
 * Which runtime runs a session: `claude` → the Claude Agent SDK; `anthropic` and `openai-compatible` → the
 * built-in tool loop; `replay` → either of them against a scripted model server started for the session, so the
 * real worker and runtime run offline (tests, demos, benchmarks).
 */

import type { WorkerStartFrame } from "@autowright/protocol";
import { defaultReplayScript, sessionVariables, startScriptedModelServer } from "@autowright/scripted-model";
import type { PreparedRuntime } from "../worker.ts";
import { createClaudeRuntime } from "./claude-runtime.ts";
import { createToolLoopRuntime } from "./tool-loop-runtime.ts";

/** Picks and prepares the runtime for a session. */
export async function selectRuntime(
  start: WorkerStartFrame,
  _env: NodeJS.ProcessEnv,
): Promise<PreparedRuntime> {
  switch (start.provider) {
    case "claude":
      return { runtime: createClaudeRuntime() };
    case "anthropic":
    case "openai-compatible":
      return { runtime: createToolLoopRuntime() };
    case "replay":
      return prepareReplay(start);
  }
}

async function prepareReplay(start: WorkerStartFrame): Promise<PreparedRuntime> {
  const runtimeName = start.replay?.runtime ?? "loop";
  const wire = runtimeName === "claude" ? "anthropic" : "openai";
  const features = start.features ?? start.featureIds.map((id) => ({ id, name: `Feature ${id}` }));
  const server = await startScriptedModelServer({
    wire,
    script: defaultReplayScript({ wire, toolStyle: runtimeName === "claude" ? "claude-code" : "autowright" }),
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
