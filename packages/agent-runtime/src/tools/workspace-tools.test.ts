import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { loadCommandPolicy } from "../policy/command-policy.ts";
import { ProcessTracker } from "../process-tracker.ts";
import { createWorkspaceTools, globToRegExp } from "./workspace-tools.ts";

/** A temporary working tree with its tools; dispose removes both temporary directories. */
function workspace(files: Readonly<Record<string, string>> = {}) {
  const directory = temporaryDirectory();
  const home = temporaryDirectory();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(directory.path, path)), { recursive: true });
    writeFileSync(join(directory.path, path), content);
  }
  const processes = new ProcessTracker();
  const tools = createWorkspaceTools({
    root: directory.path,
    policy: loadCommandPolicy({ projectRoot: directory.path, home: home.path }),
    processes,
    env: process.env,
    maxOutputBytes: 2000,
    commandTimeoutMs: 5000,
    signal: new AbortController().signal,
  });
  return {
    root: directory.path,
    tools,
    [Symbol.dispose]: () => {
      directory[Symbol.dispose]();
      home[Symbol.dispose]();
    },
  };
}

describe("globToRegExp", () => {
  it.each([
    ["**/*.ts", "a.ts", true],
    ["**/*.ts", "src/a.ts", true],
    ["**/*.ts", "src/deep/a.ts", true],
    ["**/*.ts", "src/a.tsx", false],
    ["**/*.ts", "src/a.js", false],
    ["src/*.js", "src/a.js", true],
    ["src/*.js", "src/deep/a.js", false],
    ["src/*.js", "lib/a.js", false],
    ["src/*.js", "src/a.jsx", false],
    ["*.{ts,tsx}", "a.ts", true],
    ["*.{ts,tsx}", "a.tsx", true],
    ["*.{ts,tsx}", "a.js", false],
    ["*.{ts,tsx}", "src/a.ts", false],
    ["a?c", "abc", true],
    ["a?c", "a.c", true],
    ["a?c", "ac", false],
    ["a?c", "abbc", false],
    ["a?c", "a/c", false],
    ["src/**", "src/a/b/c.txt", true],
    ["a.b", "axb", false],
  ])("%s matches %s: %s", (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });

  it.each([
    ["**/*.ts", "^(?:.*/)?[^/]*\\.ts$"],
    ["src/*.js", "^src/[^/]*\\.js$"],
    ["*.{ts,tsx}", "^[^/]*\\.(?:ts|tsx)$"],
    ["a?c", "^a[^/]c$"],
  ])("%s becomes /%s/", (glob, source) => {
    expect(globToRegExp(glob).source).toBe(new RegExp(source).source);
  });
});

describe("read_file", () => {
  const lines = "one\ntwo\nthree\nfour\nfive";

  it.each([
    [{}, lines],
    [{ offset: 2 }, "two\nthree\nfour\nfive"],
    [{ limit: 2 }, "one\ntwo"],
    [{ offset: 2, limit: 2 }, "two\nthree"],
    [{ offset: 5, limit: 10 }, "five"],
    [{ offset: 9 }, ""],
  ])("reads with %j", async (options, expected) => {
    using space = workspace({ "notes.txt": lines });
    expect(await space.tools.read_file.execute({ path: "notes.txt", ...options })).toBe(expected);
  });

  it("cuts a long file at maxOutputBytes characters", async () => {
    const text = "x".repeat(3000);
    using space = workspace({ "big.txt": text });
    expect(await space.tools.read_file.execute({ path: "big.txt" })).toBe(
      `${"x".repeat(2000)}\n… [cut at 2000 characters of 3000]`,
    );
  });

  it("refuses a file outside the working tree", async () => {
    using space = workspace();
    await expect(space.tools.read_file.execute({ path: "../outside.txt" })).rejects.toThrow(
      `../outside.txt is outside the working tree ${space.root}; use a path inside it`,
    );
  });
});

