/**
 * Scheduling: which features are ready and in what order, which are blocked and by what, which can never become
 * ready without a person (and why), and how ready features are grouped into batches for parallel sessions.
 * Pure: the current time comes in as `now` (milliseconds since the epoch).
 */
import type { Feature, FeatureId, Lease, Progress, ReadyReport, StallReason } from "@autowright/protocol";
import type { AdjacencyGraph, ComponentGrouping, StronglyConnectedComponents } from "./graph.ts";
import {
  condense,
  groupByComponent,
  hasSelfLoop,
  popcount32,
  reverseGraph,
  stronglyConnectedComponents,
} from "./graph.ts";
import type { IdIndex } from "./id-index.ts";
import { createIdIndex } from "./id-index.ts";
import { countsAsFailed } from "./statuses.ts";

/** The fields of a feature that scheduling reads. */
export type SchedulingFeature = Pick<
  Feature,
  "id" | "priority" | "category" | "status" | "dependencies" | "attempts" | "lease"
>;

/** The knobs of {@link analyzeBacklog}. */
export type SchedulingOptions = {
  /** A feature with this many attempts or more is treated as failed. */
  maxAttempts: number;
  /** The current time, in milliseconds since the epoch (leases expiring at or before it are expired). */
  now: number;
};

/** What the ready order is computed from, per feature. */
export type SchedulingScore = {
  /** How many features depend on this one, directly or transitively, each counted once. */
  dependents: number;
  /** The longest chain of dependencies below this feature (a feature without dependencies has depth 0). */
  depth: number;
  /** The feature's priority (smaller first; any integer). */
  priority: number;
};

/** The full result of {@link analyzeBacklog}. */
export type BacklogAnalysis = {
  /** Features a session may claim now, best first. */
  ready: FeatureId[];
  /** Pending features with at least one dependency that is not passing (or does not exist), sorted by id. */
  blocked: { id: FeatureId; blockedBy: FeatureId[] }[];
  /** Features that cannot become ready without a person, with the reason, sorted by id. */
  stalled: { id: FeatureId; reason: StallReason }[];
  /** Every dependency cycle (each ids ascending), sorted by first id. */
  cycles: FeatureId[][];
  /** The score of every feature. */
  scores: ReadonlyMap<FeatureId, SchedulingScore>;
};

/** The knobs of {@link buildBatches}. */
export type BatchOptions = SchedulingOptions & {
  /** The most features one session works on. */
  batchSize: 1 | 2 | 3;
  /** The most batches to build (free session slots). */
  slots: number;
  /** Features not to schedule (for example, already claimed by a starting session). */
  exclude?: ReadonlySet<FeatureId>;
  /**
   * Ready features that start before the others, in ready order (for example, the ones a previous run was
   * working on when it was interrupted: their work is resumed first).
   */
  first?: ReadonlySet<FeatureId>;
};

// Stall flags, highest priority highest bit.
const cycleFlag = 8;
const missingFlag = 4;
const failedFlag = 2;
const inputFlag = 1;

/**
 * True when a lease is held: it exists and expires after `now`. An unparsable expiry counts as expired, so a
 * corrupt lease cannot block a feature forever.
 */
export function isLeaseActive(lease: Lease | null, now: number): boolean {
  if (lease === null) return false;
  const expiresAt = Date.parse(lease.expiresAt);
  return !Number.isNaN(expiresAt) && expiresAt > now;
}

/**
 * Compares two scored features in ready order: more transitive dependents first, then shallower depth, then
 * smaller priority (any integer, negative allowed), then smaller id.
 *
 * Depth is the longest path from a root (a feature without dependencies), ordered ascending, as the architecture
 * specifies ("then the longest path from a root"). The critical-path alternative (longest chain of dependents
 * above a feature, descending) would favour long tails more directly, but it mostly agrees with the dependent
 * count, which already comes first; the specified rule is kept so the order stays predictable from the spec.
 */
export function compareScores(
  left: { id: FeatureId; score: SchedulingScore },
  right: { id: FeatureId; score: SchedulingScore },
): number {
  return (
    right.score.dependents - left.score.dependents ||
    left.score.depth - right.score.depth ||
    left.score.priority - right.score.priority ||
    left.id - right.id
  );
}

