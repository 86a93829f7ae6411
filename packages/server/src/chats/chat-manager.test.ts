import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ChatServerFrame, chatServerFrameSchema, readSpecFeatureCount } from "@autowright/protocol";
import { type ModelScript, startScriptedModelServer } from "@autowright/scripted-model";
import { hasSpec, projectPaths } from "@autowright/store";
import { eventually } from "@autowright/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { ChatHistory } from "./chat-history.ts";
import type { ChatModelSource } from "./chat-model.ts";
import {
  type ChatFixture,
  changedFiles,
  createChatFixture,
  projectFiles,
  recordFrames,
} from "./chat-test-support.ts";

let fixture: ChatFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

function setUp(options: Parameters<typeof createChatFixture>[0] = {}): ChatFixture {
  fixture = createChatFixture(options);
  return fixture;
}

const script = (turns: ModelScript["turns"]) => () => ({ turns });

function claudeMdAbsent(root: string): void {
  expect(existsSync(join(root, "CLAUDE.md"))).toBe(false);
  expect(existsSync(join(root, "claude.md"))).toBe(false);
}

function historyText(root: string): string {
  const history = new ChatHistory(projectPaths(root));
  return history
    .loadAll()
    .chats.map((chat) => JSON.stringify(chat))
    .join("\n");
}

const specScript = script([
  {
    text: "Let's begin. ",
    toolCalls: [
      {
        name: "ask_question",
        input: { question: "Which database?", options: ["SQLite", "PostgreSQL"], multiSelect: false },
      },
    ],
  },
  {
    toolCalls: [
      {
        name: "write_spec",
        input: {
          content: "# Todo app\n\n## Features\n- Add a todo\n- Tick a todo\n- Delete a todo",
          featureCount: 3,
        },
      },
    ],
  },
  { text: "The spec is written." },
]);

describe("spec chat", () => {
  it("asks a structured question, takes the answer and writes only the spec, with the feature count", async () => {
    const { test, manager } = setUp({ script: specScript });
    const before = projectFiles(test.root);
    const chat = manager.create("spec");
    const frames = recordFrames(chat);

    const first = await chat.send({ text: "I want a todo app" });
    expect(first.message.status).toBe("completed");
    expect(first.chat.status).toBe("waiting_for_answer");
    expect(first.chat.title).toBe("I want a todo app");
    const question = frames.find((frame) => frame.type === "chat.question");
    expect(question).toMatchObject({
      messageId: first.message.id,
      question: "Which database?",
      options: ["SQLite", "PostgreSQL"],
      multiSelect: false,
    });
    expect(chat.question()?.questionId).toBe(question?.type === "chat.question" ? question.questionId : "");
    expect(first.message.parts).toEqual([
      { type: "text", text: "Let's begin. " },
      expect.objectContaining({ type: "question", question: "Which database?", answers: null }),
    ]);
    // Every frame is a valid wire frame, and the answer streamed in order.
    for (const frame of frames) expect(chatServerFrameSchema.safeParse(frame).success).toBe(true);
    const types = frames
      .map((frame) => frame.type)
      .filter((type, index, all) => type !== "chat.text.delta" || all[index - 1] !== type);
    expect(types).toEqual([
      "chat.message.started",
      "chat.text.delta",
      "chat.message.completed",
      "chat.message.started",
      "chat.text.delta",
      "chat.question",
      "chat.message.completed",
    ]);

    // Two answers to a single-choice question, or the wrong question id, are refused.
    const questionId = chat.question()?.questionId ?? "";
    expect(() => chat.answer({ questionId, answers: ["SQLite", "PostgreSQL"] })).toThrow(
      expect.objectContaining({ code: "invalid_input" }),
    );
    expect(() => chat.answer({ questionId: "nope", answers: ["SQLite"] })).toThrow(
      expect.objectContaining({ code: "conflict" }),
    );

    frames.length = 0;
    const second = await chat.answer({ questionId, answers: ["SQLite"] });
    expect(second.message.status).toBe("completed");
    expect(second.chat).toMatchObject({
      status: "idle",
      specWritten: { path: ".autowright/prompts/app-spec.md", featureCount: 3 },
    });
    expect(frames).toContainEqual({
      type: "chat.spec.written",
      path: ".autowright/prompts/app-spec.md",
      featureCount: 3,
    });
    expect(frames).toContainEqual(
      expect.objectContaining({ type: "chat.tool", name: "write_spec", ok: true }),
    );

    const spec = readFileSync(test.project.paths.specFile, "utf8");
    expect(spec).toContain("# Todo app");
    expect(spec).toContain("- Delete a todo");
    expect(readSpecFeatureCount(spec)).toBe(3);
    expect(hasSpec(test.project.paths)).toBe(true);
    expect(changedFiles(before, projectFiles(test.root))).toEqual([".autowright/prompts/app-spec.md"]);
    claudeMdAbsent(test.root);

    // The answer reached the model as the question's tool result, and the question part shows it.
    const detail = manager.detail(chat.id);
    expect(JSON.stringify(detail.messages)).toContain('"answers":["SQLite"]');
    expect(historyText(test.root)).toContain("The user answered: SQLite");
    expect(detail.question).toBeNull();
  });

  it("runs the default replay interview when no script is given", async () => {
    const { test, manager } = setUp();
    const chat = manager.create("spec");
    await chat.send({ text: "Hello" });
    const questionId = chat.question()?.questionId ?? "";
    const done = await chat.answer({ questionId, answers: ["Quick"] });
    expect(done.chat.specWritten?.featureCount).toBe(2);
    expect(readFileSync(test.project.paths.specFile, "utf8")).toContain("Count the visits");
    claudeMdAbsent(test.root);
  });

  it("takes a free-text reply to a question as its answer", async () => {
    const { test, manager } = setUp({ script: specScript });
    const chat = manager.create("spec");
    await chat.send({ text: "A todo app" });
    const reply = await chat.send({ text: "Whatever is simplest" });
    expect(reply.chat.specWritten?.featureCount).toBe(3);
    expect(historyText(test.root)).toContain("answered in their own words");
  });
});

