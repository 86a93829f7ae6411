/**
 * Browser → server WebSocket frames: `{ v: 1, id?, type, data? }`. The server parses every message with
 * {@link clientMessageSchema} before acting on it, because the socket is an untrusted input; a frame that fails
 * is answered with an `error` event and otherwise ignored.
 */
import { z } from "zod";
import { protocolVersion } from "./events.ts";

/** A client-chosen correlation id, echoed in the answer (`pong.id`). */
export const clientMessageIdSchema = z.string().min(1).max(200);

/** `ping`: a keep-alive; the server answers `pong` with the same `id`. */
export const pingMessageSchema = z.object({
  v: z.literal(protocolVersion),
  id: clientMessageIdSchema.optional(),
  type: z.literal("ping"),
  data: z.object({}).optional(),
});
/** A `ping` message. */
export type PingMessage = z.infer<typeof pingMessageSchema>;

/** `subscribe`: replay durable events with `seq > sinceSeq`, then stream live ones (0 replays everything). */
export const subscribeMessageSchema = z.object({
  v: z.literal(protocolVersion),
  id: clientMessageIdSchema.optional(),
  type: z.literal("subscribe"),
  data: z.object({ sinceSeq: z.number().int().nonnegative() }),
});
/** A `subscribe` message. */
export type SubscribeMessage = z.infer<typeof subscribeMessageSchema>;

/**
 * `browser.subscribe`: start receiving `browser.screenshot` frames (live pictures of the app being built). Heavy,
 * so they flow only to clients that ask, and are taken only while one does; `browser.unsubscribe` stops them.
 */
export const browserSubscribeMessageSchema = z.object({
  v: z.literal(protocolVersion),
  id: clientMessageIdSchema.optional(),
  type: z.literal("browser.subscribe"),
  data: z.object({}).optional(),
});
/** A `browser.subscribe` message. */
export type BrowserSubscribeMessage = z.infer<typeof browserSubscribeMessageSchema>;

/** `browser.unsubscribe`: stop receiving `browser.screenshot` frames. */
export const browserUnsubscribeMessageSchema = z.object({
  v: z.literal(protocolVersion),
  id: clientMessageIdSchema.optional(),
  type: z.literal("browser.unsubscribe"),
  data: z.object({}).optional(),
});
/** A `browser.unsubscribe` message. */
export type BrowserUnsubscribeMessage = z.infer<typeof browserUnsubscribeMessageSchema>;

/** Every browser → server frame, discriminated on `type`. */
export const clientMessageSchema = z.discriminatedUnion("type", [
  pingMessageSchema,
  subscribeMessageSchema,
  browserSubscribeMessageSchema,
  browserUnsubscribeMessageSchema,
]);
/** A browser → server frame. */
export type ClientMessage = z.infer<typeof clientMessageSchema>;
/** A client message type. */
export type ClientMessageType = ClientMessage["type"];
