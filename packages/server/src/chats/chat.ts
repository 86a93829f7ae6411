/**
 * One chat: its history, the question it may wait on, and the turn it may be producing. A turn sends the
 * conversation to the model with the kind's tools (`chat-tools.ts`) through the AI SDK tool loop and streams what
 * happens to the subscribers as chat frames. One turn at a time; `ask_question` ends a turn and the next one starts
 * with the user's answer as the tool's result.
 *
 * What the model is sent is committed only when a turn completes (or stops on a question): a cancelled or failed
 * turn stays in the history the user sees, but the conversation and the pending question are as before it, so the
 * next message or answer continues from a consistent state. Everything stored or streamed is redacted.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { classifyProviderError, type Redactor, summarizeToolInput } from "@autowright/agent-runtime";
import { computeProgress } from "@autowright/domain";
import {
  AppError,
  askQuestionInputSchema,
  base64DecodedBytes,
  type ChatAnswerRequest,
  type ChatKind,
  type ChatMessage,
  type ChatMessagePart,
  type ChatQuestion,
  type ChatSendRequest,
  type ChatServerFrame,
  type ChatSummary,
  chatAnswerRequestSchema,
  chatSendRequestSchema,
  type ErrorCode,
  formatZodError,
  type Settings,
} from "@autowright/protocol";
import { hasSpec } from "@autowright/store";
import { dynamicTool, type ModelMessage, stepCountIs, streamText, type ToolSet, tool } from "ai";
import type { ProjectContext } from "../server-context.ts";
import type { ChatRecord, PendingQuestion } from "./chat-history.ts";
import type { ChatModelHandle, ChatModelSource } from "./chat-model.ts";
import { chatSystemPrompt } from "./chat-prompts.ts";
import { askQuestionToolName, type ChatTool, createChatTools } from "./chat-tools.ts";

/** What a turn ended with: the chat as it is now and the answer (completed, waiting on a question, or not). */
export interface ChatTurnResult {
  readonly chat: ChatSummary;
  readonly message: ChatMessage;
}

/** What a chat needs from its manager. */
export interface ChatDependencies {
  readonly project: ProjectContext;
  readonly settings: () => Settings;
  readonly model: ChatModelSource;
  /** A redactor knowing the server's secrets (made for each turn: the environment may change). */
  readonly redactor: () => Redactor;
  readonly publishChanges: () => void;
  /** Persists the chat (atomically). */
  readonly save: (record: ChatRecord) => void;
  readonly maxSteps: number;
  readonly now: () => Date;
  /** Failures nobody awaits (a save after a turn, a listener that threw). */
  readonly log: (message: string) => void;
}

/** A chat's frames go to these. */
export type ChatListener = (frame: ChatServerFrame) => void;

const defaultTitles: Record<ChatKind, string> = {
  spec: "Spec interview",
  expand: "Expand the project",
  assistant: "Assistant",
};

/** The title a new chat has until its first message names it. */
export function defaultChatTitle(kind: ChatKind): string {
  return defaultTitles[kind];
}

/** One chat (see the module comment). */
export class Chat {
  readonly #dependencies: ChatDependencies;
  #record: ChatRecord;
  readonly #listeners = new Set<ChatListener>();
  #running: { readonly controller: AbortController; readonly done: Promise<unknown> } | undefined;
  #closed = false;
  /** Set when the chat is deleted: nothing of it is saved any more. */
  #discarded = false;

  constructor(record: ChatRecord, dependencies: ChatDependencies) {
    this.#record = record;
    this.#dependencies = dependencies;
  }

  /** The chat's id. */
  get id(): string {
    return this.#record.id;
  }

  /** The chat's kind. */
  get kind(): ChatKind {
    return this.#record.kind;
  }

  /** The chat as lists show it. */
  summary(): ChatSummary {
    const record = this.#record;
    return {
      id: record.id,
      kind: record.kind,
      title: record.title,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      status:
        this.#running !== undefined
          ? "running"
          : record.pendingQuestion === null
            ? "idle"
            : "waiting_for_answer",
      messageCount: record.messages.length,
      specWritten: record.specWritten,
      featuresAdded: record.featuresAdded,
    };
  }

