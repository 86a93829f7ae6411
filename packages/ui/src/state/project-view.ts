/**
 * The dashboard's one reducer: what a project's screen shows, from the `hello` snapshot, the durable and ephemeral
 * events, and the REST loads of the backlog. The live part (run, Maestro, agents, progress, dev server, decisions)
 * is folded by the protocol's `applyEvent`, the very function the server keeps its own state with, so the two
 * cannot drift. This adds what only a screen needs: the features by id (merged monotonically by `updatedAt`, so a
 * REST load that raced an event never goes back in time), the history of progress for the chart, the activity
 * feed, the usage so far, and the celebrations, which happen only for a feature that *passed verification* live
 * (never for a replayed event, never for a session that merely ended). Pure: no clock, no I/O.
 */
import {
  type AgentSnapshot,
  applyEvent,
  type Feature,
  initialLiveState,
  type LiveState,
  type ServerEvent,
} from "@autowright/protocol";
import type { ConnectionStatus } from "../stream/stream-client.ts";

/** One point of the progress chart. */
export interface ProgressPoint {
  readonly at: string;
  readonly passing: number;
  readonly total: number;
  /** A point from a `hello` snapshot rather than a `progress.updated` event (replaced by the log's own points). */
  readonly fromSnapshot?: boolean;
}

/** One line of the activity feed: what an agent said or did, or what Maestro decided. */
export interface ActivityItem {
  readonly key: string;
  readonly at: string;
  readonly kind: "thought" | "decision" | "feature";
  readonly message: string;
  readonly agentId?: string;
  readonly agentName?: string;
  readonly featureId?: number;
}

/** A moment worth a celebration. */
export type Celebration =
  | {
      readonly key: string;
      readonly kind: "feature_passed";
      readonly featureId: number;
      readonly featureName: string;
      readonly agentName?: string;
    }
  | {
      readonly key: string;
      readonly kind: "project_completed";
      readonly passing: number;
      readonly total: number;
    };

/** Tokens and cost of every session that ended (as far as the event log goes back). */
export interface UsageTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Null when no session reported a cost (or a provider without prices ran). */
  readonly costUsd: number | null;
  readonly sessions: number;
  /** True when at least one session's cost was unknown: the total is a lower bound. */
  readonly costPartial: boolean;
}

/** Everything a project's screens show. */
export interface ProjectView {
  readonly project: string;
  readonly connection: ConnectionStatus;
  readonly connectionDetail: string | undefined;
  /** False until the first `hello`: nothing renders before the first snapshot. */
  readonly hasSnapshot: boolean;
  readonly live: LiveState;
  /** The seq up to which the current connection replays history (events at or below it are not news). */
  readonly replayUntil: number;
  readonly features: ReadonlyMap<number, Feature>;
  readonly featuresLoaded: boolean;
  /** Ids deleted by an event: a REST answer that still lists one does not bring it back. */
  readonly deletedFeatureIds: ReadonlySet<number>;
  /** Every agent seen (also those that ended), by id, so the feed and the logs can still name them. */
  readonly agentNames: ReadonlyMap<string, string>;
  /** The features of every agent seen, by id. */
  readonly agentFeatures: ReadonlyMap<string, readonly number[]>;
  /** The seq of the last durable event taken into the history (chart, feed, usage): each is taken once. */
  readonly historySeq: number;
  readonly progressHistory: readonly ProgressPoint[];
  readonly activity: readonly ActivityItem[];
  readonly usage: UsageTotals;
  readonly celebrations: readonly Celebration[];
  /** The latest picture of the app being built (only while subscribed). */
  readonly screenshot: { readonly at: string; readonly url: string; readonly src: string } | undefined;
  /** The last `error` frame or invalid frame, shown to the user. */
  readonly streamError: string | undefined;
}

/** What can happen to a project's view. */
export type ProjectViewAction =
  | { readonly type: "connection"; readonly status: ConnectionStatus; readonly detail?: string }
  | { readonly type: "events"; readonly events: readonly ServerEvent[] }
  | { readonly type: "features.loaded"; readonly features: readonly Feature[] }
  | { readonly type: "feature.saved"; readonly feature: Feature }
  | { readonly type: "celebration.dismissed"; readonly key: string }
  | { readonly type: "invalid.frame"; readonly reason: string }
  | { readonly type: "load.failed"; readonly message: string }
  | { readonly type: "stream.error.dismissed" }
  | { readonly type: "screenshots.stopped" };

