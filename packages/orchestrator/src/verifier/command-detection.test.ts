import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { detectGateCommands, detectTestCommand } from "./command-detection.ts";

/** Writes files under `root`, creating their directories; an entry whose name ends in `*` is made executable. */
function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    const executable = name.endsWith("*");
    const path = join(root, executable ? name.slice(0, -1) : name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    if (executable) chmodSync(path, 0o755);
  }
}

function packageJson(scripts: Record<string, string>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: "app", version: "1.2.3", ...extra, scripts });
}

describe("detectGateCommands", () => {
  const placeholder = 'echo "Error: no lint specified" && exit 1';
  const tsc = { "tsconfig.json": "{}", "node_modules/.bin/tsc*": "#!/bin/sh\n" };
  const cases: { name: string; files: Record<string, string>; expected: string[] }[] = [
    { name: "nothing", files: {}, expected: [] },
    {
      name: "every gate script, in the gate's order",
      files: {
        "package.json": packageJson({
          lint: "eslint .",
          test: "vitest",
          tsc: "tsc",
          "check-types": "tsc -b",
          "type-check": "vue-tsc",
          typecheck: "tsc --noEmit",
          format: "prettier -w .",
        }),
      },
      expected: [
        "npm run typecheck",
        "npm run type-check",
        "npm run check-types",
        "npm run tsc",
        "npm run lint",
      ],
    },
    {
      name: "a lint script",
      files: { "package.json": packageJson({ lint: "biome check ." }) },
      expected: ["npm run lint"],
    },
    {
      name: "a placeholder lint next to a real typecheck",
      files: { "package.json": packageJson({ lint: placeholder, typecheck: "tsc --noEmit" }) },
      expected: ["npm run typecheck"],
    },
    {
      name: "placeholders only",
      files: { "package.json": packageJson({ lint: placeholder, typecheck: "echo skip", tsc: "" }) },
      expected: [],
    },
    {
      name: "a lint that echoes before it runs",
      files: { "package.json": packageJson({ lint: 'echo "linting; please wait" && eslint .' }) },
      expected: ["npm run lint"],
    },
    { name: "tsconfig.json and an installed tsc", files: tsc, expected: ["node_modules/.bin/tsc --noEmit"] },
    {
      name: "placeholder scripts, tsconfig.json and an installed tsc",
      files: { ...tsc, "package.json": packageJson({ lint: placeholder, test: "vitest" }) },
      expected: ["node_modules/.bin/tsc --noEmit"],
    },
    {
      name: "a lint script before an installed tsc",
      files: { ...tsc, "package.json": packageJson({ lint: "eslint ." }) },
      expected: ["npm run lint"],
    },
    { name: "tsconfig.json without tsc installed", files: { "tsconfig.json": "{}" }, expected: [] },
    {
      name: "tsc installed without tsconfig.json",
      files: { "node_modules/.bin/tsc*": "#!/bin/sh\n" },
      expected: [],
    },
    { name: "an unreadable package.json", files: { "package.json": "{ not json" }, expected: [] },
    {
      name: "pyproject with [tool.ruff]",
      files: { "pyproject.toml": '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n' },
      expected: ["ruff check ."],
    },
    {
      name: "pyproject with only [tool.ruff.lint]",
      files: { "pyproject.toml": '[tool.ruff.lint]\nselect = ["E"]\n' },
      expected: ["ruff check ."],
    },
    { name: "ruff.toml", files: { "ruff.toml": "line-length = 100\n" }, expected: ["ruff check ."] },
    {
      name: "pyproject with [tool.mypy]",
      files: { "pyproject.toml": "[tool.mypy]\nstrict = true\n" },
      expected: ["mypy ."],
    },
    {
      name: "pyproject with ruff and mypy",
      files: { "pyproject.toml": "[tool.mypy]\nstrict = true\n\n[tool.ruff]\n" },
      expected: ["ruff check .", "mypy ."],
    },
    {
      name: "setup.cfg with [mypy]",
      files: { "setup.cfg": "[mypy]\nstrict = True\n" },
      expected: ["mypy ."],
    },
    {
      name: "pyproject with neither",
      files: { "pyproject.toml": '[project]\nname = "x"\n# [tool.ruff] later\n[tool.black]\n' },
      expected: [],
    },
    { name: "Cargo.toml", files: { "Cargo.toml": '[package]\nname = "x"\n' }, expected: ["cargo check"] },
    { name: "go.mod", files: { "go.mod": "module example.com/x\n" }, expected: ["go vet ./..."] },
    {
      name: "a package.json without gates next to Cargo.toml",
      files: { "package.json": packageJson({ test: "vitest" }), "Cargo.toml": "[package]\n" },
      expected: ["cargo check"],
    },
  ];

  it.each(cases)("$name → $expected", ({ files, expected }) => {
    using directory = temporaryDirectory();
    writeFiles(directory.path, files);
    expect(detectGateCommands(directory.path)).toEqual(expected);
  });
});

