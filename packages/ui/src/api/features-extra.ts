/** Feature calls the feature detail needs beyond projects.ts: the merged commit and its diff. */
import { featureDiffResponseSchema } from "@autowright/protocol";
import { apiRequest, projectPath } from "./client.ts";

/** The commit a feature was merged as, its changed files and its (capped) unified patch. */
export const getFeatureDiff = (project: string, id: number) =>
  apiRequest("GET", projectPath(project, `/features/${id}/diff`), featureDiffResponseSchema);
