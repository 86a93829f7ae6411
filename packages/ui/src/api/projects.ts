/** Projects, the run and sessions over REST (the stream carries what changes; these are first loads and actions). */
import {
  type FeatureCreateRequest,
  type FeaturePatchRequest,
  featureGraphResponseSchema,
  featureListResponseSchema,
  featureResponseSchema,
  folderListResponseSchema,
  healthResponseSchema,
  okResponseSchema,
  type ProjectCreateRequest,
  projectCreateResponseSchema,
  projectDetailResponseSchema,
  projectListResponseSchema,
  projectResetResponseSchema,
  type RunStartRequest,
  runStateSchema,
  sessionDetailResponseSchema,
  sessionListResponseSchema,
  sessionLogPageSchema,
} from "@autowright/protocol";
import { apiRequest, projectPath } from "./client.ts";

/** The server's health (version, protocol version). */
export const getHealth = () => apiRequest("GET", "/api/health", healthResponseSchema);

/** Every registered project with its progress. */
export const listProjects = () => apiRequest("GET", "/api/projects", projectListResponseSchema);
/** One project and its run. */
export const getProject = (name: string) => apiRequest("GET", projectPath(name), projectDetailResponseSchema);
/** Creates (or registers, or imports) a project. */
export const createProject = (body: ProjectCreateRequest) =>
  apiRequest("POST", "/api/projects", projectCreateResponseSchema, { body });
/** Unregisters a project (its files stay). */
export const deleteProject = (name: string) => apiRequest("DELETE", projectPath(name), okResponseSchema);
/** Resets a project's backlog: quick (statuses) or full (the backlog and the spec). */
export const resetProject = (name: string, mode: "quick" | "full") =>
  apiRequest("POST", projectPath(name, "/reset"), projectResetResponseSchema, { body: { mode } });

/** A folder's listing for the folder browser (no path: the home folder). */
export const listFolder = (path?: string) =>
  apiRequest(
    "GET",
    `/api/fs/list${path === undefined ? "" : `?path=${encodeURIComponent(path)}`}`,
    folderListResponseSchema,
  );

/** Every feature of a project. */
export const listFeatures = (project: string) =>
  apiRequest("GET", projectPath(project, "/features"), featureListResponseSchema);
/** One feature. */
export const getFeature = (project: string, id: number) =>
  apiRequest("GET", projectPath(project, `/features/${id}`), featureResponseSchema);
/** Adds a feature. */
export const createFeature = (project: string, body: FeatureCreateRequest) =>
  apiRequest("POST", projectPath(project, "/features"), featureResponseSchema, { body });
/** Changes a feature's fields (name, description, steps, category, priority…). */
export const patchFeature = (project: string, id: number, body: FeaturePatchRequest) =>
  apiRequest("PATCH", projectPath(project, `/features/${id}`), featureResponseSchema, { body });
/** Deletes a feature. */
export const deleteFeature = (project: string, id: number) =>
  apiRequest("DELETE", projectPath(project, `/features/${id}`), okResponseSchema);
/** Replaces a feature's dependencies (a cycle is refused with `dependency_cycle`). */
export const putDependencies = (project: string, id: number, dependencies: number[]) =>
  apiRequest("PUT", projectPath(project, `/features/${id}/dependencies`), featureResponseSchema, {
    body: { dependencyIds: dependencies },
  });
/** Moves a feature to the end of the queue. */
export const skipFeature = (project: string, id: number) =>
  apiRequest("POST", projectPath(project, `/features/${id}/skip`), featureResponseSchema);
/** Answers an agent's question on a feature. */
export const answerHumanInput = (
  project: string,
  id: number,
  fields: Record<string, string | boolean | string[]>,
) =>
  apiRequest("POST", projectPath(project, `/features/${id}/human-input`), featureResponseSchema, {
    body: { fields },
  });
/** The dependency graph (nodes and edges). */
export const getGraph = (project: string) =>
  apiRequest("GET", projectPath(project, "/features/graph"), featureGraphResponseSchema);

/** The run's state. */
export const getRun = (project: string) => apiRequest("GET", projectPath(project, "/run"), runStateSchema);
/** Starts a run (every field overrides the settings for this run). */
export const startRun = (project: string, body: RunStartRequest = {}) =>
  apiRequest("POST", projectPath(project, "/run/start"), runStateSchema, { body });
/** Stops the run. */
export const stopRun = (project: string) =>
  apiRequest("POST", projectPath(project, "/run/stop"), runStateSchema);
/** Pauses the run (agents finish their session, none start). */
export const pauseRun = (project: string) =>
  apiRequest("POST", projectPath(project, "/run/pause"), runStateSchema);
/** Resumes a paused run. */
export const resumeRun = (project: string) =>
  apiRequest("POST", projectPath(project, "/run/resume"), runStateSchema);
/** Changes the concurrency of the running run. */
export const setRunConcurrency = (project: string, maxConcurrency: number) =>
  apiRequest("PATCH", projectPath(project, "/run"), runStateSchema, { body: { maxConcurrency } });

/** The sessions of a project, newest first. */
export const listSessions = (project: string) =>
  apiRequest("GET", projectPath(project, "/sessions"), sessionListResponseSchema);
/** One session with the first page of its log. */
export const getSession = (project: string, sessionId: string) =>
  apiRequest(
    "GET",
    projectPath(project, `/sessions/${encodeURIComponent(sessionId)}`),
    sessionDetailResponseSchema,
  );
/** A page of a session's log from a byte offset. */
export const getSessionLog = (project: string, sessionId: string, offset: number) =>
  apiRequest(
    "GET",
    projectPath(project, `/sessions/${encodeURIComponent(sessionId)}/log?offset=${offset}`),
    sessionLogPageSchema,
  );
