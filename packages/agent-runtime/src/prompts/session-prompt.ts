/**
 * The prompt of one session: the role's template filled with the assigned features (acceptance steps,
 * dependencies, the last error of a previous attempt, and a person's answer to a question an agent asked).
 */
import type { Feature } from "@autowright/protocol";
import { renderPrompt } from "./templates.ts";

/** What a session prompt is made of. */
export interface SessionPromptInput {
  readonly template: string;
  readonly features: readonly Feature[];
  readonly spec: string;
  readonly cwd: string;
  readonly branch: string;
  readonly testCommand: string | null;
  readonly yolo: boolean;
}

/** Describes one feature for an agent, including what earlier sessions left behind. */
export function describeFeature(feature: Feature): string {
  const lines = [`### Feature #${feature.id}: ${feature.name}`];
  if (feature.category !== "") lines.push(`Category: ${feature.category}`);
  if (feature.description !== "") lines.push("", feature.description);
  if (feature.steps.length > 0) {
    lines.push("", "Acceptance steps:", ...feature.steps.map((step, index) => `${index + 1}. ${step}`));
  }
  if (feature.dependencies.length > 0) {
    lines.push(
      "",
      `Builds on features ${feature.dependencies.map((id) => `#${id}`).join(", ")} (already passing).`,
    );
  }
  if (feature.verify.length > 0) {
    lines.push("", "The verifier will also run:", ...feature.verify.map((command) => `- \`${command}\``));
  }
  if (feature.lastError !== null) {
    lines.push("", `A previous attempt did not pass: ${feature.lastError}`);
  }
  if (feature.humanInput !== null) {
    lines.push("", `An agent asked a person: ${feature.humanInput.request.prompt}`);
    if (feature.humanInput.response !== null) {
      const answers = Object.entries(feature.humanInput.response.fields).map(([field, value]) => {
        const label =
          feature.humanInput?.request.fields.find((candidate) => candidate.id === field)?.label ?? field;
        return `- ${label}: ${Array.isArray(value) ? value.join(", ") : String(value)}`;
      });
      lines.push("The answer:", ...answers);
    }
  }
  return lines.join("\n");
}

/** Builds the prompt of a session. */
export function buildSessionPrompt(input: SessionPromptInput): string {
  return renderPrompt(input.template, {
    features: input.features.map(describeFeature).join("\n\n"),
    spec:
      input.spec.trim() === ""
        ? "(no specification was written; rely on the feature descriptions)"
        : input.spec.trim(),
    cwd: input.cwd,
    branch: input.branch,
    testCommand:
      input.testCommand === null ? "find it in package.json or the README" : `\`${input.testCommand}\``,
    yoloRule: input.yolo
      ? "\nYOLO mode: skip writing new tests; make sure the project builds, lints and type-checks, then call `feature_ready_for_verification`.\n"
      : "",
  });
}
