// Temporary: stands in for APIs that land with the other hardening branches. Deleted at the merge.
import type { OrchestratedRole, Provider } from "@autowright/protocol";

const defaultModels: Record<Provider, string> = {
  claude: "claude-sonnet-4-5",
  anthropic: "claude-sonnet-4-5",
  "openai-compatible": "qwen2.5-coder",
  replay: "scripted",
};

export function defaultModel(provider: Provider, _role: OrchestratedRole): string {
  return defaultModels[provider];
}
