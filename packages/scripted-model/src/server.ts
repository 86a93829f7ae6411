/**
 * The scripted model server: a loopback HTTP server answering the Anthropic Messages API or the OpenAI
 * chat-completions API from a rendered script. It keeps no conversation state: the turn a request gets is
 * the number of assistant turns already in its `messages`, so retries get the same answer and several
 * conversations can share one server. Requests past the script's end fail loudly (HTTP 500, `errors`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import {
  anthropicErrorBody,
  anthropicErrorHeaders,
  anthropicMessage,
  anthropicOutputSchema,
  anthropicRequestSchema,
  anthropicStreamEvents,
  anthropicSystemText,
  defaultErrorMessage,
  formatServerSentEvent,
} from "./anthropic-wire.ts";
import type { ModelWire } from "./default-script.ts";
import {
  openaiCompletion,
  openaiErrorBody,
  openaiErrorHeaders,
  openaiRequestSchema,
  openaiStreamChunks,
} from "./openai-wire.ts";
import { type ModelScript, type RenderedTurn, renderScript, type ScriptVariables } from "./script.ts";
import { estimateTokens, randomId, turnIndexOf, turnUsage } from "./wire-common.ts";

/** Options of `startScriptedModelServer`. */
export interface ScriptedModelServerOptions {
  readonly wire: ModelWire;
  readonly script: ModelScript;
  /** Placeholder values (see `sessionVariables`); the script is rendered with them once, at start. */
  readonly variables?: ScriptVariables;
  /** Milliseconds to wait before answering each scripted turn (side calls are answered at once). */
  readonly latencyMs?: number;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
}

/**
 * What a request was: a scripted `turn`; a client `side` call answered with canned text without using a
 * turn (Claude Code's session-title request); a `count-tokens` call; a `models` listing; or a `probe`
 * (`HEAD` connectivity check, e.g. Claude Code's `HEAD /api/hello`), answered 200 with no body.
 */
export type RequestKind = "turn" | "side" | "count-tokens" | "models" | "probe";

/** A request the server received and parsed. Credentials in headers are redacted. */
export interface RecordedRequest {
  readonly method: string;
  /** The path with its query, e.g. `/v1/messages?beta=true`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly kind: RequestKind;
  /** For `turn` requests: the script turn it asked for (0-based). */
  readonly turnIndex: number | undefined;
}

/** A request the script did not foresee: past the last turn, not JSON, of the wrong shape, or to an unknown route. */
export interface ServerErrorRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly message: string;
  readonly turnIndex: number | undefined;
}

/** A running scripted model server. Dispose it (`await using`) or call `close()`. */
export interface ScriptedModelServer extends AsyncDisposable {
  readonly wire: ModelWire;
  /** `http://127.0.0.1:PORT`: the base URL Claude Code (`ANTHROPIC_BASE_URL`) and `@anthropic-ai/sdk` want. */
  readonly url: string;
  readonly port: number;
  /** `${url}/v1`: the base URL `@ai-sdk/anthropic` wants. */
  readonly anthropicBaseUrl: string;
  /** `${url}/v1`: the base URL `@ai-sdk/openai-compatible` and OpenAI clients want. */
  readonly openaiBaseUrl: string;
  /** The rendered turns the server plays. */
  readonly turns: readonly RenderedTurn[];
  /** Every parsed request, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Every request the script did not foresee, in arrival order. */
  readonly errors: readonly ServerErrorRecord[];
  close(): Promise<void>;
}

/** The text a side call gets. */
export const sideCallAnswer = "Scripted session";

const maximumBodyBytes = 64 * 1024 * 1024;
const redactedHeaders = new Set(["x-api-key", "authorization", "proxy-authorization", "cookie"]);
/**
 * A side call is a request with no tools and either `max_tokens <= 1` (a quota / connectivity check) or, on
 * the Anthropic wire, a system prompt asking for a title, summary or topic: Claude Code's helper calls (seen
 * with CLI 2.1.x: the session-title request, with a JSON output schema for `{"title"}`). They get a canned
 * answer (shaped by the request's output schema, if any) and must not use up script turns.
 */
const sideCallSystemPattern = /\b(title|summar(y|ize|ise)|topic)\b/i;

/**
 * Starts a scripted model server on 127.0.0.1. The script is rendered with `variables` first, so an unknown
 * placeholder rejects here (`ScriptError`), not mid-session.
 */
