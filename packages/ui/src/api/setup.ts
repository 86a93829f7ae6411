/** First-run set-up: the provider connection test (saves nothing) and the demo project. */
import {
  demoResponseSchema,
  type ProviderTestRequest,
  providerTestResponseSchema,
} from "@autowright/protocol";
import { apiRequest } from "./client.ts";

/** Tests a provider's connection; a failure is an answer with `ok: false` and a readable message. */
export const testProvider = (body: ProviderTestRequest) =>
  apiRequest("POST", "/api/providers/test", providerTestResponseSchema, { body });

/** Creates (or reuses) the demo project and starts its offline replay run unless one is active. */
export const startDemo = () => apiRequest("POST", "/api/demo", demoResponseSchema);
