/**
 * One registered project, held open by the server: its store (the server is the only writer), its one event bus
 * (it outlives runs: REST edits, dev servers and runs all publish on it), the live state folded from that bus once
 * for every client, and its run. Opening a host claims the project's ownership, so `autowright run` elsewhere
 * refuses it with a pointer to this server.
 */
import { computeProgress } from "@autowright/domain";
import { EventBus } from "@autowright/orchestrator";
import {
  applyEvent,
  emptySnapshot,
  initialLiveState,
  type LiveState,
  type Project,
  type ServerEvent,
  type Settings,
  snapshotDecisionLimit,
} from "@autowright/protocol";
import { claimProjectOwnership, type ProjectPaths, ProjectStore, projectPaths } from "@autowright/store";
import type { ProjectContext } from "./server-context.ts";

/** An open project. */
export class ProjectHost implements ProjectContext {
  readonly name: string;
  readonly paths: ProjectPaths;
  readonly store: ProjectStore;
  readonly events: EventBus;
  readonly #settings: () => Settings;
  readonly #release: () => void;
  #live: LiveState;
  #progressQueued = false;
  /** True while a run publishes the progress itself (on each tick): the host does not repeat it. */
  runOwnsProgress = false;
  #closed = false;
  readonly #closers: (() => void | Promise<void>)[] = [];

  private constructor(project: Project, store: ProjectStore, release: () => void, settings: () => Settings) {
    this.name = project.name;
    this.paths = store.paths;
    this.store = store;
    this.#release = release;
    this.#settings = settings;
    this.events = new EventBus(store);
    this.#live = initialLiveState(this.#initialSnapshot(), store.lastSeq());
    this.events.subscribe((event) => this.#onEvent(event));
  }

  /** Opens a registered project (claiming its ownership as this server at `url`). */
  static open(project: Project, options: { url: string; settings: () => Settings }): ProjectHost {
    const paths = projectPaths(project.path);
    const release = claimProjectOwnership(paths, { kind: "server", url: options.url });
    let store: ProjectStore;
    try {
      store = ProjectStore.open(project.path);
    } catch (error) {
      release();
      throw error;
    }
    return new ProjectHost(project, store, release, options.settings);
  }

  /** The live state: the snapshot a new client gets in `hello`, and the seq it is at. */
  get live(): LiveState {
    return this.#live;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `closer` when the host closes (dev servers, terminals, schedules of this project). */
  onClose(closer: () => void | Promise<void>): void {
    this.#closers.push(closer);
  }

  /** Publishes what the store appended (after a REST change) and the progress it leads to. */
  publishChanges(): void {
    this.events.flush();
    this.#publishProgress();
  }

  /** Closes the parts, the bus and the store, and gives the project up. Closing twice is a no-op. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const closer of this.#closers.reverse()) {
      try {
        await closer();
      } catch {
        // A part that fails to close must not keep the store open.
      }
    }
    try {
      this.events.close();
    } finally {
      this.store.close();
      this.#release();
    }
  }

  #onEvent(event: ServerEvent): void {
    this.#live = applyEvent(this.#live, event);
    if (
      event.type === "feature.created" ||
      event.type === "feature.updated" ||
      event.type === "feature.deleted"
    )
      this.#queueProgress();
  }

  /** Progress follows every feature change, also without a run (a run publishes its own on each tick too). */
  #queueProgress(): void {
    if (this.#progressQueued) return;
    this.#progressQueued = true;
    setImmediate(() => {
      this.#progressQueued = false;
      if (!this.#closed) this.#publishProgress();
    });
  }

  #publishProgress(): void {
    if (this.runOwnsProgress) return;
    const progress = computeProgress(this.store.listFeatures(), {
      maxAttempts: this.#settings().maxAttempts,
    });
    if (JSON.stringify(progress) === JSON.stringify(this.#live.snapshot.progress)) return;
    this.events.durable("progress.updated", progress);
  }

  #initialSnapshot() {
    const snapshot = emptySnapshot();
    const settings = this.#settings();
    snapshot.progress = computeProgress(this.store.listFeatures(), { maxAttempts: settings.maxAttempts });
    snapshot.orchestrator = { ...snapshot.orchestrator, maxConcurrency: settings.maxConcurrency };
    snapshot.decisions = this.store
      .recentEvents("orchestrator.decided", snapshotDecisionLimit)
      .map((event) => ({ ...event.data, seq: event.seq, at: event.at }));
    return snapshot;
  }
}