describe("detectTestCommand", () => {
  const cases: { name: string; files: Record<string, string>; expected: string | null }[] = [
    { name: "nothing", files: {}, expected: null },
    {
      name: "a package.json test script",
      files: { "package.json": '{"scripts":{"test":"vitest"}}' },
      expected: "npm test",
    },
    {
      name: "npm's placeholder test script",
      files: { "package.json": '{"scripts":{"test":"echo \\"Error: no test specified\\" && exit 1"}}' },
      expected: null,
    },
    { name: "a package.json without scripts", files: { "package.json": '{"name":"x"}' }, expected: null },
    { name: "an unreadable package.json", files: { "package.json": "{ not json" }, expected: null },
    { name: "pytest.ini", files: { "pytest.ini": "[pytest]\n" }, expected: "pytest" },
    {
      name: "pyproject with [tool.pytest.ini_options]",
      files: { "pyproject.toml": '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n' },
      expected: "pytest",
    },
    {
      name: "pyproject without pytest",
      files: { "pyproject.toml": '[project]\nname = "x"\n' },
      expected: null,
    },
    { name: "setup.cfg with [tool:pytest]", files: { "setup.cfg": "[tool:pytest]\n" }, expected: "pytest" },
    { name: "Cargo.toml", files: { "Cargo.toml": '[package]\nname = "x"\n' }, expected: "cargo test" },
    { name: "go.mod", files: { "go.mod": "module example.com/x\n" }, expected: "go test ./..." },
    {
      name: "a Makefile with a test target",
      files: { Makefile: "build:\n\tcc x.c\n\ntest: build\n\t./x\n" },
      expected: "make test",
    },
    {
      name: "a Makefile with test among targets",
      files: { Makefile: "check test:\n\t./run\n" },
      expected: "make test",
    },
    { name: "a Makefile without a test target", files: { Makefile: "build:\n\tcc x.c\n" }, expected: null },
    {
      name: "a Makefile with only a test variable",
      files: { Makefile: "test := 1\ntests:\n\t./x\n" },
      expected: null,
    },
    {
      name: "npm before make",
      files: { "package.json": '{"scripts":{"test":"node --test"}}', Makefile: "test:\n\tnpm test\n" },
      expected: "npm test",
    },
    {
      name: "node:test files in test/ and no test script (what the agents write)",
      files: { "package.json": '{"name":"x"}', "test/feature-1.test.js": "" },
      expected: "node --test",
    },
    { name: "any .mjs file under test/", files: { "test/unit/checks.mjs": "" }, expected: "node --test" },
    {
      name: "a *-test.cjs file at any depth",
      files: { "src/a/b/parse-test.cjs": "" },
      expected: "node --test",
    },
    { name: "a test-*.js file", files: { "test-parse.js": "" }, expected: "node --test" },
    {
      name: "a test file only under node_modules",
      files: { "node_modules/x/a.test.js": "" },
      expected: null,
    },
    {
      name: "a test file only under .autowright",
      files: { ".autowright/worktrees/s/test/a.test.js": "" },
      expected: null,
    },
    { name: "TypeScript tests node cannot run alone", files: { "test/a.test.ts": "" }, expected: null },
    {
      name: "a file that only looks like a test",
      files: { "src/latest.js": "", "src/contest.js": "" },
      expected: null,
    },
    {
      name: "a real test script before test files",
      files: { "package.json": '{"scripts":{"test":"vitest run"}}', "test/a.test.js": "" },
      expected: "npm test",
    },
    {
      name: "make before node --test",
      files: { Makefile: "test:\n\t./run\n", "test/a.test.js": "" },
      expected: "make test",
    },
  ];

  it.each(cases)("$name → $expected", ({ files, expected }) => {
    using directory = temporaryDirectory();
    writeFiles(directory.path, files);
    expect(detectTestCommand(directory.path)).toBe(expected);
  });
});
