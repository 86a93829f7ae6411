/**
 * The backlog tools: one implementation behind both the worker bridge (the orchestrator answers a worker's
 * `backlog.call` frame with it) and the MCP server (`autowright mcp`, later `/mcp`). Every call parses its input
 * with the protocol's schema, checks leases and transitions through the store, and answers with a plain JSON-able
 * result or a typed error: a caller's mistake never throws.
 *
 * Leases (AutoForge W13): a session changes a feature only while it holds the feature's lease. `feature_claim`
 * takes it; `feature_ready_for_verification` keeps it while the verifier runs; `feature_mark_failing` (giving up),
 * `feature_skip` and `feature_request_human_input` release it.
 */
import { analyzeBacklog, computeProgress } from "@autowright/domain";
import {
  type AgentRole,
  AppError,
  type BacklogCallResult,
  type BacklogToolInput,
  type BacklogToolName,
  backlogToolInputSchemas,
  backlogToolNames,
  type ErrorPayload,
  type Feature,
  type FeatureId,
  type FeatureImportEntry,
  type FeatureStatus,
  formatZodError,
  type SessionId,
  type Settings,
  sessionIdSchema,
} from "@autowright/protocol";
import type { FeatureActor, ProjectStore } from "@autowright/store";

/** How long a claim lasts unless renewed (worker heartbeats renew it): 10 minutes. */
export const defaultLeaseDurationMs = 10 * 60_000;

/** Who calls a tool: the session that will own leases, and its role when known. */
export interface BacklogToolCaller {
  readonly sessionId: SessionId;
  readonly role?: AgentRole;
}

/** The answer to one tool call. */
export type BacklogToolResult = BacklogCallResult;

/** Options of {@link createBacklogTools}. */
export interface BacklogToolsOptions {
  /** The project's store; the tools are its only callers on this path. */
  readonly store: ProjectStore;
  /** The current settings (`maxAttempts`, `maxDependenciesPerFeature`), read on every call. */
  readonly settings: () => Settings;
  /** The clock for lease expiries and readiness; default: the store's clock. */
  readonly now?: () => Date;
  /** How long a claim lasts; default {@link defaultLeaseDurationMs}. */
  readonly leaseDurationMs?: number;
}

/** The backlog tools. */
export interface BacklogTools {
  /** Runs one tool for `caller`; never throws (unknown tools and bad input are `invalid_input`). */
  call(name: BacklogToolName, input: unknown, caller: BacklogToolCaller): BacklogToolResult;
}

/** A short view of a feature, as lists show it. */
export interface FeatureSummary {
  readonly id: FeatureId;
  readonly name: string;
  readonly category: string;
  readonly priority: number;
  readonly dependencies: FeatureId[];
}

type Handler<N extends BacklogToolName> = (input: BacklogToolInput<N>, caller: BacklogToolCaller) => unknown;
type Handlers = { readonly [N in BacklogToolName]: Handler<N> };

const toolNames: ReadonlySet<string> = new Set(backlogToolNames);

