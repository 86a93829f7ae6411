/**
 * The dev server of a project: the app the agents are building, run by the server on an allocated port. Shapes of
 * the REST surface `/api/projects/:name/devserver` and of its config file `.autowright/devserver.json`. The live
 * status travels as `devserver.updated` and the output as `devserver.log.appended` (events.ts).
 */
import { z } from "zod";
import { timestampSchema } from "./common.ts";
import { devServerUpdatedDataSchema } from "./events.ts";

/** The longest custom dev command, in characters. */
export const devServerCommandMaxLength = 1000;

/** How many recent output lines `GET /api/projects/:name/devserver` returns (older ones only went out live). */
export const devServerRecentLogLimit = 200;

/**
 * A dev command as an argument vector (run without a shell). `$PORT` and `$HOST` (or `${PORT}`, `${HOST}`) in any
 * argument are replaced with the allocated port and `127.0.0.1` when the server starts.
 */
export const devServerArgvSchema = z.array(z.string()).min(1).max(200);
/** A dev command as an argument vector. */
export type DevServerArgv = z.infer<typeof devServerArgvSchema>;

/**
 * `GET /api/projects/:name/devserver`, and the answer of `start` and `stop`: the status (as `devserver.updated`
 * says it) plus the process and the most recent output lines.
 */
export const devServerStateSchema = devServerUpdatedDataSchema.extend({
  /** The process id of the command (the leader of its process group) while it runs. */
  pid: z.number().int().positive().optional(),
  startedAt: timestampSchema.optional(),
  /** How the last run ended, when it crashed: its exit code, or the signal that killed it. */
  exitCode: z.number().int().optional(),
  exitSignal: z.string().optional(),
  /** The last lines of output of the current or last run, oldest first. */
  recentLog: z.array(z.string()).max(devServerRecentLogLimit),
});
/** The state of a project's dev server. */
export type DevServerState = z.infer<typeof devServerStateSchema>;

/**
 * `POST /api/projects/:name/devserver/start` and `/stop`: no body (or an empty object). Nullish, because Fastify
 * validates a missing body as null.
 */
export const devServerActionRequestSchema = z.strictObject({}).nullish();
/** The (empty) body of `start` and `stop`. */
export type DevServerActionRequest = z.infer<typeof devServerActionRequestSchema>;

/**
 * `PUT /api/projects/:name/devserver/config`: the custom command as one line (quotes are respected, no shell
 * operators), or null to go back to the detected one. It applies from the next start.
 */
export const devServerConfigRequestSchema = z.strictObject({
  command: z
    .string()
    .max(devServerCommandMaxLength, `a dev command is at most ${devServerCommandMaxLength} characters`)
    .nullable(),
});
/** The `PUT .../devserver/config` body. */
export type DevServerConfigRequest = z.infer<typeof devServerConfigRequestSchema>;

/** `GET`/`PUT /api/projects/:name/devserver/config`: the custom command, the detected one and the one that runs. */
export const devServerConfigSchema = z.object({
  /** The custom command the user set, as typed; null when none is set. */
  command: z.string().nullable(),
  /** The command detected from the project's files; null when nothing was recognised. */
  detected: devServerArgvSchema.nullable(),
  /** Where the detected command comes from, e.g. `package.json scripts.dev`. */
  detectedFrom: z.string().optional(),
  /** Why nothing was detected, when `detected` is null. */
  notDetectedReason: z.string().optional(),
  /** What `start` runs: the custom command (parsed), else the detected one; null when there is neither. */
  effective: devServerArgvSchema.nullable(),
  /** Why the stored custom command (or its file, edited by hand) cannot run; `start` refuses until it is fixed. */
  commandError: z.string().optional(),
});
/** The dev server configuration of a project. */
export type DevServerConfig = z.infer<typeof devServerConfigSchema>;

/** The file `.autowright/devserver.json` (users may edit it by hand; unknown keys are kept out). */
export const devServerConfigFileSchema = z.object({
  command: z.string().max(devServerCommandMaxLength).nullable().optional(),
});
/** The contents of `.autowright/devserver.json`. */
export type DevServerConfigFile = z.infer<typeof devServerConfigFileSchema>;
