/**
 * The orchestrator's spawner helper (a bare `node -e` process that starts git for it) answers each request with
 * one NDJSON line: the command's exit code and outputs, or why it could not start.
 */
import { z } from "zod";

/** One answer of the spawner helper. */
export const spawnerAnswerSchema = z.union([
  z.object({
    id: z.number().int().positive(),
    code: z.number().int().nullable(),
    stdout: z.string(),
    stderr: z.string(),
  }),
  z.object({ id: z.number().int().positive(), startError: z.string() }),
]);
/** One answer of the spawner helper. */
export type SpawnerAnswer = z.infer<typeof spawnerAnswerSchema>;
