/**
 * A project's chats over REST (create, list, read with the history, delete) and the address of a chat's socket,
 * which streams the answers (`/ws/projects/:name/chats/:id`, frames in the protocol's `chats.ts`).
 */
import {
  type ChatKind,
  chatDeleteResponseSchema,
  chatDetailResponseSchema,
  chatListResponseSchema,
  chatResponseSchema,
} from "@autowright/protocol";
import { apiRequest, projectPath } from "./client.ts";

/** The project's chats, most recently updated first. */
export const listChats = (project: string) =>
  apiRequest("GET", projectPath(project, "/chats"), chatListResponseSchema);

/** Starts a chat of `kind` (an `expand` chat needs the app spec: `conflict` without one). */
export const createChat = (project: string, kind: ChatKind) =>
  apiRequest("POST", projectPath(project, "/chats"), chatResponseSchema, { body: { kind } });

/** One chat, its history and the question it waits on. */
export const getChat = (project: string, id: string) =>
  apiRequest("GET", projectPath(project, `/chats/${encodeURIComponent(id)}`), chatDetailResponseSchema);

/** Deletes a chat (a running answer is cancelled). */
export const deleteChat = (project: string, id: string) =>
  apiRequest("DELETE", projectPath(project, `/chats/${encodeURIComponent(id)}`), chatDeleteResponseSchema);

/** The WebSocket address of a chat, on the page's origin (or `baseUrl`). */
export function chatSocketUrl(project: string, id: string, baseUrl: string = window.location.origin): string {
  const url = new URL(`/ws/projects/${encodeURIComponent(project)}/chats/${encodeURIComponent(id)}`, baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}
