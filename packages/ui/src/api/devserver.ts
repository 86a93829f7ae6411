/** A project's dev server over REST: its state, start and stop, and the custom command. The live status is on the stream. */
import {
  type DevServerConfigRequest,
  devServerConfigSchema,
  devServerStateSchema,
} from "@autowright/protocol";
import { apiRequest, projectPath } from "./client.ts";

/** The dev server's state, with the process and its latest output lines. */
export const getDevServer = (project: string) =>
  apiRequest("GET", projectPath(project, "/devserver"), devServerStateSchema);

/** Starts the dev server (409 `conflict` when it already starts or runs). */
export const startDevServer = (project: string) =>
  apiRequest("POST", projectPath(project, "/devserver/start"), devServerStateSchema, { body: {} });

/** Stops the dev server and every process it started. */
export const stopDevServer = (project: string) =>
  apiRequest("POST", projectPath(project, "/devserver/stop"), devServerStateSchema, { body: {} });

/** The custom command, the detected one and the one that runs. */
export const getDevServerConfig = (project: string) =>
  apiRequest("GET", projectPath(project, "/devserver/config"), devServerConfigSchema);

/** Sets the custom command (one line) or clears it (null); applies from the next start. */
export const putDevServerConfig = (project: string, command: DevServerConfigRequest["command"]) =>
  apiRequest("PUT", projectPath(project, "/devserver/config"), devServerConfigSchema, { body: { command } });
