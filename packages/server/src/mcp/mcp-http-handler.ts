/**
 * The backlog MCP server over Streamable HTTP (`/mcp/:project`), for MCP clients that talk to a running server
 * instead of opening the project's database themselves (`autowright mcp` proxies stdio to it).
 *
 * Sessions are stateful (`mcp-session-id`): each one gets its own backlog MCP server calling the tools as
 * `mcp-http-<uuid>`, the owner of the leases its client takes. Those leases are renewed while the session lives
 * and released when it ends: the client sends DELETE, it stays idle (no request open, not even the GET event
 * stream) for longer than the idle timeout, its project closes, or the handler closes. After every tool call and
 * every release the project's bus publishes what the store appended, so the dashboard sees the change.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type BacklogTools,
  createBacklogMcpServer,
  createBacklogTools,
  defaultLeaseDurationMs,
} from "@autowright/backlog";
import type { Settings } from "@autowright/protocol";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { ProjectContext } from "../server-context.ts";

/** How long a session may stay without any open request before it is closed: 30 minutes. */
export const defaultMcpIdleTimeoutMs = 30 * 60_000;

/** The largest body read when the caller passes none (the SDK's own bound): 4 MiB. */
const maxBodyBytes = 4 * 1024 * 1024;

/** Options of {@link createMcpHttpHandler}. */
export interface McpHttpHandlerOptions {
  /** The current global settings (`maxAttempts`, `maxDependenciesPerFeature`), read on every tool call. */
  readonly settings: () => Settings;
  /**
   * Publishes on `project`'s bus what its store appended (the real one: `EventBus.flush`, or the host's
   * `publishChanges`). Called after every tool call and every lease release.
   */
  readonly flush: (project: ProjectContext) => void;
  /** The server version reported to MCP clients. */
  readonly version?: string;
  /** See {@link defaultMcpIdleTimeoutMs}. */
  readonly idleTimeoutMs?: number;
  /** How long a lease lasts from a claim or a renewal; default the backlog's `defaultLeaseDurationMs`. */
  readonly leaseDurationMs?: number;
  /** Receives failures nobody awaits (a renewal or a publication that failed); default: dropped. */
  readonly log?: (message: string) => void;
}

/** The `/mcp` endpoint: hands each request to its session, or opens one for an `initialize` request. */
export interface McpHttpHandler {
  /**
   * Answers one MCP request (POST, GET or DELETE) for `project`. `parsedBody` is the parsed JSON body of a POST
   * (undefined: the body is read from `request`). The response is written here: a framework must not touch it.
   */
  handle(
    request: IncomingMessage,
    response: ServerResponse,
    parsedBody: unknown,
    project: ProjectContext,
  ): Promise<void>;
  /** Closes the sessions of `project` (before the project itself closes), releasing their leases. */
  closeProject(project: ProjectContext): Promise<void>;
  /** Closes every session (leases released, event streams ended, timers cleared); later requests get 503. */
  close(): Promise<void>;
  /** How many sessions are open. */
  readonly sessionCount: number;
}

interface McpSession {
  readonly project: ProjectContext;
  /** The lease owner: `mcp-http-<uuid>`. */
  readonly ownerId: string;
  readonly server: McpServer;
  readonly transport: StreamableHTTPServerTransport;
  /** The transport's `mcp-session-id`, once the client has initialized. */
  mcpSessionId: string | undefined;
  openRequests: number;
  lastActivity: number;
  ended: boolean;
}

