/**
 * REST for a project's terminals: list, create, rename, kill. The bytes flow over the WebSocket
 * (`attachTerminalSocket`), not here.
 */
import {
  projectParamsSchema,
  terminalCreateRequestSchema,
  terminalDeleteResponseSchema,
  terminalListResponseSchema,
  terminalParamsSchema,
  terminalRenameRequestSchema,
  terminalResponseSchema,
} from "@autowright/protocol";
import type { HttpApp } from "../http-app.ts";
import type { ServerContext } from "../server-context.ts";
import type { TerminalManager } from "./terminal-manager.ts";

/** Registers `GET/POST /api/projects/:name/terminals` and `PATCH/DELETE /api/projects/:name/terminals/:id`. */
export function terminalRoutes(
  context: ServerContext,
  managers: (project: string) => TerminalManager,
): (app: HttpApp) => void {
  const managerOf = (name: string): TerminalManager => managers(context.project(name).name);
  return (app) => {
    app.get(
      "/api/projects/:name/terminals",
      {
        schema: {
          tags: ["terminals"],
          summary: "List the project's terminals",
          params: projectParamsSchema,
          response: { 200: terminalListResponseSchema },
        },
      },
      async (request) => ({ terminals: managerOf(request.params.name).list() }),
    );

    app.post(
      "/api/projects/:name/terminals",
      {
        schema: {
          tags: ["terminals"],
          summary: "Start a terminal (a shell in the project root)",
          params: projectParamsSchema,
          body: terminalCreateRequestSchema.nullish(),
          response: { 200: terminalResponseSchema },
        },
      },
      async (request) => {
        const body = request.body ?? {};
        const terminal = managerOf(request.params.name).create({
          ...(body.name === undefined ? {} : { name: body.name }),
          ...(body.cols === undefined ? {} : { cols: body.cols }),
          ...(body.rows === undefined ? {} : { rows: body.rows }),
        });
        return { terminal: terminal.info() };
      },
    );

    app.patch(
      "/api/projects/:name/terminals/:id",
      {
        schema: {
          tags: ["terminals"],
          summary: "Rename a terminal",
          params: terminalParamsSchema,
          body: terminalRenameRequestSchema,
          response: { 200: terminalResponseSchema },
        },
      },
      async (request) => ({
        terminal: managerOf(request.params.name).rename(request.params.id, request.body.name),
      }),
    );

    app.delete(
      "/api/projects/:name/terminals/:id",
      {
        schema: {
          tags: ["terminals"],
          summary: "Kill a terminal's shell and its jobs, and forget it",
          params: terminalParamsSchema,
          response: { 200: terminalDeleteResponseSchema },
        },
      },
      async (request) => {
        await managerOf(request.params.name).kill(request.params.id);
        return { id: request.params.id };
      },
    );
  };
}
