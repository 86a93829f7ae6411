/**
 * Chats: conversations with a model about a project, streamed through the server's tool loop. Three kinds, each with
 * its own tool set (the tool set, not the prompt, is what keeps a chat from editing code):
 * - `spec`: an interview that asks structured questions (`ask_question`) and finally writes the app spec and the
 *   target feature count (`write_spec`); it writes nothing else.
 * - `expand`: reads the spec and the backlog and adds features through the backlog tools.
 * - `assistant`: answers questions about the project with read-only file and backlog tools, and manages the
 *   backlog (create, skip, dependencies); it can neither write files nor run commands.
 *
 * REST (`/api/projects/:name/chats…`) creates, lists, reads and deletes chats and can send a message and wait for
 * the answer; the WebSocket `/ws/projects/:name/chats/:id` streams the answer as it is produced. Client frames are
 * parsed with {@link chatClientFrameSchema}: a malformed one is answered with a `chat.error` frame.
 */
import { z } from "zod";
import { projectNameSchema, timestampSchema } from "./common.ts";
import { errorCodeSchema } from "./errors.ts";
import { featureIdSchema } from "./feature.ts";

/** The kinds of chat. */
export const chatKindSchema = z.enum(["spec", "expand", "assistant"]);
/** A kind of chat. */
export type ChatKind = z.infer<typeof chatKindSchema>;

/** A chat id: a random UUID (also its history file's name). */
export const chatIdSchema = z.uuid();
/** A chat id. */
export type ChatId = z.infer<typeof chatIdSchema>;

/** What a chat is doing: nothing, producing an answer, or waiting for the answer to a question it asked. */
export const chatStatusSchema = z.enum(["idle", "running", "waiting_for_answer"]);
/** What a chat is doing. */
export type ChatStatus = z.infer<typeof chatStatusSchema>;

/** Limits of one user message. */
export const chatMessageLimits = {
  /** The longest text, in characters. */
  maxTextCharacters: 100_000,
  /** How many image attachments one message may carry. */
  maxAttachments: 4,
  /** The largest attachment, decoded, in bytes (5 MiB). */
  maxAttachmentBytes: 5 * 1024 * 1024,
} as const;

/** The image types an attachment may have. */
export const chatAttachmentMimeTypeSchema = z.enum(["image/png", "image/jpeg", "image/gif", "image/webp"]);
/** An attachment's image type. */
export type ChatAttachmentMimeType = z.infer<typeof chatAttachmentMimeTypeSchema>;

/** The number of bytes a base64 text decodes to. */
export function base64DecodedBytes(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

/** An image sent with a message: base64 (no `data:` prefix), at most {@link chatMessageLimits}`.maxAttachmentBytes`. */
export const chatAttachmentSchema = z.strictObject({
  mimeType: chatAttachmentMimeTypeSchema,
  data: z
    .string()
    .min(1, "an attachment needs data")
    .max(Math.ceil(chatMessageLimits.maxAttachmentBytes / 3) * 4, "the attachment is larger than 5 MiB")
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, "attachment data is base64 (without a data: prefix)")
    .refine((data) => data.length % 4 === 0, "attachment data is base64 (its length is a multiple of 4)")
    .refine(
      (data) => base64DecodedBytes(data) <= chatMessageLimits.maxAttachmentBytes,
      "the attachment is larger than 5 MiB",
    ),
  /** The file name the user attached it as (shown in the history). */
  name: z.string().min(1).max(255).optional(),
});
/** An image sent with a message. */
export type ChatAttachment = z.infer<typeof chatAttachmentSchema>;

/** What the user sends: text, and optionally images. */
export const chatSendRequestSchema = z.strictObject({
  text: z.string().trim().min(1, "a message needs text").max(chatMessageLimits.maxTextCharacters),
  attachments: z.array(chatAttachmentSchema).max(chatMessageLimits.maxAttachments).optional(),
});
/** What the user sends. */
export type ChatSendRequest = z.infer<typeof chatSendRequestSchema>;

