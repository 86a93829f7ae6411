/** The environment of a run's workers, shared by `autowright run` and the server. */
import { type Provider, providerTable, type Settings } from "@autowright/protocol";

/**
 * The workers' environment: `base` (the caller's, with any stored credentials added), plus the configured base URL
 * in the provider's base-URL variable unless the environment already sets it. Checks and agents' commands never
 * see the credentials: the worker scrubs them.
 */
export function workerEnvironment(
  base: NodeJS.ProcessEnv,
  settings: Pick<Settings, "baseUrl">,
  provider: Provider,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const variable = providerTable[provider].baseUrlVariable;
  if (settings.baseUrl !== null && variable !== null) env[variable] ??= settings.baseUrl;
  return env;
}
