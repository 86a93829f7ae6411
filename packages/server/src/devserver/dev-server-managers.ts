/** The dev server managers of the open projects: one per project, made on first use, closed with the project. */
import { AppError } from "@autowright/protocol";
import type { ServerContext } from "../server-context.ts";
import { DevServerManager, type DevServerOptions } from "./dev-server-manager.ts";

/** One {@link DevServerManager} per open project. */
export class DevServerManagers {
  readonly #context: ServerContext;
  readonly #options: DevServerOptions;
  readonly #managers = new Map<string, DevServerManager>();
  #closed = false;

  constructor(context: ServerContext, options: DevServerOptions = {}) {
    this.#context = context;
    this.#options = options;
  }

  /**
   * The manager of the project `name` (`project_not_found` when it is not open). A project that was closed and
   * opened again gets a new manager.
   */
  of(name: string): DevServerManager {
    if (this.#closed) throw new AppError("conflict", "the server is shutting down: dev servers cannot start");
    const project = this.#context.project(name);
    const existing = this.#managers.get(name);
    if (existing !== undefined && existing.project === project && !existing.closed) return existing;
    if (existing !== undefined) void existing.close();
    const manager = new DevServerManager(
      project,
      () => this.#context.userProcessEnvironment(),
      this.#options,
    );
    this.#managers.set(name, manager);
    return manager;
  }

  /** Stops the dev server of `name` and forgets its manager (when the project closes or is removed). */
  async closeProject(name: string): Promise<void> {
    const manager = this.#managers.get(name);
    this.#managers.delete(name);
    await manager?.close();
  }

  /** Stops every dev server; `of` is refused from then on. */
  async close(): Promise<void> {
    this.#closed = true;
    const managers = [...this.#managers.values()];
    this.#managers.clear();
    await Promise.all(managers.map((manager) => manager.close()));
  }
}
