import { describe, expect, it } from "vitest";
import {
  base64DecodedBytes,
  chatAttachmentSchema,
  chatClientFrameSchema,
  chatMessageLimits,
  chatServerFrameSchema,
} from "./chats.ts";

describe("chat frames", () => {
  it.each([
    [{ type: "chat.send", text: "hello" }],
    [
      {
        type: "chat.send",
        text: "look",
        attachments: [{ mimeType: "image/png", data: "aGk=", name: "a.png" }],
      },
    ],
    [{ type: "chat.answer", questionId: "call_1", answers: ["A", "B"] }],
    [{ type: "chat.cancel" }],
    [{ type: "chat.ping" }],
  ])("accepts the client frame %j", (frame) => {
    expect(chatClientFrameSchema.safeParse(frame).success).toBe(true);
  });

  it.each([
    ["an unknown type", { type: "chat.explode" }],
    ["blank text", { type: "chat.send", text: "  " }],
    ["an unknown field", { type: "chat.cancel", force: true }],
    ["no answers", { type: "chat.answer", questionId: "q", answers: [] }],
    [
      "a data URL",
      {
        type: "chat.send",
        text: "x",
        attachments: [{ mimeType: "image/png", data: "data:image/png;base64,aGk=" }],
      },
    ],
    ["an SVG", { type: "chat.send", text: "x", attachments: [{ mimeType: "image/svg+xml", data: "aGk=" }] }],
  ])("refuses a client frame with %s", (_name, frame) => {
    expect(chatClientFrameSchema.safeParse(frame).success).toBe(false);
  });

  it.each([
    [{ type: "chat.message.started", messageId: "m", role: "assistant" }],
    [{ type: "chat.text.delta", messageId: "m", text: "hi" }],
    [
      {
        type: "chat.question",
        messageId: "m",
        questionId: "q",
        question: "?",
        options: ["a", "b"],
        multiSelect: false,
      },
    ],
    [{ type: "chat.tool", messageId: "m", name: "read_file", summary: "src/a.ts", ok: true }],
    [{ type: "chat.message.completed", messageId: "m", status: "completed" }],
    [{ type: "chat.spec.written", path: ".autowright/prompts/app-spec.md", featureCount: 30 }],
    [{ type: "chat.features.added", count: 2, ids: [4, 5] }],
    [{ type: "chat.error", code: "conflict", message: "busy" }],
    [{ type: "chat.pong" }],
  ])("accepts the server frame %j", (frame) => {
    expect(chatServerFrameSchema.safeParse(frame).success).toBe(true);
  });

  it("bounds attachments by their decoded size", () => {
    const limit = chatMessageLimits.maxAttachmentBytes;
    const atLimit = Buffer.alloc(limit).toString("base64");
    const over = Buffer.alloc(limit + 1).toString("base64");
    expect(base64DecodedBytes(atLimit)).toBe(limit);
    expect(chatAttachmentSchema.safeParse({ mimeType: "image/jpeg", data: atLimit }).success).toBe(true);
    expect(chatAttachmentSchema.safeParse({ mimeType: "image/jpeg", data: over }).success).toBe(false);
  });
});
