/**
 * What a chat shows, folded from the REST history (`GET …/chats/:id`) and the socket's frames by one pure reducer.
 * The history is authoritative: it is loaded when the socket opens and again after every answer, and merged so a
 * message that streams meanwhile is kept. Frames only ever add to what is shown; nothing is guessed from text.
 */
import type {
  ChatDetailResponse,
  ChatMessage,
  ChatMessagePart,
  ChatMessageStatus,
  ChatQuestion,
  ChatServerFrame,
} from "@autowright/protocol";

/** An image part; `previewUrl` (a data URL) only for images attached in this tab. */
export type ChatImagePart = Extract<ChatMessagePart, { type: "image" }> & { readonly previewUrl?: string };

/** One piece of a message as shown. */
export type ChatPart = Exclude<ChatMessagePart, { type: "image" }> | ChatImagePart;

/** One message as shown. */
export interface ChatEntry {
  readonly id: string;
  readonly role: "user" | "assistant";
  readonly status: ChatMessageStatus;
  readonly parts: readonly ChatPart[];
  readonly error?: { readonly code: string; readonly message: string };
}

/** The question the chat waits on, and the message that asked it. */
export type PendingQuestion = ChatQuestion & { readonly messageId: string };

/** A chat's screen state. */
export interface ChatState {
  /** False until the history has been loaded once. */
  readonly loaded: boolean;
  readonly messages: readonly ChatEntry[];
  readonly question: PendingQuestion | null;
  /** An answer sent and not yet echoed by the server. */
  readonly answering: { readonly questionId: string; readonly answers: readonly string[] } | null;
  /** Images sent with the last message, shown on its echo (the echo carries only its text). */
  readonly pendingImages: readonly ChatImagePart[];
  /** True while the model produces an answer. */
  readonly busy: boolean;
  /** The spec the chat wrote (the last time), or null. */
  readonly spec: { readonly path: string; readonly featureCount: number } | null;
  /** The last refusal or failure that belongs to no message (a refused frame, a history that did not load). */
  readonly error: { readonly key: number; readonly code: string; readonly message: string } | null;
}

/** What can happen to a chat's state. */
export type ChatAction =
  | { readonly type: "detail"; readonly detail: ChatDetailResponse }
  | { readonly type: "frame"; readonly frame: ChatServerFrame }
  | { readonly type: "sent"; readonly images: readonly ChatImagePart[] }
  | { readonly type: "answer.sent"; readonly questionId: string; readonly answers: readonly string[] }
  | { readonly type: "error"; readonly code: string; readonly message: string }
  | { readonly type: "error.dismissed" };

/** The state before anything is known. */
export const initialChatState: ChatState = {
  loaded: false,
  messages: [],
  question: null,
  answering: null,
  pendingImages: [],
  busy: false,
  spec: null,
  error: null,
};

/** The reducer. */
export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "detail":
      return mergeDetail(state, action.detail);
    case "frame":
      return applyFrame(state, action.frame);
    case "sent":
      return { ...state, pendingImages: action.images, error: null };
    case "answer.sent":
      return { ...state, answering: { questionId: action.questionId, answers: action.answers }, error: null };
    case "error":
      return {
        ...state,
        answering: null,
        pendingImages: [],
        error: { key: (state.error?.key ?? 0) + 1, code: action.code, message: action.message },
      };
    case "error.dismissed":
      return state.error === null ? state : { ...state, error: null };
  }
}

/** The ids of every feature the chat added (from its `features` parts, in order). */
export function addedFeatureIds(state: ChatState): number[] {
  const ids: number[] = [];
  for (const message of state.messages)
    for (const part of message.parts) if (part.type === "features") ids.push(...part.ids);
  return [...new Set(ids)];
}

