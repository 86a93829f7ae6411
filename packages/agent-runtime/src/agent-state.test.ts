import { describe, expect, it } from "vitest";
import { stateForTool, summarizeToolInput } from "./agent-state.ts";

describe("stateForTool", () => {
  it.each([
    ["read_file", "thinking"],
    ["list_files", "thinking"],
    ["glob", "thinking"],
    ["grep", "thinking"],
    ["Read", "thinking"],
    ["Glob", "thinking"],
    ["Grep", "thinking"],
    ["LS", "thinking"],
    ["WebSearch", "thinking"],
    ["WebFetch", "thinking"],
    ["TodoWrite", "thinking"],
    ["Task", "thinking"],
    ["write_file", "working"],
    ["edit_file", "working"],
    ["Write", "working"],
    ["Edit", "working"],
    ["MultiEdit", "working"],
    ["NotebookEdit", "working"],
    ["bash", "testing"],
    ["Bash", "testing"],
    ["BashOutput", "testing"],
    ["KillShell", "testing"],
    ["feature_claim", "thinking"],
    ["feature_ready_for_verification", "thinking"],
    ["mcp__backlog__feature_get_ready", "thinking"],
    ["something_unknown", "thinking"],
  ])("%s puts the agent in %s", (tool, state) => {
    expect(stateForTool(tool)).toBe(state);
  });
});

describe("summarizeToolInput", () => {
  it.each([
    [{ command: "npm test" }, "npm test"],
    [{ path: "src/app.ts", content: "x" }, "src/app.ts"],
    [{ file_path: "/abs/file.ts" }, "/abs/file.ts"],
    [{ pattern: "TODO" }, "TODO"],
    [{ feature_id: 12 }, "12"],
    [{ name: "Login page" }, "Login page"],
    [{ name: "n", pattern: "p", file_path: "f", path: "x", command: "c" }, "c"],
    [{ path: "x", pattern: "p" }, "x"],
    [{ command: 42 }, "42"],
    [{ command: "  npm   test\n\t--watch  " }, "npm test --watch"],
    [{ command: ["not", "a", "string"], path: "fallback.ts" }, "fallback.ts"],
    [{ content: "only content" }, undefined],
    [{}, undefined],
    [null, undefined],
    [undefined, undefined],
    ["npm test", undefined],
    [42, undefined],
  ])("summarizes %j as %j", (input, expected) => {
    expect(summarizeToolInput(input)).toBe(expected);
  });

  it("cuts a long summary to the limit with an ellipsis", () => {
    const summary = summarizeToolInput({ command: "a".repeat(200) });
    expect(summary).toBe(`${"a".repeat(159)}…`);
    expect(summary?.length).toBe(160);
  });

  it("keeps a summary of exactly the limit", () => {
    expect(summarizeToolInput({ command: "b".repeat(160) })).toBe("b".repeat(160));
  });

  it("applies a custom limit after collapsing whitespace", () => {
    expect(summarizeToolInput({ command: "one    two   three" }, 10)).toBe("one two t…");
    expect(summarizeToolInput({ command: "one    two" }, 10)).toBe("one two");
  });
});
