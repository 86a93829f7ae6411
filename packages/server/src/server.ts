/**
 * `autowright serve`: the composition root. One Fastify instance on loopback (by default) serving the REST API
 * under `/api` (described at `/api/openapi.json`, generated from the same zod schemas that validate requests), the
 * real-time stream at `/ws/projects/:name`, and the UI. Every request passes the guard first (Host, Origin,
 * token). One server per home directory: `<home>/server.json` says where it is.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { commandEnvironment, isProcessLive } from "@autowright/agent-runtime";
import type { WorkerCommand } from "@autowright/orchestrator";
import { AppError, type ErrorCode, type ServerFile, serverFileSchema } from "@autowright/protocol";
import { Registry, readSecrets } from "@autowright/store";
import fastifySwagger from "@fastify/swagger";
import fastifyWebsocket from "@fastify/websocket";
import type { FastifyReply, FastifyRequest } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import type { WebSocket } from "ws";
import { z } from "zod";
import { defaultAllowedRoots } from "./allowed-paths.ts";
import { loadAuthToken } from "./auth-token.ts";
import { BrowserView } from "./browser/browser-view.ts";
import { attachChatSocket, ChatManager, chatRoutes } from "./chats/index.ts";
import { DevServerManagers, devServerRoutes } from "./devserver/index.ts";
import { createHttpApp, errorBody, type HttpApp } from "./http-app.ts";
import { createMcpHttpHandler } from "./mcp/index.ts";
import { WebhookNotifier } from "./notifications/webhook-notifier.ts";
import type { ProjectHost } from "./project-host.ts";
import { ProjectHosts } from "./project-hosts.ts";
import { ProjectStreams, type StreamLimits } from "./project-stream.ts";
import { type GuardOptions, guardRequest, loopbackHosts, tokenCookieName } from "./request-guard.ts";
import { backlogRoutes } from "./routes/backlog-routes.ts";
import { projectRoutes } from "./routes/project-routes.ts";
import { settingsRoutes } from "./routes/settings-routes.ts";
import { runControlOf } from "./schedules/run-control.ts";
import { scheduleRoutes } from "./schedules/schedule-routes.ts";
import { Scheduler } from "./schedules/scheduler.ts";
import type { ProjectContext, ServerContext } from "./server-context.ts";
import type { ServerServices } from "./server-services.ts";
import { TerminalManager } from "./terminal/terminal-manager.ts";
import { terminalRoutes } from "./terminal/terminal-routes.ts";
import { attachTerminalSocket } from "./terminal/terminal-socket.ts";
import { uiRoutes } from "./ui-routes.ts";

/** How to start a server. */
export interface ServerOptions {
  readonly home: string;
  /** Default 127.0.0.1. Another address needs `allowRemote` (the CLI's explicit `--host`). */
  readonly host?: string;
  /** Default 8888; taken ports are skipped unless `exactPort`. 0 picks any free port. */
  readonly port?: number;
  readonly exactPort?: boolean;
  readonly allowRemote?: boolean;
  /** The server's environment (default `process.env`); credentials in it reach the workers only. */
  readonly env?: NodeJS.ProcessEnv;
  /** How to start a worker (default: this CLI's `worker` command). */
  readonly worker?: WorkerCommand;
  readonly version?: string;
  /** The built UI (default: the `ui` folder next to the bundle, when it exists). */
  readonly uiDirectory?: string;
  /** Folders projects may live in (default: `AUTOWRIGHT_PROJECT_ROOTS`, else the home and temp folders). */
  readonly allowedRoots?: readonly string[];
  /** Extra host names to accept in `Host` (a reverse proxy's, say). */
  readonly allowedHosts?: readonly string[];
  readonly bodyLimit?: number;
  readonly streamLimits?: Partial<StreamLimits>;
}

/** A running server. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The URL to open: with the token, so the browser gets its cookie. */
  readonly openUrl: string;
  readonly app: HttpApp;
  readonly hosts: ProjectHosts;
  readonly streams: ProjectStreams;
  readonly context: ServerContext;
  /** Stops every run, dev server and terminal, closes every socket and database. Nothing runs afterwards. */
  close(): Promise<void>;
}

