/**
 * The projects the server holds open: one {@link ProjectHost} (store, bus, live state) and one
 * {@link RunController} per registered project, opened on first use and kept open until the project is removed
 * or the server closes. Parts of the server (dev servers, terminals, schedules, chats) attach one object per
 * project with {@link ProjectHosts.part}; they are closed with their project.
 */
import { existsSync } from "node:fs";
import { AppError, type Project, type Settings } from "@autowright/protocol";
import type { Registry } from "@autowright/store";
import { ProjectHost } from "./project-host.ts";
import { RunController, type RunControllerOptions } from "./run-controller.ts";

/** Something a part attaches to a project; closed with it. */
export interface ProjectPart {
  close(): void | Promise<void>;
}

interface OpenProject {
  readonly host: ProjectHost;
  readonly run: RunController;
  readonly parts: Map<string, ProjectPart>;
}

/** The open projects. */
export class ProjectHosts {
  readonly #registry: Registry;
  readonly #url: () => string;
  readonly #settings: () => Settings;
  readonly #runOptions: RunControllerOptions;
  readonly #open = new Map<string, OpenProject>();
  readonly #openListeners: ((host: ProjectHost, run: RunController) => void)[] = [];
  #closed = false;

  constructor(options: {
    registry: Registry;
    url: () => string;
    settings: () => Settings;
    run: RunControllerOptions;
  }) {
    this.#registry = options.registry;
    this.#url = options.url;
    this.#settings = options.settings;
    this.#runOptions = options.run;
  }

  /** Registered projects, by name. */
  list(): Project[] {
    return this.#registry.listProjects();
  }

  /** Calls `listener` for every project opened from now on (to attach its parts). */
  onOpen(listener: (host: ProjectHost, run: RunController) => void): void {
    this.#openListeners.push(listener);
  }

  /** The open host of a registered project (opened now if needed). */
  host(name: string): ProjectHost {
    return this.#get(name).host;
  }

  /** The run controller of a registered project. */
  run(name: string): RunController {
    return this.#get(name).run;
  }

  /** The hosts open now (for fan-out and shutdown), without opening any. */
  openHosts(): ProjectHost[] {
    return [...this.#open.values()].map((entry) => entry.host);
  }

  /** The part `key` of a project, created by `create` on first use. */
  part<T extends ProjectPart>(
    name: string,
    key: string,
    create: (host: ProjectHost, run: RunController) => T,
  ): T {
    const entry = this.#get(name);
    let part = entry.parts.get(key);
    if (part === undefined) {
      part = create(entry.host, entry.run);
      entry.parts.set(key, part);
    }
    return part as T;
  }

  /** Stops the project's run, closes it and unregisters it (its files stay). */
  async remove(name: string): Promise<void> {
    if (this.#registry.getProject(name) === undefined)
      throw new AppError("project_not_found", `no such project: ${name}`);
    await this.#closeProject(name, "the project is being removed");
    this.#registry.unregisterProject(name);
  }

  /** Stops every run and closes every project. Nothing of them runs afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(
      [...this.#open.keys()].map((name) => this.#closeProject(name, "the server is shutting down")),
    );
  }

  /** Closes one project (its run stopped first), if it is open. */
  async #closeProject(name: string, reason: string): Promise<void> {
    const entry = this.#open.get(name);
    if (entry === undefined) return;
    this.#open.delete(name);
    try {
      await entry.run.stop(reason);
    } finally {
      for (const part of [...entry.parts.values()].reverse()) {
        try {
          await part.close();
        } catch {
          // One part failing to close must not keep the others (or the store) open.
        }
      }
      await entry.host.close();
    }
  }

  #get(name: string): OpenProject {
    if (this.#closed) throw new AppError("store_closed", "the server is shutting down");
    const open = this.#open.get(name);
    if (open !== undefined) return open;
    const project = this.#registry.getProject(name);
    if (project === undefined) throw new AppError("project_not_found", `no such project: ${name}`);
    if (!existsSync(project.path)) {
      throw new AppError(
        "directory_not_found",
        `project ${name} is registered at ${project.path}, which no longer exists`,
      );
    }
    const host = ProjectHost.open(project, { url: this.#url(), settings: this.#settings });
    const run = new RunController(host, this.#runOptions);
    const entry: OpenProject = { host, run, parts: new Map() };
    this.#open.set(name, entry);
    for (const listener of this.#openListeners) listener(host, run);
    return entry;
  }
}