export async function startScriptedModelServer(
  options: ScriptedModelServerOptions,
): Promise<ScriptedModelServer> {
  const turns = renderScript(options.script, options.variables ?? {});
  const latencyMs = options.latencyMs ?? 0;
  const requests: RecordedRequest[] = [];
  const errors: ServerErrorRecord[] = [];
  const wire = options.wire;
  const closed = new AbortController();

  const sendJson = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    if (response.destroyed) return;
    response.writeHead(status, { "content-type": "application/json", ...requestIdHeader(wire), ...headers });
    response.end(JSON.stringify(body));
  };
  const errorBody = (status: number, message: string) =>
    wire === "anthropic" ? anthropicErrorBody(status, message) : openaiErrorBody(status, message);
  const fail = (
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    message: string,
    turnIndex?: number,
  ) => {
    errors.push({ method: request.method ?? "", path: request.url ?? "", status, message, turnIndex });
    sendJson(response, status, errorBody(status, message));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? "GET";
    const path = request.url ?? "/";
    const route = `${method} ${new URL(path, "http://loopback").pathname.replace(/\/+$/, "")}`;
    const headers = recordedHeaders(request);
    const record = (body: unknown, kind: RequestKind, turnIndex?: number) =>
      requests.push({ method, path, headers, body, kind, turnIndex });

    if (method === "HEAD") {
      record(undefined, "probe");
      if (!response.destroyed) response.writeHead(200).end();
      return;
    }
    if (route === "GET /v1/models") {
      record(undefined, "models");
      sendJson(response, 200, modelList(wire));
      return;
    }
    const expected =
      wire === "anthropic"
        ? ["POST /v1/messages", "POST /v1/messages/count_tokens"]
        : ["POST /v1/chat/completions"];
    if (!expected.includes(route)) {
      fail(request, response, 404, `scripted ${wire} server: no route ${route}`);
      return;
    }
    const raw = await readBody(request);
    if (raw === undefined) {
      fail(request, response, 413, `scripted ${wire} server: request body over ${maximumBodyBytes} bytes`);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      fail(request, response, 400, `scripted ${wire} server: ${route} body is not JSON`);
      return;
    }

    if (route === "POST /v1/messages/count_tokens") {
      record(json, "count-tokens");
      sendJson(response, 200, { input_tokens: estimateTokens(raw.length) });
      return;
    }

    const body = normalizeRequest(wire, json);
    if (body === undefined) {
      fail(request, response, 400, `scripted ${wire} server: ${route} body has no messages list`);
      return;
    }
    const isSide =
      !body.hasTools &&
      ((body.maxTokens ?? Number.POSITIVE_INFINITY) <= 1 ||
        (wire === "anthropic" && sideCallSystemPattern.test(body.systemText)));

    let turn: RenderedTurn;
    let turnIndex: number | undefined;
    if (isSide) {
      record(json, "side");
      const text =
        body.outputSchema === undefined ? sideCallAnswer : JSON.stringify(sampleOf(body.outputSchema));
      turn = { text, toolCalls: [], stopReason: "end_turn", error: undefined, usage: undefined };
    } else {
      turnIndex = body.turnIndex;
      record(json, "turn", turnIndex);
      const scripted = turns[turnIndex];
      if (scripted === undefined) {
        fail(
          request,
          response,
          500,
          `scripted ${wire} server: unscripted request for turn ${turnIndex} (0-based); the script has ${turns.length} turn(s)`,
          turnIndex,
        );
        return;
      }
      turn = scripted;
      if (latencyMs > 0) await delay(latencyMs, undefined, { signal: closed.signal });
    }

    if (turn.error !== undefined) {
      const error = turn.error;
      const message = error.message ?? defaultErrorMessage(error.status);
      const headers =
        wire === "anthropic"
          ? anthropicErrorHeaders(error, new Date())
          : openaiErrorHeaders(error, new Date());
      sendJson(response, error.status, errorBody(error.status, message), headers);
      return;
    }
    const usage = turnUsage(turn, raw.length);
    if (response.destroyed) return;
    if (wire === "anthropic") {
      if (!body.stream) {
        sendJson(response, 200, anthropicMessage(turn, body.model, usage));
        return;
      }
      response.writeHead(200, streamHeaders());
      for (const event of anthropicStreamEvents(turn, body.model, usage))
        response.write(formatServerSentEvent(event));
      response.end();
      return;
    }
    if (!body.stream) {
      sendJson(response, 200, openaiCompletion(turn, body.model, usage));
      return;
    }
    response.writeHead(200, streamHeaders());
    for (const chunk of openaiStreamChunks(turn, body.model, usage, body.includeUsage)) {
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }
    response.end("data: [DONE]\n\n");
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (closed.signal.aborted) {
        response.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) fail(request, response, 500, `scripted ${wire} server: ${message}`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closed.abort();
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };

  return {
    wire,
    url,
    port,
    anthropicBaseUrl: `${url}/v1`,
    openaiBaseUrl: `${url}/v1`,
    turns,
    requests,
    errors,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** What the server needs to know of a request, whichever the wire. */
interface NormalizedRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly hasTools: boolean;
  readonly maxTokens: number | undefined;
  readonly systemText: string;
  /** The JSON schema the answer must follow (structured outputs), if the request asks for one. */
  readonly outputSchema: unknown;
  readonly includeUsage: boolean;
  readonly turnIndex: number;
}

function normalizeRequest(wire: ModelWire, json: unknown): NormalizedRequest | undefined {
  if (wire === "anthropic") {
    const parsed = anthropicRequestSchema.safeParse(json);
    if (!parsed.success) return undefined;
    const body = parsed.data;
    return {
      model: body.model ?? "scripted-model",
      stream: body.stream === true,
      hasTools: (body.tools?.length ?? 0) > 0,
      maxTokens: body.max_tokens,
      systemText: anthropicSystemText(body),
      outputSchema: anthropicOutputSchema(body),
      includeUsage: false,
      turnIndex: turnIndexOf(body.messages),
    };
  }
  const parsed = openaiRequestSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  return {
    model: body.model ?? "scripted-model",
    stream: body.stream === true,
    hasTools: (body.tools?.length ?? 0) > 0,
    maxTokens: body.max_tokens ?? body.max_completion_tokens ?? undefined,
    systemText: body.messages
      .filter((message) => message.role === "system" || message.role === "developer")
      .map((message) => (typeof message.content === "string" ? message.content : ""))
      .join("\n"),
    outputSchema:
      body.response_format?.type === "json_schema"
        ? (body.response_format.json_schema?.schema ?? {})
        : undefined,
    includeUsage: body.stream_options?.include_usage === true,
    turnIndex: turnIndexOf(body.messages),
  };
}

/**
 * A minimal value that satisfies a JSON schema's common shapes: objects get their required (else all)
 * properties, strings the side-call answer, numbers 0, booleans false, arrays [], enums their first value.
 */
function sampleOf(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null) return sideCallAnswer;
  const node = schema as Record<string, unknown>;
  if (Array.isArray(node["enum"]) && node["enum"].length > 0) return node["enum"][0];
  if ("const" in node) return node["const"];
  const type = Array.isArray(node["type"]) ? node["type"][0] : node["type"];
  switch (type) {
    case "object": {
      const properties = (node["properties"] ?? {}) as Record<string, unknown>;
      const required = Array.isArray(node["required"])
        ? node["required"].map(String)
        : Object.keys(properties);
      return Object.fromEntries(required.map((name) => [name, sampleOf(properties[name])]));
    }
    case "array":
      return [];
    case "number":
    case "integer":
      return 0;
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return sideCallAnswer;
  }
}

function streamHeaders(): Record<string, string> {
  return {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
  };
}

function requestIdHeader(wire: ModelWire): Record<string, string> {
  return wire === "anthropic"
    ? { "request-id": randomId("req_", 24) }
    : { "x-request-id": randomId("req_", 24) };
}

function recordedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = redactedHeaders.has(name)
      ? "[redacted]"
      : Array.isArray(value)
        ? value.join(", ")
        : value;
  }
  return headers;
}

function modelList(wire: ModelWire): Record<string, unknown> {
  if (wire === "anthropic") {
    const model = {
      type: "model",
      id: "scripted-model",
      display_name: "Scripted model",
      created_at: "2025-01-01T00:00:00Z",
    };
    return { data: [model], has_more: false, first_id: model.id, last_id: model.id };
  }
  return {
    object: "list",
    data: [{ id: "scripted-model", object: "model", created: 0, owned_by: "autowright" }],
  };
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maximumBodyBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