/** An answer: one or more of the offered options (or the user's own words), at most one unless multi-select. */
export const chatAnswersSchema = z.array(z.string().trim().min(1).max(2_000)).min(1).max(20);

/** The answer to a question the chat asked. */
export const chatAnswerRequestSchema = z.strictObject({
  questionId: z.string().min(1).max(200),
  answers: chatAnswersSchema,
});
/** The answer to a question the chat asked. */
export type ChatAnswerRequest = z.infer<typeof chatAnswerRequestSchema>;

// ---------------------------------------------------------------------------------------------------------------
// The chats' own tools (what the model calls)
// ---------------------------------------------------------------------------------------------------------------

/** `ask_question`: a question with options for the user to pick from (the user may also answer in words). */
export const askQuestionInputSchema = z.object({
  question: z.string().trim().min(1).max(2_000),
  options: z.array(z.string().trim().min(1).max(300)).min(2).max(8),
  multiSelect: z.boolean().optional(),
});
/** `ask_question` input. */
export type AskQuestionInput = z.infer<typeof askQuestionInputSchema>;

/** The most features a spec may ask the initializer for. */
export const maxSpecFeatureCount = 1_000;

/** `write_spec`: the finished app spec (Markdown) and how many features the initializer should create. */
export const writeSpecInputSchema = z.object({
  content: z.string().trim().min(1, "the spec is empty").max(200_000),
  featureCount: z.number().int().min(1).max(maxSpecFeatureCount),
});
/** `write_spec` input. */
export type WriteSpecInput = z.infer<typeof writeSpecInputSchema>;

/**
 * The line `write_spec` ends the spec with: the target feature count, where the initializer reads it (the spec is
 * in its prompt) and where {@link readSpecFeatureCount} finds it.
 */
export function specFeatureCountLine(featureCount: number): string {
  return `<!-- autowright:feature-count ${featureCount} -->`;
}

/** The target feature count a spec carries (the last {@link specFeatureCountLine}), or null when it has none. */
export function readSpecFeatureCount(spec: string): number | null {
  const matches = [...spec.matchAll(/<!-- autowright:feature-count (\d{1,6}) -->/g)];
  const last = matches.at(-1)?.[1];
  if (last === undefined) return null;
  const count = Number(last);
  return count >= 1 && count <= maxSpecFeatureCount ? count : null;
}

// ---------------------------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------------------------

/** A question as the user sees it. */
export const chatQuestionSchema = z.object({
  questionId: z.string().min(1),
  question: z.string(),
  options: z.array(z.string()),
  multiSelect: z.boolean(),
});
/** A question as the user sees it. */
export type ChatQuestion = z.infer<typeof chatQuestionSchema>;

/** One piece of a message. */
export const chatMessagePartSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: z.string() }),
  /** An image the user attached (its bytes are not repeated in the history). */
  z.object({
    type: z.literal("image"),
    mimeType: chatAttachmentMimeTypeSchema,
    bytes: z.number().int().nonnegative(),
    name: z.string().optional(),
  }),
  /** A tool the model called; `ok` false when it failed or was refused. */
  z.object({ type: z.literal("tool"), name: z.string(), summary: z.string(), ok: z.boolean() }),
  /** A question the model asked, with the user's answers once given. */
  chatQuestionSchema.extend({ type: z.literal("question"), answers: z.array(z.string()).nullable() }),
  /** The user's answer to a question. */
  z.object({ type: z.literal("answer"), questionId: z.string(), answers: z.array(z.string()) }),
  /** The spec chat wrote the spec (`path` relative to the project root). */
  z.object({ type: z.literal("spec"), path: z.string(), featureCount: z.number().int().positive() }),
  /** Features the chat added to the backlog. */
  z.object({
    type: z.literal("features"),
    count: z.number().int().nonnegative(),
    ids: z.array(featureIdSchema),
  }),
]);
/** One piece of a message. */
export type ChatMessagePart = z.infer<typeof chatMessagePartSchema>;