describe("expand chat", () => {
  const expandScript = script([
    {
      toolCalls: [
        {
          name: "feature_create_bulk",
          input: {
            features: [
              { category: "data", name: "Export CSV", description: "Export", steps: ["Click export"] },
              {
                category: "data",
                name: "Import CSV",
                description: "Import",
                steps: ["Upload a file"],
                depends_on_indices: [0],
              },
            ],
          },
        },
      ],
    },
    { text: "I added 2 features." },
  ]);

  it("needs the spec", () => {
    const { manager } = setUp({ script: expandScript });
    expect(() => manager.create("expand")).toThrow(expect.objectContaining({ code: "conflict" }));
    expect(manager.list()).toEqual([]);
  });

  it("adds features through the backlog tools: stored, published and reported", async () => {
    const { test, manager } = setUp({ script: expandScript });
    writeFileSync(test.project.paths.specFile, "# App\n\n- Keep data\n");
    const before = projectFiles(test.root);
    const chat = manager.create("expand");
    const frames = recordFrames(chat);
    const result = await chat.send({ text: "Add CSV import and export" });

    expect(result.message.status).toBe("completed");
    const features = test.project.store.listFeatures();
    expect(features.map((feature) => feature.name)).toEqual(["Export CSV", "Import CSV"]);
    const [exported, imported] = features;
    expect(imported?.dependencies).toEqual([exported?.id]);
    const ids = features.map((feature) => feature.id);
    expect(frames).toContainEqual({ type: "chat.features.added", count: 2, ids });
    expect(result.chat.featuresAdded).toBe(2);
    expect(result.message.parts).toContainEqual({ type: "features", count: 2, ids });
    await eventually(() => test.events.filter((event) => event.type === "feature.created").length === 2);
    expect(changedFiles(before, projectFiles(test.root))).toEqual([]);
    claudeMdAbsent(test.root);
  });
});

