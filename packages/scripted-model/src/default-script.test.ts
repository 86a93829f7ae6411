import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultReplayScript } from "./default-script.ts";
import { type RenderedTurn, renderScript, ScriptError, sessionVariables } from "./script.ts";

const features = [
  { id: 3, name: "Add numbers" },
  { id: 4, name: 'Quote "it"' },
];
const variables = sessionVariables({ sessionId: "s-1", cwd: "/repo", features });

const source = (id: number, name: string) =>
  [
    `// Feature ${id}, written by autowright's scripted replay model.`,
    `export const featureName = ${JSON.stringify(name)};`,
    "",
    "export function featureStatus() {",
    `  return "feature ${id} works";`,
    "}",
    "",
  ].join("\n");
const test = (id: number, name: string) =>
  [
    'import assert from "node:assert/strict";',
    'import { test } from "node:test";',
    `import { featureName, featureStatus } from "../src/feature-${id}.js";`,
    "",
    `test("feature ${id} works", () => {`,
    `  assert.equal(featureStatus(), "feature ${id} works");`,
    `  assert.equal(featureName, ${JSON.stringify(name)});`,
    "});",
    "",
  ].join("\n");

function featureTurns(id: number, name: string, claude: boolean): RenderedTurn[] {
  const write = (path: string, content: string) =>
    claude
      ? { name: "Write", input: { file_path: `/repo/${path}`, content } }
      : { name: "write_file", input: { path, content } };
  const command = `node test/feature-${id}.test.js`;
  return [
    {
      text: `Implementing feature #${id}: ${name}. I will add the code and a test for it.`,
      toolCalls: [
        write(`src/feature-${id}.js`, source(id, name)),
        write(`test/feature-${id}.test.js`, test(id, name)),
      ],
      stopReason: "tool_use",
      error: undefined,
      usage: undefined,
    },
    {
      text: `Running the test of feature #${id}.`,
      toolCalls: [
        claude
          ? { name: "Bash", input: { command, description: `Run the test of feature ${id}` } }
          : { name: "bash", input: { command } },
      ],
      stopReason: "tool_use",
      error: undefined,
      usage: undefined,
    },
    {
      text: `The test passes; handing feature #${id} to verification.`,
      toolCalls: [
        {
          name: claude ? "mcp__backlog__feature_ready_for_verification" : "feature_ready_for_verification",
          input: {
            feature_id: id,
            summary: `Added src/feature-${id}.js and its passing node:test test test/feature-${id}.test.js.`,
          },
        },
      ],
      stopReason: "tool_use",
      error: undefined,
      usage: undefined,
    },
  ];
}

const finalTurn: RenderedTurn = {
  text: "Done: features 3, 4 are implemented, tested and ready for verification.",
  toolCalls: [],
  stopReason: "end_turn",
  error: undefined,
  usage: undefined,
};

describe("defaultReplayScript", () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  it.each([
    ["autowright", "openai", false],
    ["autowright", "anthropic", false],
    ["claude-code", "anthropic", true],
  ] as const)("renders the %s tool style on the %s wire for two features", (toolStyle, wire, claude) => {
    const turns = renderScript(defaultReplayScript({ wire, toolStyle }), variables);
    expect(turns).toEqual([
      ...featureTurns(3, "Add numbers", claude),
      ...featureTurns(4, 'Quote "it"', claude),
      finalTurn,
    ]);
  });

  it("writes code and tests that pass under node --test", () => {
    const directory = mkdtempSync(join(tmpdir(), "scripted-model-default-"));
    directories.push(directory);
    writeFileSync(join(directory, "package.json"), '{ "type": "module" }\n');
    const turns = renderScript(defaultReplayScript({ wire: "openai", toolStyle: "autowright" }), variables);
    const writes = turns.flatMap((turn) => turn.toolCalls).filter((call) => call.name === "write_file");
    expect(writes).toHaveLength(4);
    for (const call of writes) {
      const path = join(directory, String(call.input["path"]));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, String(call.input["content"]));
    }
    const commands = turns.flatMap((turn) => turn.toolCalls).filter((call) => call.name === "bash");
    expect(commands.map((call) => call.input["command"])).toEqual([
      "node test/feature-3.test.js",
      "node test/feature-4.test.js",
    ]);
    for (const call of commands) {
      const [program, ...args] = String(call.input["command"]).split(" ");
      const output = execFileSync(program === "node" ? process.execPath : String(program), args, {
        cwd: directory,
        encoding: "utf8",
      });
      expect(output).toContain("# pass 1");
      expect(output).toContain("# fail 0");
    }
  });

  it("needs the cwd variable in the claude-code style", () => {
    expect(() =>
      renderScript(defaultReplayScript({ wire: "anthropic", toolStyle: "claude-code" }), { features }),
    ).toThrow("unknown placeholder {{cwd}}");
  });

  it("refuses the claude-code style on the openai wire", () => {
    expect(() => defaultReplayScript({ wire: "openai", toolStyle: "claude-code" })).toThrow(ScriptError);
  });
});
