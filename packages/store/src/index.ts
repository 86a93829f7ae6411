/**
 * @autowright/store: the only place SQL appears. Per-project databases (features, dependencies, sessions, the
 * durable event log) and the global registry (projects, settings), with versioned migrations.
 */

export type { AutoforgeProject } from "./autoforge-reader.ts";
export { autoforgeLayouts, findAutoforgeDatabase, readAutoforgeProject } from "./autoforge-reader.ts";
export { openDatabase } from "./connection.ts";
export type { Migration, MigrationResult } from "./migrations.ts";
export { migrate } from "./migrations.ts";
export type { ProjectPaths } from "./paths.ts";
export { dataDirectoryName, projectPaths, registryPath, resolveHome } from "./paths.ts";
export type { ScaffoldResult } from "./project-files.ts";
export { hasSpec, scaffoldProjectFiles, specTemplate, specTemplateMarker } from "./project-files.ts";
export { projectMigrations } from "./project-migrations.ts";
export type { ProjectOwner } from "./project-owner.ts";
export { claimProjectOwnership, projectOwnerFile, readProjectOwner } from "./project-owner.ts";
export type {
  ClaimOptions,
  ClaimResult,
  FeatureActor,
  ProjectStoreOptions,
  StatusChange,
  StoredEvent,
} from "./project-store.ts";
export { ProjectStore } from "./project-store.ts";
export { parseProjectName, Registry } from "./registry.ts";
export { registryMigrations } from "./registry-migrations.ts";
export type { ScheduleRepository, ScheduleRepositoryOptions } from "./schedule-repository.ts";
export { readSecrets, secretFilePath, writeSecrets } from "./secret-file.ts";
