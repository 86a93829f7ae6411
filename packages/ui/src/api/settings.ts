/** Settings (secrets are write-only: the answer says which are set, never their values), providers and prompts. */
import {
  promptsResponseSchema,
  providersResponseSchema,
  type SettingsPatchRequest,
  settingsResponseSchema,
} from "@autowright/protocol";
import { apiRequest, projectPath } from "./client.ts";

/** The settings, and which secrets are set. */
export const getSettings = () => apiRequest("GET", "/api/settings", settingsResponseSchema);

/** Changes some settings and sets (a string) or removes (null) secrets; all or nothing. */
export const patchSettings = (body: SettingsPatchRequest) =>
  apiRequest("PATCH", "/api/settings", settingsResponseSchema, { body });

/** Each provider: its runtime, default models, the credential variables and whether they are set. */
export const getProviders = () => apiRequest("GET", "/api/providers", providersResponseSchema);

/** A project's prompt files by name (the app spec included). */
export const getPrompts = (project: string) =>
  apiRequest("GET", projectPath(project, "/prompts"), promptsResponseSchema);

/** Replaces some of a project's prompt files; answers with every prompt file. */
export const putPrompts = (project: string, prompts: Record<string, string>) =>
  apiRequest("PUT", projectPath(project, "/prompts"), promptsResponseSchema, { body: { prompts } });