/** Limits of the in-memory history. */
export const viewLimits = { progressPoints: 2_000, activityItems: 200, celebrations: 20 } as const;

const emptyUsage: UsageTotals = {
  inputTokens: 0,
  outputTokens: 0,
  costUsd: null,
  sessions: 0,
  costPartial: false,
};

/** The view of a project before anything arrived. */
export function initialProjectView(project: string): ProjectView {
  return {
    project,
    connection: "connecting",
    connectionDetail: undefined,
    hasSnapshot: false,
    live: initialLiveState(),
    replayUntil: 0,
    features: new Map(),
    featuresLoaded: false,
    deletedFeatureIds: new Set(),
    agentNames: new Map(),
    agentFeatures: new Map(),
    historySeq: 0,
    progressHistory: [],
    activity: [],
    usage: emptyUsage,
    celebrations: [],
    screenshot: undefined,
    streamError: undefined,
  };
}

/** The reducer. Returns the same object when nothing changed. */
export function reduceProjectView(view: ProjectView, action: ProjectViewAction): ProjectView {
  switch (action.type) {
    case "connection":
      if (view.connection === action.status && view.connectionDetail === action.detail) return view;
      return { ...view, connection: action.status, connectionDetail: action.detail };
    case "events": {
      let next = view;
      try {
        for (const event of action.events) next = foldEvent(next, event);
      } finally {
        batchOwned.clear();
        batchOwnedSets.clear();
      }
      return next;
    }
    case "features.loaded":
      return loadFeatures(view, action.features);
    case "feature.saved":
      return upsertFeature(view, action.feature, false);
    case "celebration.dismissed": {
      const celebrations = view.celebrations.filter((celebration) => celebration.key !== action.key);
      return celebrations.length === view.celebrations.length ? view : { ...view, celebrations };
    }
    case "invalid.frame":
      return { ...view, streamError: `The server sent ${action.reason}.` };
    case "stream.error.dismissed":
      return view.streamError === undefined ? view : { ...view, streamError: undefined };
    case "load.failed":
      return { ...view, streamError: action.message };
    case "screenshots.stopped":
      return view.screenshot === undefined ? view : { ...view, screenshot: undefined };
  }
}

