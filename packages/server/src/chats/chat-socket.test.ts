import type { AddressInfo } from "node:net";
import { type ChatServerFrame, chatServerFrameSchema } from "@autowright/protocol";
import { eventually } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import type { Chat } from "./chat.ts";
import { attachChatSocket } from "./chat-socket.ts";
import { type ChatFixture, createChatFixture } from "./chat-test-support.ts";

let fixture: ChatFixture;
let server: WebSocketServer;
let clients: WebSocket[] = [];
/** The chat each new connection attaches to. */
let target: Chat;

beforeEach(async () => {
  fixture = createChatFixture({
    script: () => ({
      turns: [
        {
          text: "A question first.",
          toolCalls: [{ name: "ask_question", input: { question: "Colour?", options: ["Red", "Blue"] } }],
        },
        { text: "Blue it is." },
      ],
    }),
  });
  target = fixture.manager.create("assistant");
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (socket) => attachChatSocket(socket, target));
  await new Promise<void>((resolve) => server.once("listening", resolve));
});
afterEach(async () => {
  for (const client of clients) client.terminate();
  clients = [];
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fixture.close();
});

interface Client {
  readonly socket: WebSocket;
  readonly frames: ChatServerFrame[];
  send(frame: unknown): void;
}

async function connect(): Promise<Client> {
  const { port } = server.address() as AddressInfo;
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  clients.push(socket);
  const frames: ChatServerFrame[] = [];
  socket.on("message", (raw) => frames.push(chatServerFrameSchema.parse(JSON.parse(String(raw)))));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return {
    socket,
    frames,
    send: (frame) => socket.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
  };
}

async function waitFor(client: Client, description: string, check: (frames: ChatServerFrame[]) => boolean) {
  try {
    await eventually(() => check(client.frames), 10_000, 10);
  } catch {
    throw new Error(`waited for ${description}; got ${JSON.stringify(client.frames).slice(0, 2_000)}`);
  }
}

const completedAssistant = (frames: ChatServerFrame[], count: number) =>
  frames.filter((frame) => frame.type === "chat.message.completed").length >= count * 2;

describe("attachChatSocket", () => {
  it("streams a turn, a question and its answer to every attached socket", async () => {
    const first = await connect();
    const second = await connect();
    first.send({ type: "chat.send", text: "Pick a colour" });
    await waitFor(first, "the question", (frames) => frames.some((frame) => frame.type === "chat.question"));
    await waitFor(first, "the first turn to complete", (frames) => completedAssistant(frames, 1));
    await waitFor(second, "the same frames on the other socket", (frames) => completedAssistant(frames, 1));
    expect(second.frames).toEqual(first.frames);
    // Text may arrive in several deltas: consecutive ones count once here.
    const types = first.frames
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

    // A socket attaching later gets the question it can answer at once.
    const late = await connect();
    await waitFor(late, "the pending question", (frames) =>
      frames.some((frame) => frame.type === "chat.question"),
    );
    const question = late.frames.find((frame) => frame.type === "chat.question");
    if (question?.type !== "chat.question") throw new Error("no question");
    expect(question.options).toEqual(["Red", "Blue"]);

    late.send({ type: "chat.answer", questionId: question.questionId, answers: ["Blue"] });
    await waitFor(first, "the second turn to complete", (frames) => completedAssistant(frames, 2));
    const textOf = (role: "user" | "assistant"): string => {
      const started = first.frames.findLast(
        (frame) => frame.type === "chat.message.started" && frame.role === role,
      );
      const id = started?.type === "chat.message.started" ? started.messageId : "";
      return first.frames
        .map((frame) => (frame.type === "chat.text.delta" && frame.messageId === id ? frame.text : ""))
        .join("");
    };
    expect(textOf("user")).toBe("Blue");
    expect(textOf("assistant")).toBe("Blue it is.");
    expect(target.summary().status).toBe("idle");
  });

  it.each([
    ["not JSON", "{ nope", "invalid_json"],
    ["an unknown frame", { type: "chat.explode" }, "invalid_input"],
    ["a send without text", { type: "chat.send" }, "invalid_input"],
    ["a send with an unknown field", { type: "chat.send", text: "hi", model: "x" }, "invalid_input"],
    [
      "an attachment that is not base64",
      { type: "chat.send", text: "hi", attachments: [{ mimeType: "image/png", data: "%%" }] },
      "invalid_input",
    ],
    [
      "an answer with no question pending",
      { type: "chat.answer", questionId: "q1", answers: ["a"] },
      "conflict",
    ],
    ["a cancel with nothing running", { type: "chat.cancel" }, "conflict"],
  ])("answers %s with an error frame and stays open", async (_name, frame, code) => {
    const client = await connect();
    client.send(frame);
    await waitFor(client, `a ${code} error`, (frames) =>
      frames.some((candidate) => candidate.type === "chat.error"),
    );
    expect(client.frames).toEqual([expect.objectContaining({ type: "chat.error", code })]);
    client.send({ type: "chat.ping" });
    await waitFor(client, "the pong", (frames) => frames.some((candidate) => candidate.type === "chat.pong"));
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    expect(target.messages()).toEqual([]);
  });

  it("refuses binary frames and stops sending after the socket closes", async () => {
    const client = await connect();
    client.socket.send(Buffer.from([1, 2, 3]));
    await waitFor(client, "the error", (frames) => frames.some((frame) => frame.type === "chat.error"));
    expect(client.frames[0]).toMatchObject({ code: "invalid_input" });
    client.socket.close();
    await eventually(() => client.socket.readyState === WebSocket.CLOSED);
    // The chat goes on without the closed socket (no throw, no send to a dead socket).
    const result = await target.send({ text: "still here?" });
    expect(result.message.status).toBe("completed");
  });

  it("answers a second send while a turn runs with a conflict error", async () => {
    const client = await connect();
    client.send({ type: "chat.send", text: "one" });
    client.send({ type: "chat.send", text: "two" });
    await waitFor(client, "the conflict", (frames) =>
      frames.some((frame) => frame.type === "chat.error" && frame.code === "conflict"),
    );
    await waitFor(client, "the first turn to complete", (frames) => completedAssistant(frames, 1));
    expect(target.messages().filter((message) => message.role === "user")).toHaveLength(1);
  });
});
