/** The chats of each project (spec interview, expand, assistant): the manager, its routes and its WebSocket. */
export type { ChatDependencies, ChatListener, ChatTurnResult } from "./chat.ts";
export { Chat, DeltaRedactor, defaultChatTitle } from "./chat.ts";
export type { ChatRecord, PendingQuestion, UnreadableChat } from "./chat-history.ts";
export { ChatHistory, chatRecordSchema } from "./chat-history.ts";
export type { ChatManagerOptions } from "./chat-manager.ts";
export { ChatManager, defaultChatMaxSteps } from "./chat-manager.ts";
export type { ChatModelHandle, ChatModelSource, SettingsModelSourceOptions } from "./chat-model.ts";
export { chatModelName, chatModelOptions, settingsModelSource } from "./chat-model.ts";
export type { ChatPromptInput } from "./chat-prompts.ts";
export { chatSystemPrompt } from "./chat-prompts.ts";
export { chatMessageBodyLimit, chatRoutes } from "./chat-routes.ts";
export { attachChatSocket, maximumChatBufferedBytes } from "./chat-socket.ts";
export type { ChatTool, ChatToolContext } from "./chat-tools.ts";
export {
  askQuestionToolName,
  chatBacklogToolNames,
  chatToolNames,
  createChatTools,
  readOnlyFileToolNames,
  writeSpecToolName,
} from "./chat-tools.ts";
export { defaultChatReplayScript, replaySpecContent } from "./replay-scripts.ts";
