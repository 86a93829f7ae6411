/**
 * Running one agent session from claim to settlement: claim the features under a lease, give the agent a worktree,
 * a mascot, ports and its prompt, start it on a warm worker, answer its backlog calls, renew its leases on
 * heartbeats, stop it when it shows no progress, and once its worker has ended hand it to the settlement. The
 * agent's end (slot and mascot freed, `agent.ended` with the real outcome) happens in one synchronous step.
 */
import { readFileSync } from "node:fs";
import { buildSessionPrompt, loadPromptTemplate, type PromptRole } from "@autowright/agent-runtime";
import type {
  AgentMascotName,
  AgentState,
  BacklogCallResult,
  BacklogToolName,
  Feature,
  FeatureId,
  OrchestratedRole,
  Provider,
  SessionOutcome,
  Settings,
  Usage,
  WorkerOutboundFrame,
  WorkerStartFrame,
} from "@autowright/protocol";
import { agentMascotNames, costOf } from "@autowright/protocol";
import { hasSpec, type ProjectStore } from "@autowright/store";
import { errorMessage } from "./error-message.ts";
import type { EventBus } from "./event-bus.ts";
import type { Workspace } from "./git/workspaces.ts";
import { MascotRoster } from "./mascots.ts";
import type { ProjectChecks } from "./project-checks.ts";
import type { Settlement } from "./settlement.ts";
import type { StatusEvents } from "./status-events.ts";
import type { ProcessSessionOptions, WorkerSession } from "./worker-session.ts";

/** A session the orchestrator runs. */
export interface RunningSession {
  readonly id: string;
  readonly role: OrchestratedRole;
  readonly featureIds: FeatureId[];
  readonly mascot: AgentMascotName;
  /** The model it runs, to price its tokens when the runtime does not report a cost. */
  readonly model: string;
  readonly worker: WorkerSession;
  readonly worktree: { path: string; branch: string } | undefined;
  /**
   * `working` while its worker runs (it holds a concurrency slot); `settling` once the worker has ended and the
   * verifier and merge queue decide its outcome (the slot is free for the next agent, the mascot is still its).
   */
  phase: "working" | "settling";
  state: AgentState;
  usage: Usage;
  /** Cancels the session when it reports no activity for the no-progress limit. */
  watchdog: NodeJS.Timeout | undefined;
  /** Set when the watchdog cancelled the session: its outcome is `timed_out`, with this reason. */
  noProgress: string | undefined;
}

/** What a session runs with beyond its role and features. */
export interface SessionExtras {
  /** The spec, for the initializer. */
  readonly spec?: string;
  /** The session's time limit; the `sessionTimeoutMinutes` setting by default. */
  readonly timeoutMs?: number;
  /** Appended to the prompt (a testing agent's failing check, say). */
  readonly context?: string;
}

/** What the runner needs of the worker pool. */
export interface WorkerLauncher {
  start(options: ProcessSessionOptions): WorkerSession;
}

/** What the runner needs of the worktrees. */
export interface SessionWorkspaces {
  create(sessionId: string): Promise<Workspace>;
  remove(sessionId: string): Promise<void>;
}

/** What the runner tells the governors. */
export interface SessionGovernorHooks {
  /** A session reported usage: the budget may be exceeded. */
  readonly onUsage: () => void;
  /** A session hit the provider's rate limit. */
  readonly onRateLimited: (resetAt: string | null, message: string | undefined) => void;
  /** A session's worker has ended with this outcome (an authentication failure stops the run). */
  readonly onWorkerEnded: (outcome: SessionOutcome, summary: string) => void;
}