/**
 * Analyses a backlog: the ready list (ordered by {@link compareScores}), the blocked features, the stalled
 * features with a reason, the dependency cycles and every feature's score. Never loops on cycles; linear in the
 * size of the graph apart from transitive-dependent counting (bitsets over the condensation).
 *
 * - Ready: `pending`, no active lease, attempts below `maxAttempts`, every dependency exists and is `passing`.
 * - Stalled: not `passing`, not `failed`, not exhausted, and, following dependencies that are not passing, in or
 *   behind a cycle (`cycle`), behind a missing id (`missing_dependency`), behind a failed or exhausted feature
 *   (`dependency_failed`), or `needs_input` / behind one (`waiting_for_input`), in that order of precedence.
 *   A pending feature whose attempts are exhausted counts as failed: it is neither ready nor stalled itself.
 */
export function analyzeBacklog(
  features: readonly SchedulingFeature[],
  options: SchedulingOptions,
): BacklogAnalysis {
  const index = createIdIndex(features.map((feature) => feature.id));
  const unique = index.ids.length === features.length ? features : firstOfEachId(features);
  const backlog = buildBacklogGraph(unique, index);
  const components = stronglyConnectedComponents(backlog.graph);
  const grouping = groupByComponent(components);
  const condensation = condense(backlog.graph, components, grouping);
  const cycles = listCycles(unique, backlog.graph, components, grouping);
  const scores = new ScoreTable(
    unique,
    index,
    components,
    countTransitiveDependents(condensation, grouping.componentStart),
    longestPathsFromRoots(condensation),
  );
  const { ready, blocked } = classifyPending(unique, index, backlog, scores, options);
  const stalled = findStalled(unique, backlog, options.maxAttempts, cycles.length > 0, grouping.nodes);
  return { ready, blocked, stalled, cycles, scores };
}

/** The dependency graph of a backlog (feature → its existing dependencies, by index) and per-feature flags. */
type BacklogGraph = {
  graph: AdjacencyGraph;
  /** 1 for a passing feature. */
  passing: Uint8Array;
  /** 1 for a feature with a dependency id that is not in the backlog. */
  hasMissing: Uint8Array;
};

function buildBacklogGraph(features: readonly SchedulingFeature[], index: IdIndex): BacklogGraph {
  const featureCount = features.length;
  const passing = new Uint8Array(featureCount);
  const hasMissing = new Uint8Array(featureCount);
  let dependencyCount = 0;
  for (let node = 0; node < featureCount; node++) {
    const feature = features[node];
    if (feature === undefined) continue;
    if (feature.status === "passing") passing[node] = 1;
    dependencyCount += feature.dependencies.length;
  }
  const offsets = new Int32Array(featureCount + 1);
  const targets = new Int32Array(dependencyCount);
  let edgeCount = 0;
  for (let node = 0; node < featureCount; node++) {
    offsets[node] = edgeCount;
    for (const dependencyId of features[node]?.dependencies ?? []) {
      const target = index.indexOf(dependencyId);
      if (target === -1) hasMissing[node] = 1;
      else targets[edgeCount++] = target;
    }
  }
  offsets[featureCount] = edgeCount;
  return {
    graph: { nodeCount: featureCount, offsets, targets: targets.subarray(0, edgeCount) },
    passing,
    hasMissing,
  };
}

/** Every component of size > 1 and every self-loop, ids ascending, sorted by first id. */
function listCycles(
  features: readonly SchedulingFeature[],
  graph: AdjacencyGraph,
  components: StronglyConnectedComponents,
  grouping: ComponentGrouping,
): FeatureId[][] {
  const { componentOf, componentCount, componentSizes } = components;
  const isCyclic = new Uint8Array(componentCount);
  let anyCycle = false;
  for (let node = 0; node < graph.nodeCount; node++) {
    const component = componentOf[node] ?? 0;
    if ((componentSizes[component] ?? 0) > 1 || hasSelfLoop(graph, node)) {
      isCyclic[component] = 1;
      anyCycle = true;
    }
  }
  const cycles: FeatureId[][] = [];
  if (!anyCycle) return cycles;
  for (let component = 0; component < componentCount; component++) {
    if (isCyclic[component] === 0) continue;
    const ids: FeatureId[] = [];
    const end = grouping.componentStart[component + 1] ?? 0;
    for (let position = grouping.componentStart[component] ?? 0; position < end; position++) {
      ids.push(features[grouping.nodes[position] ?? 0]?.id ?? 0);
    }
    cycles.push(ids.sort(ascending));
  }
  return cycles.sort((left, right) => (left[0] ?? 0) - (right[0] ?? 0));
}

