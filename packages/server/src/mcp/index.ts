/** The backlog MCP server over Streamable HTTP (`/mcp/:project`). */
export type { McpHttpHandler, McpHttpHandlerOptions } from "./mcp-http-handler.ts";
export { createMcpHttpHandler, defaultMcpIdleTimeoutMs } from "./mcp-http-handler.ts";