describe("write_file", () => {
  it("creates the parent folders and reports the size in bytes", async () => {
    using space = workspace();
    expect(await space.tools.write_file.execute({ path: "a/b/c.txt", content: "héllo" })).toBe(
      "wrote a/b/c.txt (6 bytes)",
    );
    expect(readFileSync(join(space.root, "a", "b", "c.txt"), "utf8")).toBe("héllo");
  });

  it("replaces an existing file", async () => {
    using space = workspace({ "a.txt": "old" });
    await space.tools.write_file.execute({ path: "a.txt", content: "new" });
    expect(readFileSync(join(space.root, "a.txt"), "utf8")).toBe("new");
  });

  it("refuses a path outside the working tree and creates nothing", async () => {
    using space = workspace();
    using outside = temporaryDirectory();
    const target = join(outside.path, "x.txt");
    await expect(space.tools.write_file.execute({ path: target, content: "x" })).rejects.toThrow(
      `${target} is outside the working tree ${space.root}; use a path inside it`,
    );
    expect(existsSync(target)).toBe(false);
  });

  it("refuses .autowright/commands.yaml and leaves it unchanged", async () => {
    using space = workspace({ ".autowright/commands.yaml": "allow: []\n" });
    await expect(
      space.tools.write_file.execute({ path: ".autowright/commands.yaml", content: "allow: [sudo]\n" }),
    ).rejects.toThrow(
      ".autowright/commands.yaml is autowright's own configuration; agents may not change it",
    );
    expect(readFileSync(join(space.root, ".autowright", "commands.yaml"), "utf8")).toBe("allow: []\n");
  });

  // BUG (confinement.ts): a dangling symlink pointing outside passes resolveWritableInside, and the write
  // follows it.
  it("does not write through a dangling symlink that points outside the working tree", async () => {
    using space = workspace();
    using outside = temporaryDirectory();
    const target = join(outside.path, "created.txt");
    symlinkSync(target, join(space.root, "escape.txt"));
    await expect(space.tools.write_file.execute({ path: "escape.txt", content: "x" })).rejects.toThrow(
      "outside the working tree",
    );
    expect(existsSync(target)).toBe(false);
  });
});

describe("edit_file", () => {
  it("replaces a unique match", async () => {
    using space = workspace({ "a.txt": "alpha beta gamma" });
    expect(await space.tools.edit_file.execute({ path: "a.txt", old_text: "beta", new_text: "$& B" })).toBe(
      "edited a.txt (1 replacement)",
    );
    expect(readFileSync(join(space.root, "a.txt"), "utf8")).toBe("alpha $& B gamma");
  });

  it("fails when the text is not found, leaving the file unchanged", async () => {
    using space = workspace({ "a.txt": "alpha" });
    await expect(
      space.tools.edit_file.execute({ path: "a.txt", old_text: "zeta", new_text: "z" }),
    ).rejects.toThrow("old_text was not found in a.txt; read the file and copy the text exactly");
    expect(readFileSync(join(space.root, "a.txt"), "utf8")).toBe("alpha");
  });

  it("fails when the text occurs several times without replace_all", async () => {
    using space = workspace({ "a.txt": "x-x-x" });
    await expect(
      space.tools.edit_file.execute({ path: "a.txt", old_text: "x", new_text: "y" }),
    ).rejects.toThrow("old_text occurs 3 times in a.txt; add context to make it unique or set replace_all");
    expect(readFileSync(join(space.root, "a.txt"), "utf8")).toBe("x-x-x");
  });

  it.each([
    ["x-x-x", "edited a.txt (3 replacements)", "y-y-y"],
    ["x-o-o", "edited a.txt (1 replacement)", "y-o-o"],
  ])("replaces every occurrence of %j with replace_all", async (before, message, after) => {
    using space = workspace({ "a.txt": before });
    expect(
      await space.tools.edit_file.execute({ path: "a.txt", old_text: "x", new_text: "y", replace_all: true }),
    ).toBe(message);
    expect(readFileSync(join(space.root, "a.txt"), "utf8")).toBe(after);
  });

  it("refuses to edit .autowright/commands.yaml", async () => {
    using space = workspace({ ".autowright/commands.yaml": "allow: []\n" });
    await expect(
      space.tools.edit_file.execute({
        path: ".autowright/commands.yaml",
        old_text: "[]",
        new_text: "[sudo]",
      }),
    ).rejects.toThrow("agents may not change it");
    expect(readFileSync(join(space.root, ".autowright", "commands.yaml"), "utf8")).toBe("allow: []\n");
  });
});

