/**
 * @autowright/agent-runtime: the worker process of one agent session, its runtimes (Claude Agent SDK, the AI SDK
 * tool loop), their tools and confinement, the command policy, and the prompts. Never touches the database.
 */
export { stateForTool, summarizeToolInput } from "./agent-state.ts";
export type { FrameBody, FrameHandlers } from "./frame-channel.ts";
export { frameWriter, readFrames } from "./frame-channel.ts";
export type {
  CommandPolicy,
  CredentialLocations,
  CredentialStore,
  PolicyDecision,
} from "./policy/command-policy.ts";
export { CredentialStores, credentialStores, loadCommandPolicy } from "./policy/command-policy.ts";
export { isProcessLive, processTable } from "./process-table.ts";
export type { CommandResult, RunOptions } from "./process-tracker.ts";
export { ProcessTracker } from "./process-tracker.ts";
export { loadPromptTemplate, scaffoldPrompts } from "./prompts/prompt-files.ts";
export type { SessionPromptInput } from "./prompts/session-prompt.ts";
export { buildSessionPrompt, describeFeature } from "./prompts/session-prompt.ts";
export type { PromptRole } from "./prompts/templates.ts";
export { promptFileNames, promptTemplates, renderPrompt } from "./prompts/templates.ts";
export type { ProviderFailure } from "./provider-errors.ts";
export { classifyProviderError, resetTimeFromHeaders } from "./provider-errors.ts";
export type { Redactor } from "./redaction.ts";
export { commandEnvironment, createRedactor, isSecretName, redactedMarker } from "./redaction.ts";
export type { AgentRuntime, BacklogCallResult, RuntimeResult, SessionContext } from "./runtime.ts";
export { backlogToolsByRole, ToolActivity } from "./runtime.ts";
export { backlogServerName, createClaudeRuntime } from "./runtimes/claude-runtime.ts";
export { selectRuntime } from "./runtimes/select-runtime.ts";
export type { ToolLoopModelOptions } from "./runtimes/tool-loop-runtime.ts";
export { createLanguageModel, createToolLoopRuntime } from "./runtimes/tool-loop-runtime.ts";
export type { SecurityLayers } from "./sandbox.ts";
export {
  credentialStoreMasks,
  describeLayers,
  findExecutable,
  sandboxedCommand,
  securityLayers,
  writableFolders,
} from "./sandbox.ts";
export {
  emptySandboxPlaceholders,
  placeholderSnapshot,
  removeEmptySandboxFolders,
  removeSandboxPlaceholders,
  removeScrubModeExcludes,
  sandboxPlaceholderNames,
} from "./sandbox-placeholders.ts";
export { isInside, resolveInside, resolveWritableInside } from "./tools/confinement.ts";
export { createWorkspaceTools, globToRegExp } from "./tools/workspace-tools.ts";
export type { PreparedRuntime, WorkerOptions } from "./worker.ts";
export { outcomeOf, runWorker } from "./worker.ts";
