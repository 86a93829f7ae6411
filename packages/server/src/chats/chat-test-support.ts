/**
 * Test fixture of the chat tests: a real project (`createTestProject`), a {@link ChatManager} on the `replay`
 * provider playing a given script against the real scripted model server, and helpers to record frames and to
 * see which files of the project changed.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { EventBus } from "@autowright/orchestrator";
import type { ChatKind, ChatServerFrame, Settings } from "@autowright/protocol";
import type { ModelScript } from "@autowright/scripted-model";
import { createTestProject, type TestProject } from "../test-project.ts";
import type { Chat } from "./chat.ts";
import { ChatManager, type ChatManagerOptions } from "./chat-manager.ts";

/** A project with a chat manager. */
export interface ChatFixture extends AsyncDisposable {
  readonly test: TestProject;
  /** The current manager (replaced by {@link ChatFixture.reopen}). */
  readonly manager: ChatManager;
  /** Closes the manager and opens a new one on the same project, as a restarted server would. */
  reopen(): Promise<ChatManager>;
  /** Lines the managers logged. */
  readonly logs: string[];
  close(): Promise<void>;
}

/** Options of {@link createChatFixture}. */
export interface ChatFixtureOptions {
  /** The script every chat plays (by kind). */
  readonly script?: (kind: ChatKind) => ModelScript;
  readonly environment?: NodeJS.ProcessEnv;
  readonly settings?: Partial<Settings>;
  readonly manager?: Partial<ChatManagerOptions>;
}

/** Creates the fixture; close it at the end. */
export function createChatFixture(options: ChatFixtureOptions = {}): ChatFixture {
  const test = createTestProject({ settings: { provider: "replay", ...options.settings } });
  const logs: string[] = [];
  const open = (): ChatManager =>
    new ChatManager({
      project: test.project,
      settings: test.server.settings,
      publishChanges: () => {
        const bus = test.project.events;
        if (bus instanceof EventBus && !bus.closed) bus.flush();
      },
      environment: () => options.environment ?? {},
      ...(options.script === undefined ? {} : { replayScript: options.script }),
      log: (line) => logs.push(line),
      ...options.manager,
    });
  let manager = open();
  const close = async (): Promise<void> => {
    await manager.close();
    test.close();
  };
  return {
    test,
    get manager() {
      return manager;
    },
    reopen: async () => {
      await manager.close();
      manager = open();
      return manager;
    },
    logs,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Records every frame `chat` emits from now on. */
export function recordFrames(chat: Chat): ChatServerFrame[] {
  const frames: ChatServerFrame[] = [];
  chat.subscribe((frame) => frames.push(frame));
  return frames;
}

/**
 * A fingerprint of every file of the project but the chat histories and the database (which the chats and the
 * store write by design): compare two to see what a chat wrote.
 */
export function projectFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      const shown = relative(root, path);
      if (shown === join(".autowright", "chats") || /^\.autowright[/\\]autowright\.db/.test(shown)) continue;
      if (entry.isDirectory()) walk(path);
      else files.set(shown, createHash("sha256").update(readFileSync(path)).digest("hex"));
    }
  };
  walk(root);
  return files;
}

/** The paths whose content differs between two {@link projectFiles} fingerprints (added, removed or changed). */
export function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => before.get(path) !== after.get(path)).sort();
}