function foldEvent(view: ProjectView, event: ServerEvent): ProjectView {
  const live = applyEvent(view.live, event);
  const next: ProjectView = live === view.live ? view : { ...view, live };
  switch (event.type) {
    case "hello": {
      // A server whose event log is behind our history (a reset project) starts the history again.
      const reset = event.data.lastSeq < view.historySeq;
      const base = reset
        ? { ...next, historySeq: 0, progressHistory: [], activity: [], usage: emptyUsage, celebrations: [] }
        : next;
      const progress = event.data.snapshot.progress;
      return {
        ...base,
        hasSnapshot: true,
        replayUntil: event.data.lastSeq,
        streamError: undefined,
        // The snapshot's progress is a point of the chart when the history has none yet.
        progressHistory:
          base.progressHistory.length === 0 && progress.total > 0
            ? [{ at: event.at, passing: progress.passing, total: progress.total, fromSnapshot: true }]
            : base.progressHistory,
        agentNames: withAgentNames(base.agentNames, event.data.snapshot.agents),
      };
    }
    case "error":
      return { ...next, streamError: event.data.message };
    case "browser.screenshot":
      return {
        ...next,
        screenshot: {
          at: event.at,
          url: event.data.url,
          src: `data:${event.data.mimeType};base64,${event.data.imageData}`,
        },
      };
    default:
      break;
  }
  if (event.seq === undefined) return next;
  // Features are merged by `updatedAt` whatever the seq: a replay that overlaps what we have is harmless.
  const isNews = event.seq > view.replayUntil && event.seq > view.historySeq;
  if (event.type === "feature.created" || event.type === "feature.updated") {
    const upserted = upsertFeature(next, event.data.feature, event.type === "feature.updated" && isNews);
    return event.seq > upserted.historySeq ? { ...upserted, historySeq: event.seq } : upserted;
  }
  if (event.type === "feature.deleted") {
    const deleted = deleteFeature(next, event.data.id);
    return event.seq > deleted.historySeq ? { ...deleted, historySeq: event.seq } : deleted;
  }
  // The history (chart, feed, usage) takes each durable event once: the live state may already include it.
  if (event.seq <= view.historySeq) return next;
  const history: ProjectView = { ...next, historySeq: event.seq };
  switch (event.type) {
    case "progress.updated": {
      const point = { at: event.at, passing: event.data.passing, total: event.data.total };
      // Replayed points of the log supersede the point the snapshot stood in with; live ones follow it.
      const points =
        event.seq <= view.replayUntil && history.progressHistory.some((existing) => existing.fromSnapshot)
          ? history.progressHistory.filter((existing) => !existing.fromSnapshot)
          : history.progressHistory;
      const last = points.at(-1);
      if (last !== undefined && last.passing === point.passing && last.total === point.total)
        return points === history.progressHistory ? history : { ...history, progressHistory: points };
      const index = points.findIndex((existing) => existing.at > point.at);
      const next =
        index === -1 ? [...points, point] : [...points.slice(0, index), point, ...points.slice(index)];
      return { ...history, progressHistory: capped(next, viewLimits.progressPoints) };
    }
    case "agent.started":
      return {
        ...history,
        agentNames: new Map(history.agentNames).set(event.data.agentId, event.data.name),
        agentFeatures: new Map(history.agentFeatures).set(event.data.agentId, event.data.featureIds),
        activity: pushActivity(history.activity, {
          key: `s${event.seq}`,
          at: event.at,
          kind: "thought",
          message: `started on ${event.data.featureNames.join(", ") || `${/^[aeiou]/.test(event.data.role) ? "an" : "a"} ${event.data.role} session`}`,
          agentId: event.data.agentId,
          agentName: event.data.name,
          ...(event.data.featureIds[0] === undefined ? {} : { featureId: event.data.featureIds[0] }),
        }),
      };
    case "agent.updated": {
      const thought = event.data.thought;
      if (thought === undefined) return history;
      const previous = history.activity.findLast((item) => item.agentId === event.data.agentId);
      if (previous !== undefined && previous.message === thought) return history;
      const name = history.agentNames.get(event.data.agentId);
      const featureId = history.agentFeatures.get(event.data.agentId)?.[0];
      return {
        ...history,
        activity: pushActivity(history.activity, {
          key: `s${event.seq}`,
          at: event.at,
          kind: "thought",
          message: thought,
          agentId: event.data.agentId,
          ...(name === undefined ? {} : { agentName: name }),
          ...(featureId === undefined ? {} : { featureId }),
        }),
      };
    }
    case "agent.ended": {
      const usage = event.data.usage;
      const costUsd =
        usage.costUsd === null ? history.usage.costUsd : (history.usage.costUsd ?? 0) + usage.costUsd;
      return {
        ...history,
        usage: {
          inputTokens: history.usage.inputTokens + usage.inputTokens,
          outputTokens: history.usage.outputTokens + usage.outputTokens,
          costUsd,
          sessions: history.usage.sessions + 1,
          costPartial: history.usage.costPartial || usage.costUsd === null,
        },
      };
    }
    case "orchestrator.decided":
      return {
        ...history,
        activity: pushActivity(history.activity, {
          key: `s${event.seq}`,
          at: event.at,
          kind: "decision",
          message: event.data.message,
          ...(event.data.agentId === undefined ? {} : { agentId: event.data.agentId }),
          ...(event.data.featureId === undefined ? {} : { featureId: event.data.featureId }),
        }),
      };
    case "run.updated":
      if (isNews && event.data.status === "completed" && view.live.snapshot.run.status !== "completed") {
        const progress = history.live.snapshot.progress;
        return pushCelebration(history, {
          key: `s${event.seq}`,
          kind: "project_completed",
          passing: progress.passing,
          total: progress.total,
        });
      }
      return history;
    default:
      return history;
  }
}