/** The server file of a home directory. */
export function serverFilePath(home: string): string {
  return join(home, "server.json");
}

/** Reads `<home>/server.json`, or undefined when missing or not valid. */
export function readServerFile(home: string): ServerFile | undefined {
  try {
    const parsed = serverFileSchema.safeParse(JSON.parse(readFileSync(serverFilePath(home), "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a server (see {@link ServerOptions}). */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const version = options.version ?? "0.0.0";
  const bindHost = options.host ?? "127.0.0.1";
  const loopback = loopbackHosts.includes(bindHost);
  if (!loopback && options.allowRemote !== true) {
    throw new AppError(
      "forbidden",
      `binding ${bindHost} exposes the server to the network: pass --host explicitly to do so`,
    );
  }
  // A first start on a fresh machine: the home directory does not exist yet.
  mkdirSync(options.home, { recursive: true, mode: 0o700 });
  await refuseSecondServer(options.home, env);
  const token = loadAuthToken(options.home, env);
  const registry = Registry.open(options.home);
  const startedAt = new Date().toISOString();
  const allowedRoots = options.allowedRoots ?? defaultAllowedRoots(env);
  const guard: GuardOptions = {
    token,
    allowedHosts: new Set([
      ...loopbackHosts,
      ...(loopback ? [] : [bindHost.toLowerCase()]),
      ...(options.allowedHosts ?? []),
    ]),
    port: 0,
  };
  let baseUrl = "";
  const worker = options.worker ?? defaultWorker(options.home);
  const hosts = new ProjectHosts({
    registry,
    url: () => baseUrl,
    settings: () => registry.getSettings(),
    run: {
      home: options.home,
      settings: () => registry.getSettings(),
      environment: () => ({ ...readSecrets(options.home), ...withoutServerSecrets(env) }),
      worker,
    },
  });
  const browserViews = (host: ProjectHost): BrowserView =>
    hosts.part(
      host.name,
      "browser-view",
      () =>
        new BrowserView({
          events: host.events,
          devServerUrl: () => {
            const devServer = host.live.snapshot.devServer;
            return devServer.status === "running" ? devServer.url : undefined;
          },
          environment: env,
        }),
    );
  const streams = new ProjectStreams({
    hosts,
    version,
    browserViews,
    ...(options.streamLimits === undefined ? {} : { limits: options.streamLimits }),
  });
  const context: ServerContext = {
    home: options.home,
    version,
    settings: () => registry.getSettings(),
    project: (name): ProjectContext => hosts.host(name),
    userProcessEnvironment: () => commandEnvironment(withoutServerSecrets(env)),
  };
  const services: ServerServices = { hosts, registry, home: options.home, version, startedAt, allowedRoots };

  const app = createHttpApp(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit });
  app.addHook("onRequest", async (request, reply) => {
    const upgrade = String(request.headers.upgrade ?? "").toLowerCase() === "websocket";
    const verdict = guardRequest(
      {
        method: request.method,
        url: request.url,
        headers: request.headers,
        cookies: parseCookies(request.headers.cookie),
        upgrade,
      },
      guard,
    );
    if (!verdict.ok) {
      if (upgrade) {
        request.refusal = { code: verdict.code, message: verdict.message };
        return;
      }
      return reply.status(verdict.status).send(errorBody(verdict.code, verdict.message));
    }
    if (verdict.setCookie) {
      void reply.header(
        "set-cookie",
        `${tokenCookieName}=${token}; HttpOnly; SameSite=Strict; Path=/${loopback ? "" : "; Secure"}`,
      );
    }
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "autowright",
        version,
        description: "The autowright server: REST API (the stream is at /ws/projects/{name})",
      },
      components: { securitySchemes: { token: { type: "http", scheme: "bearer" } } },
      security: [{ token: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // Chat messages over the socket may carry images (4 × 5 MiB, base64); every other frame is small.
  await app.register(fastifyWebsocket, { options: { maxPayload: 30 * 1024 * 1024 } });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  projectRoutes(services)(app);
  backlogRoutes(services)(app);
  settingsRoutes(services)(app);
  app.get(
    "/ws/projects/:name",
    {
      websocket: true,
      schema: {
        hide: true,
        querystring: z.object({ sinceSeq: z.string().optional(), token: z.string().optional() }),
      },
    },
    (socket, request) => {
      const params = request.params as { name: string };
      streams.attach(socket, params.name, (request.query as { sinceSeq?: string }).sinceSeq, request.refusal);
    },
  );
  const scheduler = (name: string): Scheduler =>
    hosts.part(
      name,
      "scheduler",
      (host, run) =>
        new Scheduler({
          schedules: host.store.schedules,
          run: runControlOf(run),
          onError: (error) =>
            host.events.ephemeral("log.appended", {
              level: "error",
              source: "orchestrator",
              line: `schedule: ${(error as Error).message ?? String(error)}`,
            }),
        }),
    );
  scheduleRoutes(context, scheduler)(app);

  const devServers = new DevServerManagers(context);
  devServerRoutes(context, (name) => devServers.of(name))(app);

  const chats = (name: string): ChatManager =>
    hosts.part(
      name,
      "chats",
      (host) =>
        new ChatManager({
          project: host,
          settings: () => registry.getSettings(),
          publishChanges: () => host.publishChanges(),
          environment: () => ({ ...readSecrets(options.home), ...withoutServerSecrets(env) }),
        }),
    );
  chatRoutes(context, chats)(app);
  sessionSocketRoute(app, "/ws/projects/:name/chats/:id", "chat.error", (params, socket) =>
    attachChatSocket(socket, chats(params.name).get(params.id)),
  );

  const terminals = (name: string): TerminalManager =>
    hosts.part(
      name,
      "terminals",
      (host) =>
        new TerminalManager({ cwd: host.paths.root, environment: () => context.userProcessEnvironment() }),
    );
  terminalRoutes(context, terminals)(app);
  sessionSocketRoute(app, "/ws/projects/:name/terminals/:id", "error", (params, socket) =>
    attachTerminalSocket(socket, terminals(params.name).get(params.id)),
  );

  // The MCP backlog server over Streamable HTTP, behind the same guard (token, Host).
  const mcp = createMcpHttpHandler({
    settings: () => registry.getSettings(),
    flush: (project) => (project as ProjectHost).publishChanges(),
    version,
  });
  const mcpHandler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const name =
      (request.params as { project?: string }).project ?? (request.query as { project?: string }).project;
    if (name === undefined)
      throw new AppError("invalid_input", "name the project: /mcp/NAME (or /mcp?project=NAME)");
    const project = hosts.host(name);
    reply.hijack();
    await mcp.handle(request.raw, reply.raw, request.body, project);
  };
  for (const url of ["/mcp", "/mcp/:project"]) {
    app.route({ method: ["GET", "POST", "DELETE"], url, schema: { hide: true }, handler: mcpHandler });
  }
  uiRoutes(options.uiDirectory)(app);
  hosts.onOpen((host) =>
    host.onClose(async () => {
      streams.closeProject(host);
      await mcp.closeProject(host);
    }),
  );

  const port = await choosePort(bindHost, options.port ?? 8888, options.exactPort === true);
  try {
    await app.listen({ host: bindHost, port });
  } catch (error) {
    registry.close();
    throw new AppError("conflict", `cannot listen on ${bindHost}:${port}: ${(error as Error).message}`);
  }
  const address = app.server.address();
  const actualPort = typeof address === "object" && address !== null ? address.port : port;
  guard.port = actualPort;
  baseUrl = `http://${bindHost.includes(":") ? `[${bindHost}]` : bindHost}:${actualPort}`;
  // Every registered project is opened now: the server is its one writer, and its schedules run from the start.
  hosts.onOpen((host) => {
    const notifier = new WebhookNotifier({ project: host, settings: () => registry.getSettings() });
    host.onClose(() => notifier.close());
    // A dev server an earlier, crashed server left running is found (and killed) when its project opens.
    devServers.of(host.name);
    host.onClose(() => devServers.closeProject(host.name));
  });
  for (const project of registry.listProjects()) {
    try {
      scheduler(project.name);
    } catch {
      // A project whose folder is gone is listed with its problem; nothing to schedule.
    }
  }
  writeFileSync(
    serverFilePath(options.home),
    `${JSON.stringify({ pid: process.pid, url: baseUrl, startedAt } satisfies ServerFile)}\n`,
    { mode: 0o600 },
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      streams.close();
      await mcp.close();
      await hosts.close();
      await devServers.close();
      await app.close();
      registry.close();
      const current = readServerFile(options.home);
      if (current?.pid === process.pid) rmSync(serverFilePath(options.home), { force: true });
    })();
    return closing;
  };
  return {
    url: baseUrl,
    port: actualPort,
    token,
    openUrl: `${baseUrl}/?token=${encodeURIComponent(token)}`,
    app,
    hosts,
    streams,
    context,
    close,
  };
}

declare module "fastify" {
  interface FastifyRequest {
    /** Why the guard refused a WebSocket upgrade (the socket is accepted, told and closed with 4403). */
    refusal?: { code: ErrorCode; message: string };
  }
}

/**
 * A WebSocket of one chat or terminal (`/ws/projects/:name/<kind>/:id`): a refused upgrade, or an unknown project
 * or id, is told in the route's own error frame (`errorType`) and closed with 4403 or 4404.
 */
function sessionSocketRoute(
  app: HttpApp,
  url: string,
  errorType: "error" | "chat.error",
  attach: (params: { name: string; id: string }, socket: WebSocket) => void,
): void {
  app.get(url, { websocket: true, schema: { hide: true } }, (socket, request) => {
    const refuse = (code: ErrorCode, message: string, closeCode: number): void => {
      socket.send(JSON.stringify({ type: errorType, code, message }));
      socket.close(closeCode, message.slice(0, 120));
    };
    if (request.refusal !== undefined) {
      refuse(request.refusal.code, request.refusal.message, 4403);
      return;
    }
    try {
      attach(request.params as { name: string; id: string }, socket);
    } catch (error) {
      const failure = AppError.isInstance(error) ? error : new AppError("internal_error", String(error));
      refuse(failure.code, failure.message, 4404);
    }
  });
}

/** Refuses to start when a live server already serves this home directory (it says where). */
async function refuseSecondServer(home: string, env: NodeJS.ProcessEnv): Promise<void> {
  const current = readServerFile(home);
  if (current === undefined || current.pid === process.pid || !isProcessLive(current.pid)) return;
  const token = loadAuthToken(home, env);
  try {
    const response = await fetch(`${current.url}/api/health`, {
      headers: { authorization: `Bearer ${token}`, host: new URL(current.url).host },
      signal: AbortSignal.timeout(2_000),
    });
    if (!response.ok) return;
  } catch {
    return;
  }
  throw new AppError(
    "conflict",
    `an autowright server for ${home} is already running at ${current.url} (pid ${current.pid})`,
    {
      details: {
        url: current.url,
        pid: current.pid,
        openUrl: `${current.url}/?token=${encodeURIComponent(token)}`,
      },
    },
  );
}

/** The first free port from `first` (or exactly `first`). */
async function choosePort(host: string, first: number, exact: boolean): Promise<number> {
  if (first === 0 || exact) return first;
  for (let port = first; port < first + 50 && port <= 65_535; port += 1) {
    if (await portFree(host, port)) return port;
  }
  throw new AppError("conflict", `no free port from ${first} to ${first + 49}: pass --port`);
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The server's own secret (its auth token) never reaches workers, dev servers or terminals. */
function withoutServerSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AUTOWRIGHT_TOKEN: _token, ...rest } = env;
  return rest;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index === -1) continue;
    const name = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      cookies[name] = value;
    }
  }
  return cookies;
}

/** The worker command of the CLI that started this process. */
function defaultWorker(home: string): WorkerCommand {
  const script = process.argv[1];
  if (script === undefined || !existsSync(script))
    throw new AppError(
      "internal_error",
      "cannot tell which script started autowright (pass a worker command)",
    );
  return { command: process.execPath, args: [realpathSync(script), "worker", "--home", home] };
}
