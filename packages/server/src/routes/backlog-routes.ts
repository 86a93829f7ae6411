/** Features (with validated dependency edits), the run controls, sessions with their logs, and the prompts. */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promptFileNames } from "@autowright/agent-runtime";
import { analyzeBacklog } from "@autowright/domain";
import { readSessionLog } from "@autowright/orchestrator";
import {
  AppError,
  dependenciesPutRequestSchema,
  type Feature,
  featureBulkRequestSchema,
  featureCreateRequestSchema,
  featureDiffPatchLimit,
  featureDiffResponseSchema,
  featureGraphResponseSchema,
  featureListResponseSchema,
  featureParamsSchema,
  featurePatchRequestSchema,
  featureResponseSchema,
  humanInputAnswerRequestSchema,
  okResponseSchema,
  projectParamsSchema,
  promptsPutRequestSchema,
  promptsResponseSchema,
  runConcurrencyRequestSchema,
  runStartRequestSchema,
  runStateSchema,
  sessionDetailResponseSchema,
  sessionListResponseSchema,
  sessionLogPageSchema,
  sessionLogQuerySchema,
  sessionParamsSchema,
} from "@autowright/protocol";
import type { HttpApp } from "../http-app.ts";
import type { ServerServices } from "../server-services.ts";

const byPriority = (left: Feature, right: Feature): number =>
  left.priority - right.priority || left.id - right.id;

