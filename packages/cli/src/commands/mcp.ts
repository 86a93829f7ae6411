/**
 * `autowright mcp --project DIR`: the backlog tools over stdio for any MCP client (Claude Code, Cursor, the MCP
 * inspector). Stdout carries MCP frames only; diagnostics go to stderr.
 *
 * When a server runs for the home directory and the project is registered, the server owns the database: this
 * command then only relays MCP messages between stdio and the server's `/mcp/<name>` (Streamable HTTP, with the
 * server's token), and the server's session owns the leases. Otherwise it opens the project's database itself:
 * leases are owned by `mcp-<pid>`, renewed while it runs and released when the client disconnects.
 */
import { existsSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import {
  createBacklogMcpServer,
  createBacklogTools,
  defaultLeaseDurationMs,
  serveMcpOverStdio,
} from "@autowright/backlog";
import { projectNameSchema } from "@autowright/protocol";
import { ProjectStore, Registry } from "@autowright/store";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  InitializeResultSchema,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import { type GlobalOptions, homeFor, projectRoot } from "../context.ts";
import type { CliIo } from "../io.ts";
import { findRunningServer } from "../server-link.ts";
import { version } from "../version.ts";

/** Options of `autowright mcp`. */
export interface McpOptions extends GlobalOptions {
  readonly project: string;
}

/** Serves the project's backlog tools on stdio until stdin closes: through the running server, or locally. */
export async function mcpCommand(options: McpOptions, io: CliIo): Promise<void> {
  const home = homeFor(options, io);
  const server = await findRunningServer(home, io.env);
  if (server !== undefined) {
    const name = registeredName(options.project, home, io);
    if (name !== undefined) {
      const url = `${server.url}/mcp/${encodeURIComponent(name)}`;
      io.stderr(
        `autowright mcp: relaying stdio to the server at ${url} (pid ${server.pid}); it owns project ${name}\n`,
      );
      await proxyMcpOverStdio({ url, token: server.token }, io);
      return;
    }
    io.stderr(
      `autowright mcp: ${options.project} is not registered with the server at ${server.url}; opening it here\n`,
    );
  }
  await serveLocally(options, io);
}

/** The registered name of the project the user named (a directory or a name), if it is registered. */
function registeredName(argument: string, home: string, io: CliIo): string | undefined {
  const path = resolve(io.cwd, argument);
  const registry = Registry.open(home);
  try {
    if (existsSync(path)) return registry.findProjectByPath(realpathSync(path))?.name;
    if (!projectNameSchema.safeParse(argument).success) return undefined;
    return registry.getProject(argument)?.name;
  } finally {
    registry.close();
  }
}

/**
 * Relays MCP messages between stdio and a Streamable HTTP endpoint until stdin ends (then the HTTP session is
 * deleted, so the server releases its leases) or the server forgets the session. A request the server cannot take
 * is answered on stdio with a JSON-RPC error.
 */
export async function proxyMcpOverStdio(
  target: { readonly url: string; readonly token: string },
  io: Pick<CliIo, "stderr" | "stdinStream" | "stdoutStream">,
): Promise<void> {
  const stdin: Readable = io.stdinStream;
  const stdout: Writable = io.stdoutStream;
  const local = new StdioServerTransport(stdin, stdout);
  const remote = new StreamableHTTPClientTransport(new URL(target.url), {
    requestInit: { headers: { authorization: `Bearer ${target.token}` } },
  });
  const initializeRequests = new Set<RequestId>();
  let ended = false;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const end = async (): Promise<void> => {
    if (ended) return;
    ended = true;
    stdin.off("end", onInputEnd);
    stdin.off("close", onInputEnd);
    try {
      await remote.terminateSession();
    } catch {
      // Reported by onerror; the server releases an abandoned session's leases once it is idle.
    }
    await remote.close();
    await local.close();
    finish();
  };
  const onInputEnd = (): void => {
    void end();
  };
  const relayToServer = async (message: JSONRPCMessage): Promise<void> => {
    if (isJSONRPCRequest(message) && message.method === "initialize") initializeRequests.add(message.id);
    try {
      await remote.send(message);
    } catch (error) {
      if (isJSONRPCRequest(message)) {
        await local.send({
          jsonrpc: "2.0",
          id: message.id,
          error: {
            code: -32603,
            message: `the autowright server did not take the request: ${messageOf(error)}`,
          },
        });
      }
      if (error instanceof StreamableHTTPError && error.code === 404 && remote.sessionId !== undefined) {
        io.stderr(
          "autowright mcp: the server no longer knows this session (was it restarted?); restart the MCP client\n",
        );
        await end();
      }
    }
  };
  local.onmessage = (message) => {
    if (!ended) void relayToServer(message);
  };
  remote.onmessage = (message) => {
    if (isJSONRPCResultResponse(message) && initializeRequests.delete(message.id)) {
      const result = InitializeResultSchema.safeParse(message.result);
      if (result.success) remote.setProtocolVersion(result.data.protocolVersion);
    }
    if (!ended) void local.send(message);
  };
  remote.onerror = (error) => {
    if (!ended) io.stderr(`autowright mcp: ${error.message}\n`);
  };
  local.onerror = (error) => {
    io.stderr(`autowright mcp: could not read a message from stdin: ${error.message}\n`);
  };
  stdin.once("end", onInputEnd);
  stdin.once("close", onInputEnd);
  await remote.start();
  await local.start();
  await finished;
}

/** Opens the project's database in this process and serves its tools on stdio. */
async function serveLocally(options: McpOptions, io: CliIo): Promise<void> {
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
