/**
 * The backlog tools as an MCP server, for any MCP client (Claude Code, Cursor, the MCP inspector): `autowright mcp`
 * serves it on stdio, and the server will mount it over Streamable HTTP. Every tool is listed with its protocol
 * input schema and description; results are one JSON text block, failures `isError: true` with
 * `{"error":{"code","message"}}`.
 */
import type { Readable, Writable } from "node:stream";
import {
  type AgentRole,
  type BacklogToolName,
  backlogToolDescriptions,
  backlogToolInputSchemas,
  backlogToolNames,
} from "@autowright/protocol";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { BacklogToolCaller, BacklogToolResult, BacklogTools } from "./backlog-tools.ts";

/** Options of {@link createBacklogMcpServer}. */
export interface BacklogMcpServerOptions {
  /** The session id that owns the leases this server's clients take. */
  readonly sessionId: string;
  /** The role of that session, when known. */
  readonly role?: AgentRole;
  /** The server version reported to clients. */
  readonly version?: string;
}

const toolNames: ReadonlySet<string> = new Set(backlogToolNames);
const readOnlyTools: ReadonlySet<BacklogToolName> = new Set([
  "feature_get_stats",
  "feature_get_ready",
  "feature_get_blocked",
  "feature_get_by_id",
  "feature_get_graph",
]);

/** An MCP server exposing every backlog tool, calling `tools` as `options.sessionId`. */
export function createBacklogMcpServer(tools: BacklogTools, options: BacklogMcpServerOptions): McpServer {
  const caller: BacklogToolCaller =
    options.role === undefined
      ? { sessionId: options.sessionId }
      : { sessionId: options.sessionId, role: options.role };
  const server = new McpServer(
    { name: "autowright-backlog", version: options.version ?? "0.1.0" },
    {
      instructions:
        "The autowright backlog: features with acceptance steps, dependencies and statuses. Claim a feature before you change it; hand it to the verifier with feature_ready_for_verification when it is implemented and tested.",
    },
  );
  for (const name of backlogToolNames) {
    const readOnly = readOnlyTools.has(name);
    server.registerTool(
      name,
      {
        description: backlogToolDescriptions[name],
        inputSchema: backlogToolInputSchemas[name],
        annotations: { readOnlyHint: readOnly, destructiveHint: false, openWorldHint: false },
      },
      (args: unknown) => toCallToolResult(tools.call(name, args, caller)),
    );
  }
  // The SDK would validate arguments itself and answer a mistake with a plain-text message. Answering every call
  // through the tools instead gives MCP clients the same typed errors (`invalid_input` with the zod message) as
  // agents behind the worker bridge. The listing above still advertises each tool's JSON Schema.
  server.server.setRequestHandler(CallToolRequestSchema, (request) => {
    const { name } = request.params;
    if (!toolNames.has(name)) {
      return toCallToolResult({
        ok: false,
        error: { code: "invalid_input", message: `unknown tool ${JSON.stringify(name)}` },
      });
    }
    return toCallToolResult(tools.call(name as BacklogToolName, request.params.arguments ?? {}, caller));
  });
  return server;
}

/** A tool result as MCP content: the result (or `{error}`) as one JSON text block. */
export function toCallToolResult(result: BacklogToolResult): CallToolResult {
  return result.ok
    ? { content: [{ type: "text", text: JSON.stringify(result.result) }] }
    : { content: [{ type: "text", text: JSON.stringify({ error: result.error }) }], isError: true };
}

/**
 * Serves `server` over stdio (the process's own by default) until the input ends or the server is closed.
 * Nothing but MCP frames is written to `stdout`.
 */
export async function serveMcpOverStdio(
  server: McpServer,
  streams: { readonly stdin?: Readable; readonly stdout?: Writable } = {},
): Promise<void> {
  const stdin = streams.stdin ?? process.stdin;
  const transport = new StdioServerTransport(stdin, streams.stdout ?? process.stdout);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
  });
  const close = (): void => {
    void server.close();
  };
  stdin.once("end", close);
  stdin.once("close", close);
  try {
    await server.connect(transport);
    await closed;
  } finally {
    stdin.off("end", close);
    stdin.off("close", close);
  }
}