/** The routes. */
export function backlogRoutes(services: ServerServices): (app: HttpApp) => void {
  const { hosts } = services;
  const limits = () => ({
    maxDependenciesPerFeature: services.registry.getSettings().maxDependenciesPerFeature,
  });
  const feature = (name: string, id: number): Feature => {
    const found = hosts.host(name).store.getFeature(id);
    if (found === undefined)
      throw new AppError("feature_not_found", `feature ${id} does not exist`, { details: { id } });
    return found;
  };
  /** Runs a change on the project's store, then publishes what it appended. */
  const change = <T>(name: string, action: (host: ReturnType<typeof hosts.host>) => T): T => {
    const host = hosts.host(name);
    try {
      return action(host);
    } finally {
      host.publishChanges();
    }
  };

  return (app) => {
    // Features ---------------------------------------------------------------------------------------------------
    app.get(
      "/api/projects/:name/features",
      {
        schema: {
          tags: ["features"],
          summary: "The backlog, in priority order",
          params: projectParamsSchema,
          response: { 200: featureListResponseSchema },
        },
      },
      async (request) => ({
        features: hosts.host(request.params.name).store.listFeatures().sort(byPriority),
      }),
    );
    app.post(
      "/api/projects/:name/features",
      {
        schema: {
          tags: ["features"],
          summary: "Add a feature (dependencies validated: no unknown id, no cycle)",
          params: projectParamsSchema,
          body: featureCreateRequestSchema,
          response: { 201: featureResponseSchema },
        },
      },
      async (request, reply) => {
        const [created] = change(request.params.name, (host) =>
          host.store.createFeatures([{ ...request.body, dependsOnIndices: [] }], limits()),
        );
        return reply.status(201).send({ feature: created as Feature });
      },
    );
    app.post(
      "/api/projects/:name/features/bulk",
      {
        schema: {
          tags: ["features"],
          summary: "Add several features, all or nothing (entries may depend on each other by index)",
          params: projectParamsSchema,
          body: featureBulkRequestSchema,
          response: { 201: featureListResponseSchema },
        },
      },
      async (request, reply) => {
        const features = change(request.params.name, (host) =>
          host.store.createFeatures(request.body.features, limits()),
        );
        return reply.status(201).send({ features });
      },
    );
    app.get(
      "/api/projects/:name/features/graph",
      {
        schema: {
          tags: ["features"],
          summary: "The dependency graph: nodes with what blocks them, and edges",
          params: projectParamsSchema,
          response: { 200: featureGraphResponseSchema },
        },
      },
      async (request) => {
        const features = hosts.host(request.params.name).store.listFeatures().sort(byPriority);
        const settings = services.registry.getSettings();
        const analysis = analyzeBacklog(features, { maxAttempts: settings.maxAttempts, now: Date.now() });
        const blockedBy = new Map(analysis.blocked.map((entry) => [entry.id, [...entry.blockedBy]]));
        return {
          nodes: features.map((entry) => ({
            id: entry.id,
            name: entry.name,
            category: entry.category,
            priority: entry.priority,
            status: entry.status,
            blockedBy: blockedBy.get(entry.id) ?? [],
          })),
          edges: features.flatMap((entry) =>
            entry.dependencies.map((dependency) => ({ source: entry.id, target: dependency })),
          ),
        };
      },
    );
    app.get(
      "/api/projects/:name/features/:id",
      {
        schema: {
          tags: ["features"],
          summary: "One feature, with its evidence and human input",
          params: featureParamsSchema,
          response: { 200: featureResponseSchema },
        },
      },
      async (request) => ({ feature: feature(request.params.name, request.params.id) }),
    );
    app.patch(
      "/api/projects/:name/features/:id",
      {
        schema: {
          tags: ["features"],
          summary: "Edit a feature's fields (and dependencies, validated)",
          params: featureParamsSchema,
          body: featurePatchRequestSchema,
          response: { 200: featureResponseSchema },
        },
      },
      async (request) => ({
        feature: change(request.params.name, (host) =>
          host.store.updateFeature(request.params.id, request.body, limits()),
        ),
      }),
    );
    app.delete(
      "/api/projects/:name/features/:id",
      {
        schema: {
          tags: ["features"],
          summary: "Delete a feature (refused while worked on or depended on)",
          params: featureParamsSchema,
          response: { 200: okResponseSchema },
        },
      },
      async (request) => {
        change(request.params.name, (host) => host.store.deleteFeature(request.params.id));
        return { ok: true as const };
      },
    );
    app.put(
      "/api/projects/:name/features/:id/dependencies",
      {
        schema: {
          tags: ["features"],
          summary: "Replace a feature's dependencies (no self-edge, unknown id, duplicate or cycle)",
          params: featureParamsSchema,
          body: dependenciesPutRequestSchema,
          response: { 200: featureResponseSchema },
        },
      },
      async (request) => ({
        feature: change(request.params.name, (host) =>
          host.store.setDependencies(request.params.id, request.body.dependencyIds, limits()),
        ),
      }),
    );
    app.get(
      "/api/projects/:name/features/:id/diff",
      {
        schema: {
          tags: ["features"],
          summary: "The commit a feature was merged as: changed files and the unified patch (capped)",
          params: featureParamsSchema,
          response: { 200: featureDiffResponseSchema },
        },
      },
      async (request) => {
        const found = feature(request.params.name, request.params.id);
        const commit = mergedCommit(found);
        if (commit === null) return { commit: null, subject: null, files: [], patch: "", truncated: false };
        return commitDiff(hosts.host(request.params.name).paths.root, commit);
      },
    );
    app.post(
      "/api/projects/:name/features/:id/skip",
      {
        schema: {
          tags: ["features"],
          summary: "Move a feature to the end of the queue (a failed one is queued again)",
          params: featureParamsSchema,
          response: { 200: featureResponseSchema },
        },
      },
      async (request) => ({
        feature: change(request.params.name, (host) => host.store.skipFeature(request.params.id)),
      }),
    );
    app.post(
      "/api/projects/:name/features/:id/human-input",
      {
        schema: {
          tags: ["features"],
          summary: "Answer the question an agent asked; the feature goes back to the queue with the answer",
          params: featureParamsSchema,
          body: humanInputAnswerRequestSchema,
          response: { 200: featureResponseSchema },
        },
      },
      async (request) => {
        const current = feature(request.params.name, request.params.id);
        const asked = current.humanInput?.request;
        if (current.status !== "needs_input" || asked === undefined) {
          throw new AppError(
            "invalid_transition",
            `feature ${current.id} is ${current.status}: no question waits for an answer`,
          );
        }
        const known = new Set(asked.fields.map((field) => field.id));
        const unknown = Object.keys(request.body.fields).filter((id) => !known.has(id));
        if (unknown.length > 0) {
          throw new AppError(
            "invalid_input",
            `unknown answer fields: ${unknown.join(", ")} (the question has ${[...known].join(", ") || "no fields"})`,
          );
        }
        return {
          feature: change(request.params.name, (host) =>
            host.store.changeFeatureStatus(current.id, {
              to: "pending",
              from: ["needs_input"],
              actor: { kind: "orchestrator" },
              humanInputResponse: { fields: request.body.fields, respondedAt: new Date().toISOString() },
            }),
          ),
        };
      },
    );

    // Runs -------------------------------------------------------------------------------------------------------
    app.get(
      "/api/projects/:name/run",
      {
        schema: {
          tags: ["runs"],
          summary: "The project's run",
          params: projectParamsSchema,
          response: { 200: runStateSchema },
        },
      },
      async (request) => hosts.run(request.params.name).state(),
    );
    app.post(
      "/api/projects/:name/run/start",
      {
        schema: {
          tags: ["runs"],
          summary: "Start a run (refused while one is active); the body overrides settings for this run",
          params: projectParamsSchema,
          body: runStartRequestSchema.nullish(),
          response: { 202: runStateSchema },
        },
      },
      async (request, reply) =>
        reply.status(202).send(await hosts.run(request.params.name).start(request.body ?? {})),
    );
    app.post(
      "/api/projects/:name/run/stop",
      {
        schema: {
          tags: ["runs"],
          summary: "Stop the run: sessions are cancelled and their features go back to the queue",
          params: projectParamsSchema,
          response: { 200: runStateSchema },
        },
      },
      async (request) => hosts.run(request.params.name).stop(),
    );
    app.post(
      "/api/projects/:name/run/pause",
      {
        schema: {
          tags: ["runs"],
          summary: "Pause: running agents finish, no new ones start",
          params: projectParamsSchema,
          response: { 200: runStateSchema },
        },
      },
      async (request) => hosts.run(request.params.name).pause(),
    );
    app.post(
      "/api/projects/:name/run/resume",
      {
        schema: {
          tags: ["runs"],
          summary: "Resume a paused run",
          params: projectParamsSchema,
          response: { 200: runStateSchema },
        },
      },
      async (request) => hosts.run(request.params.name).resume(),
    );
    app.patch(
      "/api/projects/:name/run",
      {
        schema: {
          tags: ["runs"],
          summary: "Change how many agents run at once while running",
          params: projectParamsSchema,
          body: runConcurrencyRequestSchema,
          response: { 200: runStateSchema },
        },
      },
      async (request) => hosts.run(request.params.name).setConcurrency(request.body.maxConcurrency),
    );

    // Sessions ---------------------------------------------------------------------------------------------------
    app.get(
      "/api/projects/:name/sessions",
      {
        schema: {
          tags: ["sessions"],
          summary: "Recorded sessions, newest first",
          params: projectParamsSchema,
          response: { 200: sessionListResponseSchema },
        },
      },
      async (request) => ({ sessions: hosts.host(request.params.name).store.listSessions() }),
    );
    const session = (name: string, sessionId: string) => {
      const host = hosts.host(name);
      const found = host.store.getSession(sessionId);
      if (found === undefined) throw new AppError("not_found", `no such session: ${sessionId}`);
      return { host, found };
    };
    app.get(
      "/api/projects/:name/sessions/:sessionId",
      {
        schema: {
          tags: ["sessions"],
          summary: "One session: outcome, usage and the first page of its log",
          params: sessionParamsSchema,
          response: { 200: sessionDetailResponseSchema },
        },
      },
      async (request) => {
        const { host, found } = session(request.params.name, request.params.sessionId);
        return { session: found, log: readSessionLog(host.paths.sessionLogsDirectory, found.id) };
      },
    );
    app.get(
      "/api/projects/:name/sessions/:sessionId/log",
      {
        schema: {
          tags: ["sessions"],
          summary:
            "A page of a session's log from a byte offset (kept after the session and across restarts)",
          params: sessionParamsSchema,
          querystring: sessionLogQuerySchema,
          response: { 200: sessionLogPageSchema },
        },
      },
      async (request) => {
        const { host, found } = session(request.params.name, request.params.sessionId);
        return readSessionLog(host.paths.sessionLogsDirectory, found.id, request.query.offset);
      },
    );
    app.delete(
      "/api/projects/:name/sessions/:sessionId",
      {
        schema: {
          tags: ["sessions"],
          summary: "Cancel a running session; its features go back to the queue",
          params: sessionParamsSchema,
          response: { 200: okResponseSchema },
        },
      },
      async (request) => {
        if (!hosts.run(request.params.name).cancelSession(request.params.sessionId))
          throw new AppError("not_found", `no running session ${request.params.sessionId}`);
        return { ok: true as const };
      },
    );

    // Prompts ----------------------------------------------------------------------------------------------------
    const promptNames = [
      "app-spec",
      ...Object.values(promptFileNames).map((file) => file.replace(/\.md$/, "")),
    ];
    app.get(
      "/api/projects/:name/prompts",
      {
        schema: {
          tags: ["prompts"],
          summary: "The app spec and the prompt files of each role",
          params: projectParamsSchema,
          response: { 200: promptsResponseSchema },
        },
      },
      async (request) => {
        const directory = hosts.host(request.params.name).paths.promptsDirectory;
        const prompts: Record<string, string> = {};
        for (const entry of existsSync(directory) ? readdirSync(directory) : []) {
          const name = entry.replace(/\.md$/, "");
          if (entry.endsWith(".md") && promptNames.includes(name))
            prompts[name] = readFileSync(join(directory, entry), "utf8");
        }
        return { prompts };
      },
    );
    app.put(
      "/api/projects/:name/prompts",
      {
        schema: {
          tags: ["prompts"],
          summary: `Replace prompt files (${promptNames.join(", ")})`,
          params: projectParamsSchema,
          body: promptsPutRequestSchema,
          response: { 200: promptsResponseSchema },
        },
      },
      async (request) => {
        const directory = hosts.host(request.params.name).paths.promptsDirectory;
        const unknown = Object.keys(request.body.prompts).filter((name) => !promptNames.includes(name));
        if (unknown.length > 0)
          throw new AppError(
            "invalid_input",
            `unknown prompts: ${unknown.join(", ")}; use ${promptNames.join(", ")}`,
          );
        for (const [name, content] of Object.entries(request.body.prompts)) {
          const file = join(directory, `${name}.md`);
          writeFileSync(`${file}.tmp`, content);
          renameSync(`${file}.tmp`, file);
        }
        const prompts: Record<string, string> = {};
        for (const name of promptNames) {
          const file = join(directory, `${name}.md`);
          if (existsSync(file)) prompts[name] = readFileSync(file, "utf8");
        }
        return { prompts };
      },
    );
  };
}