describe("assistant chat", () => {
  it("cannot write files or run commands: those tools are not in its set", async () => {
    const { test, manager } = setUp({
      script: script([
        {
          toolCalls: [
            { name: "write_file", input: { path: "hack.txt", content: "pwned" } },
            { name: "edit_file", input: { path: "README.md", old_text: "a", new_text: "b" } },
            { name: "bash", input: { command: "touch pwned.txt" } },
            { name: "feature_claim", input: { feature_id: 1 } },
            { name: "write_spec", input: { content: "# Evil", featureCount: 1 } },
          ],
        },
        { text: "I cannot change files." },
      ]),
    });
    writeFileSync(join(test.root, "README.md"), "a readme\n");
    const before = projectFiles(test.root);
    const specBefore = readFileSync(test.project.paths.specFile, "utf8");
    const chat = manager.create("assistant");
    const frames = recordFrames(chat);
    const result = await chat.send({ text: "Please edit the readme" });

    expect(result.message.status).toBe("completed");
    const tools = frames.filter((frame) => frame.type === "chat.tool");
    expect(tools.map((frame) => [frame.name, frame.ok])).toEqual([
      ["write_file", false],
      ["edit_file", false],
      ["bash", false],
      ["feature_claim", false],
      ["write_spec", false],
    ]);
    for (const frame of tools) expect(frame.summary).toContain("refused: not one of this chat's tools");
    expect(existsSync(join(test.root, "hack.txt"))).toBe(false);
    expect(existsSync(join(test.root, "pwned.txt"))).toBe(false);
    expect(readFileSync(test.project.paths.specFile, "utf8")).toBe(specBefore);
    expect(changedFiles(before, projectFiles(test.root))).toEqual([]);
    claudeMdAbsent(test.root);
    // The model was told the tools do not exist.
    expect(historyText(test.root)).toContain("unavailable tool");
  });

  it("reads files, manages the backlog, and redacts secrets from what it stores and streams", async () => {
    const secret = "sk-test-0123456789abcdefghijklmnop";
    const { test, manager } = setUp({
      environment: { MY_SERVICE_API_KEY: "hunter2-very-secret-value" },
      script: script([
        {
          toolCalls: [
            { name: "read_file", input: { path: "config.txt" } },
            { name: "grep", input: { pattern: "token" } },
            { name: "list_files", input: {} },
            {
              name: "feature_create",
              input: { category: "docs", name: "Write docs", description: "Docs", steps: ["Read them"] },
            },
          ],
        },
        { toolCalls: [{ name: "feature_skip", input: { feature_id: 1, reason: "later" } }] },
        { text: `The config holds ${secret} and hunter2-very-secret-value, which you should rotate.` },
      ]),
    });
    writeFileSync(join(test.root, "config.txt"), `token=${secret}\nother=hunter2-very-secret-value\n`);
    const chat = manager.create("assistant");
    const frames = recordFrames(chat);
    const result = await chat.send({ text: "What is in config.txt?" });

    expect(result.message.status).toBe("completed");
    expect(frames.filter((frame) => frame.type === "chat.tool").every((frame) => frame.ok)).toBe(true);
    expect(test.project.store.listFeatures().map((feature) => feature.name)).toEqual(["Write docs"]);
    const streamed = JSON.stringify(frames);
    const stored = historyText(test.root);
    for (const text of [streamed, stored]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain("hunter2-very-secret-value");
      expect(text).toContain("[redacted]");
    }
    const answer = frames
      .filter(
        (frame): frame is Extract<ChatServerFrame, { type: "chat.text.delta" }> =>
          frame.type === "chat.text.delta",
      )
      .filter((frame) => frame.messageId === result.message.id)
      .map((frame) => frame.text)
      .join("");
    expect(answer).toBe("The config holds [redacted] and [redacted], which you should rotate.");
    claudeMdAbsent(test.root);
  });
});

describe("history", () => {
  it("survives reopening the manager, with the pending question still answerable", async () => {
    const current = setUp({ script: specScript });
    const chat = current.manager.create("spec");
    await chat.send({ text: "A todo app" });
    const questionId = chat.question()?.questionId ?? "";

    const reopened = await current.reopen();
    expect(reopened.list()).toEqual([
      expect.objectContaining({ id: chat.id, kind: "spec", status: "waiting_for_answer", messageCount: 2 }),
    ]);
    const detail = reopened.detail(chat.id);
    expect(detail.messages.map((message) => [message.role, message.status])).toEqual([
      ["user", "completed"],
      ["assistant", "completed"],
    ]);
    expect(detail.question?.questionId).toBe(questionId);
    const done = await reopened.get(chat.id).answer({ questionId, answers: ["PostgreSQL"] });
    expect(done.chat.specWritten?.featureCount).toBe(3);
    expect(existsSync(join(current.test.project.paths.dataDirectory, "chats", ".gitignore"))).toBe(true);
  });

  it("shows an answer interrupted by a restart as failed, and skips unreadable files", async () => {
    const current = setUp({ script: specScript });
    const chat = current.manager.create("assistant");
    const history = new ChatHistory(current.test.project.paths);
    const [record] = history.loadAll().chats;
    if (record === undefined) throw new Error("the chat was not saved");
    record.messages.push({
      id: "m1",
      role: "assistant",
      createdAt: record.createdAt,
      status: "streaming",
      parts: [{ type: "text", text: "half an ans" }],
    });
    history.save(record);
    writeFileSync(join(history.directory, "00000000-0000-4000-8000-000000000000.json"), "{ not json");

    const reopened = await current.reopen();
    expect(reopened.list().map((summary) => summary.id)).toEqual([chat.id]);
    expect(reopened.detail(chat.id).messages[0]).toMatchObject({
      status: "failed",
      error: { code: "internal_error" },
    });
    expect(current.logs.join("\n")).toContain("skipped");
  });

  it("deletes a chat and its file; unknown ids are not_found", async () => {
    const { test, manager } = setUp();
    const chat = manager.create("assistant");
    const file = join(test.project.paths.dataDirectory, "chats", `${chat.id}.json`);
    expect(existsSync(file)).toBe(true);
    await manager.delete(chat.id);
    expect(existsSync(file)).toBe(false);
    expect(() => manager.get(chat.id)).toThrow(expect.objectContaining({ code: "not_found" }));
    expect(() => manager.get("../../etc/passwd")).toThrow(expect.objectContaining({ code: "not_found" }));
    await expect(manager.delete(chat.id)).rejects.toMatchObject({ code: "not_found" });
  });
});

