/**
 * The run's own events: `run.updated`, `progress.updated`, `orchestrator.updated` (each published only when it
 * changes) and the log lines of the orchestrator, its agents and the verifier.
 */
import type { BacklogAnalysis } from "@autowright/domain";
import type {
  FeatureId,
  LogLevel,
  LogSource,
  OrchestratorDecisionKind,
  OrchestratorState,
  Progress,
  RunStatus,
} from "@autowright/protocol";
import type { EventBus } from "./event-bus.ts";

/** Who is working, as `orchestrator.updated` counts them. */
export interface AgentCounts {
  /** Coding agents and the initializer holding a slot. */
  readonly coding: number;
  /** Testing agents holding a slot. */
  readonly testing: number;
  /** Agents whose worker has ended while the verifier and the merge queue settle their work. */
  readonly settling: number;
}

/** Publishes the run's status events, each only when it differs from the last one published. */
export class StatusEvents {
  readonly #bus: EventBus;
  #runStatus: RunStatus = "stopped";
  #lastProgress = "";
  #lastOrchestrator = "";

  constructor(bus: EventBus) {
    this.#bus = bus;
  }

  /** The run status last published. */
  get runStatus(): RunStatus {
    return this.#runStatus;
  }

  /** Publishes `run.updated` when the status changes, or whenever a reason is given. */
  setRun(status: RunStatus, reason?: string, resumeAt?: string): void {
    if (status === this.#runStatus && reason === undefined) return;
    this.#runStatus = status;
    this.#bus.durable("run.updated", {
      status,
      ...(reason === undefined ? {} : { reason }),
      ...(resumeAt === undefined ? {} : { resumeAt }),
    });
  }

  /** Publishes `progress.updated` when the counts changed. */
  progress(progress: Progress): void {
    const key = JSON.stringify(progress);
    if (key === this.#lastProgress) return;
    this.#lastProgress = key;
    this.#bus.durable("progress.updated", progress);
  }

  /** Publishes `orchestrator.updated` when anything in it changed. */
  orchestrator(
    state: OrchestratorState,
    message: string,
    agents: AgentCounts,
    maxConcurrency: number,
    analysis: Pick<BacklogAnalysis, "ready" | "blocked" | "stalled"> | undefined,
  ): void {
    const data = {
      state,
      message,
      codingAgents: agents.coding,
      testingAgents: agents.testing,
      verifyingAgents: agents.settling,
      maxConcurrency,
      readyCount: analysis?.ready.length ?? 0,
      blockedCount: analysis?.blocked.length ?? 0,
      ...(analysis !== undefined && analysis.stalled.length > 0
        ? { stalled: analysis.stalled.map((entry) => ({ featureId: entry.id, reason: entry.reason })) }
        : {}),
    };
    const key = JSON.stringify(data);
    if (key === this.#lastOrchestrator) return;
    this.#lastOrchestrator = key;
    this.#bus.durable("orchestrator.updated", data);
  }

  /**
   * Announces a decision of the orchestrator (`orchestrator.decided`, durable: the dashboard's ticker), and logs it
   * as an orchestrator line.
   */
  decide(
    kind: OrchestratorDecisionKind,
    message: string,
    about: { featureId?: FeatureId; agentId?: string } = {},
  ): void {
    this.#bus.durable("orchestrator.decided", {
      kind,
      message,
      ...(about.featureId === undefined ? {} : { featureId: about.featureId }),
      ...(about.agentId === undefined ? {} : { agentId: about.agentId }),
    });
  }

  /** A log line (live only): from the orchestrator, or from an agent when `agentId` is given. */
  log(level: LogLevel, line: string, agentId?: string, source?: LogSource): void {
    this.#bus.ephemeral("log.appended", {
      line,
      level,
      source: source ?? (agentId === undefined ? "orchestrator" : "agent"),
      ...(agentId === undefined ? {} : { agentId }),
    });
  }
}