  /** The history, oldest first (copies). */
  messages(): ChatMessage[] {
    return structuredClone(this.#record.messages);
  }

  /** The question the chat waits on, or null. */
  question(): ChatQuestion | null {
    const pending = this.#record.pendingQuestion;
    if (pending === null) return null;
    const { questionId, question, options, multiSelect } = pending;
    return { questionId, question, options, multiSelect };
  }

  /** Receives every frame from now on; returns the unsubscribe function. */
  subscribe(listener: ChatListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Sends a user message and runs the turn; resolves when the turn ends (also when it fails or is cancelled: see
   * the message's status). While the chat waits on a question, the text is the user's answer in their own words.
   * Throws `conflict` while a turn runs, `invalid_input` for a bad message.
   */
  send(request: ChatSendRequest): Promise<ChatTurnResult> {
    this.#assertReady();
    const parsed = chatSendRequestSchema.safeParse(request);
    if (!parsed.success)
      throw new AppError("invalid_input", `invalid message: ${formatZodError(parsed.error)}`);
    const redact = this.#dependencies.redactor();
    const text = redact(parsed.data.text);
    const attachments = parsed.data.attachments ?? [];
    const additions: ModelMessage[] = [];
    const pending = this.#record.pendingQuestion;
    if (pending !== null) {
      additions.push(
        toolResultMessage(
          pending,
          "The user did not pick an option; they answered in their own words (next message).",
        ),
      );
    }
    additions.push({
      role: "user",
      content: [
        { type: "text", text },
        ...attachments.map((attachment) => ({
          type: "image" as const,
          image: attachment.data,
          mediaType: attachment.mimeType,
        })),
      ],
    });
    const parts: ChatMessagePart[] = [
      { type: "text", text },
      ...attachments.map(
        (attachment): ChatMessagePart => ({
          type: "image",
          mimeType: attachment.mimeType,
          bytes: base64DecodedBytes(attachment.data),
          ...(attachment.name === undefined ? {} : { name: redact(attachment.name) }),
        }),
      ),
    ];
    return this.#startTurn({ additions, userParts: parts, userText: text, answered: null });
  }

  /**
   * Answers the question the chat waits on and runs the next turn. Throws `conflict` when it waits on no such
   * question (or a turn runs), `invalid_input` for several answers to a single-choice question.
   */
  answer(request: ChatAnswerRequest): Promise<ChatTurnResult> {
    this.#assertReady();
    const parsed = chatAnswerRequestSchema.safeParse(request);
    if (!parsed.success)
      throw new AppError("invalid_input", `invalid answer: ${formatZodError(parsed.error)}`);
    const pending = this.#record.pendingQuestion;
    if (pending === null || pending.questionId !== parsed.data.questionId) {
      throw new AppError(
        "conflict",
        pending === null
          ? "the chat is not waiting for an answer"
          : `the chat waits for the answer to question ${pending.questionId}, not ${parsed.data.questionId}`,
      );
    }
    if (!pending.multiSelect && parsed.data.answers.length > 1) {
      throw new AppError("invalid_input", "this question takes one answer");
    }
    const redact = this.#dependencies.redactor();
    const answers = parsed.data.answers.map(redact);
    const text = answers.join("; ");
    return this.#startTurn({
      additions: [toolResultMessage(pending, `The user answered: ${text}`)],
      userParts: [{ type: "answer", questionId: pending.questionId, answers }],
      userText: text,
      answered: { pending, answers },
    });
  }

  /** Stops the turn being produced (its message ends `cancelled`); false when none runs. */
  cancel(): boolean {
    if (this.#running === undefined) return false;
    this.#running.controller.abort();
    return true;
  }

  /**
   * Cancels a running turn and waits for it, then drops every listener. `discard`: the chat is being deleted, so
   * nothing is saved any more. Closing twice is a no-op.
   */
  async close(options: { discard?: boolean } = {}): Promise<void> {
    if (options.discard === true) this.#discarded = true;
    if (this.#closed) return;
    this.#closed = true;
    const running = this.#running;
    if (running !== undefined) {
      running.controller.abort();
      await running.done.catch(() => undefined);
    }
    this.#listeners.clear();
  }

  #assertReady(): void {
    if (this.#closed) throw new AppError("store_closed", "this chat is closed");
    if (this.#running !== undefined) {
      throw new AppError("conflict", "the chat is still answering: wait for the answer or cancel it");
    }
  }

  #startTurn(turn: {
    additions: ModelMessage[];
    userParts: ChatMessagePart[];
    userText: string;
    answered: { pending: PendingQuestion; answers: string[] } | null;
  }): Promise<ChatTurnResult> {
    const now = this.#dependencies.now().toISOString();
    const userMessage: ChatMessage = {
      id: randomUUID(),
      role: "user",
      createdAt: now,
      status: "completed",
      parts: turn.userParts,
    };
    const assistant: ChatMessage = {
      id: randomUUID(),
      role: "assistant",
      createdAt: now,
      status: "streaming",
      parts: [],
    };
    const record = this.#record;
    if (record.title === defaultChatTitle(record.kind) && turn.answered === null) {
      const line = turn.userText.split("\n")[0]?.trim() ?? "";
      if (line !== "") record.title = line.length > 80 ? `${line.slice(0, 79)}…` : line;
    }
    record.messages.push(userMessage, assistant);
    record.updatedAt = now;
    const controller = new AbortController();
    const done = (async () => {
      this.#save();
      this.#emit({ type: "chat.message.started", messageId: userMessage.id, role: "user" });
      this.#emit({ type: "chat.text.delta", messageId: userMessage.id, text: turn.userText });
      this.#emit({ type: "chat.message.completed", messageId: userMessage.id, status: "completed" });
      this.#emit({ type: "chat.message.started", messageId: assistant.id, role: "assistant" });
      await this.#runModel(turn.additions, assistant, controller.signal, turn.answered);
      return { chat: this.summary(), message: structuredClone(assistant) };
    })();
    this.#running = { controller, done };
    const finished = done.finally(() => {
      this.#running = undefined;
    });
    // The summary a caller gets must say `idle`: it is read after `#running` is cleared.
    return finished.then(() => ({ chat: this.summary(), message: structuredClone(assistant) }));
  }

  async #runModel(
    additions: ModelMessage[],
    assistant: ChatMessage,
    signal: AbortSignal,
    answered: { pending: PendingQuestion; answers: string[] } | null,
  ): Promise<void> {
    const dependencies = this.#dependencies;
    const record = this.#record;
    const redact = dependencies.redactor();
    const parts = assistant.parts;
    const messageId = assistant.id;
    const deferredFrames: ChatServerFrame[] = [];
    let asked: PendingQuestion | undefined;
    let failure: { code: ErrorCode; message: string } | undefined;
    let responseMessages: ModelMessage[] = [];
    let handle: ChatModelHandle | undefined;
    let text = "";
    const deltas = new DeltaRedactor(redact);
    const endText = (): void => {
      const rest = deltas.flush();
      if (rest !== "") this.#emit({ type: "chat.text.delta", messageId, text: rest });
      if (text.trim() !== "") parts.push({ type: "text", text: redact(text) });
      text = "";
    };
    const toolFrame = (name: string, summary: string, ok: boolean): void => {
      parts.push({ type: "tool", name, summary, ok });
      this.#emit({ type: "chat.tool", messageId, name, summary, ok });
    };

    try {
      handle = await dependencies.model(record.kind, record.id);
      const tools = createChatTools({
        kind: record.kind,
        chatId: record.id,
        project: dependencies.project,
        settings: dependencies.settings,
        redact,
        publishChanges: dependencies.publishChanges,
        onSpecWritten: (path, featureCount) => {
          record.specWritten = { path, featureCount };
          parts.push({ type: "spec", path, featureCount });
          this.#emit({ type: "chat.spec.written", path, featureCount });
        },
        onFeaturesAdded: (ids) => {
          record.featuresAdded += ids.length;
          parts.push({ type: "features", count: ids.length, ids: [...ids] });
          this.#emit({ type: "chat.features.added", count: ids.length, ids: [...ids] });
        },
      });
      const toolSet = toToolSet(tools, redact);
      const stream = streamText({
        model: handle.model,
        system: this.#systemPrompt(),
        messages: [...record.conversation, ...additions],
        tools: toolSet,
        stopWhen: stepCountIs(dependencies.maxSteps),
        abortSignal: signal,
        maxRetries: 0,
        // Failures arrive as `error` parts; the SDK's default would print them.
        onError: () => undefined,
      });
      let streamError: unknown;
      for await (const part of stream.fullStream) {
        switch (part.type) {
          case "text-delta": {
            text += part.text;
            const shown = deltas.push(part.text);
            if (shown !== "") this.#emit({ type: "chat.text.delta", messageId, text: shown });
            break;
          }
          case "text-end":
            endText();
            break;
          case "tool-call": {
            if (part.toolName !== askQuestionToolName || part.invalid === true) break;
            const question = askQuestionInputSchema.safeParse(part.input);
            if (!question.success) break;
            if (asked !== undefined) {
              asked.otherToolCallIds.push(part.toolCallId);
              break;
            }
            asked = {
              messageId,
              questionId: part.toolCallId,
              toolCallId: part.toolCallId,
              otherToolCallIds: [],
              question: redact(question.data.question),
              options: question.data.options.map(redact),
              multiSelect: question.data.multiSelect ?? false,
            };
            const { questionId, question: asking, options, multiSelect } = asked;
            parts.push({
              type: "question",
              questionId,
              question: asking,
              options,
              multiSelect,
              answers: null,
            });
            deferredFrames.push({
              type: "chat.question",
              messageId,
              questionId,
              question: asking,
              options,
              multiSelect,
            });
            break;
          }
          case "tool-result":
            toolFrame(part.toolName, toolSummary(part.input, redact) ?? part.toolName, true);
            break;
          case "tool-error": {
            const refused = !Object.hasOwn(toolSet, part.toolName);
            const reason = refused
              ? "refused: not one of this chat's tools"
              : `failed: ${redact(messageOf(part.error)).slice(0, 300)}`;
            const about = toolSummary(part.input, redact);
            toolFrame(part.toolName, about === undefined ? reason : `${about} (${reason})`, false);
            break;
          }
          case "error":
            streamError = part.error;
            break;
          default:
            break;
        }
        if (streamError !== undefined) break;
      }
      if (streamError !== undefined) throw streamError;
      if (!signal.aborted) responseMessages = (await stream.response).messages;
    } catch (error) {
      if (!signal.aborted) failure = failureOf(error, redact);
    } finally {
      if (handle !== undefined) {
        await handle.dispose().catch((error: unknown) => {
          dependencies.log(`chat ${record.id}: could not stop its model: ${messageOf(error)}`);
        });
      }
    }
    endText();

    if (failure === undefined && !signal.aborted) {
      record.conversation.push(...additions, ...redactDeep(responseMessages, redact));
      if (answered !== null) {
        const part = this.#questionPart(answered.pending);
        if (part !== undefined) part.answers = answered.answers;
      }
      record.pendingQuestion = asked ?? null;
      assistant.status = "completed";
    } else {
      // Rolled back: the asked question (if any) was never committed.
      if (asked !== undefined) {
        const index = parts.findIndex(
          (part) => part.type === "question" && part.questionId === asked?.questionId,
        );
        if (index >= 0) parts.splice(index, 1);
        deferredFrames.length = 0;
      }
      assistant.status = failure === undefined ? "cancelled" : "failed";
      if (failure !== undefined) assistant.error = failure;
    }
    record.updatedAt = dependencies.now().toISOString();
    this.#save();
    if (failure !== undefined) this.#emit({ type: "chat.error", ...failure });
    for (const frame of deferredFrames) this.#emit(frame);
    this.#emit({ type: "chat.message.completed", messageId, status: assistant.status });
  }

