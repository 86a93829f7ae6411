/**
 * @autowright/scripted-model: scripted LLM servers on loopback speaking the Anthropic Messages API and the
 * OpenAI chat-completions API, driven by a zod-validated script with per-session placeholders. Used by tests
 * and by `--provider replay`.
 */
export type {
  AnthropicRequest,
  ServerSentEvent,
} from "./anthropic-wire.ts";
export {
  anthropicErrorBody,
  anthropicErrorHeaders,
  anthropicMessage,
  anthropicRequestSchema,
  anthropicStreamEvents,
  formatServerSentEvent,
} from "./anthropic-wire.ts";
export type { DefaultReplayScriptOptions, ModelWire, ToolStyle } from "./default-script.ts";
export { backlogMcpServerName, defaultReplayScript } from "./default-script.ts";
export type { OpenaiRequest } from "./openai-wire.ts";
export {
  openaiCompletion,
  openaiErrorBody,
  openaiErrorHeaders,
  openaiRequestSchema,
  openaiStreamChunks,
} from "./openai-wire.ts";
export type {
  ModelScript,
  RenderedToolCall,
  RenderedTurn,
  ScriptFeature,
  ScriptToolCall,
  ScriptTurn,
  ScriptTurnGroup,
  ScriptVariables,
  SessionVariablesInput,
  TemplateValue,
  TurnError,
  TurnUsage,
} from "./script.ts";
export {
  modelScriptSchema,
  parseModelScript,
  renderScript,
  renderTemplate,
  renderValue,
  ScriptError,
  scriptedErrorStatuses,
  scriptFeatureSchema,
  scriptToolCallSchema,
  scriptTurnGroupSchema,
  scriptTurnSchema,
  sessionVariables,
  slugify,
  turnErrorSchema,
  turnUsageSchema,
} from "./script.ts";
export type {
  RecordedRequest,
  RequestKind,
  ScriptedModelServer,
  ScriptedModelServerOptions,
  ServerErrorRecord,
} from "./server.ts";
export { sideCallAnswer, startScriptedModelServer } from "./server.ts";
export type { TokenUsage } from "./wire-common.ts";
export { turnIndexOf } from "./wire-common.ts";