/** A model source playing `turns` on one scripted server the test can inspect, answering after `latencyMs`. */
async function slowSource(turns: ModelScript["turns"], latencyMs: number) {
  const server = await startScriptedModelServer({ wire: "openai", script: { turns }, latencyMs });
  const { createLanguageModel } = await import("@autowright/agent-runtime");
  const source: ChatModelSource = async () => ({
    model: createLanguageModel({
      wire: "openai-compatible",
      baseUrl: server.openaiBaseUrl,
      apiKey: "test",
      model: "scripted",
    }),
    dispose: async () => undefined,
  });
  return { server, source };
}

describe("turns", () => {
  it("cancels a running answer: the message ends cancelled and the conversation is as before", async () => {
    const { server, source } = await slowSource([{ text: "too late" }], 60_000);
    try {
      const { manager } = setUp({ manager: { model: source } });
      const chat = manager.create("assistant");
      const frames = recordFrames(chat);
      const turn = chat.send({ text: "Hello" });
      await eventually(() => server.requests.length === 1);
      expect(chat.summary().status).toBe("running");
      expect(() => chat.send({ text: "again" })).toThrow(expect.objectContaining({ code: "conflict" }));
      expect(chat.cancel()).toBe(true);
      const result = await turn;
      expect(result.message.status).toBe("cancelled");
      expect(result.chat.status).toBe("idle");
      expect(frames.at(-1)).toEqual({
        type: "chat.message.completed",
        messageId: result.message.id,
        status: "cancelled",
      });
      expect(chat.cancel()).toBe(false);
      expect(historyText(fixture?.test.root ?? "")).toContain('"conversation":[]');
    } finally {
      await server.close();
    }
  });

  it("closing the manager cancels its running turns and refuses later calls", async () => {
    const { server, source } = await slowSource([{ text: "too late" }], 60_000);
    try {
      const { manager } = setUp({ manager: { model: source } });
      const chat = manager.create("assistant");
      const turn = chat.send({ text: "Hello" });
      await eventually(() => server.requests.length === 1);
      await manager.close();
      expect((await turn).message.status).toBe("cancelled");
      expect(() => manager.list()).toThrow(expect.objectContaining({ code: "store_closed" }));
      expect(() => chat.send({ text: "again" })).toThrow(expect.objectContaining({ code: "store_closed" }));
    } finally {
      await server.close();
    }
  });

  it("reports a failing model as a failed message and a chat.error frame", async () => {
    const { test, manager } = setUp({
      script: script([{ error: { status: 500, message: "the scripted model broke" } }]),
    });
    const chat = manager.create("assistant");
    const frames = recordFrames(chat);
    const result = await chat.send({ text: "Hello" });
    expect(result.message).toMatchObject({ status: "failed", error: { code: "internal_error" } });
    expect(frames).toContainEqual(expect.objectContaining({ type: "chat.error", code: "internal_error" }));
    expect(historyText(test.root)).toContain('"conversation":[]');
  });

  it("refuses bad messages", () => {
    const { manager } = setUp();
    const chat = manager.create("assistant");
    expect(() => chat.send({ text: "   " })).toThrow(expect.objectContaining({ code: "invalid_input" }));
    expect(() =>
      chat.send({ text: "look", attachments: [{ mimeType: "image/png", data: "not base64!" }] }),
    ).toThrow(expect.objectContaining({ code: "invalid_input" }));
    expect(() => chat.answer({ questionId: "q", answers: ["a"] })).toThrow(
      expect.objectContaining({ code: "conflict" }),
    );
    expect(chat.messages()).toEqual([]);
  });

  it("sends image attachments to the model and keeps only their size in the history", async () => {
    const { server, source } = await slowSource([{ text: "A red pixel." }], 0);
    try {
      const { manager } = setUp({ manager: { model: source } });
      const chat = manager.create("assistant");
      const data = Buffer.from("fake png bytes").toString("base64");
      const result = await chat.send({
        text: "What is this?",
        attachments: [{ mimeType: "image/png", data, name: "pixel.png" }],
      });
      expect(result.message.status).toBe("completed");
      expect(JSON.stringify(server.requests[0]?.body)).toContain(data);
      expect(chat.messages()[0]?.parts).toEqual([
        { type: "text", text: "What is this?" },
        { type: "image", mimeType: "image/png", bytes: 14, name: "pixel.png" },
      ]);
    } finally {
      await server.close();
    }
  });
});