/** Options of {@link SessionRunner}. */
export interface SessionRunnerOptions {
  readonly store: ProjectStore;
  readonly bus: EventBus;
  readonly status: StatusEvents;
  readonly now: () => Date;
  readonly settings: () => Settings;
  readonly provider: () => Provider;
  readonly model: (role: OrchestratedRole) => string;
  readonly home: string;
  readonly replay: WorkerStartFrame["replay"];
  readonly leaseMs: number;
  readonly noProgressMs: () => number;
  readonly portBase: number;
  readonly workers: WorkerLauncher;
  readonly workspaces: SessionWorkspaces;
  readonly backlogCall: (
    tool: BacklogToolName,
    input: unknown,
    sessionId: string,
    role: OrchestratedRole,
  ) => BacklogCallResult;
  readonly checks: ProjectChecks;
  readonly settlement: Settlement;
  readonly governors: SessionGovernorHooks;
  /** Asks for a scheduling tick. */
  readonly wake: () => void;
  /** True once the run has ended: late frames and calls of a worker change nothing. */
  readonly ended: () => boolean;
  /** Why the run is stopping, or undefined: a session that registers while it stops is cancelled at once. */
  readonly stopping: () => string | undefined;
}

/** Ports per session: `PORT` is the first; the agent may use the rest for other servers (an API, a database). */
export const portsPerSession = 10;

/** Runs sessions and keeps the ones in flight. */
export class SessionRunner {
  readonly #options: SessionRunnerOptions;
  readonly #mascots = new MascotRoster();
  readonly #running = new Map<string, RunningSession>();
  #launching = 0;
  #counter = 0;
  #specWarning = false;

  constructor(options: SessionRunnerOptions) {
    this.#options = options;
  }

  /** Sessions in flight (working or settling), by id. */
  get running(): ReadonlyMap<string, RunningSession> {
    return this.#running;
  }

  /** Sessions launched but not yet running (their worktree is being created). */
  get launching(): number {
    return this.#launching;
  }