describe("list_files", () => {
  const files = {
    "README.md": "",
    "src/a.ts": "",
    "src/b.js": "",
    "src/deep/c.ts": "",
    "node_modules/pkg/index.ts": "",
    ".git/config": "",
    ".autowright/commands.yaml": "",
    "dist/out.js": "",
    "coverage/report.ts": "",
  };

  it.each([
    [{}, "README.md\nsrc/a.ts\nsrc/b.js\nsrc/deep/c.ts"],
    [{ pattern: "**/*.ts" }, "src/a.ts\nsrc/deep/c.ts"],
    [{ pattern: "src/*.ts" }, "src/a.ts"],
    [{ pattern: "*.md" }, "README.md"],
    [{ path: "src" }, "src/a.ts\nsrc/b.js\nsrc/deep/c.ts"],
    [{ path: "src", pattern: "*.ts" }, "src/a.ts"],
    [{ pattern: "*.py" }, "no files"],
  ])("lists %j, skipping node_modules, .git and build folders", async (input, expected) => {
    using space = workspace(files);
    expect(await space.tools.list_files.execute(input)).toBe(expected);
  });

  it("refuses a file as the folder", async () => {
    using space = workspace(files);
    await expect(space.tools.list_files.execute({ path: "README.md" })).rejects.toThrow(
      "README.md is not a folder",
    );
  });

  it("refuses a folder outside the working tree", async () => {
    using space = workspace(files);
    await expect(space.tools.list_files.execute({ path: ".." })).rejects.toThrow(
      "is outside the working tree",
    );
  });
});

describe("grep", () => {
  const files = {
    "src/a.ts": "const a = 1;\n// TODO fix a\n",
    "src/b.js": "// todo lower\n",
    "docs/c.md": "TODO in docs\n",
    "node_modules/pkg/index.js": "// TODO hidden\n",
  };

  it.each([
    [{ pattern: "TODO" }, "docs/c.md:1: TODO in docs\nsrc/a.ts:2: // TODO fix a"],
    [
      { pattern: "todo", ignore_case: true },
      "docs/c.md:1: TODO in docs\nsrc/a.ts:2: // TODO fix a\nsrc/b.js:1: // todo lower",
    ],
    [{ pattern: "TODO", glob: "**/*.ts" }, "src/a.ts:2: // TODO fix a"],
    [{ pattern: "TODO", path: "src" }, "src/a.ts:2: // TODO fix a"],
    [{ pattern: "TODO", path: "docs/c.md" }, "docs/c.md:1: TODO in docs"],
    [{ pattern: "^const \\w+ = \\d+;$" }, "src/a.ts:1: const a = 1;"],
    [{ pattern: "nowhere" }, "no matches"],
  ])("searches %j", async (input, expected) => {
    using space = workspace(files);
    const result = await space.tools.grep.execute(input);
    expect(result.split("\n").sort().join("\n")).toBe(expected);
  });

  it("explains an invalid regular expression", async () => {
    using space = workspace(files);
    const invalid = "(unclosed";
    let expected = "";
    try {
      new RegExp(invalid);
    } catch (error) {
      expected = (error as Error).message;
    }
    expect(expected).not.toBe("");
    await expect(space.tools.grep.execute({ pattern: invalid })).rejects.toThrow(
      `invalid regular expression: ${expected}`,
    );
  });

  it("skips binary files", async () => {
    using space = workspace({ "text.txt": "needle\n", "image.bin": "needle\u0000\u0001needle\n" });
    expect(await space.tools.grep.execute({ pattern: "needle" })).toBe("text.txt:1: needle");
  });
});

describe("bash", () => {
  it("returns the exit code and the output of an allowed command", async () => {
    using space = workspace();
    expect(await space.tools.bash.execute({ command: "echo hello" })).toBe("exit code 0\nhello");
  });

  it("runs in the working tree", async () => {
    using space = workspace({ "marker.txt": "" });
    expect(await space.tools.bash.execute({ command: "ls" })).toBe("exit code 0\nmarker.txt");
  });

  it("throws the exit code and the output of a failing command", async () => {
    using space = workspace();
    await expect(space.tools.bash.execute({ command: "echo oops; exit 3" })).rejects.toThrow(
      /^exit code 3\noops$/,
    );
  });

  it("refuses a denied command without running any of it", async () => {
    using space = workspace();
    await expect(space.tools.bash.execute({ command: "touch side-effect.txt && sudo ls" })).rejects.toThrow(
      'command denied: "sudo" is not allowed: agents run without elevated privileges',
    );
    expect(existsSync(join(space.root, "side-effect.txt"))).toBe(false);
  });

  it("kills a command that runs past its timeout", async () => {
    using space = workspace();
    const started = performance.now();
    await expect(
      space.tools.bash.execute({ command: "echo begun; sleep 10", timeout_ms: 300 }),
    ).rejects.toThrow(/^timed out after 300 ms\nbegun$/);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe("globToRegExp edge cases", () => {
  it.each([
    ["a,b.ts", "a,b.ts", true],
    ["a,b.ts", "abc.ts", false],
    ["*.{ts,js}", "x.js", true],
  ])("%s against %s → %s", (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});
