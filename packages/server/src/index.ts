/** @autowright/server: `autowright serve` — REST, the real-time stream, and the parts behind them. */

export { loadAuthToken } from "./auth-token.ts";
export type { RunningServer, ServerOptions } from "./server.ts";
export { readServerFile, serverFilePath, startServer } from "./server.ts";
export type { ProjectContext, ServerContext } from "./server-context.ts";
