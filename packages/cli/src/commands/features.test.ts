/** What `features list` prints: the table with unverified passes marked, and the project's test command. */
import type { Feature } from "@autowright/protocol";
import { testFeature } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { formatFeatureList } from "./features.ts";

const at = "2026-01-02T03:04:05.000Z";

function feature(id: number, status: Feature["status"], unverified = false): Feature {
  return testFeature({ id, status, unverified });
}

describe("formatFeatureList", () => {
  it("marks a pass without a check as unverified and counts them", () => {
    const text = formatFeatureList(
      "/p",
      [feature(1, "passing", true), feature(2, "passing"), feature(3, "pending")],
      {
        command: "npm test",
        recordedAt: at,
      },
    );
    const rows = text.split("\n");
    expect(rows[1]).toMatch(/^1\s+passing \(unverified\)\s+1\s+spec\s+Feature 1$/);
    expect(rows[2]).toMatch(/^2\s+passing\s+2\s+spec\s+Feature 2$/);
    expect(text).toContain(`test command: npm test (recorded ${at})`);
    expect(text).toContain("1 passing feature passed without a check");
  });

  it("says when no test command was recorded, even for an empty backlog", () => {
    const text = formatFeatureList("/p", [], null);
    expect(text).toMatch(/^The backlog of \/p is empty/);
    expect(text).toContain("test command: none recorded");
    expect(text).not.toContain("without a check");
  });
});
