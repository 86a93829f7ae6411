import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { recordingIo } from "../recording-io.ts";
import { policyCheckCommand } from "./policy.ts";

function parsedLines(io: { readonly out: string[] }): unknown[] {
  return io.out
    .join("")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

describe("policyCheckCommand", () => {
  it("prints one JSON line per non-empty input line, judged for the current directory", () => {
    using project = temporaryDirectory();
    using home = temporaryDirectory();
    const io = recordingIo(project.path);
    policyCheckCommand({ home: home.path }, io, "npm test\n\n  \nsudo reboot\r\necho x > /etc/hosts\n");
    expect(io.out.every((chunk) => chunk.endsWith("\n") && chunk.split("\n").length === 2)).toBe(true);
    expect(parsedLines(io)).toEqual([
      { command: "npm test", decision: "allow", reason: "allowed: npm" },
      {
        command: "sudo reboot",
        decision: "deny",
        reason: '"sudo" is not allowed: agents run without elevated privileges',
      },
      {
        command: "echo x > /etc/hosts",
        decision: "deny",
        reason:
          "redirection to /etc/hosts is outside the project; write to a path inside the project instead",
      },
    ]);
  });

  it("applies the --project directory's commands.yaml and the home directory's", () => {
    using project = temporaryDirectory();
    using home = temporaryDirectory();
    using elsewhere = temporaryDirectory();
    mkdirSync(join(project.path, ".autowright"));
    writeFileSync(join(project.path, ".autowright", "commands.yaml"), "allow: [docker]\n");
    writeFileSync(join(home.path, "commands.yaml"), "allowInlineCode: [python3]\n");
    const io = recordingIo(elsewhere.path);
    policyCheckCommand(
      { project: project.path, home: home.path },
      io,
      "docker ps\npython3 -c 'print(1)'\nnode -e 1",
    );
    expect(parsedLines(io).map((line) => (line as { decision: string }).decision)).toEqual([
      "allow",
      "allow",
      "deny",
    ]);
    const here = recordingIo(elsewhere.path);
    policyCheckCommand({ home: home.path }, here, "docker ps\n");
    expect(parsedLines(here)).toMatchObject([{ decision: "deny" }]);
  });

  it("fails with invalid_input for a malformed policy file and directory_not_found for a missing project", () => {
    using project = temporaryDirectory();
    using home = temporaryDirectory();
    mkdirSync(join(project.path, ".autowright"));
    writeFileSync(join(project.path, ".autowright", "commands.yaml"), "allow: docker\n");
    const io = recordingIo(project.path);
    const malformed = (() => {
      try {
        policyCheckCommand({ home: home.path }, io, "ls\n");
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(AppError.isInstance(malformed) && malformed.code).toBe("invalid_input");
    expect(io.out).toEqual([]);
    expect(() =>
      policyCheckCommand({ project: join(project.path, "missing"), home: home.path }, io, "ls"),
    ).toThrow(/no such directory/);
  });
});
