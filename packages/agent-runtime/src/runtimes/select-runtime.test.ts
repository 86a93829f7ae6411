/** The replay initializer reads the spec's items from the prompt it is given, as a real model would. */
import { describe, expect, it } from "vitest";
import { buildSessionPrompt } from "../prompts/session-prompt.ts";
import { promptTemplates } from "../prompts/templates.ts";
import { replaySpecItems } from "./select-runtime.ts";

const spec = `# Todo app

A tiny todo list for one person.

## Features

- Add a todo
- Complete a todo
  - nested detail, not a feature
* Delete a todo
- List todos
`;

function initializerPrompt(specText: string): string {
  return buildSessionPrompt({
    template: promptTemplates.initializer,
    features: [],
    spec: specText,
    cwd: "/tmp/project",
    branch: "main",
    testCommand: null,
    yolo: false,
  });
}

describe("replaySpecItems", () => {
  it("takes the top-level bullets of the spec in the built-in initializer prompt, not the prompt's own", () => {
    expect(replaySpecItems(initializerPrompt(spec))).toEqual([
      "Add a todo",
      "Complete a todo",
      "Delete a todo",
      "List todos",
    ]);
  });

  it("reads the whole prompt when it has no specification section", () => {
    expect(replaySpecItems("Build this:\n- One\n- Two\n")).toEqual(["One", "Two"]);
  });

  it("falls back to one skeleton item for a spec without bullets", () => {
    expect(replaySpecItems(initializerPrompt("Just prose, no list."))).toEqual(["Application skeleton"]);
  });
});