/** Creates the `/mcp` handler (see the module comment). */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  const idleTimeoutMs = options.idleTimeoutMs ?? defaultMcpIdleTimeoutMs;
  const leaseDurationMs = options.leaseDurationMs ?? defaultLeaseDurationMs;
  const sweepIntervalMs = Math.max(10, Math.min(leaseDurationMs / 4, idleTimeoutMs / 2));
  const log = options.log ?? (() => undefined);
  /** Every session, from its creation (before it is initialized) to its end. */
  const sessions = new Set<McpSession>();
  const byMcpSessionId = new Map<string, McpSession>();
  let sweepTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const publish = (project: ProjectContext): void => {
    try {
      options.flush(project);
    } catch (error) {
      log(`mcp: could not publish the changes of ${project.name}: ${messageOf(error)}`);
    }
  };

  const endSession = (session: McpSession): void => {
    if (session.ended) return;
    session.ended = true;
    sessions.delete(session);
    if (session.mcpSessionId !== undefined) byMcpSessionId.delete(session.mcpSessionId);
    if (sessions.size === 0 && sweepTimer !== undefined) {
      clearInterval(sweepTimer);
      sweepTimer = undefined;
    }
    const { store } = session.project;
    if (store.closed) return;
    try {
      const released = store.releaseLeases(session.ownerId, {
        reason: "the MCP client's session ended before it finished the feature",
      });
      if (released.length > 0) publish(session.project);
    } catch (error) {
      log(`mcp: could not release the leases of ${session.ownerId}: ${messageOf(error)}`);
    }
  };

  const closeSession = async (session: McpSession): Promise<void> => {
    try {
      await session.server.close();
    } finally {
      // The transport's onclose ends it; this covers a transport that was never connected.
      endSession(session);
    }
  };

  const sweep = (): void => {
    const now = Date.now();
    for (const session of [...sessions]) {
      const idle = session.openRequests === 0 && now - session.lastActivity > idleTimeoutMs;
      if (idle || session.project.store.closed) {
        void closeSession(session).catch((error: unknown) =>
          log(`mcp: could not close session ${session.ownerId}: ${messageOf(error)}`),
        );
        continue;
      }
      try {
        session.project.store.renewLeases(
          session.ownerId,
          new Date(session.project.store.now().getTime() + leaseDurationMs).toISOString(),
        );
      } catch (error) {
        log(`mcp: could not renew the leases of ${session.ownerId}: ${messageOf(error)}`);
      }
    }
  };

  const openSession = async (project: ProjectContext): Promise<McpSession> => {
    const ownerId = `mcp-http-${randomUUID()}`;
    const backlog = createBacklogTools({
      store: project.store,
      settings: options.settings,
      leaseDurationMs,
    });
    const tools: BacklogTools = {
      call: (name, input, caller) => {
        try {
          return backlog.call(name, input, caller);
        } finally {
          publish(project);
        }
      },
    };
    const server = createBacklogMcpServer(tools, {
      sessionId: ownerId,
      ...(options.version === undefined ? {} : { version: options.version }),
    });
    let session: McpSession | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (mcpSessionId) => {
        if (session === undefined || session.ended) return;
        session.mcpSessionId = mcpSessionId;
        byMcpSessionId.set(mcpSessionId, session);
      },
    });
    const created: McpSession = {
      project,
      ownerId,
      server,
      transport,
      mcpSessionId: undefined,
      openRequests: 0,
      lastActivity: Date.now(),
      ended: false,
    };
    session = created;
    sessions.add(created);
    transport.onclose = () => endSession(created);
    sweepTimer ??= setInterval(sweep, sweepIntervalMs);
    sweepTimer.unref();
    await server.connect(transport);
    return created;
  };

  const serve = async (
    session: McpSession,
    request: IncomingMessage,
    response: ServerResponse,
    parsedBody: unknown,
  ): Promise<void> => {
    session.openRequests += 1;
    session.lastActivity = Date.now();
    response.once("close", () => {
      session.openRequests -= 1;
      session.lastActivity = Date.now();
    });
    await session.transport.handleRequest(request, response, parsedBody);
  };

  return {
    get sessionCount() {
      return byMcpSessionId.size;
    },

    async handle(request, response, parsedBody, project) {
      if (closed) {
        writeJsonRpcError(response, 503, -32000, "the server is shutting down");
        return;
      }
      const header = request.headers["mcp-session-id"];
      const mcpSessionId = Array.isArray(header) ? header[0] : header;
      if (mcpSessionId !== undefined) {
        const session = byMcpSessionId.get(mcpSessionId);
        // A session belongs to the project it was opened for; elsewhere its id means nothing.
        if (session === undefined || session.project !== project || project.store.closed) {
          writeJsonRpcError(response, 404, -32001, "Session not found");
          return;
        }
        await serve(session, request, response, parsedBody);
        return;
      }
      if (request.method !== "POST") {
        writeJsonRpcError(response, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
        return;
      }
      let body = parsedBody;
      if (body === undefined) {
        const read = await readJsonBody(request);
        if (!read.ok) {
          writeJsonRpcError(response, read.status, read.code, read.message);
          return;
        }
        body = read.value;
      }
      if (!isInitializeRequest(body)) {
        writeJsonRpcError(
          response,
          400,
          -32000,
          "Bad Request: Mcp-Session-Id header is required (or send an initialize request)",
        );
        return;
      }
      const session = await openSession(project);
      if (closed) {
        await closeSession(session);
        writeJsonRpcError(response, 503, -32000, "the server is shutting down");
        return;
      }
      try {
        await serve(session, request, response, body);
      } finally {
        if (session.mcpSessionId === undefined) await closeSession(session);
      }
    },

    async closeProject(project) {
      await Promise.allSettled(
        [...sessions].filter((session) => session.project === project).map(closeSession),
      );
    },

    async close() {
      closed = true;
      await Promise.allSettled([...sessions].map(closeSession));
      if (sweepTimer !== undefined) clearInterval(sweepTimer);
      sweepTimer = undefined;
    },
  };
}

function writeJsonRpcError(response: ServerResponse, status: number, code: number, message: string): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

type BodyRead =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: number; readonly code: number; readonly message: string };

async function readJsonBody(request: IncomingMessage): Promise<BodyRead> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > maxBodyBytes) {
      return { ok: false, status: 413, code: -32000, message: "the request body is too large" };
    }
    chunks.push(buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown };
  } catch {
    return { ok: false, status: 400, code: -32700, message: "Parse error: the body is not JSON" };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