/** How a message ended (`streaming` while it is produced; a chat interrupted by a restart shows `failed`). */
export const chatMessageStatusSchema = z.enum(["streaming", "completed", "cancelled", "failed"]);
/** How a message ended. */
export type ChatMessageStatus = z.infer<typeof chatMessageStatusSchema>;

/** One message of a chat's history. */
export const chatMessageSchema = z.object({
  id: z.string().min(1),
  role: z.enum(["user", "assistant"]),
  createdAt: timestampSchema,
  status: chatMessageStatusSchema,
  parts: z.array(chatMessagePartSchema),
  /** Why an assistant message failed. */
  error: z.object({ code: errorCodeSchema, message: z.string() }).optional(),
});
/** One message of a chat's history. */
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** A chat as lists show it. */
export const chatSummarySchema = z.object({
  id: chatIdSchema,
  kind: chatKindSchema,
  title: z.string(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  status: chatStatusSchema,
  messageCount: z.number().int().nonnegative(),
  /** The spec chat wrote the spec (the last time), or null. */
  specWritten: z.object({ path: z.string(), featureCount: z.number().int().positive() }).nullable(),
  /** How many features the chat added in all. */
  featuresAdded: z.number().int().nonnegative(),
});
/** A chat as lists show it. */
export type ChatSummary = z.infer<typeof chatSummarySchema>;

// ---------------------------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------------------------

/** `/api/projects/:name/chats/:id`. */
export const chatParamsSchema = z.object({ name: projectNameSchema, id: chatIdSchema });
/** Chat path parameters. */
export type ChatParams = z.infer<typeof chatParamsSchema>;

/** `POST /api/projects/:name/chats`. */
export const chatCreateRequestSchema = z.strictObject({ kind: chatKindSchema });
/** `POST …/chats` body. */
export type ChatCreateRequest = z.infer<typeof chatCreateRequestSchema>;

/** One chat (`POST …/chats`). */
export const chatResponseSchema = z.object({ chat: chatSummarySchema });
/** A one-chat response. */
export type ChatResponse = z.infer<typeof chatResponseSchema>;

/** `GET /api/projects/:name/chats`, most recently updated first. */
export const chatListResponseSchema = z.object({ chats: z.array(chatSummarySchema) });
/** A chat list response. */
export type ChatListResponse = z.infer<typeof chatListResponseSchema>;

/** `GET /api/projects/:name/chats/:id`: the chat, its history, and the question it waits on (or null). */
export const chatDetailResponseSchema = z.object({
  chat: chatSummarySchema,
  messages: z.array(chatMessageSchema),
  question: chatQuestionSchema.nullable(),
});
/** A chat detail response. */
export type ChatDetailResponse = z.infer<typeof chatDetailResponseSchema>;

/** `DELETE /api/projects/:name/chats/:id`: a running answer is cancelled and the history removed. */
export const chatDeleteResponseSchema = z.object({ id: chatIdSchema });
/** `DELETE …/chats/:id` response. */
export type ChatDeleteResponse = z.infer<typeof chatDeleteResponseSchema>;

/** `POST /api/projects/:name/chats/:id/messages`: a message, or the answer to the question the chat waits on. */
export const chatMessageRequestSchema = z.union([chatSendRequestSchema, chatAnswerRequestSchema]);
/** `POST …/chats/:id/messages` body. */
export type ChatMessageRequest = z.infer<typeof chatMessageRequestSchema>;

/** The answer to `POST …/messages`, once it is complete (or failed, cancelled, or waiting on a question). */
export const chatMessageResponseSchema = z.object({ chat: chatSummarySchema, message: chatMessageSchema });
/** `POST …/messages` response. */
export type ChatMessageResponse = z.infer<typeof chatMessageResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// WebSocket frames
// ---------------------------------------------------------------------------------------------------------------

/** Client → server: send a message. */
export const chatSendFrameSchema = chatSendRequestSchema.extend({ type: z.literal("chat.send") });
/** Client → server: answer the question the chat waits on. */
export const chatAnswerFrameSchema = chatAnswerRequestSchema.extend({ type: z.literal("chat.answer") });
/** Client → server: stop the answer being produced. */
export const chatCancelFrameSchema = z.strictObject({ type: z.literal("chat.cancel") });
/** Client → server: a keep-alive (browsers cannot send WebSocket pings); answered with `chat.pong`. */
export const chatPingFrameSchema = z.strictObject({ type: z.literal("chat.ping") });

/** Every client → server chat frame. */
export const chatClientFrameSchema = z.discriminatedUnion("type", [
  chatSendFrameSchema,
  chatAnswerFrameSchema,
  chatCancelFrameSchema,
  chatPingFrameSchema,
]);
/** A client → server chat frame. */
export type ChatClientFrame = z.infer<typeof chatClientFrameSchema>;

const messageIdSchema = z.string().min(1);

/** Server → client: a message begins (the user's, echoed to every attached client, or the model's answer). */
export const chatMessageStartedFrameSchema = z.object({
  type: z.literal("chat.message.started"),
  messageId: messageIdSchema,
  role: z.enum(["user", "assistant"]),
});
/** Server → client: more text of a message. */
export const chatTextDeltaFrameSchema = z.object({
  type: z.literal("chat.text.delta"),
  messageId: messageIdSchema,
  text: z.string(),
});
/** Server → client: the model asks a question; the chat waits for `chat.answer`. */
export const chatQuestionFrameSchema = chatQuestionSchema.extend({
  type: z.literal("chat.question"),
  messageId: messageIdSchema,
});
/** Server → client: the model called a tool (`ok` false: it failed or is not in this chat's tool set). */
export const chatToolFrameSchema = z.object({
  type: z.literal("chat.tool"),
  messageId: messageIdSchema,
  name: z.string(),
  summary: z.string(),
  ok: z.boolean(),
});
/** Server → client: a message is complete, and how it ended. */
export const chatMessageCompletedFrameSchema = z.object({
  type: z.literal("chat.message.completed"),
  messageId: messageIdSchema,
  status: chatMessageStatusSchema.exclude(["streaming"]),
});
/** Server → client: the spec chat wrote the app spec (`path` relative to the project root). */
export const chatSpecWrittenFrameSchema = z.object({
  type: z.literal("chat.spec.written"),
  path: z.string(),
  featureCount: z.number().int().positive(),
});
/** Server → client: the chat added features to the backlog. */
export const chatFeaturesAddedFrameSchema = z.object({
  type: z.literal("chat.features.added"),
  count: z.number().int().nonnegative(),
  ids: z.array(featureIdSchema),
});
/** Server → client: a frame was refused or the answer failed (the connection stays open). */
export const chatErrorFrameSchema = z.object({
  type: z.literal("chat.error"),
  code: errorCodeSchema,
  message: z.string(),
});
/** Server → client: the answer to `chat.ping`. */
export const chatPongFrameSchema = z.object({ type: z.literal("chat.pong") });

/** Every server → client chat frame. */
export const chatServerFrameSchema = z.discriminatedUnion("type", [
  chatMessageStartedFrameSchema,
  chatTextDeltaFrameSchema,
  chatQuestionFrameSchema,
  chatToolFrameSchema,
  chatMessageCompletedFrameSchema,
  chatSpecWrittenFrameSchema,
  chatFeaturesAddedFrameSchema,
  chatErrorFrameSchema,
  chatPongFrameSchema,
]);
/** A server → client chat frame. */
export type ChatServerFrame = z.infer<typeof chatServerFrameSchema>;
