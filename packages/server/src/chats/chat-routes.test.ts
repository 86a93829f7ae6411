import { randomUUID } from "node:crypto";
import { chatDetailResponseSchema, chatMessageResponseSchema } from "@autowright/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpApp, type HttpApp } from "../http-app.ts";
import { chatRoutes } from "./chat-routes.ts";
import { type ChatFixture, createChatFixture } from "./chat-test-support.ts";

let app: HttpApp | undefined;
let fixture: ChatFixture | undefined;
afterEach(async () => {
  await app?.close();
  await fixture?.close();
  app = undefined;
  fixture = undefined;
});

function build(): { server: HttpApp; fixture: ChatFixture } {
  const created = createChatFixture({
    script: () => ({
      turns: [
        {
          toolCalls: [{ name: "ask_question", input: { question: "Which one?", options: ["A", "B"] } }],
        },
        { text: "Noted." },
      ],
    }),
  });
  fixture = created;
  const server = createHttpApp();
  chatRoutes(created.test.server, (name) => {
    expect(name).toBe("demo");
    return created.manager;
  })(server);
  app = server;
  return { server, fixture: created };
}

const base = "/api/projects/demo/chats";

describe("chatRoutes", () => {
  it("creates, lists, talks to, reads and deletes a chat", async () => {
    const { server } = build();
    expect((await server.inject({ method: "GET", url: base })).json()).toEqual({ chats: [] });

    const created = await server.inject({ method: "POST", url: base, payload: { kind: "assistant" } });
    expect(created.statusCode).toBe(201);
    const chat = created.json().chat;
    expect(chat).toMatchObject({ kind: "assistant", status: "idle", messageCount: 0, title: "Assistant" });
    expect((await server.inject({ method: "GET", url: base })).json().chats).toEqual([chat]);

    const asked = await server.inject({
      method: "POST",
      url: `${base}/${chat.id}/messages`,
      payload: { text: "Help me choose" },
    });
    expect(asked.statusCode).toBe(200);
    const askedBody = chatMessageResponseSchema.parse(asked.json());
    expect(askedBody.chat.status).toBe("waiting_for_answer");
    const question = askedBody.message.parts.find((part) => part.type === "question");
    if (question?.type !== "question") throw new Error("no question part");

    const detail = chatDetailResponseSchema.parse(
      (await server.inject({ method: "GET", url: `${base}/${chat.id}` })).json(),
    );
    expect(detail.question).toMatchObject({
      question: "Which one?",
      options: ["A", "B"],
      multiSelect: false,
    });

    const wrong = await server.inject({
      method: "POST",
      url: `${base}/${chat.id}/messages`,
      payload: { questionId: "not-it", answers: ["A"] },
    });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.json().error.code).toBe("conflict");

    const answered = await server.inject({
      method: "POST",
      url: `${base}/${chat.id}/messages`,
      payload: { questionId: question.questionId, answers: ["B"] },
    });
    expect(answered.statusCode).toBe(200);
    expect(answered.json().message).toMatchObject({
      status: "completed",
      parts: [{ type: "text", text: "Noted." }],
    });
    expect(answered.json().chat).toMatchObject({ status: "idle", messageCount: 4 });

    const deleted = await server.inject({ method: "DELETE", url: `${base}/${chat.id}` });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ id: chat.id });
    const gone = await server.inject({ method: "GET", url: `${base}/${chat.id}` });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe("not_found");
  });

  it.each([
    ["no body", undefined],
    ["an unknown kind", { kind: "therapist" }],
    ["a kind of the wrong type", { kind: 3 }],
    ["an unknown field", { kind: "spec", model: "x" }],
  ])("refuses to create a chat with %s", async (_name, payload) => {
    const { server, fixture: current } = build();
    const response = await server.inject({
      method: "POST",
      url: base,
      ...(payload === undefined ? {} : { payload }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_input");
    expect(current.manager.list()).toEqual([]);
  });

  it("refuses an expand chat while the project has no spec", async () => {
    const { server, fixture: current } = build();
    const response = await server.inject({ method: "POST", url: base, payload: { kind: "expand" } });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe("conflict");
    expect(current.manager.list()).toEqual([]);
  });

  it.each([
    ["no body", undefined],
    ["empty text", { text: "" }],
    ["text of the wrong type", { text: 42 }],
    ["an unknown field", { text: "hi", role: "system" }],
    [
      "an attachment of an unknown type",
      { text: "hi", attachments: [{ mimeType: "text/html", data: "aGk=" }] },
    ],
    [
      "an attachment that is not base64",
      { text: "hi", attachments: [{ mimeType: "image/png", data: "h i" }] },
    ],
    [
      "too many attachments",
      { text: "hi", attachments: Array.from({ length: 5 }, () => ({ mimeType: "image/png", data: "aGk=" })) },
    ],
    ["an answer without answers", { questionId: "q", answers: [] }],
  ])("refuses a message with %s and changes nothing", async (_name, payload) => {
    const { server, fixture: current } = build();
    const chat = current.manager.create("assistant");
    const response = await server.inject({
      method: "POST",
      url: `${base}/${chat.id}/messages`,
      ...(payload === undefined ? {} : { payload }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_input");
    expect(current.manager.detail(chat.id).messages).toEqual([]);
  });

  it("refuses an attachment over the size limit", async () => {
    const { server, fixture: current } = build();
    const chat = current.manager.create("assistant");
    const data = Buffer.alloc(5 * 1024 * 1024 + 3).toString("base64");
    const response = await server.inject({
      method: "POST",
      url: `${base}/${chat.id}/messages`,
      payload: { text: "big", attachments: [{ mimeType: "image/png", data }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("invalid_input");
    expect(current.manager.detail(chat.id).messages).toEqual([]);
  });

  it.each([
    ["GET", `${base}/${randomUUID()}`, 404, "not_found"],
    ["DELETE", `${base}/${randomUUID()}`, 404, "not_found"],
    ["POST", `${base}/${randomUUID()}/messages`, 404, "not_found"],
    ["GET", `${base}/not-a-uuid`, 400, "invalid_input"],
    ["GET", "/api/projects/other/chats", 404, "project_not_found"],
    ["POST", "/api/projects/other/chats", 404, "project_not_found"],
    ["GET", "/api/projects/bad name/chats", 400, "invalid_input"],
  ] as const)("%s %s is %i %s", async (method, url, status, code) => {
    const { server } = build();
    const response = await server.inject({
      method,
      url,
      ...(method === "POST" ? { payload: url.endsWith("messages") ? { text: "hi" } : { kind: "spec" } } : {}),
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
  });
});
