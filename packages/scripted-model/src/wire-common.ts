/** Helpers shared by both wires: ids, token estimates, stream chunking, and which turn a request asks for. */
import { randomBytes } from "node:crypto";
import type { RenderedTurn, TurnError } from "./script.ts";

/** Token counts of one answer. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `prefix` followed by `length` random letters and digits (ids like the real APIs', unique per answer). */
export function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += idAlphabet[byte % idAlphabet.length];
  return id;
}

/** About four characters a token, at least one. */
export function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}

/** The usage reported for a turn: the script's, or an estimate from the request and answer sizes. */
export function turnUsage(turn: RenderedTurn, requestCharacters: number): TokenUsage {
  if (turn.usage !== undefined) return turn.usage;
  const answerCharacters =
    (turn.text?.length ?? 0) +
    turn.toolCalls.reduce((sum, call) => sum + call.name.length + JSON.stringify(call.input).length, 0);
  return { inputTokens: estimateTokens(requestCharacters), outputTokens: estimateTokens(answerCharacters) };
}

/** Pieces of at most `size` characters (code points kept whole); one empty piece for an empty string. */
export function chunkString(text: string, size = 64): string[] {
  const characters = Array.from(text);
  if (characters.length === 0) return [""];
  const pieces: string[] = [];
  for (let start = 0; start < characters.length; start += size) {
    pieces.push(characters.slice(start, start + size).join(""));
  }
  return pieces;
}

/**
 * The index of the turn a request asks for: the number of assistant turns already in the conversation. A run
 * of consecutive assistant messages counts once (clients may split one answer into several messages), so a
 * retried request gets the same turn and no server state is needed.
 */
export function turnIndexOf(messages: readonly { role: string }[]): number {
  let turns = 0;
  let previous = "";
  for (const message of messages) {
    if (message.role === "assistant" && previous !== "assistant") turns += 1;
    previous = message.role;
  }
  return turns;
}

/**
 * The `retry-after` value (whole seconds) of a scripted error: its `retryAfterSeconds`, else the seconds from
 * `now` until its `resetAt` (rounded up, at least 0), else none.
 */
export function retryAfterHeader(error: TurnError, now: Date): string | undefined {
  if (error.retryAfterSeconds !== undefined) return String(error.retryAfterSeconds);
  if (error.resetAt === undefined) return undefined;
  return String(Math.max(0, Math.ceil((Date.parse(error.resetAt) - now.getTime()) / 1000)));
}
