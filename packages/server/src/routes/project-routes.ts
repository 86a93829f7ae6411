/** Health, projects (create, register, import, remove, reset), the demo project and the folder browser. */
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { scaffoldPrompts } from "@autowright/agent-runtime";
import {
  AppError,
  demoResponseSchema,
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
import { allowedPath, isWithin, realFuturePath } from "../allowed-paths.ts";
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

/** The name of the demo project (`POST /api/demo`), which lives in `<home>/demo`. */
export const demoProjectName = "demo";

/**
 * The demo's app spec: each top-level bullet becomes a feature when the replay initializer reads it (see
 * `replaySpecItems`), so it has exactly the six bullets of the features and no other.
 */
export const demoSpec = `# Demo: a small todo app

A todo list for one person, in the browser, kept in localStorage. This is autowright's offline demo: the
scripted replay model builds it, so it needs no provider, no key and no network.

## Features

- Add a todo with a title
- Mark a todo as done or not done
- Edit the title of a todo
- Delete a todo
- Filter the list: all, active, done
- Keep the todos across page reloads

## Technical notes

Plain HTML, CSS and JavaScript; \`npm test\` runs the tests with node --test.
`;

/** How the demo run goes: the offline model, slow enough to watch. */
export const demoRun = { provider: "replay", concurrency: 2, replayLatencyMs: 1_200 } as const;

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

    app.post(
      "/api/demo",
      {
        schema: {
          tags: ["projects"],
          summary:
            "Create (or reuse) the demo project in <home>/demo and start its offline replay run unless one is active",
          response: { 201: demoResponseSchema, 200: demoResponseSchema },
        },
      },
      async (_request, reply) => {
        const root = realFuturePath(join(services.home, demoProjectName));
        const registered = services.registry.getProject(demoProjectName);
        if (registered !== undefined && registered.path !== root) {
          throw new AppError(
            "project_exists",
            `a project named ${demoProjectName} is already registered at ${registered.path}: remove it (its files stay) to try the demo`,
          );
        }
        let created = false;
        const paths = projectPaths(root);
        // Set up again when it is new, its folder is gone, or a full reset took its spec (the run needs one).
        if (registered === undefined || !existsSync(paths.database) || !hasSpec(paths)) {
          created = setUpProject(services.registry, {
            name: demoProjectName,
            root,
            specText: demoSpec,
          }).created;
        }
        const run = services.hosts.run(demoProjectName);
        const concurrency = Math.min(demoRun.concurrency, services.registry.getSettings().concurrencyCap);
        let state = run.state();
        if (!run.active) {
          try {
            state = await run.start({ ...demoRun, concurrency });
          } catch (error) {
            // Two clicks at once: the other request started the run, which is what this one wanted.
            if (!(AppError.isInstance(error) && error.code === "conflict" && run.active)) throw error;
            state = run.state();
          }
        }
        return reply
          .status(created ? 201 : 200)
          .send({ project: projectSummary(services, demoProjectName), run: state });
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
        // No path: the home folder, or the first allowed folder when AUTOWRIGHT_PROJECT_ROOTS leaves home out.
        const home = homedir();
        const start = services.allowedRoots.some((root) => isWithin(root, home))
          ? home
          : (services.allowedRoots[0] ?? home);
        const path = allowedPath(request.query.path ?? start, services.allowedRoots);
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
        return { path, parent: parentAllowed ? parent : null, entries, roots: [...services.allowedRoots] };
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
