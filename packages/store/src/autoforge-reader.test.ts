/** Invariant: reading an AutoForge project never changes it, and every status maps as documented. */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { temporaryDirectory, writeAutoforgeProject } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { readAutoforgeProject } from "./autoforge-reader.ts";

const now = new Date("2026-05-06T07:08:09.000Z");

describe("readAutoforgeProject", () => {
  it("maps every AutoForge state and keeps ids, steps, priorities and dependencies", () => {
    using directory = temporaryDirectory();
    const request = {
      prompt: "Which payment provider?",
      fields: [
        {
          id: "provider",
          label: "Provider",
          type: "select",
          required: true,
          options: [{ value: "stripe", label: "Stripe" }],
        },
      ],
    };
    const databasePath = writeAutoforgeProject(
      directory.path,
      [
        { id: 1, name: "Database", priority: 1, steps: ["connect", "migrate"], passes: true },
        { id: 2, name: "Login", priority: 2, inProgress: true, dependencies: [1] },
        {
          id: 5,
          name: "Payments",
          priority: 12,
          needsHumanInput: true,
          humanInputRequest: request,
          dependencies: [1, 2],
        },
        {
          id: 6,
          name: "Refunds",
          humanInputRequest: request,
          humanInputResponse: { fields: { provider: "stripe" }, responded_at: "2026-01-01T00:00:00Z" },
          dependencies: [5, 404],
        },
      ],
      {
        prompts: {
          "app_spec.txt": "<project_specification>A shop</project_specification>",
          "coding_prompt.md": "code",
        },
      },
    );
    const before = { bytes: readFileSync(databasePath), mtime: statSync(databasePath).mtimeMs };
    const project = readAutoforgeProject(directory.path, { now });
    expect(readFileSync(databasePath)).toEqual(before.bytes);
    expect(statSync(databasePath).mtimeMs).toBe(before.mtime);

    expect(project.layout).toBe(".autoforge");
    expect(project.counts).toEqual({ passing: 1, interrupted: 1, needsInput: 1, total: 4 });
    expect(
      project.features.map((feature) => [feature.id, feature.status, feature.priority, feature.dependencies]),
    ).toEqual([
      [1, "passing", 1, []],
      [2, "pending", 2, [1]],
      [5, "needs_input", 12, [1, 2]],
      [6, "pending", 999, [5, 404]],
    ]);
    const [database, login, payments, refunds] = project.features;
    expect(database?.steps).toEqual(["connect", "migrate"]);
    expect(database?.evidence).toEqual([
      { kind: "import", note: expect.stringMatching(/passing in AutoForge/), at: now.toISOString() },
    ]);
    expect(login?.lastError).toMatch(/interrupted/);
    expect(payments?.humanInput).toEqual({ request, response: null });
    expect(refunds?.humanInput?.response).toEqual({
      fields: { provider: "stripe" },
      respondedAt: "2026-01-01T00:00:00Z",
    });
    expect(project.specFile).toBe(join(directory.path, ".autoforge", "prompts", "app_spec.txt"));
    expect(project.promptFiles).toEqual([join(directory.path, ".autoforge", "prompts", "coding_prompt.md")]);
  });

  it.each([".autocoder", "."] as const)("finds the database in the %s layout of older versions", (layout) => {
    using directory = temporaryDirectory();
    writeAutoforgeProject(directory.path, [{ id: 1, name: "A", passes: true }], { layout, schema: "legacy" });
    const project = readAutoforgeProject(directory.path, { now });
    expect(project.layout).toBe(layout);
    expect(project.features.map((feature) => [feature.id, feature.status, feature.dependencies])).toEqual([
      [1, "passing", []],
    ]);
  });

  it("reads a database that a running AutoForge holds open in WAL mode", () => {
    using directory = temporaryDirectory();
    writeAutoforgeProject(
      directory.path,
      [
        { id: 1, name: "A" },
        { id: 2, name: "B", dependencies: [1] },
      ],
      { wal: true },
    );
    expect(readAutoforgeProject(directory.path, { now }).features).toHaveLength(2);
  });

  it("repairs unreadable JSON with a warning instead of failing", () => {
    using directory = temporaryDirectory();
    writeAutoforgeProject(directory.path, [
      { id: 1, name: "A", steps: "not json", dependencies: '[1, "x"]' },
    ]);
    const project = readAutoforgeProject(directory.path, { now });
    expect(project.features[0]).toMatchObject({ steps: [], dependencies: [] });
    expect(project.warnings).toEqual([
      "feature 1: its steps were not a JSON list of strings; imported without steps",
      "feature 1: its dependencies were not a JSON list of ids; imported without dependencies",
    ]);
  });

  it("refuses a folder without an AutoForge database", () => {
    using directory = temporaryDirectory();
    expect(() => readAutoforgeProject(directory.path, { now })).toThrow(/has no AutoForge database/);
  });
});