/** The ready list (best first) and the blocked list (by id) among pending features. */
function classifyPending(
  features: readonly SchedulingFeature[],
  index: IdIndex,
  backlog: BacklogGraph,
  scores: ScoreTable,
  options: SchedulingOptions,
): Pick<BacklogAnalysis, "ready" | "blocked"> {
  const { offsets, targets } = backlog.graph;
  const { passing, hasMissing } = backlog;
  const readyScored: { id: FeatureId; score: SchedulingScore }[] = [];
  const blocked: BacklogAnalysis["blocked"] = [];
  for (let node = 0; node < features.length; node++) {
    const feature = features[node];
    if (feature === undefined || feature.status !== "pending") continue;
    let satisfied = hasMissing[node] === 0;
    const end = offsets[node + 1] ?? 0;
    for (let edge = offsets[node] ?? 0; satisfied && edge < end; edge++) {
      if (passing[targets[edge] ?? 0] === 0) satisfied = false;
    }
    if (!satisfied) {
      const blockedBy: FeatureId[] = [];
      for (const dependencyId of feature.dependencies) {
        const target = index.indexOf(dependencyId);
        if (target === -1 || passing[target] === 0) blockedBy.push(dependencyId);
      }
      blocked.push({ id: feature.id, blockedBy: sortUnique(blockedBy) });
    } else if (feature.attempts < options.maxAttempts && !isLeaseActive(feature.lease, options.now)) {
      readyScored.push({ id: feature.id, score: scores.scoreAt(node) });
    }
  }
  readyScored.sort(compareScores);
  blocked.sort((left, right) => left.id - right.id);
  return { ready: readyScored.map((entry) => entry.id), blocked };
}

/**
 * The scores of a backlog as a read-only map. Scores are kept in typed arrays and a score object is made on
 * first request (building a `Map` of 10,000 objects up front costs more than the rest of the analysis).
 */
class ScoreTable implements ReadonlyMap<FeatureId, SchedulingScore> {
  readonly #features: readonly SchedulingFeature[];
  readonly #index: IdIndex;
  readonly #componentOf: Int32Array;
  readonly #componentSizes: Int32Array;
  readonly #dependents: Int32Array;
  readonly #depths: Int32Array;
  readonly #made: (SchedulingScore | undefined)[] = [];
  #asMap: Map<FeatureId, SchedulingScore> | undefined;

  constructor(
    features: readonly SchedulingFeature[],
    index: IdIndex,
    components: StronglyConnectedComponents,
    dependentsByComponent: Int32Array,
    depthsByComponent: Int32Array,
  ) {
    this.#features = features;
    this.#index = index;
    this.#componentOf = components.componentOf;
    this.#componentSizes = components.componentSizes;
    this.#dependents = dependentsByComponent;
    this.#depths = depthsByComponent;
  }

  /** The number of scored features. */
  get size(): number {
    return this.#features.length;
  }

