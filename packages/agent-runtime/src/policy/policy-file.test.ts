import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { loadCommandPolicy } from "./command-policy.ts";
import { commandPolicyFileSchema, parseCommandPolicyFile } from "./policy-file.ts";

function writeProjectPolicy(projectRoot: string, text: string): string {
  mkdirSync(join(projectRoot, ".autowright"), { recursive: true });
  const path = join(projectRoot, ".autowright", "commands.yaml");
  writeFileSync(path, text);
  return path;
}

function caught(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (AppError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("loadCommandPolicy", () => {
  it("works with no policy files at all", () => {
    using home = temporaryDirectory();
    using project = temporaryDirectory();
    const policy = loadCommandPolicy({ projectRoot: project.path, home: home.path });
    expect(policy.sources).toEqual([]);
    expect(policy.judge("npm test").decision).toBe("allow");
    expect(policy.judge("docker ps").decision).toBe("deny");
  });

  it("adds the global file's allow list to every project", () => {
    using home = temporaryDirectory();
    using project = temporaryDirectory();
    writeFileSync(join(home.path, "commands.yaml"), "allow: [docker]\nallowInlineCode: [python3]\n");
    const policy = loadCommandPolicy({ projectRoot: project.path, home: home.path });
    expect(policy.sources).toEqual([join(home.path, "commands.yaml")]);
    expect(policy.judge("docker compose up -d").decision).toBe("allow");
    expect(policy.judge("python3 -c 'print(1)'").decision).toBe("allow");
  });

  it("lets the project deny what the global file allows, and name itself in the reason", () => {
    using home = temporaryDirectory();
    using project = temporaryDirectory();
    writeFileSync(join(home.path, "commands.yaml"), "allow:\n  - docker\n  - make\n");
    const projectFile = writeProjectPolicy(project.path, "version: 1\ndeny: [docker, rm]\n");
    const policy = loadCommandPolicy({ projectRoot: project.path, home: home.path });
    expect(policy.sources).toEqual([join(home.path, "commands.yaml"), projectFile]);
    expect(policy.judge("docker ps")).toEqual({
      decision: "deny",
      reason: `"docker" is denied by ${projectFile}; do without it or ask the user to allow it`,
    });
    expect(policy.judge("rm -rf dist").decision).toBe("deny");
    expect(policy.judge("make build").decision).toBe("allow");
  });

  it("does not let a project allow back what the global file denies", () => {
    using home = temporaryDirectory();
    using project = temporaryDirectory();
    writeFileSync(join(home.path, "commands.yaml"), "deny: [curl]\n");
    writeProjectPolicy(project.path, "allow: [curl]\n");
    const policy = loadCommandPolicy({ projectRoot: project.path, home: home.path });
    expect(policy.judge("curl -s http://localhost:3000").decision).toBe("deny");
  });

  it("refuses hard denials in either file, naming the file", () => {
    using home = temporaryDirectory();
    using project = temporaryDirectory();
    const projectFile = writeProjectPolicy(project.path, "allow: [make, sudo]\n");
    const error = caught(() => loadCommandPolicy({ projectRoot: project.path, home: home.path }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain(projectFile);
    expect(error.message).toMatch(
      /allow\.1: sudo can never be allowed \(agents run without elevated privileges\)/,
    );
    writeFileSync(join(home.path, "commands.yaml"), "allowInlineCode: [pkill]\n");
    writeProjectPolicy(project.path, "");
    expect(caught(() => loadCommandPolicy({ projectRoot: project.path, home: home.path })).message).toMatch(
      /commands\.yaml is not a valid command policy: allowInlineCode\.0: pkill can never be allowed/,
    );
  });

  it("reports malformed YAML and wrong shapes with the file's path", () => {
    using home = temporaryDirectory();
    using project = temporaryDirectory();
    const projectFile = writeProjectPolicy(project.path, "allow: [docker\n");
    const syntax = caught(() => loadCommandPolicy({ projectRoot: project.path, home: home.path }));
    expect(syntax.code).toBe("invalid_input");
    expect(syntax.message).toMatch(
      new RegExp(`^${projectFile.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&")} is not valid YAML`),
    );
    writeProjectPolicy(project.path, "allow: docker\n");
    expect(caught(() => loadCommandPolicy({ projectRoot: project.path, home: home.path })).message).toMatch(
      /is not a valid command policy: allow: /,
    );
    writeProjectPolicy(project.path, "alow: [docker]\n");
    expect(caught(() => loadCommandPolicy({ projectRoot: project.path, home: home.path })).message).toMatch(
      /Unrecognized key.*alow/,
    );
    writeProjectPolicy(project.path, "allow: ['/usr/bin/docker']\n");
    expect(caught(() => loadCommandPolicy({ projectRoot: project.path, home: home.path })).message).toMatch(
      /allow\.0: must be a program name/,
    );
  });

  it("confines commands to the working directory when it differs from the project root", () => {
    using home = temporaryDirectory();
    using project = temporaryDirectory();
    using worktree = temporaryDirectory();
    writeProjectPolicy(project.path, "allow: [docker]\n");
    const policy = loadCommandPolicy({
      projectRoot: project.path,
      home: home.path,
      workingDirectory: worktree.path,
    });
    expect(policy.projectRoot).toBe(worktree.path);
    expect(policy.judge("docker ps").decision).toBe("allow");
    expect(policy.judge(`echo x > ${worktree.path}/a.txt`).decision).toBe("allow");
    expect(policy.judge(`echo x > ${project.path}/a.txt`).decision).toBe("deny");
  });
});

describe("commandPolicyFileSchema", () => {
  it("accepts the documented format and an empty file", () => {
    expect(
      commandPolicyFileSchema.parse({
        version: 1,
        allow: ["docker"],
        deny: ["rm"],
        allowInlineCode: ["node"],
      }),
    ).toEqual({ version: 1, allow: ["docker"], deny: ["rm"], allowInlineCode: ["node"] });
    expect(parseCommandPolicyFile("# nothing yet\n", "/x/commands.yaml")).toEqual({});
  });

  it("refuses shells in allowInlineCode", () => {
    expect(commandPolicyFileSchema.safeParse({ allowInlineCode: ["bash"] }).success).toBe(false);
  });
});
