/**
 * Test fixture: a real project in a temporary directory (scaffolded `.autowright/`, an open store, a real event
 * bus) and a {@link ServerContext} around it, for tests of the server's parts. Every published event is recorded.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { commandEnvironment } from "@autowright/agent-runtime";
import { EventBus } from "@autowright/orchestrator";
import { AppError, type ServerEvent, type Settings, settingsSchema } from "@autowright/protocol";
import { ProjectStore, projectPaths, scaffoldProjectFiles } from "@autowright/store";
import { temporaryDirectory } from "@autowright/testkit";
import type { ProjectContext, ServerContext } from "./server-context.ts";

/** A project and server context for a test; dispose it (or call `close`) at the end. */
export interface TestProject extends Disposable {
  readonly root: string;
  readonly home: string;
  readonly project: ProjectContext;
  readonly server: ServerContext;
  /** Every event published on the project's bus, in order. */
  readonly events: ServerEvent[];
  close(): void;
}

/** Creates a project named `name` (default `demo`) with the given settings. */
export function createTestProject(
  options: { name?: string; settings?: Partial<Settings> } = {},
): TestProject {
  const directory = temporaryDirectory("autowright-server-test-");
  const root = join(directory.path, "project");
  const home = join(directory.path, "home");
  mkdirSync(root, { recursive: true });
  mkdirSync(home, { recursive: true });
  const paths = projectPaths(root);
  scaffoldProjectFiles(paths, {});
  const store = ProjectStore.open(root, { create: true });
  const bus = new EventBus(store);
  const events: ServerEvent[] = [];
  bus.subscribe((event) => events.push(event));
  const name = options.name ?? "demo";
  const settings = settingsSchema.parse(options.settings ?? {});
  const project: ProjectContext = { name, paths, store, events: bus };
  const server: ServerContext = {
    home,
    version: "0.0.0-test",
    settings: () => settings,
    project: (wanted) => {
      if (wanted !== name) throw new AppError("project_not_found", `no such project: ${wanted}`);
      return project;
    },
    userProcessEnvironment: () => commandEnvironment(process.env),
  };
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    try {
      if (!bus.closed) bus.close();
    } finally {
      store.close();
      directory[Symbol.dispose]();
    }
  };
  return { root, home, project, server, events, close, [Symbol.dispose]: close };
}
