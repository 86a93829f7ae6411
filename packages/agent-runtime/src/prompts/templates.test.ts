import { backlogToolNames } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import { backlogToolsByRole } from "../runtime.ts";
import { promptFileNames, promptTemplates, renderPrompt } from "./templates.ts";

describe("renderPrompt", () => {
  it.each([
    ["Hello {{name}}!", { name: "Ada" }, "Hello Ada!"],
    ["{{a}} and {{ a }} and {{  b_2  }}", { a: "x", b_2: "y" }, "x and x and y"],
    ["{{missing}} stays", { name: "Ada" }, "{{missing}} stays"],
    ["{{ spaced }} stays", {}, "{{ spaced }} stays"],
    ["{{name}} {{unknown}}", { name: "Ada" }, "Ada {{unknown}}"],
    ["{{empty}}|", { empty: "" }, "|"],
    ["$& {{v}}", { v: "$& $1 $$" }, "$& $& $1 $$"],
    ["{{v}}", { v: "{{w}}", w: "no second pass" }, "{{w}}"],
    [
      "{{1bad}} {{bad-name}} {single}",
      { "1bad": "x", "bad-name": "y", single: "z" },
      "{{1bad}} {{bad-name}} {single}",
    ],
    ["no placeholders", { name: "Ada" }, "no placeholders"],
  ])("renders %j", (template, variables, expected) => {
    expect(renderPrompt(template, variables)).toBe(expected);
  });

  // BUG: `variables[name] ?? match` also finds Object.prototype members, so these are not left as they are.
  it("leaves placeholders named like Object.prototype members alone", () => {
    expect(renderPrompt("{{constructor}} {{toString}}", {})).toBe("{{constructor}} {{toString}}");
  });
});

describe("promptTemplates", () => {
  it("has one template and one file per role", () => {
    expect(promptFileNames).toEqual({
      initializer: "initializer.md",
      coding: "coding.md",
      testing: "testing.md",
    });
    expect(Object.keys(promptTemplates).sort()).toEqual(["coding", "initializer", "testing"]);
  });

  it.each([
    ["initializer", ["spec"]],
    ["coding", ["branch", "cwd", "features", "spec", "testCommand", "yoloRule"]],
    ["testing", ["cwd", "features", "testCommand"]],
  ] as const)("the %s template uses exactly %j", (role, placeholders) => {
    const used = [...promptTemplates[role].matchAll(/\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g)].map(
      (match) => match[1],
    );
    expect([...new Set(used)].sort()).toEqual(placeholders);
  });

  it.each(["initializer", "coding", "testing"] as const)(
    "the %s template names only tools its role has",
    (role) => {
      const named = backlogToolNames.filter((name) => promptTemplates[role].includes(name));
      expect(named.length).toBeGreaterThan(0);
      for (const name of named) expect(backlogToolsByRole[role], name).toContain(name);
    },
  );

  it("asks the initializer to record the test command with the tool, not to print it", () => {
    expect(promptTemplates.initializer).toContain("`project_set_test_command`");
    expect(promptTemplates.initializer).not.toContain("TEST COMMAND:");
  });
});