  #questionPart(pending: PendingQuestion): Extract<ChatMessagePart, { type: "question" }> | undefined {
    const message = this.#record.messages.find((candidate) => candidate.id === pending.messageId);
    const part = message?.parts.find(
      (candidate) => candidate.type === "question" && candidate.questionId === pending.questionId,
    );
    return part?.type === "question" ? part : undefined;
  }

  #systemPrompt(): string {
    const { project, settings } = this.#dependencies;
    let spec: string | null = null;
    if (hasSpec(project.paths)) {
      try {
        spec = readFileSync(project.paths.specFile, "utf8");
      } catch {
        spec = null;
      }
    }
    const progress = computeProgress(project.store.listFeatures(), { maxAttempts: settings().maxAttempts });
    const backlogSummary =
      progress.total === 0
        ? "empty (no features yet)"
        : `${progress.total} features: ${progress.passing} passing, ${progress.inProgress} in progress, ${progress.verifying} verifying, ${progress.needsInput} waiting for input, ${progress.failed} failed, ${progress.pending} pending (${progress.blocked} blocked by dependencies)`;
    return this.#dependencies.redactor()(
      chatSystemPrompt({ kind: this.kind, projectName: project.name, spec, backlogSummary }),
    );
  }

  #save(): void {
    if (this.#discarded) return;
    try {
      this.#dependencies.save(this.#record);
    } catch (error) {
      this.#dependencies.log(`chat ${this.#record.id}: could not save its history: ${messageOf(error)}`);
    }
  }

  #emit(frame: ChatServerFrame): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(frame);
      } catch (error) {
        this.#dependencies.log(`chat ${this.#record.id}: a listener failed: ${messageOf(error)}`);
      }
    }
  }
}