  /** The score of the feature at dense index `node`. */
  scoreAt(node: number): SchedulingScore {
    const made = this.#made[node];
    if (made !== undefined) return made;
    const component = this.#componentOf[node] ?? 0;
    const score: SchedulingScore = {
      // Members of a cycle depend on each other: each counts the others once.
      dependents: (this.#dependents[component] ?? 0) + (this.#componentSizes[component] ?? 1) - 1,
      depth: this.#depths[component] ?? 0,
      priority: this.#features[node]?.priority ?? 0,
    };
    this.#made[node] = score;
    return score;
  }

  /** The score of a feature, or undefined when it is not in the backlog. */
  get(id: FeatureId): SchedulingScore | undefined {
    const node = this.#index.indexOf(id);
    return node === -1 ? undefined : this.scoreAt(node);
  }

  /** True when the feature is in the backlog. */
  has(id: FeatureId): boolean {
    return this.#index.indexOf(id) !== -1;
  }

  /** Calls `callback` for every feature, in backlog order. */
  forEach(
    callback: (value: SchedulingScore, key: FeatureId, map: ReadonlyMap<FeatureId, SchedulingScore>) => void,
    thisArgument?: unknown,
  ): void {
    for (let node = 0; node < this.#features.length; node++) {
      callback.call(thisArgument, this.scoreAt(node), this.#features[node]?.id ?? 0, this);
    }
  }

  /** Every `[id, score]` pair, in backlog order. */
  entries(): MapIterator<[FeatureId, SchedulingScore]> {
    return this.#toMap().entries();
  }

  /** Every id, in backlog order. */
  keys(): MapIterator<FeatureId> {
    return this.#toMap().keys();
  }

  /** Every score, in backlog order. */
  values(): MapIterator<SchedulingScore> {
    return this.#toMap().values();
  }

  /** Every `[id, score]` pair, in backlog order. */
  [Symbol.iterator](): MapIterator<[FeatureId, SchedulingScore]> {
    return this.entries();
  }

  #toMap(): Map<FeatureId, SchedulingScore> {
    if (this.#asMap === undefined) {
      const map = new Map<FeatureId, SchedulingScore>();
      for (let node = 0; node < this.#features.length; node++) {
        map.set(this.#features[node]?.id ?? 0, this.scoreAt(node));
      }
      this.#asMap = map;
    }
    return this.#asMap;
  }
}

/** The features with duplicate ids dropped (the first of each id is kept). */
function firstOfEachId(features: readonly SchedulingFeature[]): SchedulingFeature[] {
  const seen = new Set<FeatureId>();
  return features.filter((feature) => !seen.has(feature.id) && seen.add(feature.id) !== undefined);
}

/** Sorts ids ascending and drops repeats, in place (insertion sort: these lists are short). */
function sortUnique(ids: FeatureId[]): FeatureId[] {
  for (let position = 1; position < ids.length; position++) {
    const id = ids[position] ?? 0;
    let slot = position;
    while (slot > 0 && (ids[slot - 1] ?? 0) > id) {
      ids[slot] = ids[slot - 1] ?? 0;
      slot--;
    }
    ids[slot] = id;
  }
  let kept = ids.length === 0 ? 0 : 1;
  for (let position = 1; position < ids.length; position++) {
    const id = ids[position] ?? 0;
    if (id !== ids[kept - 1]) ids[kept++] = id;
  }
  ids.length = kept;
  return ids;
}

/**
 * For each component of the condensation (edges "depends on", components in reverse topological order), the
 * number of features in other components that depend on it transitively, each counted once (a diamond is not
 * counted twice).
 *
 * Features are laid out by component index, so every dependent of component `c` sits at a position after `c`'s
 * own features. Components are visited from the last (nothing depends on it) to the first. Each one's dependent
 * set is built in a scratch bitset over the position space, spanning only the words its dependents occupy, by
 * ORing in each direct dependent (ascending) with that dependent's set, skipping a dependent already in the set
 * (its set is then already included). The finished set is stored compactly: the run of all-ones words at its top
 * is kept as a word range (later filled with a memset rather than ORed word by word; dependent sets of a wide
 * graph are mostly dense), and only the other words are copied out.
 */
function countTransitiveDependents(condensation: AdjacencyGraph, componentStart: Int32Array): Int32Array {
  const dependentsGraph = reverseGraph(condensation);
  const componentCount = dependentsGraph.nodeCount;
  const positionCount = componentStart[componentCount] ?? 0;
  const sets: DependentSets = {
    scratch: new Uint32Array((positionCount >>> 5) + 1),
    store: new Uint32Array(Math.max(1024, positionCount * 32)),
    storeSize: 0,
    storeStart: new Int32Array(componentCount),
    firstWord: new Int32Array(componentCount),
    lastWord: new Int32Array(componentCount).fill(-1),
    fullFrom: new Int32Array(componentCount),
    fullTo: new Int32Array(componentCount),
  };
  const counts = new Int32Array(componentCount);
  for (let component = componentCount - 1; component >= 0; component--) {
    counts[component] = buildDependentSet(sets, dependentsGraph, componentStart, component);
  }
  return counts;
}

/**
 * The finished dependent sets. Component `c`'s set spans words `firstWord[c] … lastWord[c]` of the position
 * space (no set when `lastWord[c]` is -1); words `fullFrom[c] … fullTo[c] - 1` are all ones, and the others are
 * stored in order from `store[storeStart[c]]`. `scratch` is the working bitset over the whole position space.
 */
type DependentSets = {
  scratch: Uint32Array;
  store: Uint32Array;
  storeSize: number;
  storeStart: Int32Array;
  firstWord: Int32Array;
  lastWord: Int32Array;
  fullFrom: Int32Array;
  fullTo: Int32Array;
};

const allOnes = 0xffffffff;

/** Builds and stores one component's dependent set from its direct dependents' finished sets; returns its size. */
function buildDependentSet(
  sets: DependentSets,
  dependentsGraph: AdjacencyGraph,
  componentStart: Int32Array,
  component: number,
): number {
  const { scratch, storeStart, firstWord, lastWord, fullFrom, fullTo } = sets;
  const { offsets, targets } = dependentsGraph;
  const begin = offsets[component] ?? 0;
  const end = offsets[component + 1] ?? 0;
  if (begin === end) return 0;

  // The words the set can occupy: from the lowest dependent's first member to the highest bit of any dependent.
  let bottom = 0x7fffffff;
  let top = -1;
  for (let edge = begin; edge < end; edge++) {
    const dependent = targets[edge] ?? 0;
    const low = (componentStart[dependent] ?? 0) >>> 5;
    if (low < bottom) bottom = low;
    const high = Math.max(((componentStart[dependent + 1] ?? 0) - 1) >>> 5, lastWord[dependent] ?? -1);
    if (high > top) top = high;
  }
  scratch.fill(0, bottom, top + 1);

  const store = sets.store;
  for (let edge = begin; edge < end; edge++) {
    const dependent = targets[edge] ?? 0;
    const memberStart = componentStart[dependent] ?? 0;
    if (((scratch[memberStart >>> 5] ?? 0) & (1 << (memberStart & 31))) !== 0) continue;
    const dependentTop = lastWord[dependent] ?? -1;
    if (dependentTop >= 0) {
      let read = storeStart[dependent] ?? 0;
      const runFrom = fullFrom[dependent] ?? 0;
      const runTo = fullTo[dependent] ?? 0;
      for (let word = firstWord[dependent] ?? 0; word < runFrom; word++) {
        scratch[word] = (scratch[word] ?? 0) | (store[read++] ?? 0);
      }
      if (runTo > runFrom) scratch.fill(allOnes, runFrom, runTo);
      for (let word = runTo; word <= dependentTop; word++) {
        scratch[word] = (scratch[word] ?? 0) | (store[read++] ?? 0);
      }
    }
    const memberEnd = componentStart[dependent + 1] ?? 0;
    for (let position = memberStart; position < memberEnd; position++) {
      const word = position >>> 5;
      scratch[word] = (scratch[word] ?? 0) | (1 << (position & 31));
    }
  }

  const runTo = scratch[top] === allOnes ? top + 1 : top;
  let runFrom = runTo;
  while (runFrom > bottom && scratch[runFrom - 1] === allOnes) runFrom--;
  firstWord[component] = bottom;
  lastWord[component] = top;
  fullFrom[component] = runFrom;
  fullTo[component] = runTo;
  return (
    (runTo - runFrom) * 32 +
    storeWords(sets, component, bottom, runFrom) +
    storeWords(sets, -1, runTo, top + 1)
  );
}

/**
 * Appends scratch words `from … to - 1` to the store (starting `component`'s stored words unless it is -1) and
 * returns how many bits they hold.
 */
function storeWords(sets: DependentSets, component: number, from: number, to: number): number {
  if (component >= 0) sets.storeStart[component] = sets.storeSize;
  if (sets.storeSize + (to - from) > sets.store.length) {
    const grown = new Uint32Array(Math.max(sets.store.length * 2, sets.storeSize + (to - from)));
    grown.set(sets.store.subarray(0, sets.storeSize));
    sets.store = grown;
  }
  const { scratch, store } = sets;
  let size = sets.storeSize;
  let count = 0;
  for (let word = from; word < to; word++) {
    const value = scratch[word] ?? 0;
    store[size++] = value;
    count += popcount32(value);
  }
  sets.storeSize = size;
  return count;
}

/** For each component of the condensation, the longest chain of dependencies below it (0 for a root). */
function longestPathsFromRoots(condensation: AdjacencyGraph): Int32Array {
  const { nodeCount: componentCount, offsets, targets } = condensation;
  const depths = new Int32Array(componentCount);
  for (let component = 0; component < componentCount; component++) {
    let depth = 0;
    const end = offsets[component + 1] ?? 0;
    for (let edge = offsets[component] ?? 0; edge < end; edge++) {
      const candidate = (depths[targets[edge] ?? 0] ?? 0) + 1;
      if (candidate > depth) depth = candidate;
    }
    depths[component] = depth;
  }
  return depths;
}

/**
 * Stall analysis over the "unsatisfied" graph: edges from a feature that is not passing to a dependency that is
 * not passing (a passing dependency never holds anything up). When the whole graph is acyclic so is this one, and
 * `acyclicOrder` (dependencies first) is reused; otherwise its own components are computed.
 */
function findStalled(
  features: readonly SchedulingFeature[],
  backlog: BacklogGraph,
  maxAttempts: number,
  anyCycle: boolean,
  acyclicOrder: Int32Array,
): BacklogAnalysis["stalled"] {
  const featureCount = features.length;
  const { graph, passing, hasMissing } = backlog;
  const { offsets, targets } = graph;
  const failedLike = new Uint8Array(featureCount);
  const ownFlags = new Uint8Array(featureCount);
  for (let index = 0; index < featureCount; index++) {
    const feature = features[index];
    if (feature === undefined || passing[index] === 1) continue;
    if (countsAsFailed(feature, { maxAttempts })) failedLike[index] = 1;
    ownFlags[index] =
      (hasMissing[index] === 1 ? missingFlag : 0) | (feature.status === "needs_input" ? inputFlag : 0);
  }

  let order = acyclicOrder;
  let componentStart: Int32Array | undefined;
  if (anyCycle) {
    const successors: number[][] = [];
    for (let index = 0; index < featureCount; index++) {
      const list: number[] = [];
      if (passing[index] === 0) {
        const end = offsets[index + 1] ?? 0;
        for (let edge = offsets[index] ?? 0; edge < end; edge++) {
          const target = targets[edge] ?? 0;
          if (passing[target] === 0) list.push(target);
        }
      }
      successors.push(list);
    }
    const unsatisfied: AdjacencyGraph = {
      nodeCount: featureCount,
      offsets: new Int32Array(featureCount + 1),
      targets: new Int32Array(0),
    };
    let total = 0;
    for (let index = 0; index < featureCount; index++) {
      unsatisfied.offsets[index] = total;
      total += successors[index]?.length ?? 0;
    }
    unsatisfied.offsets[featureCount] = total;
    unsatisfied.targets = Int32Array.from(successors.flat());
    const components: StronglyConnectedComponents = stronglyConnectedComponents(unsatisfied);
    const grouping = groupByComponent(components);
    order = grouping.nodes;
    componentStart = grouping.componentStart;
    for (let index = 0; index < featureCount; index++) {
      const component = components.componentOf[index] ?? 0;
      if ((components.componentSizes[component] ?? 0) > 1 || hasSelfLoop(unsatisfied, index)) {
        ownFlags[index] = (ownFlags[index] ?? 0) | cycleFlag;
      }
    }
  }

  // Propagate, dependencies first; members of one component share their flags.
  const flags = new Uint8Array(featureCount);
  const groupCount = componentStart === undefined ? order.length : componentStart.length - 1;
  for (let group = 0; group < groupCount; group++) {
    const first = componentStart === undefined ? group : (componentStart[group] ?? 0);
    const last = componentStart === undefined ? group + 1 : (componentStart[group + 1] ?? 0);
    let groupFlags = 0;
    for (let position = first; position < last; position++) {
      const index = order[position] ?? 0;
      if (passing[index] === 1) continue;
      groupFlags |= ownFlags[index] ?? 0;
      const end = offsets[index + 1] ?? 0;
      for (let edge = offsets[index] ?? 0; edge < end; edge++) {
        const target = targets[edge] ?? 0;
        if (passing[target] === 1) continue;
        groupFlags |= (flags[target] ?? 0) | (failedLike[target] === 1 ? failedFlag : 0);
      }
    }
    for (let position = first; position < last; position++) flags[order[position] ?? 0] = groupFlags;
  }

  const stalled: BacklogAnalysis["stalled"] = [];
  for (let index = 0; index < featureCount; index++) {
    const feature = features[index];
    const featureFlags = flags[index] ?? 0;
    if (feature === undefined || featureFlags === 0 || failedLike[index] === 1 || passing[index] === 1)
      continue;
    stalled.push({ id: feature.id, reason: stallReasonOf(featureFlags) });
  }
  return stalled.sort((left, right) => left.id - right.id);
}

function stallReasonOf(flags: number): StallReason {
  if ((flags & cycleFlag) !== 0) return "cycle";
  if ((flags & missingFlag) !== 0) return "missing_dependency";
  if ((flags & failedFlag) !== 0) return "dependency_failed";
  return "waiting_for_input";
}

function ascending(left: number, right: number): number {
  return left - right;
}

/** The wire report (`autowright features ready --json`): the analysis without the scores. */
export function toReadyReport(analysis: BacklogAnalysis): ReadyReport {
  return {
    ready: [...analysis.ready],
    blocked: analysis.blocked.map((entry) => ({ id: entry.id, blockedBy: [...entry.blockedBy] })),
    stalled: analysis.stalled.map((entry) => ({ ...entry })),
    cycles: analysis.cycles.map((cycle) => [...cycle]),
  };
}

/**
 * True when the run is stalled: nothing is ready, no session is running and some feature is not passing (so
 * nothing will change without a person). Pending features behind a live lease count as not passing: if no session
 * holds that lease any more, the run waits for it to expire, which is a stall worth reporting.
 */
export function isStalled(
  features: readonly Pick<Feature, "status">[],
  analysis: Pick<BacklogAnalysis, "ready">,
  runningCount: number,
): boolean {
  return (
    analysis.ready.length === 0 &&
    runningCount === 0 &&
    features.some((feature) => feature.status !== "passing")
  );
}

/**
 * Groups ready features into batches, one per free session slot (at most `slots`). Each batch starts with the
 * next unused ready feature, in ready order. Then, up to `batchSize - 1` times, it adds the best-scoring direct
 * dependent of a batch member that could run once the batch passes: `pending` (so not `needs_input`), no active
 * lease, attempts below the limit, and every dependency passing or in the batch. Remaining room is filled with
 * unused ready features of the starting feature's category. Features in `exclude` are never scheduled; features
 * in `first` start their batches before the other ready features.
 */
export function buildBatches(
  features: readonly SchedulingFeature[],
  analysis: Pick<BacklogAnalysis, "ready" | "scores">,
  options: BatchOptions,
): FeatureId[][] {
  const { batchSize, slots, maxAttempts, now } = options;
  const byId = new Map<FeatureId, SchedulingFeature>();
  const dependentsOf = new Map<FeatureId, FeatureId[]>();
  for (const feature of features) {
    byId.set(feature.id, feature);
    for (const dependencyId of new Set(feature.dependencies)) {
      const list = dependentsOf.get(dependencyId);
      if (list === undefined) dependentsOf.set(dependencyId, [feature.id]);
      else list.push(feature.id);
    }
  }
  const fallbackScore = (id: FeatureId): SchedulingScore => ({
    dependents: 0,
    depth: 0,
    priority: byId.get(id)?.priority ?? 0,
  });
  const isBetter = (candidate: FeatureId, best: FeatureId): boolean =>
    compareScores(
      { id: candidate, score: analysis.scores.get(candidate) ?? fallbackScore(candidate) },
      { id: best, score: analysis.scores.get(best) ?? fallbackScore(best) },
    ) < 0;
  const canJoin = (feature: SchedulingFeature, batch: ReadonlySet<FeatureId>): boolean =>
    feature.status === "pending" &&
    feature.attempts < maxAttempts &&
    !isLeaseActive(feature.lease, now) &&
    feature.dependencies.every(
      (dependencyId) => batch.has(dependencyId) || byId.get(dependencyId)?.status === "passing",
    );

  const used = new Set<FeatureId>(options.exclude);
  const batches: FeatureId[][] = [];
  const first = options.first;
  const starts =
    first === undefined || first.size === 0
      ? analysis.ready
      : [...analysis.ready.filter((id) => first.has(id)), ...analysis.ready.filter((id) => !first.has(id))];
  for (const startId of starts) {
    if (batches.length >= slots) break;
    if (used.has(startId)) continue;
    const batch = [startId];
    const members = new Set(batch);
    used.add(startId);
    while (batch.length < batchSize) {
      let best: FeatureId | undefined;
      for (const member of batch) {
        for (const dependentId of dependentsOf.get(member) ?? []) {
          if (used.has(dependentId) || (best !== undefined && !isBetter(dependentId, best))) continue;
          const dependent = byId.get(dependentId);
          if (dependent !== undefined && canJoin(dependent, members)) best = dependentId;
        }
      }
      if (best === undefined) break;
      batch.push(best);
      members.add(best);
      used.add(best);
    }
    const category = byId.get(startId)?.category;
    for (const readyId of analysis.ready) {
      if (batch.length >= batchSize) break;
      if (used.has(readyId) || byId.get(readyId)?.category !== category) continue;
      batch.push(readyId);
      members.add(readyId);
      used.add(readyId);
    }
    batches.push(batch);
  }
  return batches;
}

/** The fields of a feature that {@link computeProgress} reads (`unverified` is false when absent). */
export type ProgressFeature = Pick<Feature, "id" | "status" | "dependencies" | "attempts"> &
  Partial<Pick<Feature, "unverified">>;

/**
 * Counts by status for `progress.updated`. `failed` counts failed features and pending ones whose attempts are
 * exhausted (`maxAttempts`: they cannot be claimed again, see {@link countsAsFailed}); `blocked` counts the other
 * pending features with a dependency that is not passing (or does not exist); `pending` counts the rest of the
 * pending features plus `regressed` ones; `unverified` counts the passing features that passed without a check
 * (they are also in `passing`); `percentage` is `passing / total * 100` rounded to one decimal (0 for an empty
 * backlog).
 */
export function computeProgress(
  features: readonly ProgressFeature[],
  options: { readonly maxAttempts: number },
): Progress {
  const passingIds = new Set<FeatureId>();
  for (const feature of features) if (feature.status === "passing") passingIds.add(feature.id);
  const progress: Progress = {
    passing: 0,
    unverified: 0,
    inProgress: 0,
    verifying: 0,
    needsInput: 0,
    failed: 0,
    pending: 0,
    blocked: 0,
    total: features.length,
    percentage: 0,
  };
  for (const feature of features) {
    if (countsAsFailed(feature, options)) {
      progress.failed++;
      continue;
    }
    switch (feature.status) {
      case "in_progress":
        progress.inProgress++;
        break;
      case "verifying":
        progress.verifying++;
        break;
      case "needs_input":
        progress.needsInput++;
        break;
      case "failed":
        progress.failed++;
        break;
      case "regressed":
        progress.pending++;
        break;
      case "pending":
        if (feature.dependencies.every((dependencyId) => passingIds.has(dependencyId))) progress.pending++;
        else progress.blocked++;
        break;
      case "passing":
        progress.passing++;
        if (feature.unverified === true) progress.unverified++;
        break;
    }
  }
  progress.percentage =
    features.length === 0 ? 0 : Math.round((progress.passing / features.length) * 1000) / 10;
  return progress;
}
