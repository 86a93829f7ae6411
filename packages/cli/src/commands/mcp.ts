/**
 * `autowright mcp --project DIR`: the backlog tools over stdio for any MCP client (Claude Code, Cursor, the MCP
 * inspector). Stdout carries MCP frames only; diagnostics go to stderr. Leases this process takes are owned by
 * `mcp-<pid>`, renewed while it runs and released when the client disconnects.
 */
import {
  createBacklogMcpServer,
  createBacklogTools,
  defaultLeaseDurationMs,
  serveMcpOverStdio,
} from "@autowright/backlog";
import { ProjectStore, Registry } from "@autowright/store";
import { type GlobalOptions, homeFor, projectRoot } from "../context.ts";
import type { CliIo } from "../io.ts";
import { version } from "../version.ts";

/** Options of `autowright mcp`. */
export interface McpOptions extends GlobalOptions {
  readonly project: string;
}

/** Serves the project's backlog tools on stdio until stdin closes. */
export async function mcpCommand(options: McpOptions, io: CliIo): Promise<void> {
  const root = projectRoot(options.project, options, io);
  const registry = Registry.open(homeFor(options, io));
  let store: ProjectStore;
  try {
    store = ProjectStore.open(root);
  } catch (error) {
    registry.close();
    throw error;
  }
  const sessionId = `mcp-${process.pid}`;
  const tools = createBacklogTools({ store, settings: () => registry.getSettings() });
  const renew = setInterval(() => {
    try {
      store.renewLeases(sessionId, new Date(store.now().getTime() + defaultLeaseDurationMs).toISOString());
    } catch (error) {
      io.stderr(`autowright mcp: could not renew leases: ${(error as Error).message}\n`);
    }
  }, defaultLeaseDurationMs / 4);
  renew.unref();
  io.stderr(`autowright mcp: serving the backlog of ${root} on stdio (session ${sessionId})\n`);
  try {
    await serveMcpOverStdio(createBacklogMcpServer(tools, { sessionId, version }), {
      stdin: io.stdinStream,
      stdout: io.stdoutStream,
    });
  } finally {
    clearInterval(renew);
    try {
      store.releaseLeases(sessionId, { reason: "the MCP client disconnected before finishing the feature" });
    } finally {
      store.close();
      registry.close();
    }
  }
}