/** The result of the `ask_question` call(s) a pending question stands for. */
function toolResultMessage(pending: PendingQuestion, answer: string): ModelMessage {
  return {
    role: "tool",
    content: [
      {
        type: "tool-result",
        toolCallId: pending.toolCallId,
        toolName: askQuestionToolName,
        output: { type: "text", value: answer },
      },
      ...pending.otherToolCallIds.map((toolCallId) => ({
        type: "tool-result" as const,
        toolCallId,
        toolName: askQuestionToolName,
        output: {
          type: "text" as const,
          value: "Not asked: ask one question at a time. Ask it again if you still need the answer.",
        },
      })),
    ],
  };
}

/** The chat's tools as AI SDK tools: outputs and errors redacted; `ask_question` without an implementation. */
function toToolSet(tools: Record<string, ChatTool>, redact: Redactor): ToolSet {
  const set: ToolSet = {};
  for (const [name, definition] of Object.entries(tools)) {
    const execute = definition.execute;
    set[name] =
      execute === undefined
        ? tool({ description: definition.description, inputSchema: definition.inputSchema })
        : dynamicTool({
            description: definition.description,
            inputSchema: definition.inputSchema,
            execute: async (input: unknown) => {
              try {
                return redact(await execute(input));
              } catch (error) {
                throw new Error(redact(messageOf(error)).slice(0, 2_000));
              }
            },
          });
  }
  return set;
}

