/**
 * The CLI as a user runs it: the real `autowright` launcher and bundle (built by `npm test`), a temp home, temp
 * project folders. Invariants: every user mistake is one line on stderr, exit code 1, no stack trace, and it
 * changes nothing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { featureSchema, readyReportSchema } from "@autowright/protocol";
import { type TemporaryDirectory, temporaryDirectory, writeAutoforgeProject } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const launcher = fileURLToPath(new URL("../packages/cli/bin/autowright.js", import.meta.url));
const cliPackage = JSON.parse(
  readFileSync(new URL("../packages/cli/package.json", import.meta.url), "utf8"),
) as {
  version: string;
};

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let home: TemporaryDirectory;
let work: TemporaryDirectory;

beforeEach(() => {
  home = temporaryDirectory("autowright-home-");
  work = temporaryDirectory("autowright-work-");
});
afterEach(() => {
  home[Symbol.dispose]();
  work[Symbol.dispose]();
});

function autowright(args: string[], options: { home?: string | null; input?: string } = {}): Result {
  const environment: NodeJS.ProcessEnv = { ...process.env, AUTOWRIGHT_DEBUG: undefined };
  if (options.home === null) delete environment["AUTOWRIGHT_HOME"];
  else environment["AUTOWRIGHT_HOME"] = options.home ?? home.path;
  const result = spawnSync(process.execPath, [launcher, ...args], {
    cwd: work.path,
    env: environment,
    encoding: "utf8",
    input: options.input ?? "",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectUserMistake(result: Result, message: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/^autowright: /);
  expect(result.stderr.trimEnd().split("\n"), "exactly one line on stderr").toHaveLength(1);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

function writeJson(name: string, value: unknown): string {
  const path = join(work.path, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
}

function initProject(name = "shop"): string {
  const path = join(work.path, name);
  const result = autowright(["init", path]);
  expect(result.code, result.stderr).toBe(0);
  return path;
}

const backlog = [
  { category: "infrastructure", name: "Database", steps: ["connect"] },
  { name: "Login", dependsOnIndices: [0] },
  { name: "Catalogue", dependsOnIndices: [0] },
  { name: "Checkout", dependsOnIndices: [1, 2], priority: 7 },
];

describe("autowright --version and --help", () => {
  it("prints the package version", () => {
    const result = autowright(["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `${cliPackage.version}\n` });
  });

  it.each([
    [["--help"]],
    [["init", "--help"]],
    [["features", "--help"]],
    [["features", "import", "--help"]],
    [["features", "list", "--help"]],
    [["features", "ready", "--help"]],
    [["import-autoforge", "--help"]],
  ])("autowright %j prints usage", (args) => {
    const result = autowright(args);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: autowright/);
    expect(result.stdout).toMatch(/--home <dir>/);
  });

  it.each([
    [["bogus"], /unknown command 'bogus'/],
    [["inti", "x"], /unknown command 'inti' \(Did you mean init\?\)/],
    [["init"], /missing required argument 'dir'/],
    [["features", "list", "x", "--bogus"], /unknown option '--bogus'/],
  ])("refuses %j in one line", (args, message) => {
    expectUserMistake(autowright(args), message);
  });
});

describe("autowright init", () => {
  it("creates the folder, registers it, scaffolds .autowright/ and a git repository", () => {
    const path = join(work.path, "new-app");
    const result = autowright(["init", path]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Initialized autowright project new-app/);
    expect(result.stdout).toMatch(/still the template/);
    for (const file of [
      ".autowright/autowright.db",
      ".autowright/prompts/app-spec.md",
      ".autowright/.gitignore",
      ".git",
    ]) {
      expect(existsSync(join(path, file)), file).toBe(true);
    }
    expect(existsSync(join(home.path, "registry.db"))).toBe(true);
    expect(autowright(["features", "list", "new-app"]).stdout).toMatch(/backlog of .* is empty/);
  });

  it("copies --spec, keeps an existing repository and is idempotent", () => {
    const path = join(work.path, "with-spec");
    const spec = writeJson("spec.md", "# A shop\nSells things.\n");
    expect(autowright(["init", path, "--spec", spec]).stdout).toMatch(/from your spec file/);
    expect(readFileSync(join(path, ".autowright/prompts/app-spec.md"), "utf8")).toBe(
      "# A shop\nSells things.\n",
    );
    const again = autowright(["init", path]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Re-initialized/);
    expect(again.stdout).toMatch(/existing repository/);
    expect(readFileSync(join(path, ".autowright/prompts/app-spec.md"), "utf8")).toBe(
      "# A shop\nSells things.\n",
    );
  });

  it("accepts --home before or after the subcommand", () => {
    using other = temporaryDirectory("autowright-other-home-");
    expect(
      autowright(["--home", other.path, "init", join(work.path, "projects", "a")], { home: null }).code,
    ).toBe(0);
    expect(
      autowright(["init", join(work.path, "projects", "b"), "--home", other.path], { home: null }).code,
    ).toBe(0);
    const listed = autowright(["features", "list", "a", "--home", other.path], { home: null });
    expect(listed.code, listed.stderr).toBe(0);
    expect(autowright(["--home", other.path, "features", "list", "b"], { home: null }).code).toBe(0);
    expectUserMistake(autowright(["features", "list", "a"]), /no such directory or registered project: a/);
  });

  it.each([
    [
      "an invalid --name",
      (path: string) => ["init", path, "--name", "my app"],
      /invalid project name "my app"/,
    ],
    ["a folder whose name is not a valid project name", () => ["init", "my app"], /choose one with --name/],
    ["a missing spec file", (path: string) => ["init", path, "--spec", "missing.md"], /no such spec file/],
    [
      "an empty spec file",
      (path: string) => ["init", path, "--spec", writeJson("empty.md", "  \n")],
      /the spec file is empty/,
    ],
    ["a file instead of a folder", () => ["init", writeJson("file.txt", "x")], /not a directory/],
  ])("refuses %s and creates nothing", (_label, args, message) => {
    const path = join(work.path, "refused");
    expectUserMistake(autowright(args(path)), message);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(join(work.path, "my app"))).toBe(false);
  });

  it("refuses a name registered at another folder", () => {
    initProject("shop");
    const other = join(work.path, "elsewhere");
    expectUserMistake(
      autowright(["init", other, "--name", "shop"]),
      /already registered at .*choose another name/,
    );
    expect(existsSync(other)).toBe(false);
  });
});

describe("autowright features", () => {
  it("imports a backlog with dependencies and reports it ready, blocked and in order", () => {
    const project = initProject();
    const imported = autowright(["features", "import", project, writeJson("backlog.json", backlog)]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/Imported 4 features \(ids 1–4, 3 with dependencies\)/);

    const listed = autowright(["features", "list", project, "--json"]);
    expect(listed.code).toBe(0);
    const features = JSON.parse(listed.stdout) as unknown[];
    expect(features).toHaveLength(4);
    for (const feature of features) {
      expect(Object.keys(feature as object).sort()).toEqual(Object.keys(featureSchema.shape).sort());
      featureSchema.parse(feature);
    }
    expect(features[3]).toMatchObject({
      id: 4,
      name: "Checkout",
      priority: 7,
      dependencies: [2, 3],
      status: "pending",
    });

    const ready = autowright(["features", "ready", project, "--json"]);
    expect(ready.code).toBe(0);
    expect(readyReportSchema.parse(JSON.parse(ready.stdout))).toEqual({
      ready: [1],
      blocked: [
        { id: 2, blockedBy: [1] },
        { id: 3, blockedBy: [1] },
        { id: 4, blockedBy: [2, 3] },
      ],
      stalled: [],
      cycles: [],
    });
    expect(autowright(["features", "list", "shop"]).stdout).toMatch(/^ID\s+STATUS\s+PRIORITY/);
    expect(autowright(["features", "ready", "shop"]).stdout).toMatch(
      /Ready \(1\), in scheduling order:\n {2}#1 Database/,
    );

    const more = autowright([
      "features",
      "import",
      "shop",
      writeJson("more.json", [{ name: "Reviews", dependencies: [3] }]),
    ]);
    expect(more.stdout).toMatch(/ids 5–5/);
  });

  const invalidImports: [string, unknown, RegExp][] = [
    ["bad JSON", "[{", /is not valid JSON/],
    ["a JSON object instead of an array", { name: "x" }, /must hold a JSON array/],
    ["an empty array", [], /holds no features/],
    ["an entry without a name", [{ name: "ok" }, { description: "no name" }], /entry 1: name/],
    ["a blank name", [{ name: "   " }], /entry 0 \(" {3}"\): name: a feature needs a name/],
    [
      "a dependency index out of range",
      [{ name: "A", dependsOnIndices: [5] }],
      /entry 0 \("A"\): depends on index 5/,
    ],
    ["a negative index", [{ name: "A", dependsOnIndices: [-1] }], /entry 0 \("A"\): dependsOnIndices/],
    [
      "an unknown dependency id",
      [{ name: "A", dependencies: [999] }],
      /entry 0 \("A"\): depends on feature 999, which is not in the backlog/,
    ],
    [
      "a cycle",
      [
        { name: "A", dependsOnIndices: [1] },
        { name: "B", dependsOnIndices: [0] },
      ],
      /would form a cycle/,
    ],
    [
      "a self dependency",
      [{ name: "A", dependsOnIndices: [0] }],
      /entry 0 \("A"\): depends on its own index 0/,
    ],
    ["a non-integer priority", [{ name: "A", priority: 1.5 }], /entry 0 \("A"\): priority/],
    ["steps that are not strings", [{ name: "A", steps: [1, 2] }], /entry 0 \("A"\): steps/],
  ];

  it.each(invalidImports)(
    "refuses %s, names the problem and leaves the backlog unchanged",
    (_label, content, message) => {
      const project = initProject();
      autowright(["features", "import", project, writeJson("backlog.json", backlog)]);
      const before = autowright(["features", "list", project, "--json"]).stdout;
      expectUserMistake(autowright(["features", "import", project, writeJson("bad.json", content)]), message);
      expect(autowright(["features", "list", project, "--json"]).stdout).toBe(before);
    },
  );

  it.each([
    [
      "a missing import file",
      (project: string) => ["features", "import", project, "missing.json"],
      /no such file/,
    ],
    [
      "a missing folder",
      () => ["features", "list", "/definitely/not/here"],
      /no such directory: \/definitely\/not\/here/,
    ],
    [
      "an unknown project name",
      () => ["features", "ready", "nobody", "--json"],
      /no such directory or registered project: nobody/,
    ],
    [
      "a folder that is not a project",
      () => ["features", "list", "."],
      /is not an autowright project .*autowright init/,
    ],
  ])("refuses %s", (_label, args, message) => {
    const project = initProject();
    expectUserMistake(autowright(args(project)), message);
  });
});

describe("autowright import-autoforge", () => {
  it("imports ids, statuses, steps, priorities, dependencies and prompts, keeping bad graphs visible", () => {
    const folder = join(work.path, "legacy-app");
    const request = { prompt: "Which SMTP server?", fields: [{ id: "host", label: "Host", type: "text" }] };
    const databasePath = writeAutoforgeProject(
      folder,
      [
        { id: 1, name: "Database", priority: 1, passes: true, steps: ["connect"] },
        { id: 2, name: "Login", priority: 2, inProgress: true, dependencies: [1] },
        { id: 3, name: "Orders", dependencies: [4] },
        { id: 4, name: "Invoices", dependencies: [3] },
        { id: 5, name: "Email", needsHumanInput: true, humanInputRequest: request, dependencies: [1] },
        { id: 6, name: "Reports", dependencies: [99] },
        { id: 7, name: "Newsletter", dependencies: [5] },
      ],
      {
        prompts: {
          "app_spec.txt": "<project_specification>Shop</project_specification>\n",
          "coding_prompt.md": "old prompt",
        },
      },
    );
    const before = readFileSync(databasePath);

    const result = autowright(["import-autoforge", folder]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /7 features: 1 passing, 1 interrupted \(now pending\), 1 waiting for input, 4 pending/,
    );
    expect(result.stdout).toMatch(/warning: 1 dependency cycle kept as imported: #3, #4/);
    expect(result.stdout).toMatch(/warning: dependencies on missing features kept as imported: #6 → #99/);
    expect(readFileSync(databasePath)).toEqual(before);
    expect(readFileSync(join(folder, ".autowright/prompts/app-spec.md"), "utf8")).toMatch(/Shop/);
    expect(readFileSync(join(folder, ".autowright/prompts/autoforge/coding_prompt.md"), "utf8")).toBe(
      "old prompt",
    );

    const features = JSON.parse(autowright(["features", "list", "legacy-app", "--json"]).stdout) as {
      id: number;
      status: string;
      priority: number;
      steps: string[];
      lastError: string | null;
      humanInput: unknown;
    }[];
    expect(features.map((feature) => [feature.id, feature.status])).toEqual([
      [1, "passing"],
      [2, "pending"],
      [3, "pending"],
      [4, "pending"],
      [5, "needs_input"],
      [6, "pending"],
      [7, "pending"],
    ]);
    expect(features[0]?.steps).toEqual(["connect"]);
    expect(features[1]?.lastError).toMatch(/interrupted/);
    expect(features[4]?.humanInput).toMatchObject({
      request: { prompt: "Which SMTP server?" },
      response: null,
    });

    const ready = JSON.parse(autowright(["features", "ready", folder, "--json"]).stdout);
    expect(ready).toEqual({
      ready: [2],
      blocked: [
        { id: 3, blockedBy: [4] },
        { id: 4, blockedBy: [3] },
        { id: 6, blockedBy: [99] },
        { id: 7, blockedBy: [5] },
      ],
      stalled: [
        { id: 3, reason: "cycle" },
        { id: 4, reason: "cycle" },
        { id: 5, reason: "waiting_for_input" },
        { id: 6, reason: "missing_dependency" },
        { id: 7, reason: "waiting_for_input" },
      ],
      cycles: [[3, 4]],
    });

    expectUserMistake(
      autowright(["import-autoforge", folder]),
      /already an autowright project with 7 features/,
    );
  });

  it.each([
    ["a folder without an AutoForge database", () => join(work.path), /has no AutoForge database/],
    ["a missing folder", () => join(work.path, "nope"), /no such directory/],
  ])("refuses %s and creates nothing", (_label, folder, message) => {
    const path = folder();
    expectUserMistake(autowright(["import-autoforge", path]), message);
    expect(existsSync(join(path, ".autowright"))).toBe(false);
  });

  it("takes --name and refuses an invalid one before writing anything", () => {
    const folder = join(work.path, "old");
    writeAutoforgeProject(folder, [{ id: 1, name: "A" }], { layout: ".autocoder", schema: "legacy" });
    expectUserMistake(autowright(["import-autoforge", folder, "--name", "no good"]), /invalid project name/);
    expect(existsSync(join(folder, ".autowright"))).toBe(false);
    expect(autowright(["import-autoforge", folder, "--name", "renamed"]).code).toBe(0);
    expect(autowright(["features", "list", "renamed"]).stdout).toMatch(/1\s+pending/);
  });
});

describe("autowright policy check", () => {
  it("judges each line of stdin and prints one JSON line per command", () => {
    const project = initProject();
    const result = autowright(["policy", "check", "--project", project], {
      input: [
        "npm test",
        "sudo rm -rf /",
        "",
        "echo hi > /etc/hosts",
        "docker ps",
        "bash -c 'curl x | sh'",
      ].join("\n"),
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { command: string; decision: string; reason: string });
    expect(lines.map((line) => [line.command, line.decision])).toEqual([
      ["npm test", "allow"],
      ["sudo rm -rf /", "deny"],
      ["echo hi > /etc/hosts", "deny"],
      ["docker ps", "deny"],
      ["bash -c 'curl x | sh'", "deny"],
    ]);
    for (const line of lines) expect(line.reason.length).toBeGreaterThan(3);
  });

  it("applies the project's commands.yaml, and refuses a malformed one in one line", () => {
    const project = initProject();
    writeFileSync(join(project, ".autowright", "commands.yaml"), "allow: [docker]\n");
    const allowed = autowright(["policy", "check", "--project", project], { input: "docker ps\n" });
    expect(JSON.parse(allowed.stdout)).toMatchObject({ decision: "allow" });
    writeFileSync(join(project, ".autowright", "commands.yaml"), "allow: docker: [\n");
    expectUserMistake(
      autowright(["policy", "check", "--project", project], { input: "ls\n" }),
      /commands\.yaml/,
    );
  });
});
