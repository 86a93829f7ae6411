import { readFileSync } from "node:fs";
import { type ChatKind, chatKindSchema, readSpecFeatureCount } from "@autowright/protocol";
import { hasSpec, specTemplate } from "@autowright/store";
import { describe, expect, it } from "vitest";
import { createTestProject } from "../test-project.ts";
import { type ChatToolContext, chatToolNames, createChatTools } from "./chat-tools.ts";

const writingTools = ["write_file", "edit_file", "bash", "feature_claim", "project_set_test_command"];

function context(
  kind: ChatKind,
  project: ReturnType<typeof createTestProject>,
  spec: string[] = [],
): ChatToolContext {
  return {
    kind,
    chatId: "00000000-0000-4000-8000-000000000001",
    project: project.project,
    settings: project.server.settings,
    redact: (text) => text,
    publishChanges: () => undefined,
    onSpecWritten: (path) => spec.push(path),
    onFeaturesAdded: () => undefined,
  };
}

describe("chat tool sets", () => {
  it.each(chatKindSchema.options)(
    "%s has exactly its allowlist, with no writing tool and no shell",
    (kind) => {
      using project = createTestProject();
      const tools = createChatTools(context(kind, project));
      expect(Object.keys(tools).sort()).toEqual([...chatToolNames[kind]].sort());
      for (const name of writingTools) expect(Object.keys(tools)).not.toContain(name);
      expect(Object.keys(tools).includes("write_spec")).toBe(kind === "spec");
    },
  );

  it("write_spec writes the spec with its feature count and without the template marker", async () => {
    using project = createTestProject();
    const written: string[] = [];
    const tools = createChatTools(context("spec", project, written));
    expect(hasSpec(project.project.paths)).toBe(false);
    const answer = await tools["write_spec"]?.execute?.({
      content: `${specTemplate.split("\n")[0]}\n# Notes app\n\n- Write a note`,
      featureCount: 12,
    });
    expect(answer).toContain("target 12 features");
    const spec = readFileSync(project.project.paths.specFile, "utf8");
    expect(spec.startsWith("# Notes app")).toBe(true);
    expect(readSpecFeatureCount(spec)).toBe(12);
    expect(hasSpec(project.project.paths)).toBe(true);
    expect(written).toEqual([".autowright/prompts/app-spec.md"]);
    await expect(tools["write_spec"]?.execute?.({ content: "", featureCount: 0 })).rejects.toThrow(
      /invalid input for write_spec/,
    );
  });

  it("file tools stay inside the project", async () => {
    using project = createTestProject();
    const tools = createChatTools(context("assistant", project));
    await expect(tools["read_file"]?.execute?.({ path: "../../../etc/passwd" })).rejects.toThrow(/outside/);
    await expect(tools["read_file"]?.execute?.({})).rejects.toThrow(/invalid input for read_file/);
  });

  it("the assistant's skip moves a pending feature to the end of the queue", async () => {
    using project = createTestProject();
    const store = project.project.store;
    const [first] = store.createFeatures(
      [
        {
          category: "a",
          name: "One",
          description: "",
          steps: ["x"],
          verify: [],
          dependencies: [],
          dependsOnIndices: [],
        },
        {
          category: "a",
          name: "Two",
          description: "",
          steps: ["x"],
          verify: [],
          dependencies: [],
          dependsOnIndices: [],
        },
      ],
      { maxDependenciesPerFeature: 20 },
    );
    const tools = createChatTools(context("assistant", project));
    await tools["feature_skip"]?.execute?.({ feature_id: first?.id, reason: "later" });
    const priorities = store.listFeatures().map((feature) => [feature.name, feature.priority]);
    const one = priorities.find(([name]) => name === "One")?.[1] as number;
    const two = priorities.find(([name]) => name === "Two")?.[1] as number;
    expect(one).toBeGreaterThan(two);
  });
});

describe("readSpecFeatureCount", () => {
  it.each([
    ["no marker", "# Spec", null],
    ["one marker", "# Spec\n<!-- autowright:feature-count 40 -->", 40],
    ["the last marker wins", "<!-- autowright:feature-count 4 -->\n<!-- autowright:feature-count 9 -->", 9],
    ["zero is no count", "<!-- autowright:feature-count 0 -->", null],
  ])("%s", (_name, text, expected) => {
    expect(readSpecFeatureCount(text)).toBe(expected);
  });
});
