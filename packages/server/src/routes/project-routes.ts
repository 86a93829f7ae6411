/** Health, projects (create, register, import, remove, reset) and the folder browser. */
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { scaffoldPrompts } from "@autowright/agent-runtime";
import {
  AppError,
  emptySnapshot,
  folderListQuerySchema,
  folderListResponseSchema,
  healthResponseSchema,
  okResponseSchema,
  type ProjectSummary,
  projectCreateRequestSchema,
  projectCreateResponseSchema,
  projectDetailResponseSchema,
  projectListResponseSchema,
  projectParamsSchema,
  projectResetRequestSchema,
  projectResetResponseSchema,
  protocolVersion,
} from "@autowright/protocol";
import {
  findAutoforgeDatabase,
  hasSpec,
  projectPaths,
  scaffoldProjectFiles,
  specTemplate,
} from "@autowright/store";
import { allowedPath, isWithin } from "../allowed-paths.ts";
import type { HttpApp } from "../http-app.ts";
import { importAutoforgeProject, setUpProject } from "../project-setup.ts";
import type { ServerServices } from "../server-services.ts";

/** A project's summary; a project whose folder is gone is listed with the problem instead of failing the list. */
export function projectSummary(services: ServerServices, name: string): ProjectSummary {
  const project = services.registry.getProject(name);
  if (project === undefined) throw new AppError("project_not_found", `no such project: ${name}`);
  try {
    const host = services.hosts.host(name);
    return { ...project, hasSpec: hasSpec(host.paths), progress: host.live.snapshot.progress };
  } catch (error) {
    const message = AppError.isInstance(error) ? error.message : String(error);
    return { ...project, hasSpec: false, progress: emptySnapshot().progress, problem: message };
  }
}

/** The routes. */
export function projectRoutes(services: ServerServices): (app: HttpApp) => void {
  return (app) => {
    app.get(
      "/api/health",
      { schema: { tags: ["server"], summary: "The server is up", response: { 200: healthResponseSchema } } },
      async () => ({
        ok: true as const,
        version: services.version,
        protocolVersion,
        pid: process.pid,
        startedAt: services.startedAt,
      }),
    );

    app.get(
      "/api/projects",
      {
        schema: {
          tags: ["projects"],
          summary: "Every registered project with its progress",
          response: { 200: projectListResponseSchema },
        },
      },
      async () => ({
        projects: services.hosts.list().map((project) => projectSummary(services, project.name)),
      }),
    );

    app.post(
      "/api/projects",
      {
        schema: {
          tags: ["projects"],
          summary: "Create a project, register an existing folder, or import an AutoForge project",
          body: projectCreateRequestSchema,
          response: { 201: projectCreateResponseSchema, 200: projectCreateResponseSchema },
        },
      },
      async (request, reply) => {
        const { name, path, spec, importAutoforge } = request.body;
        const root = allowedPath(path, services.allowedRoots);
        if (importAutoforge === true) {
          if (!existsSync(root) || !statSync(root).isDirectory())
            throw new AppError("directory_not_found", `no such folder: ${root}`);
          const imported = importAutoforgeProject(services.registry, { name, root });
          return reply.status(201).send({
            project: projectSummary(services, imported.project.name),
            created: true,
            imported: imported.source.features.length,
          });
        }
        const setup = setUpProject(services.registry, {
          name,
          root,
          ...(spec === undefined ? {} : { specText: spec }),
        });
        return reply
          .status(setup.created ? 201 : 200)
          .send({ project: projectSummary(services, setup.project.name), created: setup.created });
      },
    );

    app.get(
      "/api/projects/:name",
      {
        schema: {
          tags: ["projects"],
          summary: "One project: its progress and its run",
          params: projectParamsSchema,
          response: { 200: projectDetailResponseSchema },
        },
      },
      async (request) => ({
        project: projectSummary(services, request.params.name),
        run: services.hosts.run(request.params.name).state(),
      }),
    );

    app.delete(
      "/api/projects/:name",
      {
        schema: {
          tags: ["projects"],
          summary: "Unregister a project (its folder and files stay); refused while it runs",
          params: projectParamsSchema,
          response: { 200: okResponseSchema },
        },
      },
      async (request) => {
        const { name } = request.params;
        if (services.registry.getProject(name) === undefined)
          throw new AppError("project_not_found", `no such project: ${name}`);
        if (isRunActive(services, name))
          throw new AppError("conflict", `${name} is running: stop its run before removing it`);
        await services.hosts.remove(name);
        return { ok: true as const };
      },
    );

    app.post(
      "/api/projects/:name/reset",
      {
        schema: {
          tags: ["projects"],
          summary: "Reset a project: quick (backlog, sessions, events) or full (also the spec and prompts)",
          params: projectParamsSchema,
          body: projectResetRequestSchema.nullish(),
          response: { 200: projectResetResponseSchema },
        },
      },
      async (request) => {
        const { name } = request.params;
        const mode = request.body?.mode ?? "quick";
        const host = services.hosts.host(name);
        if (services.hosts.run(name).active)
          throw new AppError("conflict", `${name} is running: stop its run before resetting it`);
        const removedFeatures = host.store.resetBacklog();
        if (mode === "full") {
          const paths = projectPaths(host.paths.root);
          for (const entry of readdirSync(paths.promptsDirectory)) {
            if (entry.endsWith(".md")) rmSync(join(paths.promptsDirectory, entry), { force: true });
          }
          writeFileSync(paths.specFile, specTemplate);
          scaffoldProjectFiles(paths, {});
          scaffoldPrompts(paths.promptsDirectory);
        }
        host.publishChanges();
        return { removedFeatures, mode };
      },
    );

    app.get(
      "/api/fs/list",
      {
        schema: {
          tags: ["folders"],
          summary:
            "List the sub-folders of a folder, to choose a project folder (hidden folders are not listed)",
          querystring: folderListQuerySchema,
          response: { 200: folderListResponseSchema },
        },
      },
      async (request) => {
        const path = allowedPath(request.query.path ?? homedir(), services.allowedRoots);
        if (!existsSync(path) || !statSync(path).isDirectory())
          throw new AppError("directory_not_found", `no such folder: ${path}`);
        const entries = readdirSync(path, { withFileTypes: true })
          .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
          .slice(0, 2_000)
          .map((entry) => {
            const child = join(path, entry.name);
            return {
              name: entry.name,
              path: child,
              kind: "directory" as const,
              isProject: existsSync(projectPaths(child).database),
              isAutoforgeProject: findAutoforgeDatabase(child) !== undefined,
            };
          })
          .sort((left, right) => left.name.localeCompare(right.name));
        const parent = dirname(path);
        const parentAllowed = parent !== path && services.allowedRoots.some((root) => isWithin(root, parent));
        return { path, parent: parentAllowed ? parent : null, entries };
      },
    );
  };
}

function isRunActive(services: ServerServices, name: string): boolean {
  try {
    return services.hosts.run(name).active;
  } catch {
    return false;
  }
}