/**
 * The feature maps made during the current batch of events: they are not shared with any earlier view yet, so the
 * rest of the batch may change them in place (a replay of 2,000 `feature.created` would otherwise copy the map
 * 2,000 times). Emptied at the end of every batch.
 */
const batchOwned = new Set<ReadonlyMap<number, Feature>>();
const batchOwnedSets = new Set<ReadonlySet<number>>();

function writableFeatures(view: ProjectView): Map<number, Feature> {
  if (batchOwned.has(view.features)) return view.features as Map<number, Feature>;
  const features = new Map(view.features);
  batchOwned.add(features);
  return features;
}

function upsertFeature(view: ProjectView, feature: Feature, live: boolean): ProjectView {
  if (view.deletedFeatureIds.has(feature.id)) return view;
  const current = view.features.get(feature.id);
  if (current !== undefined && current.updatedAt > feature.updatedAt) return view;
  const features = writableFeatures(view).set(feature.id, feature);
  const next = { ...view, features };
  // Only a pass the verifier gave, seen live: the moment a feature goes from anything else to passing.
  if (live && feature.status === "passing" && current !== undefined && current.status !== "passing") {
    const agent = view.live.snapshot.agents.find((candidate) => candidate.featureIds.includes(feature.id));
    return pushCelebration(next, {
      key: `f${feature.id}-${feature.updatedAt}`,
      kind: "feature_passed",
      featureId: feature.id,
      featureName: feature.name,
      ...(agent === undefined ? {} : { agentName: agent.name }),
    });
  }
  return next;
}

function deleteFeature(view: ProjectView, id: number): ProjectView {
  const features = writableFeatures(view);
  features.delete(id);
  let deleted = view.deletedFeatureIds as Set<number>;
  if (!batchOwnedSets.has(deleted)) {
    deleted = new Set(deleted);
    batchOwnedSets.add(deleted);
  }
  deleted.add(id);
  return { ...view, features, deletedFeatureIds: deleted };
}

function loadFeatures(view: ProjectView, loaded: readonly Feature[]): ProjectView {
  const features = new Map<number, Feature>();
  for (const feature of loaded) {
    if (view.deletedFeatureIds.has(feature.id)) continue;
    const current = view.features.get(feature.id);
    features.set(
      feature.id,
      current !== undefined && current.updatedAt > feature.updatedAt ? current : feature,
    );
  }
  // A feature created by an event after the request left is kept: the answer is older than it.
  for (const [id, feature] of view.features) {
    if (
      !features.has(id) &&
      !loaded.some((candidate) => candidate.id === id) &&
      feature.createdAt > newestUpdate(loaded)
    )
      features.set(id, feature);
  }
  return { ...view, features, featuresLoaded: true };
}

function newestUpdate(features: readonly Feature[]): string {
  let newest = "";
  for (const feature of features) if (feature.updatedAt > newest) newest = feature.updatedAt;
  return newest;
}

function withAgentNames(
  names: ReadonlyMap<string, string>,
  agents: readonly AgentSnapshot[],
): ReadonlyMap<string, string> {
  if (agents.every((agent) => names.get(agent.agentId) === agent.name)) return names;
  const next = new Map(names);
  for (const agent of agents) next.set(agent.agentId, agent.name);
  return next;
}

function pushActivity(activity: readonly ActivityItem[], item: ActivityItem): readonly ActivityItem[] {
  return capped([...activity, item], viewLimits.activityItems);
}

function pushCelebration(view: ProjectView, celebration: Celebration): ProjectView {
  if (view.celebrations.some((existing) => existing.key === celebration.key)) return view;
  return { ...view, celebrations: capped([...view.celebrations, celebration], viewLimits.celebrations) };
}

function capped<T>(items: readonly T[], limit: number): readonly T[] {
  return items.length > limit ? items.slice(items.length - limit) : items;
}

/** The features in board order: by priority, then id. */
export function featuresInOrder(view: ProjectView): Feature[] {
  return [...view.features.values()].sort((a, b) => a.priority - b.priority || a.id - b.id);
}
