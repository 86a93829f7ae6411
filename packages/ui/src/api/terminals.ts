/** A project's terminals over REST (list, create, rename, kill) and the address of one terminal's socket. */
import {
  type TerminalCreateRequest,
  terminalDeleteResponseSchema,
  terminalListResponseSchema,
  terminalResponseSchema,
} from "@autowright/protocol";
import { apiRequest, projectPath } from "./client.ts";

/** The project's terminals, in creation order. */
export const listTerminals = (project: string) =>
  apiRequest("GET", projectPath(project, "/terminals"), terminalListResponseSchema);

/** Starts a terminal (a shell in the project's folder). */
export const createTerminal = (project: string, body: TerminalCreateRequest = {}) =>
  apiRequest("POST", projectPath(project, "/terminals"), terminalResponseSchema, { body });

/** Renames a terminal. */
export const renameTerminal = (project: string, id: string, name: string) =>
  apiRequest("PATCH", projectPath(project, `/terminals/${encodeURIComponent(id)}`), terminalResponseSchema, {
    body: { name },
  });

/** Kills a terminal's shell and forgets it. */
export const deleteTerminal = (project: string, id: string) =>
  apiRequest(
    "DELETE",
    projectPath(project, `/terminals/${encodeURIComponent(id)}`),
    terminalDeleteResponseSchema,
  );

/** The WebSocket address of one terminal, on the page's origin (the token rides in the cookie). */
export function terminalSocketUrl(
  project: string,
  id: string,
  origin: string = window.location.origin,
): string {
  const url = new URL(
    `/ws/projects/${encodeURIComponent(project)}/terminals/${encodeURIComponent(id)}`,
    origin,
  );
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}
