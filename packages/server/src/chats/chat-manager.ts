/**
 * The chats of one project: creates, lists, opens and deletes them, and keeps their histories in
 * `.autowright/chats/` (`chat-history.ts`), read once on first use, so chats survive a restart. An answer that was
 * being produced when the server stopped shows as failed. Closing the manager cancels the running turns (their
 * messages are saved as cancelled); nothing of it runs afterwards.
 */
import { randomUUID } from "node:crypto";
import { createRedactor } from "@autowright/agent-runtime";
import {
  AppError,
  type ChatDetailResponse,
  type ChatKind,
  type ChatSummary,
  chatIdSchema,
  chatKindSchema,
  type Settings,
} from "@autowright/protocol";
import type { ModelScript } from "@autowright/scripted-model";
import { hasSpec } from "@autowright/store";
import type { ProjectContext } from "../server-context.ts";
import { Chat, defaultChatTitle } from "./chat.ts";
import { ChatHistory, type ChatRecord } from "./chat-history.ts";
import { type ChatModelSource, settingsModelSource } from "./chat-model.ts";

/** How many model steps (calls) one turn may take before it stops: 50. */
export const defaultChatMaxSteps = 50;

/** Options of a {@link ChatManager}. */
export interface ChatManagerOptions {
  readonly project: ProjectContext;
  /** The current settings (provider, `models.chat`, `baseUrl`, `maxAttempts`…), read on every turn. */
  readonly settings: () => Settings;
  /**
   * Publishes on the project's bus what its store appended (the host's `publishChanges`, or `EventBus.flush`):
   * called after every backlog tool call, so `feature.created` reaches the dashboard.
   */
  readonly publishChanges: () => void;
  /** The server's environment: the model credentials and base URLs, and the secrets to redact. Default `process.env`. */
  readonly environment?: () => NodeJS.ProcessEnv;
  /** The script a chat plays with the `replay` provider (default: a short scripted conversation per kind). */
  readonly replayScript?: (kind: ChatKind) => ModelScript;
  /** Where turns get their model; default: what the settings and the environment say. */
  readonly model?: ChatModelSource;
  /** See {@link defaultChatMaxSteps}. */
  readonly maxSteps?: number;
  readonly now?: () => Date;
  /** Failures nobody awaits (unreadable history files, failed saves); default: stderr. */
  readonly log?: (message: string) => void;
}

/** The chats of one project. */
export class ChatManager {
  readonly #options: ChatManagerOptions;
  readonly #history: ChatHistory;
  readonly #model: ChatModelSource;
  readonly #now: () => Date;
  readonly #log: (message: string) => void;
  #chats: Map<string, Chat> | undefined;
  #closed = false;

  constructor(options: ChatManagerOptions) {
    this.#options = options;
    this.#history = new ChatHistory(options.project.paths);
    this.#now = options.now ?? (() => new Date());
    this.#log = options.log ?? ((message) => console.error(`autowright: ${message}`));
    const environment = options.environment ?? (() => process.env);
    this.#model =
      options.model ??
      settingsModelSource({
        settings: options.settings,
        environment,
        ...(options.replayScript === undefined ? {} : { replayScript: options.replayScript }),
      });
  }

  /** Every chat, most recently updated first. */
  list(): ChatSummary[] {
    return [...this.#all().values()]
      .map((chat) => chat.summary())
      .sort(
        (left, right) => right.updatedAt.localeCompare(left.updatedAt) || left.id.localeCompare(right.id),
      );
  }

  /** Starts a chat. An `expand` chat needs the app spec (`conflict` without one). */
  create(kind: ChatKind): Chat {
    const chats = this.#all();
    const parsedKind = chatKindSchema.parse(kind);
    if (parsedKind === "expand" && !hasSpec(this.#options.project.paths)) {
      throw new AppError(
        "conflict",
        "the project has no app spec yet: write it first (with a spec chat, or by hand) before expanding it",
      );
    }
    const now = this.#now().toISOString();
    const record: ChatRecord = {
      version: 1,
      id: randomUUID(),
      kind: parsedKind,
      title: defaultChatTitle(parsedKind),
      createdAt: now,
      updatedAt: now,
      messages: [],
      conversation: [],
      pendingQuestion: null,
      specWritten: null,
      featuresAdded: 0,
    };
    this.#history.save(record);
    const chat = this.#open(record);
    chats.set(record.id, chat);
    return chat;
  }

  /** The chat with this id; `not_found` when there is none. */
  get(id: string): Chat {
    const chat = chatIdSchema.safeParse(id).success ? this.#all().get(id) : undefined;
    if (chat === undefined)
      throw new AppError("not_found", `no chat ${id} in project ${this.#options.project.name}`);
    return chat;
  }

  /** A chat with its history and the question it waits on. */
  detail(id: string): ChatDetailResponse {
    const chat = this.get(id);
    return { chat: chat.summary(), messages: chat.messages(), question: chat.question() };
  }

  /** Deletes a chat: its running turn is cancelled and its history file removed. `not_found` when there is none. */
  async delete(id: string): Promise<void> {
    const chat = this.get(id);
    this.#chats?.delete(id);
    await chat.close({ discard: true });
    this.#history.remove(id);
  }

  /** Cancels every running turn and waits for them; later calls fail with `store_closed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const chats = [...(this.#chats?.values() ?? [])];
    await Promise.all(chats.map((chat) => chat.close()));
  }

  #all(): Map<string, Chat> {
    if (this.#closed) {
      throw new AppError("store_closed", `the chats of project ${this.#options.project.name} are closed`);
    }
    if (this.#chats !== undefined) return this.#chats;
    const chats = new Map<string, Chat>();
    const { chats: records, unreadable } = this.#history.loadAll();
    for (const problem of unreadable) this.#log(`chats: skipped ${problem.file}: ${problem.reason}`);
    for (const record of records) {
      if (interruptedByRestart(record)) this.#history.save(record);
      chats.set(record.id, this.#open(record));
    }
    this.#chats = chats;
    return chats;
  }

  #open(record: ChatRecord): Chat {
    const environment = this.#options.environment ?? (() => process.env);
    return new Chat(record, {
      project: this.#options.project,
      settings: this.#options.settings,
      model: this.#model,
      redactor: () => createRedactor(environment()),
      publishChanges: this.#options.publishChanges,
      save: (saved) => this.#history.save(saved),
      maxSteps: this.#options.maxSteps ?? defaultChatMaxSteps,
      now: this.#now,
      log: this.#log,
    });
  }
}

/** Marks answers that were still streaming (the server stopped under them) as failed; true when it changed any. */
function interruptedByRestart(record: ChatRecord): boolean {
  let changed = false;
  for (const message of record.messages) {
    if (message.status !== "streaming") continue;
    message.status = "failed";
    message.error = { code: "internal_error", message: "the server stopped before this answer was complete" };
    changed = true;
  }
  return changed;
}
