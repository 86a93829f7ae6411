/**
 * The OpenAI chat-completions API as the scripted server speaks it: request parsing, streamed (`data:` lines
 * ending in `data: [DONE]`) and plain answers of a turn, and error answers, as `@ai-sdk/openai-compatible`
 * and OpenAI-compatible clients accept them.
 */
import { z } from "zod";
import type { RenderedTurn, TurnError } from "./script.ts";
import { chunkString, randomId, retryAfterHeader, type TokenUsage } from "./wire-common.ts";

/** The parts of a chat-completions request the server reads; everything else is kept but ignored. */
export const openaiRequestSchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown().optional() })),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  tools: z.array(z.unknown()).nullish(),
  max_tokens: z.number().nullish(),
  max_completion_tokens: z.number().nullish(),
  response_format: z
    .looseObject({
      type: z.string(),
      json_schema: z.looseObject({ schema: z.unknown().optional() }).nullish(),
    })
    .nullish(),
});
/** A parsed chat-completions request. */
export type OpenaiRequest = z.infer<typeof openaiRequestSchema>;

function finishReason(turn: RenderedTurn): "tool_calls" | "stop" {
  return turn.stopReason === "tool_use" ? "tool_calls" : "stop";
}

function usageBody(usage: TokenUsage): Record<string, number> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

function toolCalls(turn: RenderedTurn): { id: string; name: string; arguments: string }[] {
  return turn.toolCalls.map((call) => ({
    id: randomId("call_", 24),
    name: call.name,
    arguments: JSON.stringify(call.input),
  }));
}

/** The plain answer (`stream` false or absent) of a turn. */
export function openaiCompletion(
  turn: RenderedTurn,
  model: string,
  usage: TokenUsage,
): Record<string, unknown> {
  const calls = toolCalls(turn);
  return {
    id: randomId("chatcmpl-", 24),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: turn.text ?? null,
          ...(calls.length === 0
            ? {}
            : {
                tool_calls: calls.map((call) => ({
                  id: call.id,
                  type: "function",
                  function: { name: call.name, arguments: call.arguments },
                })),
              }),
        },
        finish_reason: finishReason(turn),
      },
    ],
    usage: usageBody(usage),
  };
}

/**
 * The chunks of a streamed turn, each to be sent as a `data:` line: a role chunk, text pieces in
 * `delta.content`, per tool call a chunk with id, type and name followed by argument pieces, a chunk with the
 * finish reason, and (when `includeUsage`) a usage chunk with no choices, as OpenAI sends it.
 */
export function openaiStreamChunks(
  turn: RenderedTurn,
  model: string,
  usage: TokenUsage,
  includeUsage: boolean,
): Record<string, unknown>[] {
  const id = randomId("chatcmpl-", 24);
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const chunks: Record<string, unknown>[] = [chunk({ role: "assistant", content: "" })];
  if (turn.text !== undefined) {
    for (const piece of chunkString(turn.text)) chunks.push(chunk({ content: piece }));
  }
  toolCalls(turn).forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
      }),
    );
    for (const piece of chunkString(call.arguments)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, finishReason(turn)));
  if (includeUsage) {
    chunks.push({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [],
      usage: usageBody(usage),
    });
  }
  return chunks;
}

const openaiErrorKinds: Record<number, { type: string; code: string }> = {
  400: { type: "invalid_request_error", code: "invalid_request" },
  401: { type: "invalid_request_error", code: "invalid_api_key" },
  403: { type: "invalid_request_error", code: "permission_denied" },
  404: { type: "invalid_request_error", code: "not_found" },
  429: { type: "rate_limit_error", code: "rate_limit_exceeded" },
  500: { type: "server_error", code: "server_error" },
  529: { type: "server_error", code: "overloaded" },
};

/** OpenAI's error body: `{ error: { message, type, param: null, code } }`, type and code chosen by status. */
export function openaiErrorBody(status: number, message: string): Record<string, unknown> {
  const kind = openaiErrorKinds[status] ?? { type: "server_error", code: "server_error" };
  return { error: { message, type: kind.type, param: null, code: kind.code } };
}

/** Headers of a scripted error: `retry-after` (seconds; see `retryAfterHeader`). */
export function openaiErrorHeaders(error: TurnError, now: Date): Record<string, string> {
  const retryAfter = retryAfterHeader(error, now);
  return retryAfter === undefined ? {} : { "retry-after": retryAfter };
}
