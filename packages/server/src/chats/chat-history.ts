/**
 * Where chats live between restarts: one JSON file per chat, `.autowright/chats/<id>.json`, replaced atomically
 * (temporary file + rename) after every change. The folder ignores itself in git (a `.gitignore` of `*`): a
 * conversation may hold pasted text and images that do not belong in the user's repository.
 *
 * A file holds what the user sees (`messages`) and what the model is sent (`conversation`, the AI SDK's model
 * messages with tool calls and results), which may differ: a cancelled or failed answer stays in the history but
 * not in the conversation.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  chatIdSchema,
  chatKindSchema,
  chatMessageSchema,
  chatQuestionSchema,
  timestampSchema,
} from "@autowright/protocol";
import type { ProjectPaths } from "@autowright/store";
import { type ModelMessage, modelMessageSchema } from "ai";
import { z } from "zod";
import { writeFileAtomically } from "./chat-tools.ts";

/** The question a chat waits on, with the tool calls the answer completes. */
export const pendingQuestionSchema = chatQuestionSchema.extend({
  /** The assistant message that asked. */
  messageId: z.string().min(1),
  /** The `ask_question` call the answer is the result of. */
  toolCallId: z.string().min(1),
  /** Further `ask_question` calls of the same step: they get a "one at a time" result. */
  otherToolCallIds: z.array(z.string().min(1)),
});
/** The question a chat waits on. */
export type PendingQuestion = z.infer<typeof pendingQuestionSchema>;

/** One chat file. */
export const chatRecordSchema = z.object({
  version: z.literal(1),
  id: chatIdSchema,
  kind: chatKindSchema,
  title: z.string(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  messages: z.array(chatMessageSchema),
  conversation: z.array(z.custom<ModelMessage>((value) => modelMessageSchema.safeParse(value).success)),
  pendingQuestion: pendingQuestionSchema.nullable(),
  specWritten: z.object({ path: z.string(), featureCount: z.number().int().positive() }).nullable(),
  featuresAdded: z.number().int().nonnegative(),
});
/** One chat file. */
export type ChatRecord = z.infer<typeof chatRecordSchema>;

/** A chat file that could not be read (it is left in place and skipped). */
export interface UnreadableChat {
  readonly file: string;
  readonly reason: string;
}

/** The chat files of one project. */
export class ChatHistory {
  readonly directory: string;

  constructor(paths: ProjectPaths) {
    this.directory = join(paths.dataDirectory, "chats");
  }

  /** Every readable chat, and the files that are not. */
  loadAll(): { chats: ChatRecord[]; unreadable: UnreadableChat[] } {
    if (!existsSync(this.directory)) return { chats: [], unreadable: [] };
    const chats: ChatRecord[] = [];
    const unreadable: UnreadableChat[] = [];
    for (const entry of readdirSync(this.directory)) {
      const id = /^(.+)\.json$/.exec(entry)?.[1];
      if (id === undefined || !chatIdSchema.safeParse(id).success) continue;
      const file = join(this.directory, entry);
      try {
        const parsed = chatRecordSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
        if (!parsed.success) {
          unreadable.push({ file, reason: "it is not a chat file of this version" });
        } else if (parsed.data.id !== id) {
          unreadable.push({ file, reason: `it holds chat ${parsed.data.id}` });
        } else {
          chats.push(parsed.data);
        }
      } catch (error) {
        unreadable.push({ file, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return { chats, unreadable };
  }

  /** Writes a chat's file (atomically). */
  save(record: ChatRecord): void {
    this.#ensureDirectory();
    writeFileAtomically(this.#file(record.id), `${JSON.stringify(record)}\n`);
  }

  /** Removes a chat's file (no error when there is none). */
  remove(id: string): void {
    rmSync(this.#file(id), { force: true });
  }

  #file(id: string): string {
    // Ids are UUIDs (parsed at every boundary), so a file name never leaves the folder.
    return join(this.directory, `${chatIdSchema.parse(id)}.json`);
  }

  #ensureDirectory(): void {
    mkdirSync(this.directory, { recursive: true });
    const gitignore = join(this.directory, ".gitignore");
    if (!existsSync(gitignore)) writeFileSync(gitignore, "# autowright chat histories stay out of git\n*\n");
  }
}
