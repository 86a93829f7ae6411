/**
 * One WebSocket attached to one chat (`/ws/projects/:name/chats/:id`; the caller authenticates and upgrades).
 * The socket gets every frame of the chat from now on, and at once the question the chat waits on, if any. Its
 * `chat.send`, `chat.answer` and `chat.cancel` frames drive the chat. A frame that is not JSON, not a known frame
 * or refused by the chat (a turn already runs, no such question) is answered with a `chat.error` frame; the
 * connection stays open. Several sockets may attach to one chat (every tab sees the conversation).
 */
import {
  AppError,
  type ChatClientFrame,
  type ChatServerFrame,
  chatClientFrameSchema,
  formatZodError,
} from "@autowright/protocol";
import { type RawData, WebSocket } from "ws";
import type { Chat } from "./chat.ts";

/**
 * A client whose unsent frames pass this is closed (code 1013, "try again later") rather than buffered without
 * bound: it reattaches and reads the history over REST.
 */
export const maximumChatBufferedBytes = 8 * 1024 * 1024;

/** Attaches `socket` to `chat` until the socket closes; returns the detach function (also called on close). */
export function attachChatSocket(socket: WebSocket, chat: Chat): () => void {
  if (socket.readyState === WebSocket.CLOSING || socket.readyState === WebSocket.CLOSED) return () => {};
  let detached = false;
  const send = (frame: ChatServerFrame): void => {
    if (detached || socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > maximumChatBufferedBytes) {
      detach();
      socket.close(1013, "the client reads too slowly");
      return;
    }
    socket.send(JSON.stringify(frame));
  };
  const refuse = (error: unknown): void => {
    if (AppError.isInstance(error)) send({ type: "chat.error", code: error.code, message: error.message });
    else send({ type: "chat.error", code: "internal_error", message: "the chat could not take the frame" });
  };
  const unsubscribe = chat.subscribe(send);

  const run = (frame: ChatClientFrame): void => {
    try {
      switch (frame.type) {
        case "chat.send": {
          const { type: _type, ...request } = frame;
          // The turn's frames (and its failure, as `chat.error`) reach every subscriber, this socket included.
          chat.send(request).catch(refuse);
          return;
        }
        case "chat.answer":
          chat.answer({ questionId: frame.questionId, answers: frame.answers }).catch(refuse);
          return;
        case "chat.cancel":
          if (!chat.cancel())
            send({ type: "chat.error", code: "conflict", message: "no answer is being produced" });
          return;
        case "chat.ping":
          send({ type: "chat.pong" });
          return;
      }
    } catch (error) {
      refuse(error);
    }
  };

  const onMessage = (raw: RawData, isBinary: boolean): void => {
    if (isBinary) {
      send({ type: "chat.error", code: "invalid_input", message: "send chat frames as JSON text" });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(textOf(raw));
    } catch {
      send({ type: "chat.error", code: "invalid_json", message: "the frame is not valid JSON" });
      return;
    }
    const frame = chatClientFrameSchema.safeParse(parsed);
    if (!frame.success) {
      send({
        type: "chat.error",
        code: "invalid_input",
        message: `invalid chat frame: ${formatZodError(frame.error)}`.slice(0, 2_000),
      });
      return;
    }
    run(frame.data);
  };

  const detach = (): void => {
    if (detached) return;
    detached = true;
    unsubscribe();
    socket.off("message", onMessage);
    socket.off("close", detach);
  };
  socket.on("message", onMessage);
  socket.on("close", detach);
  // Kept after detaching: a broken connection must not become an uncaught exception.
  socket.on("error", detach);

  const question = chat.question();
  const asking = chat
    .messages()
    .findLast((message) =>
      message.parts.some((part) => part.type === "question" && part.questionId === question?.questionId),
    );
  if (question !== null && asking !== undefined)
    send({ type: "chat.question", messageId: asking.id, ...question });
  return detach;
}

function textOf(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString("utf8");
  if (Array.isArray(raw)) return Buffer.concat(raw).toString("utf8");
  return Buffer.from(raw).toString("utf8");
}
