/**
 * REST for a project's chats: list, create, read (with the history), delete, and send a message or an answer and
 * wait for the completed answer (the non-streaming alternative to the WebSocket, `attachChatSocket`).
 */
import {
  chatCreateRequestSchema,
  chatDeleteResponseSchema,
  chatDetailResponseSchema,
  chatListResponseSchema,
  chatMessageLimits,
  chatMessageRequestSchema,
  chatMessageResponseSchema,
  chatParamsSchema,
  chatResponseSchema,
  projectParamsSchema,
} from "@autowright/protocol";
import type { HttpApp } from "../http-app.ts";
import type { ServerContext } from "../server-context.ts";
import type { ChatManager } from "./chat-manager.ts";

/**
 * The largest `POST …/messages` body: the text and the attachments at their limits, base64-encoded, plus room for
 * the JSON around them.
 */
export const chatMessageBodyLimit =
  Math.ceil((chatMessageLimits.maxAttachments * chatMessageLimits.maxAttachmentBytes) / 3) * 4 +
  chatMessageLimits.maxTextCharacters * 6 +
  64 * 1024;

/** Registers `GET/POST /api/projects/:name/chats`, `GET/DELETE …/chats/:id` and `POST …/chats/:id/messages`. */
export function chatRoutes(
  context: ServerContext,
  managers: (project: string) => ChatManager,
): (app: HttpApp) => void {
  const managerOf = (name: string): ChatManager => managers(context.project(name).name);
  return (app) => {
    app.get(
      "/api/projects/:name/chats",
      {
        schema: {
          tags: ["chats"],
          summary: "List the project's chats, most recently updated first",
          params: projectParamsSchema,
          response: { 200: chatListResponseSchema },
        },
      },
      async (request) => ({ chats: managerOf(request.params.name).list() }),
    );

    app.post(
      "/api/projects/:name/chats",
      {
        schema: {
          tags: ["chats"],
          summary: "Start a chat: a spec interview, a project expansion (needs the spec), or the assistant",
          params: projectParamsSchema,
          body: chatCreateRequestSchema,
          response: { 201: chatResponseSchema },
        },
      },
      async (request, reply) => {
        const chat = managerOf(request.params.name).create(request.body.kind);
        return reply.status(201).send({ chat: chat.summary() });
      },
    );

    app.get(
      "/api/projects/:name/chats/:id",
      {
        schema: {
          tags: ["chats"],
          summary: "A chat with its history and the question it waits on",
          params: chatParamsSchema,
          response: { 200: chatDetailResponseSchema },
        },
      },
      async (request) => managerOf(request.params.name).detail(request.params.id),
    );

    app.delete(
      "/api/projects/:name/chats/:id",
      {
        schema: {
          tags: ["chats"],
          summary: "Delete a chat (a running answer is cancelled)",
          params: chatParamsSchema,
          response: { 200: chatDeleteResponseSchema },
        },
      },
      async (request) => {
        await managerOf(request.params.name).delete(request.params.id);
        return { id: request.params.id };
      },
    );

    app.post(
      "/api/projects/:name/chats/:id/messages",
      {
        bodyLimit: chatMessageBodyLimit,
        schema: {
          tags: ["chats"],
          summary:
            "Send a message (or the answer to the chat's question) and wait for the answer; it may end failed, cancelled or on a new question",
          params: chatParamsSchema,
          body: chatMessageRequestSchema,
          response: { 200: chatMessageResponseSchema },
        },
      },
      async (request) => {
        const chat = managerOf(request.params.name).get(request.params.id);
        const body = request.body;
        return "questionId" in body ? chat.answer(body) : chat.send(body);
      },
    );
  };
}