function applyFrame(state: ChatState, frame: ChatServerFrame): ChatState {
  switch (frame.type) {
    case "chat.message.started": {
      if (state.messages.some((message) => message.id === frame.messageId)) return state;
      if (frame.role === "assistant") {
        return {
          ...state,
          busy: true,
          messages: [
            ...state.messages,
            { id: frame.messageId, role: "assistant", status: "streaming", parts: [] },
          ],
        };
      }
      const answering = state.answering;
      const parts: ChatPart[] =
        answering !== null
          ? [{ type: "answer", questionId: answering.questionId, answers: [...answering.answers] }]
          : [...state.pendingImages];
      const messages =
        answering === null
          ? state.messages
          : markAnswered(state.messages, answering.questionId, answering.answers);
      return {
        ...state,
        // A new turn means the question was answered: with an option, or in the user's own words.
        question: null,
        answering: null,
        pendingImages: [],
        messages: [...messages, { id: frame.messageId, role: "user", status: "streaming", parts }],
      };
    }
    case "chat.text.delta":
      return updateMessage(state, frame.messageId, (message) => {
        if (message.role === "user") {
          // An answer's echo is its answers joined: the answer part already shows them.
          if (message.parts.some((part) => part.type === "answer")) return message;
          const index = message.parts.findIndex((part) => part.type === "text");
          if (index < 0) return { ...message, parts: [{ type: "text", text: frame.text }, ...message.parts] };
          return {
            ...message,
            parts: replaceAt(message.parts, index, appendText(message.parts[index], frame.text)),
          };
        }
        const last = message.parts.at(-1);
        if (last?.type === "text")
          return {
            ...message,
            parts: replaceAt(message.parts, message.parts.length - 1, appendText(last, frame.text)),
          };
        return { ...message, parts: [...message.parts, { type: "text", text: frame.text }] };
      });
    case "chat.question": {
      const { type: _type, messageId, ...question } = frame;
      const withPart = updateMessage(state, messageId, (message) =>
        message.parts.some((part) => part.type === "question" && part.questionId === question.questionId)
          ? message
          : { ...message, parts: [...message.parts, { type: "question", ...question, answers: null }] },
      );
      return { ...withPart, question: { ...question, messageId } };
    }
    case "chat.tool":
      return updateMessage(state, frame.messageId, (message) => ({
        ...message,
        parts: [...message.parts, { type: "tool", name: frame.name, summary: frame.summary, ok: frame.ok }],
      }));
    case "chat.message.completed": {
      const next = updateMessage(state, frame.messageId, (message) => ({ ...message, status: frame.status }));
      const message = next.messages.find((candidate) => candidate.id === frame.messageId);
      return message?.role === "assistant" ? { ...next, busy: false } : next;
    }
    case "chat.spec.written": {
      const spec = { path: frame.path, featureCount: frame.featureCount };
      return {
        ...updateStreaming(state, (message) => ({
          ...message,
          parts: [...message.parts, { type: "spec", ...spec }],
        })),
        spec,
      };
    }
    case "chat.features.added":
      return updateStreaming(state, (message) => ({
        ...message,
        parts: [...message.parts, { type: "features", count: frame.count, ids: [...frame.ids] }],
      }));
    case "chat.error": {
      const streaming = state.messages.findLast(
        (message) => message.role === "assistant" && message.status === "streaming",
      );
      if (streaming !== undefined && state.busy) {
        // The turn failed: its message says so (the completed frame that follows marks it failed).
        return {
          ...updateMessage(state, streaming.id, (message) => ({
            ...message,
            error: { code: frame.code, message: frame.message },
          })),
          answering: null,
        };
      }
      return chatReducer(state, { type: "error", code: frame.code, message: frame.message });
    }
    case "chat.pong":
      return state;
  }
}

function mergeDetail(state: ChatState, detail: ChatDetailResponse): ChatState {
  const local = new Map(state.messages.map((message) => [message.id, message]));
  const known = new Set(detail.messages.map((message) => message.id));
  const merged = detail.messages.map((message) => {
    const mine = local.get(message.id);
    // A message still streaming here has more than the history (its text is saved when it ends).
    if (mine !== undefined && mine.status === "streaming" && message.status === "streaming") return mine;
    return entryOf(message, mine);
  });
  const newer = state.messages.filter((message) => !known.has(message.id));
  const settled = newer.length === 0;
  let question = state.question;
  if (settled) {
    const pending = detail.question;
    const asking =
      pending === null
        ? undefined
        : detail.messages.findLast((message) =>
            message.parts.some((part) => part.type === "question" && part.questionId === pending.questionId),
          );
    question = pending === null ? null : { ...pending, messageId: asking?.id ?? "" };
  }
  return {
    ...state,
    loaded: true,
    messages: [...merged, ...newer],
    question,
    busy: settled ? detail.chat.status === "running" : state.busy,
    spec: detail.chat.specWritten ?? state.spec,
  };
}

function entryOf(message: ChatMessage, mine: ChatEntry | undefined): ChatEntry {
  const previews = (mine?.parts ?? []).filter((part): part is ChatImagePart => part.type === "image");
  let image = 0;
  const parts = message.parts.map((part): ChatPart => {
    if (part.type !== "image") return part;
    const preview = previews[image++]?.previewUrl;
    return preview === undefined ? part : { ...part, previewUrl: preview };
  });
  return {
    id: message.id,
    role: message.role,
    status: message.status,
    parts,
    ...(message.error === undefined ? {} : { error: message.error }),
  };
}

function markAnswered(
  messages: readonly ChatEntry[],
  questionId: string,
  answers: readonly string[],
): ChatEntry[] {
  return messages.map((message) =>
    message.parts.some((part) => part.type === "question" && part.questionId === questionId)
      ? {
          ...message,
          parts: message.parts.map((part) =>
            part.type === "question" && part.questionId === questionId
              ? { ...part, answers: [...answers] }
              : part,
          ),
        }
      : message,
  );
}

function updateMessage(state: ChatState, id: string, change: (message: ChatEntry) => ChatEntry): ChatState {
  const index = state.messages.findIndex((message) => message.id === id);
  const message = state.messages[index];
  if (message === undefined) return state;
  const next = change(message);
  return next === message ? state : { ...state, messages: replaceAt(state.messages, index, next) };
}

function updateStreaming(state: ChatState, change: (message: ChatEntry) => ChatEntry): ChatState {
  const streaming = state.messages.findLast(
    (message) => message.role === "assistant" && message.status === "streaming",
  );
  return streaming === undefined ? state : updateMessage(state, streaming.id, change);
}

function appendText(part: ChatPart | undefined, text: string): ChatPart {
  return part?.type === "text" ? { type: "text", text: part.text + text } : { type: "text", text };
}

function replaceAt<T>(items: readonly T[], index: number, item: T): T[] {
  const copy = [...items];
  copy[index] = item;
  return copy;
}
