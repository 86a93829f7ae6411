import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { loadPromptTemplate, scaffoldPrompts } from "./prompt-files.ts";
import { promptTemplates } from "./templates.ts";

describe("scaffoldPrompts", () => {
  it("writes the three built-in prompts, creating the folder", () => {
    using directory = temporaryDirectory();
    const prompts = join(directory.path, ".autowright", "prompts");
    expect(scaffoldPrompts(prompts)).toEqual([
      join(prompts, "initializer.md"),
      join(prompts, "coding.md"),
      join(prompts, "testing.md"),
    ]);
    expect(readFileSync(join(prompts, "initializer.md"), "utf8")).toBe(promptTemplates.initializer);
    expect(readFileSync(join(prompts, "coding.md"), "utf8")).toBe(promptTemplates.coding);
    expect(readFileSync(join(prompts, "testing.md"), "utf8")).toBe(promptTemplates.testing);
  });

  it("writes nothing the second time", () => {
    using directory = temporaryDirectory();
    scaffoldPrompts(directory.path);
    expect(scaffoldPrompts(directory.path)).toEqual([]);
  });

  it("keeps a file the project edited and writes only the missing ones", () => {
    using directory = temporaryDirectory();
    writeFileSync(join(directory.path, "coding.md"), "our own coding prompt");
    expect(scaffoldPrompts(directory.path)).toEqual([
      join(directory.path, "initializer.md"),
      join(directory.path, "testing.md"),
    ]);
    expect(readFileSync(join(directory.path, "coding.md"), "utf8")).toBe("our own coding prompt");
  });
});

describe("loadPromptTemplate", () => {
  it("prefers the project's file", () => {
    using directory = temporaryDirectory();
    writeFileSync(join(directory.path, "testing.md"), "project testing prompt {{features}}");
    expect(loadPromptTemplate(directory.path, "testing")).toBe("project testing prompt {{features}}");
    expect(loadPromptTemplate(directory.path, "coding")).toBe(promptTemplates.coding);
  });

  it.each(["initializer", "coding", "testing"] as const)("falls back to the built-in %s prompt", (role) => {
    using directory = temporaryDirectory();
    expect(loadPromptTemplate(join(directory.path, "missing"), role)).toBe(promptTemplates[role]);
  });
});
