/**
 * @autowright/backlog: the backlog tools agents and MCP clients call (one implementation, used by the worker
 * bridge and the MCP server), and the MCP server that exposes them.
 */

export type {
  BacklogToolCaller,
  BacklogToolResult,
  BacklogTools,
  BacklogToolsOptions,
  FeatureSummary,
} from "./backlog-tools.ts";
export { createBacklogTools, defaultLeaseDurationMs } from "./backlog-tools.ts";
export type { BacklogMcpServerOptions } from "./mcp-server.ts";
export { createBacklogMcpServer, serveMcpOverStdio, toCallToolResult } from "./mcp-server.ts";
