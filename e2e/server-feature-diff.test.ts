/**
 * `GET /api/projects/:name/features/:id/diff` on a real server: after a replay run merges a feature, the commit of
 * its latest merge evidence with the files it changed and the unified patch, the same as git shows them; a feature
 * never merged has no commit; an unknown feature or a bad id is refused in the one error shape.
 */
import { spawnSync } from "node:child_process";
import { featureDiffResponseSchema, type ServerEvent } from "@autowright/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServerHarness, startServerHarness } from "./support/server-harness.ts";

let harness: ServerHarness;
beforeEach(async () => {
  harness = await startServerHarness();
});
afterEach(async () => {
  await harness.close();
});

const runEnded = (event: ServerEvent): boolean =>
  event.type === "run.updated" && ["completed", "stalled", "stopped", "crashed"].includes(event.data.status);

function gitOutput(root: string, ...args: string[]): string {
  const result = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

describe("the feature diff", () => {
  it("shows the commit a replay run merged a feature as, with its files and patch", async () => {
    const root = await harness.createProject("shop", [
      { category: "core", name: "Cart" },
      { category: "ui", name: "Theme" },
    ]);
    const client = harness.stream("/ws/projects/shop");
    await client.waitFor((event) => event.type === "hello", "hello");
    const started = await harness.api("POST", "/api/projects/shop/run/start", {
      provider: "replay",
      concurrency: 1,
    });
    expect(started.status).toBe(202);
    const end = await client.waitFor(runEnded, "the end of the run");
    expect(end).toMatchObject({ data: { status: "completed" } });

    const feature = (await harness.api("GET", "/api/projects/shop/features/1")).body.feature;
    expect(feature.status).toBe("passing");
    const merges = feature.evidence.filter((entry: { kind: string }) => entry.kind === "merge");
    const note: string = merges.at(-1)?.note ?? "";
    const sha = /^merged as ([0-9a-f]{40})$/.exec(note)?.[1];
    expect(sha, `merge evidence: ${JSON.stringify(merges)}`).toBeDefined();

    const answer = await harness.api("GET", "/api/projects/shop/features/1/diff");
    expect(answer.status).toBe(200);
    const diff = featureDiffResponseSchema.parse(answer.body);
    expect(diff.commit).toBe(sha);
    expect(diff.truncated).toBe(false);
    expect(diff.subject).toBe(gitOutput(root, "show", "-s", "--format=%s", sha ?? "").trim());

    // The files are what merging changed on the main branch: the commit against its first parent.
    const expected = gitOutput(root, "diff", "--numstat", "--no-renames", `${sha}^1`, sha ?? "")
      .trim()
      .split("\n")
      .map((line) => {
        const [additions, deletions, path] = line.split("\t");
        return { path, additions: Number(additions), deletions: Number(deletions) };
      });
    expect(expected.length).toBeGreaterThan(0);
    expect(diff.files).toEqual(expected);
    for (const file of diff.files) expect(diff.patch).toContain(`diff --git a/${file.path} b/${file.path}`);
    const added = diff.patch.split("\n").filter((line) => line.startsWith("+") && !line.startsWith("+++"));
    expect(added.length).toBe(diff.files.reduce((sum, file) => sum + (file.additions ?? 0), 0));
    // The patch has no header lines of `git show` (the id and subject are fields of their own).
    expect(diff.patch.startsWith("diff --git ")).toBe(true);
  });

  it("has no commit for a feature never merged, and refuses an unknown feature or a bad id", async () => {
    await harness.createProject("shop", [{ category: "core", name: "Cart" }]);
    const unmerged = await harness.api("GET", "/api/projects/shop/features/1/diff");
    expect(unmerged.status).toBe(200);
    expect(unmerged.body).toEqual({ commit: null, subject: null, files: [], patch: "", truncated: false });

    const unknown = await harness.api("GET", "/api/projects/shop/features/99/diff");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("feature_not_found");

    const badId = await harness.api("GET", "/api/projects/shop/features/abc/diff");
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe("invalid_input");

    const noProject = await harness.api("GET", "/api/projects/nowhere/features/1/diff");
    expect(noProject.status).toBe(404);
    expect(noProject.body.error.code).toBe("project_not_found");
  });
});
