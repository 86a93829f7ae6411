/**
 * The script `--provider replay` plays when none is given: for each assigned feature, write a source file and a
 * `node:test` test for it, run the test, and hand the feature to verification; then end with a summary.
 */
import { type ModelScript, parseModelScript, ScriptError, type ScriptToolCall } from "./script.ts";

/** The API a scripted server speaks. */
export type ModelWire = "anthropic" | "openai";

/**
 * Whose tools the script calls: Claude Code's (`Write` with an absolute `file_path`, `Bash`, backlog tools
 * as `mcp__backlog__<tool>`) or autowright's AI SDK loop (`write_file` with a relative `path`, `bash`, plain
 * backlog tool names).
 */
export type ToolStyle = "claude-code" | "autowright";

/** Options of `defaultReplayScript`. */
export interface DefaultReplayScriptOptions {
  readonly wire: ModelWire;
  readonly toolStyle: ToolStyle;
}

/** The name of the in-process backlog MCP server, as Claude Code prefixes its tools (`mcp__backlog__…`). */
export const backlogMcpServerName = "backlog";

const sourceFile = (feature: string) => `src/feature-${feature}.js`;
const testFile = (feature: string) => `test/feature-${feature}.test.js`;

const sourceContent = [
  "// Feature {{feature.id}}, written by autowright's scripted replay model.",
  "export const featureName = {{feature.name | json}};",
  "",
  "export function featureStatus() {",
  '  return "feature {{feature.id}} works";',
  "}",
  "",
].join("\n");

const testContent = [
  'import assert from "node:assert/strict";',
  'import { test } from "node:test";',
  'import { featureName, featureStatus } from "../src/feature-{{feature.id}}.js";',
  "",
  'test("feature {{feature.id}} works", () => {',
  '  assert.equal(featureStatus(), "feature {{feature.id}} works");',
  "  assert.equal(featureName, {{feature.name | json}});",
  "});",
  "",
].join("\n");

/**
 * The default replay script. It uses the variables `features` and `featureIds` (see `sessionVariables`) and,
 * in the `claude-code` tool style, `cwd` (Claude Code's `Write` wants absolute paths). Claude Code speaks
 * only the Anthropic wire, so `claude-code` with `openai` is refused.
 */
export function defaultReplayScript(options: DefaultReplayScriptOptions): ModelScript {
  if (options.toolStyle === "claude-code" && options.wire !== "anthropic") {
    throw new ScriptError(
      'the "claude-code" tool style needs the "anthropic" wire: Claude Code speaks only that',
    );
  }
  const claude = options.toolStyle === "claude-code";
  const id = "{{feature.id}}";
  const write = (path: string, content: string): ScriptToolCall =>
    claude
      ? { name: "Write", input: { file_path: `{{cwd}}/${path}`, content } }
      : { name: "write_file", input: { path, content } };
  const bash = (command: string, description: string): ScriptToolCall =>
    claude ? { name: "Bash", input: { command, description } } : { name: "bash", input: { command } };
  const backlog = (tool: string) => (claude ? `mcp__${backlogMcpServerName}__${tool}` : tool);

  return parseModelScript({
    turns: [
      {
        forEach: "feature",
        turns: [
          {
            text: `Implementing feature #${id}: {{feature.name}}. I will add the code and a test for it.`,
            toolCalls: [write(sourceFile(id), sourceContent), write(testFile(id), testContent)],
          },
          {
            text: `Running the test of feature #${id}.`,
            // One process: `node --test <file>` would start a second one to run the file in.
            toolCalls: [bash(`node ${testFile(id)}`, `Run the test of feature ${id}`)],
          },
          {
            text: `The test passes; handing feature #${id} to verification.`,
            toolCalls: [
              {
                name: backlog("feature_ready_for_verification"),
                input: {
                  feature_id: id,
                  summary: `Added ${sourceFile(id)} and its passing node:test test ${testFile(id)}.`,
                },
              },
            ],
          },
        ],
      },
      {
        text: "Done: features {{featureIds}} are implemented, tested and ready for verification.",
      },
    ],
  });
}