  /** Sessions whose worker is still running (the ones that hold a concurrency slot). */
  working(): RunningSession[] {
    return [...this.#running.values()].filter((session) => session.phase === "working");
  }

  /** How many more agents may start now: within the concurrency and the mascots (one each, never shared). */
  freeSlots(maxConcurrency: number): number {
    return Math.min(
      maxConcurrency - this.working().length - this.#launching,
      agentMascotNames.length - this.#running.size - this.#launching,
    );
  }

  /** Features held by sessions in flight. */
  busyFeatures(): Set<FeatureId> {
    return new Set([...this.#running.values()].flatMap((session) => session.featureIds));
  }

  /** Asks every session to stop. */
  cancelAll(reason: string): void {
    for (const session of this.#running.values()) session.worker.cancel(reason);
  }

  /** Asks one session to stop; false when there is no such session. */
  cancel(sessionId: string, reason: string): boolean {
    const session = this.#running.get(sessionId);
    session?.worker.cancel(reason);
    return session !== undefined;
  }

  /** Runs one session from claim to verification and merge; resolves with its final outcome. */
  async run(
    role: OrchestratedRole,
    featureIds: FeatureId[],
    extras: SessionExtras = {},
  ): Promise<SessionOutcome> {
    this.#launching += 1;
    let registered = false;
    const register = (): void => {
      if (!registered) this.#launching -= 1;
      registered = true;
    };
    try {
      return await this.#launch(role, featureIds, extras, register);
    } finally {
      register();
    }
  }

  async #launch(
    role: OrchestratedRole,
    featureIds: FeatureId[],
    extras: SessionExtras,
    register: () => void,
  ): Promise<SessionOutcome> {
    const { store, bus, status, settings } = this.#options;
    this.#counter += 1;
    const sessionId = `${role}-${Date.now().toString(36)}-${this.#counter}`;
    const leaseExpiry = (): string =>
      new Date(this.#options.now().getTime() + this.#options.leaseMs).toISOString();
    const claimed: FeatureId[] = [];
    for (const id of featureIds) {
      try {
        store.claimFeature(id, {
          owner: sessionId,
          expiresAt: leaseExpiry(),
          maxAttempts: settings().maxAttempts,
        });
        claimed.push(id);
      } catch (error) {
        status.log("warn", `could not claim #${id}: ${errorMessage(error)}`);
      }
    }
    bus.flush();
    if (role !== "initializer" && claimed.length === 0) return "failed";

    // Whatever the concurrency now: it can be raised while this session runs, and a session in the main tree
    // would then share it with the merges of the others.
    const isolated = role === "coding" && settings().isolation === "worktree";
    let worktree: Workspace | undefined;
    const mascot = this.#mascots.take();
    try {
      if (isolated) worktree = await this.#options.workspaces.create(sessionId);
    } catch (error) {
      this.#mascots.release(mascot.name);
      for (const id of claimed) {
        this.#options.settlement.giveBack(
          id,
          sessionId,
          `could not create a worktree: ${errorMessage(error)}`,
          false,
        );
      }
      return "failed";
    }
    const cwd = worktree?.path ?? store.paths.root;
    const features = claimed.map((id) => store.getFeature(id)).filter((feature) => feature !== undefined);
    const model = this.#options.model(role);
    const provider = this.#options.provider();
    const prompt = this.#prompt(role, features, cwd, worktree, extras);
    store.startSession({ id: sessionId, role, featureIds: claimed, model, provider });
    bus.durable("agent.started", {
      agentId: sessionId,
      index: mascot.index,
      name: mascot.name,
      role,
      featureIds: claimed,
      featureNames: features.map((feature) => feature.name),
      model,
    });
    if (role !== "initializer") {
      status.decide(
        "agent_spawned",
        `${mascot.name} (${role}) starts on ${features.map((feature) => `#${feature.id} ${feature.name}`).join(", ")}`,
        { agentId: sessionId, ...(claimed[0] === undefined ? {} : { featureId: claimed[0] }) },
      );
    }

    let session: RunningSession | undefined;
    const worker = this.#options.workers.start({
      silenceLimitMs: this.#options.leaseMs,
      start: {
        sessionId,
        role,
        featureIds: claimed,
        features: features.map(({ id, name }) => ({ id, name })),
        prompt,
        provider,
        model,
        cwd,
        projectRoot: store.paths.root,
        home: this.#options.home,
        env: this.#portsOf(mascot.index),
        limits: { timeoutMs: extras.timeoutMs ?? settings().sessionTimeoutMinutes * 60_000 },
        ...(this.#options.replay === undefined ? {} : { replay: this.#options.replay }),
      },
      onBacklogCall: (tool, input) => {
        if (this.#options.ended()) {
          return { ok: false, error: { code: "cancelled", message: "the run has ended" } };
        }
        if (session !== undefined) this.#sawActivity(session);
        const answer = this.#options.backlogCall(tool as BacklogToolName, input, sessionId, role);
        bus.flush();
        this.#options.wake();
        return answer;
      },
      onFrame: (frame) => {
        if (session !== undefined && !this.#options.ended()) this.#onFrame(session, frame, leaseExpiry);
      },
    });
    session = {
      id: sessionId,
      role,
      featureIds: claimed,
      mascot: mascot.name,
      model,
      worker,
      worktree,
      phase: "working",
      state: "idle",
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      watchdog: undefined,
      noProgress: undefined,
    };
    this.#running.set(sessionId, session);
    register();
    // A stop that came while this session was being launched did not reach it.
    const stopping = this.#options.stopping();
    if (stopping !== undefined) worker.cancel(stopping);
    status.log(
      "info",
      `${mascot.name} (${role}) started on ${claimed.length === 0 ? "the spec" : claimed.map((id) => `#${id}`).join(", ")}`,
      sessionId,
    );
    this.#options.wake();

    const ended = await worker.done;
    if (session.watchdog !== undefined) clearTimeout(session.watchdog);
    const watchdogStopped = session.noProgress !== undefined && ended.outcome === "cancelled";
    const workerOutcome: SessionOutcome = watchdogStopped ? "timed_out" : ended.outcome;
    const summary = watchdogStopped ? (session.noProgress ?? ended.summary) : ended.summary;
    // The worker is gone: its slot goes to the next agent while the verifier and the merge queue settle this one
    // in its own worktree. A session in the shared tree keeps the slot: a new agent there would edit the files
    // being checked.
    if (worktree !== undefined) session.phase = "settling";
    this.#options.governors.onWorkerEnded(workerOutcome, summary);
    this.#options.wake();
    const outcome = await this.#settle(session, workerOutcome, summary);
    if (worktree !== undefined) {
      await this.#options.workspaces.remove(sessionId).catch((error: unknown) => {
        status.log(
          "warn",
          `could not remove the worktree of ${sessionId}: ${errorMessage(error)}`,
          sessionId,
        );
      });
    }
    status.log(
      outcome === "passed" ? "info" : "warn",
      `${mascot.name} (${role}) ended ${outcome}: ${summary.slice(0, 300)}`,
      sessionId,
    );
    this.#options.wake();
    return outcome;
  }

  /** Settles the session and ends the agent (slot and mascot freed, `agent.ended`) in one synchronous step. */
  async #settle(
    session: RunningSession,
    workerOutcome: SessionOutcome,
    summary: string,
  ): Promise<SessionOutcome> {
    const { store, bus, status, settlement } = this.#options;
    let outcome: SessionOutcome = workerOutcome;
    const settling = {
      id: session.id,
      featureIds: session.featureIds,
      worktree: session.worktree,
      setState: (state: AgentState, thought: string) => {
        session.state = state;
        bus.durable("agent.updated", { agentId: session.id, state, thought });
      },
    };
    try {
      if (session.role === "coding")
        outcome = await settlement.settleCoding(settling, workerOutcome, summary);
      else if (session.role === "testing") settlement.settleTesting(settling, summary);
      else if (outcome !== "passed")
        status.log("warn", `the initializer ended ${outcome}: ${summary}`, session.id);
    } catch (error) {
      status.log("error", `settling ${session.id} failed: ${errorMessage(error)}`, session.id);
      outcome = "failed";
      // Nothing the session held may stay leased or verifying: it goes back to the queue, as an attempt.
      for (const id of session.featureIds) {
        try {
          settlement.giveBack(id, session.id, `settling the session failed: ${errorMessage(error)}`, true);
        } catch (giveBackError) {
          status.log("error", `could not give #${id} back: ${errorMessage(giveBackError)}`, session.id);
        }
      }
    } finally {
      this.#running.delete(session.id);
      this.#mascots.release(session.mascot);
      store.endSession(session.id, { outcome, summary, usage: session.usage });
      bus.durable("agent.updated", {
        agentId: session.id,
        state: outcome === "passed" ? "success" : "error",
      });
      bus.durable("agent.ended", {
        agentId: session.id,
        featureIds: session.featureIds,
        outcome,
        usage: session.usage,
      });
    }
    return outcome;
  }

