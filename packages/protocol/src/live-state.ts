/**
 * The one reducer of the live state: the `hello` snapshot, then each event, folded into what the dashboard shows
 * (run, orchestrator, agents, progress, dev server, recent decisions). The server keeps one live state per project
 * with it, computed once for every client, and the browser folds the same events with the same function, so the
 * two cannot drift. Pure: no clock, no I/O; the input is never mutated.
 */
import {
  type DecisionSnapshot,
  isDurableEventType,
  type ServerEvent,
  type Snapshot,
  snapshotDecisionLimit,
} from "./events.ts";

/** A snapshot and the seq of the last durable event folded into it. */
export interface LiveState {
  readonly lastSeq: number;
  readonly snapshot: Snapshot;
}

/** The snapshot of a project where nothing has happened yet (no run, no agents, an empty backlog). */
export function emptySnapshot(): Snapshot {
  return {
    run: { status: "stopped" },
    orchestrator: {
      state: "idle",
      message: "not running",
      codingAgents: 0,
      testingAgents: 0,
      maxConcurrency: 1,
      readyCount: 0,
      blockedCount: 0,
    },
    agents: [],
    progress: {
      passing: 0,
      unverified: 0,
      inProgress: 0,
      verifying: 0,
      needsInput: 0,
      failed: 0,
      pending: 0,
      blocked: 0,
      total: 0,
      percentage: 0,
    },
    devServer: { status: "stopped" },
    decisions: [],
  };
}

/** A live state from a snapshot (default: {@link emptySnapshot}) at `lastSeq`. */
export function initialLiveState(snapshot: Snapshot = emptySnapshot(), lastSeq = 0): LiveState {
  return { lastSeq, snapshot };
}

/**
 * Folds one event into the state. A durable event at or below `lastSeq` is already in it and changes nothing
 * (so a replay that overlaps the snapshot is harmless); ephemeral events and feature events leave the snapshot as
 * it is (features are loaded over REST and kept by their own events). Returns the same object when nothing changed.
 */
export function applyEvent(state: LiveState, event: ServerEvent): LiveState {
  if (event.type === "hello") return { lastSeq: event.data.lastSeq, snapshot: event.data.snapshot };
  if (!isDurableEventType(event.type) || event.seq === undefined) return state;
  if (event.seq <= state.lastSeq) return state;
  const snapshot = foldDurable(state.snapshot, event);
  return { lastSeq: event.seq, snapshot };
}

function foldDurable(snapshot: Snapshot, event: ServerEvent): Snapshot {
  switch (event.type) {
    case "run.updated":
      // A new run starts without agents: agents of a run that died without ending them are gone.
      return event.data.status === "starting"
        ? { ...snapshot, run: event.data, agents: [] }
        : { ...snapshot, run: event.data };
    case "progress.updated":
      return { ...snapshot, progress: event.data };
    case "orchestrator.updated":
      return { ...snapshot, orchestrator: event.data };
    case "orchestrator.decided": {
      const decision: DecisionSnapshot = { ...event.data, seq: event.seq as number, at: event.at };
      const decisions = [...snapshot.decisions, decision];
      return { ...snapshot, decisions: decisions.slice(-snapshotDecisionLimit) };
    }
    case "agent.started": {
      const agents = snapshot.agents.filter((agent) => agent.agentId !== event.data.agentId);
      agents.push({ ...event.data, state: "idle", startedAt: event.at });
      return { ...snapshot, agents };
    }
    case "agent.updated": {
      const { agentId, state, thought, tool, resetAt } = event.data;
      if (!snapshot.agents.some((agent) => agent.agentId === agentId)) return snapshot;
      return {
        ...snapshot,
        agents: snapshot.agents.map((agent) => {
          if (agent.agentId !== agentId) return agent;
          const { tool: _tool, resetAt: _resetAt, ...rest } = agent;
          return {
            ...rest,
            state,
            ...(thought === undefined
              ? agent.thought === undefined
                ? {}
                : { thought: agent.thought }
              : { thought }),
            ...(tool === undefined ? {} : { tool }),
            ...(resetAt === undefined ? {} : { resetAt }),
          };
        }),
      };
    }
    case "agent.ended":
      return { ...snapshot, agents: snapshot.agents.filter((agent) => agent.agentId !== event.data.agentId) };
    case "devserver.updated":
      return { ...snapshot, devServer: event.data };
    default:
      return snapshot;
  }
}
