/** Feature calls the board and the feature detail need beyond projects.ts: the merged diff and the dependency list. */
import { featureDiffResponseSchema, featureResponseSchema } from "@autowright/protocol";
import { apiRequest, projectPath } from "./client.ts";

/** The commit a feature was merged as, its changed files and its (capped) unified patch. */
export const getFeatureDiff = (project: string, id: number) =>
  apiRequest("GET", projectPath(project, `/features/${id}/diff`), featureDiffResponseSchema);

/**
 * Replaces a feature's dependencies. A refused change (`dependency_cycle`, `dependency_self`, `dependency_unknown`,
 * `dependency_limit`) throws the server's error, with `details.violations`, and changes nothing.
 */
export const replaceDependencies = (project: string, id: number, dependencyIds: readonly number[]) =>
  apiRequest("PUT", projectPath(project, `/features/${id}/dependencies`), featureResponseSchema, {
    body: { dependencyIds },
  });
