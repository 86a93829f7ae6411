import type { Feature } from "@autowright/protocol";
import { testFeature } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { buildSessionPrompt, describeFeature, type SessionPromptInput } from "./session-prompt.ts";
import { promptTemplates } from "./templates.ts";

function feature(overrides: Partial<Feature> = {}): Feature {
  return testFeature({ id: 7, priority: 1, category: "", name: "Log in with email", ...overrides });
}

describe("describeFeature", () => {
  it("describes a bare feature by id and name only", () => {
    expect(describeFeature(feature())).toBe("### Feature #7: Log in with email");
  });

  it("describes every part of a feature in order", () => {
    const described = describeFeature(
      feature({
        category: "auth",
        description: "Users log in with email and password.",
        steps: ["Open /login", "Submit valid credentials", "See the dashboard"],
        dependencies: [2, 3],
        verify: ["npm run e2e -- login"],
        lastError: "the dashboard did not load",
      }),
    );
    expect(described).toBe(
      [
        "### Feature #7: Log in with email",
        "Category: auth",
        "",
        "Users log in with email and password.",
        "",
        "Acceptance steps:",
        "1. Open /login",
        "2. Submit valid credentials",
        "3. See the dashboard",
        "",
        "Builds on features #2, #3 (already passing).",
        "",
        "The verifier will also run:",
        "- `npm run e2e -- login`",
        "",
        "A previous attempt did not pass: the dashboard did not load",
      ].join("\n"),
    );
  });

  it("includes a question that is not answered yet", () => {
    const described = describeFeature(
      feature({
        humanInput: {
          request: {
            prompt: "Which OAuth provider?",
            fields: [{ id: "provider", label: "Provider", type: "text", required: true }],
          },
          response: null,
        },
      }),
    );
    expect(described).toBe(
      "### Feature #7: Log in with email\n\nAn agent asked a person: Which OAuth provider?",
    );
  });

  it("includes a person's answer with field labels, joining array values", () => {
    const described = describeFeature(
      feature({
        humanInput: {
          request: {
            prompt: "How should login work?",
            fields: [
              { id: "provider", label: "OAuth provider", type: "text", required: true },
              { id: "scopes", label: "Scopes", type: "textarea", required: true },
              { id: "remember", label: "Remember me", type: "boolean", required: false },
            ],
          },
          response: {
            fields: {
              provider: "GitHub",
              scopes: ["read:user", "user:email"],
              remember: true,
              extra: "kept",
            },
            respondedAt: "2026-01-02T00:00:00.000Z",
          },
        },
      }),
    );
    expect(described).toBe(
      [
        "### Feature #7: Log in with email",
        "",
        "An agent asked a person: How should login work?",
        "The answer:",
        "- OAuth provider: GitHub",
        "- Scopes: read:user, user:email",
        "- Remember me: true",
        "- extra: kept",
      ].join("\n"),
    );
  });
});

describe("buildSessionPrompt", () => {
  const base: SessionPromptInput = {
    template: "F:{{features}}|S:{{spec}}|C:{{cwd}}|B:{{branch}}|T:{{testCommand}}|Y:{{yoloRule}}|",
    features: [feature(), feature({ id: 8, name: "Log out" })],
    spec: "  A todo app.  \n",
    cwd: "/work/tree",
    branch: "feature/7",
    testCommand: "npm test",
    yolo: false,
  };

  it("fills every placeholder", () => {
    expect(buildSessionPrompt(base)).toBe(
      "F:### Feature #7: Log in with email\n\n### Feature #8: Log out|S:A todo app.|C:/work/tree|B:feature/7|T:`npm test`|Y:|",
    );
  });

  it.each([
    ["", "(no specification was written; rely on the feature descriptions)"],
    [" \n\t ", "(no specification was written; rely on the feature descriptions)"],
  ])("says so when the spec is empty (%j)", (spec, expected) => {
    expect(buildSessionPrompt({ ...base, template: "{{spec}}", spec })).toBe(expected);
  });

  it("points to package.json when there is no test command", () => {
    expect(buildSessionPrompt({ ...base, template: "{{testCommand}}", testCommand: null })).toBe(
      "find it in package.json or the README",
    );
  });

  it("adds the YOLO rule only in yolo mode", () => {
    expect(buildSessionPrompt({ ...base, template: "[{{yoloRule}}]", yolo: true })).toBe(
      "[\nYOLO mode: skip writing new tests; make sure the project builds, lints and type-checks, then call `feature_ready_for_verification`.\n]",
    );
    expect(buildSessionPrompt({ ...base, template: "[{{yoloRule}}]", yolo: false })).toBe("[]");
  });

  it("renders the built-in coding template without leftover placeholders", () => {
    const prompt = buildSessionPrompt({ ...base, template: promptTemplates.coding, yolo: true });
    expect(prompt).not.toMatch(/\{\{/);
    expect(prompt).toContain("working in your own git worktree at /work/tree on branch feature/7.");
    expect(prompt).toContain("### Feature #8: Log out");
    expect(prompt).toContain("YOLO mode:");
    expect(prompt).toContain("command (`npm test`)");
    expect(buildSessionPrompt({ ...base, template: promptTemplates.coding })).not.toContain("YOLO mode:");
  });

  it("does not expand placeholders inside feature text", () => {
    const prompt = buildSessionPrompt({
      ...base,
      template: "{{features}}",
      features: [feature({ description: "literal {{spec}} and $&" })],
    });
    expect(prompt).toBe("### Feature #7: Log in with email\n\nliteral {{spec}} and $&");
  });
});
