/** Settings (secrets write-only: their values are stored with 0600 permissions and never returned) and providers. */
import {
  AppError,
  type Provider,
  providerCredentialNames,
  providerSchema,
  providersResponseSchema,
  providerTable,
  settingsPatchRequestSchema,
  settingsResponseSchema,
} from "@autowright/protocol";
import { readSecrets, writeSecrets } from "@autowright/store";
import type { HttpApp } from "../http-app.ts";
import type { ServerServices } from "../server-services.ts";

/** The routes. */
export function settingsRoutes(services: ServerServices): (app: HttpApp) => void {
  const secretsState = () => {
    const stored = readSecrets(services.home);
    return Object.fromEntries(
      providerCredentialNames.map((name) => [name, { set: stored[name] !== undefined }]),
    );
  };
  return (app) => {
    app.get(
      "/api/settings",
      {
        schema: {
          tags: ["settings"],
          summary: "The settings, and which secrets are set (never their values)",
          response: { 200: settingsResponseSchema },
        },
      },
      async () => ({ settings: services.registry.getSettings(), secrets: secretsState() }),
    );
    app.patch(
      "/api/settings",
      {
        schema: {
          tags: ["settings"],
          summary: "Change settings, and set (a string) or remove (null) secrets; all or nothing",
          body: settingsPatchRequestSchema,
          response: { 200: settingsResponseSchema },
        },
      },
      async (request) => {
        const { secrets, ...patch } = request.body;
        const unknown = Object.keys(secrets ?? {}).filter((name) => !providerCredentialNames.includes(name));
        if (unknown.length > 0) {
          throw new AppError(
            "invalid_input",
            `unknown secrets: ${unknown.join(", ")}; use ${providerCredentialNames.join(", ")}`,
          );
        }
        if (Object.keys(patch).length > 0) services.registry.updateSettings(patch);
        if (secrets !== undefined && Object.keys(secrets).length > 0) writeSecrets(services.home, secrets);
        return { settings: services.registry.getSettings(), secrets: secretsState() };
      },
    );
    app.get(
      "/api/providers",
      {
        schema: {
          tags: ["settings"],
          summary: "Each provider: its runtime, default models, credentials needed and whether they are set",
          response: { 200: providersResponseSchema },
        },
      },
      async () => {
        const stored = readSecrets(services.home);
        return {
          providers: providerSchema.options.map((id: Provider) => {
            const row = providerTable[id];
            return {
              id,
              runtime: row.runtime,
              ...(row.wire === undefined ? {} : { wire: row.wire }),
              defaultModels: { ...row.defaultModels },
              credentialVariables: [...row.credentialVariables],
              credentialsSet:
                row.credentialVariables.length === 0 ||
                row.credentialVariables.some(
                  (name) => stored[name] !== undefined || process.env[name] !== undefined,
                ),
              baseUrlVariable: row.baseUrlVariable,
              priceSource: row.priceSource,
            };
          }),
        };
      },
    );
  };
}
