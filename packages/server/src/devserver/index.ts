/** The dev server of each project: detection, the custom command, the manager and its routes. */
export {
  commandPlaceholders,
  formatCommandLine,
  parseCommandLine,
  substitutePlaceholders,
} from "./command-line.ts";
export {
  devServerConfigFile,
  devServerConfigOf,
  effectiveCommand,
  readCustomCommand,
  writeCustomCommand,
} from "./config.ts";
export type { DevCommandDetection } from "./detect-command.ts";
export { detectDevCommand } from "./detect-command.ts";
export type { DevServerOptions } from "./dev-server-manager.ts";
export {
  DevServerManager,
  defaultDevServerPorts,
  devServerHost,
  killAllDevServersNow,
  stopAllDevServers,
} from "./dev-server-manager.ts";
export { DevServerManagers } from "./dev-server-managers.ts";
export { devServerRoutes } from "./devserver-routes.ts";
export type { PortRange } from "./ports.ts";
