/** `/api/projects/:name/devserver`: the status, start, stop and the command of a project's dev server. */
import {
  devServerActionRequestSchema,
  devServerConfigRequestSchema,
  devServerConfigSchema,
  devServerStateSchema,
  projectParamsSchema,
} from "@autowright/protocol";
import type { HttpApp } from "../http-app.ts";
import type { ServerContext } from "../server-context.ts";
import type { DevServerManager } from "./dev-server-manager.ts";

/**
 * The dev server routes. `managers` gives the manager of an open project (e.g. `DevServerManagers.of`); the project
 * is looked up first, so an unknown one is `404 project_not_found`.
 */
export function devServerRoutes(
  context: ServerContext,
  managers: (project: string) => DevServerManager,
): (app: HttpApp) => void {
  const managerOf = (name: string): DevServerManager => managers(context.project(name).name);
  return (app) => {
    app.get(
      "/api/projects/:name/devserver",
      {
        schema: {
          tags: ["devserver"],
          summary: "The dev server's status, where it listens, and its latest output lines",
          params: projectParamsSchema,
          response: { 200: devServerStateSchema },
        },
      },
      async (request) => managerOf(request.params.name).status(),
    );
    app.post(
      "/api/projects/:name/devserver/start",
      {
        schema: {
          tags: ["devserver"],
          summary:
            "Start the dev server (the custom command, else the detected one) on a free port; 409 conflict when it already starts or runs",
          params: projectParamsSchema,
          body: devServerActionRequestSchema,
          response: { 200: devServerStateSchema },
        },
      },
      async (request) => managerOf(request.params.name).start(),
    );
    app.post(
      "/api/projects/:name/devserver/stop",
      {
        schema: {
          tags: ["devserver"],
          summary: "Stop the dev server and every process it started; answers once they are gone",
          params: projectParamsSchema,
          body: devServerActionRequestSchema,
          response: { 200: devServerStateSchema },
        },
      },
      async (request) => managerOf(request.params.name).stop(),
    );
    app.get(
      "/api/projects/:name/devserver/config",
      {
        schema: {
          tags: ["devserver"],
          summary: "The custom dev command, the detected one, and the one that runs",
          params: projectParamsSchema,
          response: { 200: devServerConfigSchema },
        },
      },
      async (request) => managerOf(request.params.name).config(),
    );
    app.put(
      "/api/projects/:name/devserver/config",
      {
        schema: {
          tags: ["devserver"],
          summary:
            "Set the custom dev command (one line, run without a shell; $PORT and $HOST are replaced) or clear it (null); applies from the next start",
          params: projectParamsSchema,
          body: devServerConfigRequestSchema,
          response: { 200: devServerConfigSchema },
        },
      },
      async (request) => managerOf(request.params.name).setCommand(request.body.command),
    );
  };
}