/** Creates the backlog tools over a project store. */
export function createBacklogTools(options: BacklogToolsOptions): BacklogTools {
  const { store, settings } = options;
  const now = options.now ?? (() => store.now());
  const leaseDurationMs = options.leaseDurationMs ?? defaultLeaseDurationMs;
  const actor = (caller: BacklogToolCaller): FeatureActor => ({
    kind: "session",
    sessionId: caller.sessionId,
  });
  const limits = () => ({ maxDependenciesPerFeature: settings().maxDependenciesPerFeature });
  const analyze = (features: readonly Feature[]) =>
    analyzeBacklog(features, { maxAttempts: settings().maxAttempts, now: now().getTime() });
  const requireFeature = (id: FeatureId): Feature => {
    const feature = store.getFeature(id);
    if (feature === undefined) {
      throw new AppError("feature_not_found", `feature ${id} does not exist`, { details: { id } });
    }
    return feature;
  };
  const claim = (id: FeatureId, caller: BacklogToolCaller) =>
    store.claimFeature(id, {
      owner: caller.sessionId,
      expiresAt: new Date(now().getTime() + leaseDurationMs).toISOString(),
      maxAttempts: settings().maxAttempts,
    });

  const handlers: Handlers = {
    feature_get_stats: () => computeProgress(store.listFeatures(), { maxAttempts: settings().maxAttempts }),

    feature_get_ready: ({ limit }) => {
      const features = store.listFeatures();
      const byId = new Map(features.map((feature) => [feature.id, feature]));
      const { ready } = analyze(features);
      const listed = ready.slice(0, limit).flatMap((id) => {
        const feature = byId.get(id);
        return feature === undefined ? [] : [summarize(feature)];
      });
      return { features: listed, count: listed.length, totalReady: ready.length };
    },

    feature_get_blocked: ({ limit }) => {
      const features = store.listFeatures();
      const byId = new Map(features.map((feature) => [feature.id, feature]));
      const { blocked } = analyze(features);
      const listed = blocked.slice(0, limit).flatMap(({ id, blockedBy }) => {
        const feature = byId.get(id);
        return feature === undefined ? [] : [{ ...summarize(feature), blockedBy }];
      });
      return { features: listed, count: listed.length, totalBlocked: blocked.length };
    },

    feature_get_by_id: ({ feature_id }) => ({ feature: requireFeature(feature_id) }),

    feature_get_graph: () => {
      const features = store.listFeatures();
      const { cycles, stalled } = analyze(features);
      return {
        nodes: features.map(({ id, name, status, category, priority }) => ({
          id,
          name,
          status,
          category,
          priority,
        })),
        // An edge goes from a dependency to the feature that needs it (`from` must pass before `to` can start).
        edges: features.flatMap((feature) =>
          feature.dependencies.map((dependencyId) => ({ from: dependencyId, to: feature.id })),
        ),
        cycles,
        stalled,
      };
    },

    feature_claim: ({ feature_id }, caller) => {
      if (caller.role === "coding" && requireFeature(feature_id).status === "passing") {
        throw new AppError("conflict", `feature ${feature_id} already passes; there is nothing to implement`);
      }
      const { feature, alreadyClaimed } = claim(feature_id, caller);
      return {
        feature,
        alreadyClaimed,
        message: alreadyClaimed
          ? `You already hold the lease on feature ${feature_id}.`
          : `Feature ${feature_id} is yours until ${feature.lease?.expiresAt ?? "released"} (renewed while your session runs).`,
      };
    },

    feature_ready_for_verification: ({ feature_id, summary }, caller) => {
      const current = requireFeature(feature_id);
      if (current.status === "verifying" && current.lease?.owner === caller.sessionId) {
        return {
          feature: current,
          verification: "queued",
          message: `Feature ${feature_id} is already queued for verification.`,
        };
      }
      // A testing session that found and fixed a regression holds the feature as `regressed`: claiming moves it
      // to in_progress first (the store re-checks the lease).
      if (current.status === "regressed" && current.lease?.owner === caller.sessionId)
        claim(feature_id, caller);
      const evidence =
        summary === undefined || summary.trim() === ""
          ? undefined
          : [
              {
                kind: "manual" as const,
                note: `summary from session ${caller.sessionId}: ${summary.trim()}`,
                sessionId: caller.sessionId,
                at: now().toISOString(),
              },
            ];
      const feature = store.changeFeatureStatus(feature_id, {
        to: "verifying",
        from: ["in_progress"],
        actor: actor(caller),
        evidence,
      });
      return {
        feature,
        verification: "queued",
        message: `Feature ${feature_id} is queued for verification. The verifier runs its checks and merges the work; it decides whether the feature passes. You do not need to do anything more for it.`,
      };
    },

    feature_mark_failing: ({ feature_id, reason }, caller) => {
      const current = requireFeature(feature_id);
      if (current.status === "passing") {
        const feature = store.changeFeatureStatus(feature_id, {
          to: "regressed",
          from: ["passing"],
          actor: actor(caller),
          lastError: reason,
        });
        return {
          feature,
          message: `Feature ${feature_id} is marked as regressed and stays leased to you: fix it, then call feature_ready_for_verification (or feature_mark_failing again to give it back).`,
        };
      }
      const feature = store.changeFeatureStatus(feature_id, {
        to: "pending",
        from: givingUpStatuses,
        actor: actor(caller),
        lastError: reason,
        countAttempt: true,
      });
      return {
        feature,
        message: `Feature ${feature_id} is back in the queue (attempt ${feature.attempts} of ${settings().maxAttempts} used); the next session sees your reason.`,
      };
    },

    feature_skip: ({ feature_id, reason }, caller) => {
      const oldPriority = requireFeature(feature_id).priority;
      const feature = store.changeFeatureStatus(feature_id, {
        to: "pending",
        from: givingUpStatuses,
        actor: actor(caller),
        lastError: `skipped: ${reason}`,
        priority: "last",
      });
      return {
        id: feature.id,
        name: feature.name,
        oldPriority,
        newPriority: feature.priority,
        feature,
        message: `Feature ${feature_id} moved to the end of the queue and your lease is released.`,
      };
    },

    feature_create: (input) => {
      const [feature] = store.createFeatures([toEntry(input)], limits());
      return { feature };
    },

    feature_create_bulk: ({ features }) => {
      const created = store.createFeatures(features.map(toEntry), limits());
      return {
        created: created.length,
        ids: created.map((feature) => feature.id),
        withDependencies: created.filter((feature) => feature.dependencies.length > 0).length,
      };
    },

    feature_add_dependency: ({ feature_id, dependency_id }) => {
      const feature = store.addDependency(feature_id, dependency_id, limits());
      return { featureId: feature.id, dependencies: feature.dependencies };
    },

    feature_remove_dependency: ({ feature_id, dependency_id }) => {
      const { feature, removed } = store.removeDependency(feature_id, dependency_id);
      return { featureId: feature.id, dependencies: feature.dependencies, removed };
    },

    feature_set_dependencies: ({ feature_id, dependency_ids }) => {
      const feature = store.setDependencies(feature_id, dependency_ids, limits());
      return { featureId: feature.id, dependencies: feature.dependencies };
    },

    feature_request_human_input: ({ feature_id, prompt, fields }, caller) => {
      const feature = store.changeFeatureStatus(feature_id, {
        to: "needs_input",
        from: ["in_progress"],
        actor: actor(caller),
        humanInputRequest: { prompt, fields, requestedAt: now().toISOString(), sessionId: caller.sessionId },
      });
      return {
        feature,
        message: `A person has been asked. Feature ${feature_id} waits for the answer and your lease is released: stop working on it. The answer will be in the next session's prompt and in feature_get_by_id (humanInput.response).`,
      };
    },

    project_set_test_command: ({ command }) => {
      const testCommand = store.setTestCommand(command);
      return {
        testCommand,
        message: `The project's test command is now \`${testCommand.command}\`: the verifier runs it for every feature.`,
      };
    },
  };

  function run<N extends BacklogToolName>(
    name: N,
    input: unknown,
    caller: BacklogToolCaller,
  ): BacklogToolResult {
    const parsed = backlogToolInputSchemas[name].safeParse(input ?? {});
    if (!parsed.success) {
      return failure("invalid_input", `invalid input for ${name}: ${formatZodError(parsed.error)}`);
    }
    const handler = handlers[name] as Handler<N>;
    return { ok: true, result: handler(parsed.data as BacklogToolInput<N>, caller) };
  }

  return {
    call(name, input, caller) {
      if (!toolNames.has(name)) {
        return failure("invalid_input", `unknown backlog tool ${JSON.stringify(name)}`);
      }
      if (!sessionIdSchema.safeParse(caller.sessionId).success) {
        return failure("invalid_input", "the caller needs a session id (1 to 200 characters)");
      }
      try {
        return run(name, input, caller);
      } catch (error) {
        if (AppError.isInstance(error)) return { ok: false, error: error.toPayload() };
        return failure(
          "internal_error",
          `${name} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
  };
}

/** The statuses an agent may give a held feature back from (`feature_mark_failing`, `feature_skip`). */
const givingUpStatuses: readonly FeatureStatus[] = ["in_progress", "regressed"];

function failure(code: ErrorPayload["code"], message: string): BacklogToolResult {
  return { ok: false, error: { code, message } };
}

function summarize(feature: Feature): FeatureSummary {
  const { id, name, category, priority, dependencies } = feature;
  return { id, name, category, priority, dependencies };
}

/** A tool's feature (snake_case, dependencies by index) as a store entry. */
function toEntry(input: BacklogToolInput<"feature_create_bulk">["features"][number]): FeatureImportEntry {
  return {
    category: input.category,
    name: input.name,
    description: input.description,
    steps: input.steps,
    verify: input.verify ?? [],
    dependencies: [],
    dependsOnIndices: input.depends_on_indices ?? [],
  };
}
