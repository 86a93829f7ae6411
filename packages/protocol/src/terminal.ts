/**
 * Terminals: the project's PTY shells. REST (`/api/projects/:name/terminals…`) lists, creates, renames and kills
 * them; the WebSocket `/ws/projects/:name/terminals/:id` carries one terminal's bytes. Client frames are parsed
 * with {@link terminalClientFrameSchema}: a malformed or unknown one is answered with an `error` frame and never
 * reaches the shell.
 */
import { z } from "zod";
import { projectNameSchema, timestampSchema } from "./common.ts";
import { errorCodeSchema } from "./errors.ts";

/** The smallest and largest number of columns or rows a terminal accepts. */
export const terminalSizeLimits = { min: 1, max: 1000 } as const;

/** A terminal's width in columns. */
export const terminalColumnsSchema = z.number().int().min(terminalSizeLimits.min).max(terminalSizeLimits.max);
/** A terminal's height in rows. */
export const terminalRowsSchema = z.number().int().min(terminalSizeLimits.min).max(terminalSizeLimits.max);

/** A terminal id: a random UUID (unguessable: knowing it is what lets a client attach). */
export const terminalIdSchema = z.uuid();
/** A terminal id. */
export type TerminalId = z.infer<typeof terminalIdSchema>;

/** A terminal's display name ("Terminal 1" unless renamed). */
export const terminalNameSchema = z.string().trim().min(1, "a terminal needs a name").max(100);

/** The longest `input` frame's data, in characters (a paste larger than this must be split). */
export const terminalInputLimit = 64 * 1024;

/** Whether a terminal's shell still runs. */
export const terminalStatusSchema = z.enum(["running", "exited"]);
/** Whether a terminal's shell still runs. */
export type TerminalStatus = z.infer<typeof terminalStatusSchema>;

/** A terminal as lists show it. */
export const terminalInfoSchema = z.object({
  id: terminalIdSchema,
  name: terminalNameSchema,
  createdAt: timestampSchema,
  cols: terminalColumnsSchema,
  rows: terminalRowsSchema,
  status: terminalStatusSchema,
  /** The shell's exit code once it has exited; `null` while it runs. */
  exitCode: z.number().int().nullable(),
});
/** A terminal as lists show it. */
export type TerminalInfo = z.infer<typeof terminalInfoSchema>;

// ---------------------------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------------------------

/** `/api/projects/:name/terminals/:id`. */
export const terminalParamsSchema = z.object({ name: projectNameSchema, id: terminalIdSchema });
/** Terminal path parameters. */
export type TerminalParams = z.infer<typeof terminalParamsSchema>;

/** `POST /api/projects/:name/terminals`: every field optional (the name defaults to the next "Terminal N"). */
export const terminalCreateRequestSchema = z.strictObject({
  name: terminalNameSchema.optional(),
  cols: terminalColumnsSchema.optional(),
  rows: terminalRowsSchema.optional(),
});
/** `POST …/terminals` body. */
export type TerminalCreateRequest = z.infer<typeof terminalCreateRequestSchema>;

/** `PATCH /api/projects/:name/terminals/:id`: rename. */
export const terminalRenameRequestSchema = z.strictObject({ name: terminalNameSchema });
/** `PATCH …/terminals/:id` body. */
export type TerminalRenameRequest = z.infer<typeof terminalRenameRequestSchema>;

/** One terminal (`POST`, `PATCH`). */
export const terminalResponseSchema = z.object({ terminal: terminalInfoSchema });
/** A one-terminal response. */
export type TerminalResponse = z.infer<typeof terminalResponseSchema>;

/** `GET /api/projects/:name/terminals`, in creation order. */
export const terminalListResponseSchema = z.object({ terminals: z.array(terminalInfoSchema) });
/** A terminal list response. */
export type TerminalListResponse = z.infer<typeof terminalListResponseSchema>;

/** `DELETE /api/projects/:name/terminals/:id`: the terminal is killed and forgotten. */
export const terminalDeleteResponseSchema = z.object({ id: terminalIdSchema });
/** `DELETE …/terminals/:id` response. */
export type TerminalDeleteResponse = z.infer<typeof terminalDeleteResponseSchema>;

// ---------------------------------------------------------------------------------------------------------------
// WebSocket frames
// ---------------------------------------------------------------------------------------------------------------

/** Client → server: keystrokes or pasted text for the shell. */
export const terminalInputFrameSchema = z.strictObject({
  type: z.literal("input"),
  data: z.string().max(terminalInputLimit),
});
/** Client → server: the viewport changed size. */
export const terminalResizeFrameSchema = z.strictObject({
  type: z.literal("resize"),
  cols: terminalColumnsSchema,
  rows: terminalRowsSchema,
});
/** Client → server: a keep-alive (browsers cannot send WebSocket pings); answered with `pong`. */
export const terminalPingFrameSchema = z.strictObject({ type: z.literal("ping") });

/** Every client → server terminal frame. */
export const terminalClientFrameSchema = z.discriminatedUnion("type", [
  terminalInputFrameSchema,
  terminalResizeFrameSchema,
  terminalPingFrameSchema,
]);
/** A client → server terminal frame. */
export type TerminalClientFrame = z.infer<typeof terminalClientFrameSchema>;

/** Server → client: output of the shell (the scrollback first, on attach). */
export const terminalOutputFrameSchema = z.object({ type: z.literal("output"), data: z.string() });
/** Server → client: the shell exited (also sent on attach to an exited terminal). */
export const terminalExitFrameSchema = z.object({
  type: z.literal("exit"),
  exitCode: z.number().int().nullable(),
  /** The signal that ended the shell, when one did. */
  signal: z.number().int().positive().optional(),
});
/** Server → client: a frame was refused (the connection stays open). */
export const terminalErrorFrameSchema = z.object({
  type: z.literal("error"),
  code: errorCodeSchema,
  message: z.string(),
});
/** Server → client: the answer to `ping`. */
export const terminalPongFrameSchema = z.object({ type: z.literal("pong") });

/** Every server → client terminal frame. */
export const terminalServerFrameSchema = z.discriminatedUnion("type", [
  terminalOutputFrameSchema,
  terminalExitFrameSchema,
  terminalErrorFrameSchema,
  terminalPongFrameSchema,
]);
/** A server → client terminal frame. */
export type TerminalServerFrame = z.infer<typeof terminalServerFrameSchema>;