  #prompt(
    role: OrchestratedRole,
    features: readonly Feature[],
    cwd: string,
    worktree: Workspace | undefined,
    extras: SessionExtras,
  ): string {
    const { store, checks, settings } = this.#options;
    const base = buildSessionPrompt({
      template: loadPromptTemplate(store.paths.promptsDirectory, role as PromptRole),
      features,
      spec: extras.spec ?? this.#readSpec(),
      cwd,
      branch: worktree?.branch ?? "the main branch",
      testCommand: checks.testCommand(cwd),
      yolo: settings().yolo,
    });
    return extras.context === undefined ? base : `${base}\n\n${extras.context}\n`;
  }

  /** The app spec for a prompt; "" without one. A spec that cannot be read is said once in the log. */
  #readSpec(): string {
    const { paths } = this.#options.store;
    if (!hasSpec(paths)) return "";
    try {
      return readFileSync(paths.specFile, "utf8");
    } catch (error) {
      if (!this.#specWarning) {
        this.#specWarning = true;
        this.#options.status.log(
          "warn",
          `could not read the app spec ${paths.specFile} (${errorMessage(error)}): the agents work without it`,
        );
      }
      return "";
    }
  }

  /**
   * The ports of a session, so that the dev servers of parallel agents never collide: a block of
   * {@link portsPerSession} from the base, chosen by the agent's mascot index (unique among live agents).
   */
  #portsOf(mascotIndex: number): Record<string, string> {
    const first = this.#options.portBase + mascotIndex * portsPerSession;
    return { PORT: String(first), AUTOWRIGHT_PORT_RANGE: `${first}-${first + portsPerSession - 1}` };
  }

  /** Starts the no-progress watchdog: heartbeats prove the worker lives, only activity proves progress. */
  #armWatchdog(session: RunningSession): void {
    const limitMs = this.#options.noProgressMs();
    session.watchdog = setTimeout(() => {
      if (session.phase !== "working" || this.#options.ended()) return;
      const minutes = limitMs / 60_000;
      const span = limitMs % 60_000 === 0 ? `${minutes} minute${minutes === 1 ? "" : "s"}` : `${limitMs} ms`;
      session.noProgress = `no progress for ${span}: the agent reported no activity (no tool call, text or state change), so it was stopped`;
      this.#options.status.log("warn", `${session.mascot}: ${session.noProgress}`, session.id);
      session.worker.cancel(session.noProgress);
    }, limitMs);
    session.watchdog.unref();
  }

  /** The watchdog starts with the worker's first frame (a worker still starting up is the silence limit's). */
  #sawActivity(session: RunningSession): void {
    if (session.watchdog === undefined) this.#armWatchdog(session);
    else if (session.noProgress === undefined) session.watchdog.refresh();
  }

  #onFrame(session: RunningSession, frame: WorkerOutboundFrame, leaseExpiry: () => string): void {
    const { store, bus, status } = this.#options;
    if (frame.type !== "heartbeat" || session.watchdog === undefined) this.#sawActivity(session);
    switch (frame.type) {
      case "heartbeat":
        store.renewLeases(session.id, leaseExpiry());
        break;
      case "agent.state":
        if (frame.state === "success" || frame.state === "error") break; // decided after verification
        session.state = frame.state;
        // A burst of state frames (thinking, tool, thinking…) costs one stored event per event-loop turn.
        bus.coalesce(session.id, "agent.updated", {
          agentId: session.id,
          state: frame.state,
          ...(frame.thought === undefined ? {} : { thought: frame.thought }),
          ...(frame.tool === undefined ? {} : { tool: frame.tool }),
        });
        break;
      case "text":
        status.log("info", frame.text.slice(0, 2_000), session.id);
        break;
      case "log":
        status.log(frame.level, frame.line, session.id);
        break;
      case "tool.called":
        status.log(
          "debug",
          `${frame.tool}${frame.inputSummary === undefined ? "" : `: ${frame.inputSummary}`}`,
          session.id,
        );
        break;
      case "tool.ended":
        if (!frame.ok)
          status.log("debug", `${frame.tool} failed: ${(frame.error ?? "").slice(0, 500)}`, session.id);
        break;
      case "usage":
        session.usage = {
          inputTokens: frame.inputTokens,
          outputTokens: frame.outputTokens,
          costUsd: frame.costUsd ?? costOf(session.model, frame, this.#options.settings().modelPrices),
        };
        this.#options.governors.onUsage();
        break;
      case "rate_limited":
        session.state = "rate_limited";
        bus.durable("agent.updated", {
          agentId: session.id,
          state: "rate_limited",
          thought: frame.message ?? "rate limited by the provider",
          ...(frame.resetAt === null ? {} : { resetAt: frame.resetAt }),
        });
        this.#options.governors.onRateLimited(frame.resetAt, frame.message);
        break;
      case "auth_failed":
        session.state = "auth_failed";
        bus.durable("agent.updated", {
          agentId: session.id,
          state: "auth_failed",
          thought: "the provider refused the credentials: fix the API key or log in again",
        });
        break;
      default:
        break;
    }
  }
}