/** A full commit id as git prints it (SHA-1, or SHA-256 in a repository that uses it). */
const commitIdPattern = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The commit of the feature's latest `merge` evidence (`merged as <sha>`), or null when it was never merged. */
function mergedCommit(feature: Feature): string | null {
  for (const evidence of [...feature.evidence].reverse()) {
    if (evidence.kind !== "merge") continue;
    const commit = /^merged as (\S+)$/.exec(evidence.note ?? "")?.[1];
    if (commit !== undefined && commitIdPattern.test(commit)) return commit;
  }
  return null;
}

/**
 * The files and the patch of `commit` in the repository at `root`, against its first parent (a feature lands as a
 * merge commit: what it changed on the main branch). The patch stops at the last whole line under the limit.
 */
async function commitDiff(root: string, commit: string) {
  // `--end-of-options`: the id is validated, and git still never reads it as an option.
  const common = ["--no-color", "--no-ext-diff", "--no-renames", "--diff-merges=first-parent"];
  const numstat = await runGitCapped(
    root,
    ["show", ...common, "--format=", "--numstat", "-z", "--end-of-options", commit],
    8 * 1024 * 1024,
  );
  if (numstat.code !== 0)
    throw new AppError(
      "not_found",
      `commit ${commit} is not in the repository at ${root}: ${numstat.stderr.trim() || `git exited with ${numstat.code}`}`,
    );
  const files = numstat.stdout
    .toString("utf8")
    .split("\0")
    .filter((record) => record.trim() !== "")
    .flatMap((record) => {
      const match = /^\s*(-|\d+)\t(-|\d+)\t(.*)$/s.exec(record);
      if (match === null) return [];
      const count = (value: string | undefined) =>
        value === undefined || value === "-" ? null : Number(value);
      return [{ path: match[3] ?? "", additions: count(match[1]), deletions: count(match[2]) }];
    });
  const shown = await runGitCapped(
    root,
    ["show", ...common, "--format=%H%n%s", "--patch", "--end-of-options", commit],
    featureDiffPatchLimit,
  );
  if (shown.code !== 0 && !shown.truncated)
    throw new AppError("internal_error", `git show ${commit} failed: ${shown.stderr.trim()}`);
  let output = shown.stdout;
  if (shown.truncated) {
    const lastLine = output.lastIndexOf(0x0a);
    if (lastLine > 0) output = output.subarray(0, lastLine + 1);
  }
  const text = output.toString("utf8");
  const [, subject = "", ...rest] = text.split("\n");
  return {
    commit,
    subject,
    files,
    patch: rest.join("\n").replace(/^\n+/, ""),
    truncated: shown.truncated,
  };
}

/** Runs git (no shell) in `cwd`, keeping at most `limit` bytes of stdout; past that it stops git. */
function runGitCapped(
  cwd: string,
  args: readonly string[],
  limit: number,
): Promise<{ code: number | null; stdout: Buffer; stderr: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, GIT_PAGER: "cat", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      if (truncated) return;
      const room = limit - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size = limit;
        truncated = true;
        child.kill();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(chunks), stderr, truncated }));
  });
}
