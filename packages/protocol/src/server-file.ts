/**
 * `<home>/server.json`: written by `autowright serve` while it runs, read by other commands (`autowright mcp`) to
 * reach it instead of opening a project's database themselves. A file whose process is gone, or whose server does
 * not answer its health check, is stale: readers ignore it (and leave it for the next server to replace).
 */
import { z } from "zod";
import { timestampSchema } from "./common.ts";

/** The contents of `<home>/server.json`. */
export const serverFileSchema = z.object({
  /** The server's process id. */
  pid: z.number().int().positive(),
  /** The server's base URL, such as `http://127.0.0.1:8888` (no trailing path). */
  url: z.url({ protocol: /^https?$/ }),
  /** When the server started. */
  startedAt: timestampSchema,
});
/** The contents of `<home>/server.json`. */
export type ServerFile = z.infer<typeof serverFileSchema>;
