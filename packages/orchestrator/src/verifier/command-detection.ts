/**
 * The project's checks, guessed from its files when nobody recorded them: the test command, and YOLO mode's lint and
 * type-check gate.
 */
import { type Dirent, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isRecord, readJsonObject } from "./npm-script.ts";

/**
 * The project's test command, guessed from its files: `npm test` (a `test` script other than npm's placeholder),
 * `pytest`, `cargo test`, `go test ./...`, `make test`, or `node --test` when there are JavaScript test files that
 * node's test runner finds by itself (`test/**`, `*.test.js`, `*-test.mjs`, `test-*.cjs`, …) and nothing else runs
 * them, in that order; null when none applies.
 */
export function detectTestCommand(projectRoot: string): string | null {
  const read = (name: string): string | undefined => {
    const path = join(projectRoot, name);
    try {
      return existsSync(path) ? readFileSync(path, "utf8") : undefined;
    } catch {
      return undefined;
    }
  };

  const packageJson = read("package.json");
  if (packageJson !== undefined && hasRealTestScript(packageJson)) return "npm test";

  if (
    existsSync(join(projectRoot, "pytest.ini")) ||
    /^\[tool\.pytest[\].]/m.test(read("pyproject.toml") ?? "") ||
    /^\[tool:pytest\]/m.test(read("setup.cfg") ?? "") ||
    /^\[pytest\]/m.test(read("tox.ini") ?? "")
  ) {
    return "pytest";
  }
  if (existsSync(join(projectRoot, "Cargo.toml"))) return "cargo test";
  if (existsSync(join(projectRoot, "go.mod"))) return "go test ./...";

  const makefile = read("GNUmakefile") ?? read("makefile") ?? read("Makefile");
  // A rule whose targets include `test` (not a `test := …` variable).
  if (
    makefile !== undefined &&
    /^(?:[^\s:#=]+[ \t]+)*test(?:[ \t]+[^\s:#=]+)*[ \t]*::?(?!=)/m.test(makefile)
  ) {
    return "make test";
  }
  if (hasNodeTestFiles(projectRoot)) return "node --test";
  return null;
}

/** File names node's test runner runs by default (Node 20: `node --test` with no argument). */
const nodeTestFile = /^(?:.*[.\-_]test|test-.*|test)\.[cm]?js$/;
const javascriptFile = /\.[cm]?js$/;
/** Folders the search skips: node's runner skips `node_modules`; the rest are never the project's tests. */
const skippedFolders = new Set(["node_modules", ".git", ".autowright"]);
const searchLimits = { depth: 6, entries: 5_000 };

/** Whether `node --test` run in `root` would find a test file (a bounded search). */
function hasNodeTestFiles(root: string): boolean {
  let budget = searchLimits.entries;
  const search = (directory: string, depth: number, inTestFolder: boolean): boolean => {
    let entries: Dirent[];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const entry of entries) {
      budget -= 1;
      if (budget < 0) return false;
      if (entry.isFile()) {
        if (nodeTestFile.test(entry.name) || (inTestFolder && javascriptFile.test(entry.name))) return true;
      } else if (entry.isDirectory() && depth < searchLimits.depth && !skippedFolders.has(entry.name)) {
        if (entry.name.startsWith(".")) continue;
        if (search(join(directory, entry.name), depth + 1, inTestFolder || entry.name === "test"))
          return true;
      }
    }
    return false;
  };
  return search(root, 0, false);
}

function hasRealTestScript(packageJson: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(packageJson);
  } catch {
    return false;
  }
  if (typeof parsed !== "object" || parsed === null || !("scripts" in parsed)) return false;
  const scripts = parsed.scripts;
  if (typeof scripts !== "object" || scripts === null || !("test" in scripts)) return false;
  const test = scripts.test;
  return typeof test === "string" && test.trim() !== "" && !test.includes("no test specified");
}

/** The package.json scripts that are a type check or a lint, in the order {@link detectGateCommands} runs them. */
const gateScriptNames = ["typecheck", "type-check", "check-types", "tsc", "lint"] as const;

/**
 * The project's lint and type-check commands: the gate of YOLO mode, which runs no tests. Guessed from its files,
 * for the first ecosystem that has one:
 * - Node: `npm run <name>` for each of the scripts `typecheck`, `type-check`, `check-types`, `tsc` and `lint` that
 *   exists and is not a placeholder (only `echo`, `exit` or `true`); without such a script, a `tsconfig.json` next
 *   to an installed `node_modules/.bin/tsc` gives `node_modules/.bin/tsc --noEmit`;
 * - Python: `ruff check .` when ruff is configured (`[tool.ruff…]` in pyproject.toml, or ruff.toml), `mypy .` when
 *   mypy is (`[tool.mypy…]` in pyproject.toml, `[mypy]` in setup.cfg, or mypy.ini);
 * - Rust (Cargo.toml): `cargo check`;
 * - Go (go.mod): `go vet ./...`.
 *
 * An empty list when there is no gate to run.
 */
export function detectGateCommands(projectRoot: string): string[] {
  const read = (name: string): string => {
    try {
      return readFileSync(join(projectRoot, name), "utf8");
    } catch {
      return "";
    }
  };

  const scripts = readJsonObject(join(projectRoot, "package.json"))?.["scripts"];
  if (isRecord(scripts)) {
    const gates = gateScriptNames
      .filter((name) => {
        const body = Object.hasOwn(scripts, name) ? scripts[name] : undefined;
        return typeof body === "string" && !isPlaceholderScript(body);
      })
      .map((name) => `npm run ${name}`);
    if (gates.length > 0) return gates;
  }
  if (
    existsSync(join(projectRoot, "tsconfig.json")) &&
    existsSync(join(projectRoot, "node_modules", ".bin", "tsc"))
  ) {
    return ["node_modules/.bin/tsc --noEmit"];
  }

  const pyproject = read("pyproject.toml");
  const python: string[] = [];
  if (
    /^\[tool\.ruff[\].]/m.test(pyproject) ||
    existsSync(join(projectRoot, "ruff.toml")) ||
    existsSync(join(projectRoot, ".ruff.toml"))
  ) {
    python.push("ruff check .");
  }
  if (
    /^\[\[?tool\.mypy[\].]/m.test(pyproject) ||
    /^\[mypy[\]-]/m.test(read("setup.cfg")) ||
    existsSync(join(projectRoot, "mypy.ini")) ||
    existsSync(join(projectRoot, ".mypy.ini"))
  ) {
    python.push("mypy .");
  }
  if (python.length > 0) return python;

  if (existsSync(join(projectRoot, "Cargo.toml"))) return ["cargo check"];
  if (existsSync(join(projectRoot, "go.mod"))) return ["go vet ./..."];
  return [];
}

/**
 * Whether a script does nothing but print, exit or succeed (`echo "Error: no lint" && exit 1`, `echo skip`, ``),
 * the placeholders `npm init` and templates leave.
 */
function isPlaceholderScript(body: string): boolean {
  // Quoted text cannot hold a command here; blanking it keeps its `&&` and `;` from splitting the body.
  const unquoted = body.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""');
  return unquoted
    .split(/&&|\|\||;|\n/)
    .map((part) => part.trim())
    .every((part) => part === "" || /^(?:echo(?:\s[^|<>&`$()]*)?|exit(?:\s+\d+)?|true|false|:)$/.test(part));
}
