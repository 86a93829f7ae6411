/**
 * The Anthropic Messages API as the scripted server speaks it: request parsing, the streamed (SSE) and plain
 * JSON answers of a turn, and error answers. Shapes follow Anthropic's API and what Claude Code,
 * `@anthropic-ai/sdk` and `@ai-sdk/anthropic` accept.
 */
import { z } from "zod";
import type { RenderedTurn, TurnError } from "./script.ts";
import { chunkString, randomId, retryAfterHeader, type TokenUsage } from "./wire-common.ts";

/** The parts of a Messages request the server reads; everything else is kept but ignored. */
export const anthropicRequestSchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })),
  max_tokens: z.number().optional(),
  stream: z.boolean().optional(),
  tools: z.array(z.unknown()).optional(),
  system: z
    .union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))])
    .optional(),
  /** Structured outputs: `output_config.format` (current) or `output_format` (earlier beta). */
  output_config: z
    .looseObject({ format: z.looseObject({ type: z.string(), schema: z.unknown().optional() }).nullish() })
    .nullish(),
  output_format: z.looseObject({ type: z.string(), schema: z.unknown().optional() }).nullish(),
});
/** A parsed Messages request. */
export type AnthropicRequest = z.infer<typeof anthropicRequestSchema>;

/** One server-sent event of a streamed answer. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** The system prompt of a request as one string (blocks joined by newlines). */
export function anthropicSystemText(request: AnthropicRequest): string {
  const system = request.system;
  if (system === undefined) return "";
  if (typeof system === "string") return system;
  return system.map((block) => block.text ?? "").join("\n");
}

/** The JSON schema a request asks the answer to follow (structured outputs), or undefined. */
export function anthropicOutputSchema(request: AnthropicRequest): unknown {
  const format = request.output_config?.format ?? request.output_format;
  return format?.type === "json_schema" ? (format.schema ?? {}) : undefined;
}

function contentBlocks(turn: RenderedTurn): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (turn.text !== undefined) blocks.push({ type: "text", text: turn.text });
  for (const call of turn.toolCalls) {
    blocks.push({ type: "tool_use", id: randomId("toolu_01", 22), name: call.name, input: call.input });
  }
  return blocks;
}

/** The plain JSON answer (`stream: false`) of a turn. */
export function anthropicMessage(
  turn: RenderedTurn,
  model: string,
  usage: TokenUsage,
): Record<string, unknown> {
  return {
    id: randomId("msg_01", 22),
    type: "message",
    role: "assistant",
    model,
    content: contentBlocks(turn),
    stop_reason: turn.stopReason,
    stop_sequence: null,
    usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
  };
}

/**
 * The SSE events of a streamed turn: `message_start`, `ping`, per block `content_block_start` / `_delta`
 * (`text_delta`, or `input_json_delta` carrying the input JSON in pieces) / `_stop`, `message_delta` with
 * the stop reason and usage, `message_stop`.
 */
export function anthropicStreamEvents(
  turn: RenderedTurn,
  model: string,
  usage: TokenUsage,
): ServerSentEvent[] {
  const events: ServerSentEvent[] = [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          id: randomId("msg_01", 22),
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: usage.inputTokens, output_tokens: 1 },
        },
      },
    },
    { event: "ping", data: { type: "ping" } },
  ];
  contentBlocks(turn).forEach((block, index) => {
    if (block["type"] === "text") {
      events.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { type: "text", text: "" } },
      });
      for (const piece of chunkString(String(block["text"]))) {
        events.push({
          event: "content_block_delta",
          data: { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } },
        });
      }
    } else {
      events.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { ...block, input: {} } },
      });
      for (const piece of chunkString(JSON.stringify(block["input"]))) {
        events.push({
          event: "content_block_delta",
          data: {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: piece },
          },
        });
      }
    }
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  events.push(
    {
      event: "message_delta",
      data: {
        type: "message_delta",
        delta: { stop_reason: turn.stopReason, stop_sequence: null },
        usage: { output_tokens: usage.outputTokens },
      },
    },
    { event: "message_stop", data: { type: "message_stop" } },
  );
  return events;
}

/** Serializes one event the way the API does (`event:` line, `data:` line, blank line). */
export function formatServerSentEvent(event: ServerSentEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

const anthropicErrorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** Anthropic's error body: `{ type: "error", error: { type, message } }`, the type chosen by status. */
export function anthropicErrorBody(status: number, message: string): Record<string, unknown> {
  return { type: "error", error: { type: anthropicErrorTypes[status] ?? "api_error", message } };
}

/** The default message of a scripted error, by status. */
export function defaultErrorMessage(status: number): string {
  switch (status) {
    case 429:
      return "Scripted rate limit: too many requests.";
    case 401:
      return "Scripted authentication failure: invalid x-api-key.";
    case 403:
      return "Scripted permission failure: this key may not use this model.";
    case 529:
      return "Scripted overload: the model is overloaded.";
    default:
      return "Scripted internal server error.";
  }
}

/**
 * Headers of a scripted error. `retry-after` (see `retryAfterHeader`). With `resetAt`:
 * `anthropic-ratelimit-requests-reset` (ISO 8601, as the API documents it) and, because Claude Code reads
 * them (as Unix seconds) to report a rejected limit, `anthropic-ratelimit-unified-reset`,
 * `anthropic-ratelimit-unified-status: rejected` and `anthropic-ratelimit-unified-representative-claim`.
 */
export function anthropicErrorHeaders(error: TurnError, now: Date): Record<string, string> {
  const headers: Record<string, string> = {};
  const retryAfter = retryAfterHeader(error, now);
  if (retryAfter !== undefined) headers["retry-after"] = retryAfter;
  if (error.resetAt !== undefined) {
    const reset = new Date(error.resetAt);
    headers["anthropic-ratelimit-requests-reset"] = reset.toISOString();
    if (error.status === 429) {
      headers["anthropic-ratelimit-unified-status"] = "rejected";
      headers["anthropic-ratelimit-unified-representative-claim"] = "five_hour";
      headers["anthropic-ratelimit-unified-reset"] = String(Math.round(reset.getTime() / 1000));
    }
  }
  return headers;
}