function toolSummary(input: unknown, redact: Redactor): string | undefined {
  return summarizeToolInput(redactDeep(input, redact));
}

function failureOf(error: unknown, redact: Redactor): { code: ErrorCode; message: string } {
  if (AppError.isInstance(error)) return { code: error.code, message: redact(error.message) };
  const failure = classifyProviderError(error);
  const message = redact(failure.message).slice(0, 2_000);
  if (failure.kind === "rate_limited") return { code: "rate_limited", message };
  if (failure.kind === "auth_failed") return { code: "unauthorized", message };
  return { code: "internal_error", message: `the model failed: ${message}` };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Redacts every string inside a JSON-like value. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact)) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, redactDeep(item, redact)]),
    ) as T;
  }
  return value;
}

/**
 * Redacts streamed text: a secret may arrive split over several deltas, so the text after the last whitespace is
 * held back until more arrives (or the text ends, or it grows past a bound).
 */
export class DeltaRedactor {
  readonly #redact: Redactor;
  #held = "";

  constructor(redact: Redactor) {
    this.#redact = redact;
  }

  /** Takes a delta; returns the redacted text that can be shown now (maybe empty). */
  push(delta: string): string {
    this.#held += delta;
    const cut = Math.max(
      this.#held.lastIndexOf(" "),
      this.#held.lastIndexOf("\n"),
      this.#held.lastIndexOf("\t"),
    );
    if (cut < 0) return this.#held.length > 4_096 ? this.flush() : "";
    const shown = this.#held.slice(0, cut + 1);
    this.#held = this.#held.slice(cut + 1);
    return this.#redact(shown);
  }

  /** Returns what is held back, redacted. */
  flush(): string {
    const shown = this.#held;
    this.#held = "";
    return shown === "" ? "" : this.#redact(shown);
  }
}
