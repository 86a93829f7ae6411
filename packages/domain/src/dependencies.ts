/**
 * Validation of dependency edits. Every surface (REST, MCP, CLI, import) runs the same check: no self-edge, no
 * unknown id, no duplicate, at most a configurable number per feature, and no new cycle. Problems already in the
 * backlog (imported cycles, dangling ids) are not reported: only what the edit introduces.
 */
import type { FeatureId } from "@autowright/protocol";
import { AppError } from "@autowright/protocol";
import type { AdjacencyGraph } from "./graph.ts";
import { stronglyConnectedComponents } from "./graph.ts";
import type { IdIndex } from "./id-index.ts";
import { createIdIndex } from "./id-index.ts";

/** The code of a dependency violation (each is also an {@link AppError} code). */
export type DependencyViolationCode =
  | "dependency_self"
  | "dependency_unknown"
  | "dependency_duplicate"
  | "dependency_limit"
  | "dependency_cycle";

/** One reason a dependency edit is rejected. */
export type DependencyViolation = {
  /** The changed feature whose dependency list is at fault. */
  featureId: FeatureId;
  /** The offending dependency, when the violation is about one (absent for `dependency_limit`). */
  dependencyId?: FeatureId;
  /** What is wrong. */
  code: DependencyViolationCode;
  /** One readable sentence. */
  message: string;
  /** For `dependency_cycle`: the cycle in "depends on" order, `[1, 2, 3]` meaning 1 → 2 → 3 → 1. */
  cycle?: FeatureId[];
};

/** The input of {@link validateDependencyChanges}. */
export type DependencyChangesInput = {
  /** The current backlog: each feature id with its dependency ids. May already hold cycles and unknown ids. */
  graph: ReadonlyMap<FeatureId, readonly FeatureId[]>;
  /**
   * The edit: a feature id (existing, or newly allocated and absent from `graph`) with its full new dependency
   * list.
   */
  changes: ReadonlyMap<FeatureId, readonly FeatureId[]>;
  /** The most dependencies one feature may have. */
  maxPerFeature: number;
};

const codeOrder: Readonly<Record<DependencyViolationCode, number>> = {
  dependency_limit: 0,
  dependency_self: 1,
  dependency_unknown: 2,
  dependency_duplicate: 3,
  dependency_cycle: 4,
};

/**
 * Checks a dependency edit against the backlog and returns every violation it introduces, sorted by feature id,
 * then dependency id (violations without one first), then code. An empty array means the edit is valid.
 * Self and unknown dependencies are reported only when new to the feature: kept ones are imported data.
 *
 * A new edge is a dependency in `changes` that the feature did not already have in `graph`. Cycles are found with
 * one strongly-connected-components pass over the graph-after-changes, started from the new edges' targets (only
 * what they reach can close a cycle through them); each component that contains a new edge is reported once, as
 * the shortest cycle through its smallest new edge, attributed to that edge's feature.
 */
export function validateDependencyChanges(input: DependencyChangesInput): DependencyViolation[] {
  const { graph, changes, maxPerFeature } = input;
  const violations: DependencyViolation[] = [];
  const index = createIdIndex([...graph.keys(), ...changes.keys()]);

  // Every edge of the graph-after-changes, as parallel arrays; changed edges first.
  let edgeCapacity = 0;
  changes.forEach((dependencies) => {
    edgeCapacity += dependencies.length;
  });
  graph.forEach((dependencies, featureId) => {
    if (!changes.has(featureId)) edgeCapacity += dependencies.length;
  });
  const edges: EdgeList = {
    sources: new Int32Array(edgeCapacity),
    targets: new Int32Array(edgeCapacity),
    isNew: new Uint8Array(edgeCapacity),
    count: 0,
    newCount: 0,
  };

  changes.forEach((dependencies, featureId) => {
    if (dependencies.length > maxPerFeature) {
      violations.push({
        featureId,
        code: "dependency_limit",
        message: `feature ${featureId} has ${dependencies.length} dependencies, more than the limit of ${maxPerFeature}`,
      });
    }
    const previous = graph.get(featureId);
    const previousSet =
      previous !== undefined && previous.length > shortListLength ? new Set(previous) : undefined;
    const occurrences = dependencies.length > shortListLength ? new Map<FeatureId, number>() : undefined;
    const source = index.indexOf(featureId);
    for (let position = 0; position < dependencies.length; position++) {
      const dependencyId = dependencies[position] ?? 0;
      const occurrence = occurrenceNumber(dependencies, position, occurrences);
      if (occurrence > 1) {
        if (occurrence === 2) {
          violations.push({
            featureId,
            dependencyId,
            code: "dependency_duplicate",
            message: `feature ${featureId} lists dependency ${dependencyId} more than once`,
          });
        }
        continue;
      }
      const target = index.indexOf(dependencyId);
      const isNew =
        previous === undefined || !(previousSet?.has(dependencyId) ?? previous.includes(dependencyId));
      if (!isNew) {
        // Kept from the backlog as it was: a dangling id or self-edge there is imported data, not this edit.
        if (target !== -1 && target !== source) addEdge(edges, source, target, false);
      } else if (dependencyId === featureId) {
        violations.push({
          featureId,
          dependencyId,
          code: "dependency_self",
          message: `feature ${featureId} depends on itself`,
        });
      } else if (target === -1) {
        violations.push({
          featureId,
          dependencyId,
          code: "dependency_unknown",
          message: `feature ${featureId} depends on unknown feature ${dependencyId}`,
        });
      } else {
        addEdge(edges, source, target, true);
      }
    }
  });

  if (edges.newCount > 0) {
    graph.forEach((dependencies, featureId) => {
      if (changes.has(featureId)) return;
      const source = index.indexOf(featureId);
      for (const dependencyId of dependencies) {
        const target = index.indexOf(dependencyId);
        if (target !== -1) addEdge(edges, source, target, false);
      }
    });
    violations.push(...findNewCycles(index, edges));
  }
  return violations.sort(compareViolations);
}

/** Lists longer than this are searched through a Set or Map rather than scanned. */
const shortListLength = 16;

/**
 * Which occurrence (1 for the first) of its value `list[position]` is: short lists are scanned, long ones counted
 * in `occurrences` (then positions must be visited in order).
 */
function occurrenceNumber(
  list: readonly FeatureId[],
  position: number,
  occurrences: Map<FeatureId, number> | undefined,
): number {
  const value = list[position] ?? 0;
  if (occurrences !== undefined) {
    const occurrence = (occurrences.get(value) ?? 0) + 1;
    occurrences.set(value, occurrence);
    return occurrence;
  }
  let occurrence = 1;
  for (let earlier = 0; earlier < position; earlier++) if (list[earlier] === value) occurrence++;
  return occurrence;
}

/** The edges of the graph-after-changes, by dense index, with which of them are new. */
type EdgeList = {
  sources: Int32Array;
  targets: Int32Array;
  isNew: Uint8Array;
  count: number;
  newCount: number;
};

function addEdge(edges: EdgeList, source: number, target: number, isNew: boolean): void {
  edges.sources[edges.count] = source;
  edges.targets[edges.count] = target;
  if (isNew) {
    edges.isNew[edges.count] = 1;
    edges.newCount++;
  }
  edges.count++;
}

/**
 * Throws `AppError` with the first violation's code, every message joined with "; " and
 * `details: { violations }`, unless the edit is valid.
 */
export function assertDependencyChanges(input: DependencyChangesInput): void {
  const violations = validateDependencyChanges(input);
  const first = violations[0];
  if (first === undefined) return;
  throw new AppError(first.code, violations.map((violation) => violation.message).join("; "), {
    details: { violations },
  });
}

/** Formats a cycle in "depends on" order: `1 → 2 → 3 → 1`. */
export function formatCycle(cycle: readonly FeatureId[]): string {
  const first = cycle[0];
  return first === undefined ? "" : [...cycle, first].join(" → ");
}

function compareViolations(left: DependencyViolation, right: DependencyViolation): number {
  if (left.featureId !== right.featureId) return left.featureId - right.featureId;
  const leftDependency = left.dependencyId ?? Number.NEGATIVE_INFINITY;
  const rightDependency = right.dependencyId ?? Number.NEGATIVE_INFINITY;
  if (leftDependency !== rightDependency) return leftDependency < rightDependency ? -1 : 1;
  return codeOrder[left.code] - codeOrder[right.code];
}

/**
 * Finds the cycles of the graph-after-changes that go through at least one new edge: the strongly connected
 * components reachable from the new edges' targets, kept when they contain a new edge.
 */
function findNewCycles(index: IdIndex, edges: EdgeList): DependencyViolation[] {
  const { ids } = index;
  const nodeCount = ids.length;
  const offsets = new Int32Array(nodeCount + 1);
  for (let edge = 0; edge < edges.count; edge++) {
    const source = edges.sources[edge] ?? 0;
    offsets[source + 1] = (offsets[source + 1] ?? 0) + 1;
  }
  for (let node = 0; node < nodeCount; node++)
    offsets[node + 1] = (offsets[node + 1] ?? 0) + (offsets[node] ?? 0);
  const fill = offsets.slice(0, nodeCount);
  const targets = new Int32Array(edges.count);
  const roots = new Int32Array(edges.newCount);
  let rootCount = 0;
  for (let edge = 0; edge < edges.count; edge++) {
    const source = edges.sources[edge] ?? 0;
    const position = fill[source] ?? 0;
    targets[position] = edges.targets[edge] ?? 0;
    fill[source] = position + 1;
    if (edges.isNew[edge] === 1) roots[rootCount++] = edges.targets[edge] ?? 0;
  }
  const adjacency: AdjacencyGraph = { nodeCount, offsets, targets };
  const { componentOf } = stronglyConnectedComponents(adjacency, roots);

  // The smallest new edge inside each component (a self-edge is never a new edge).
  const chosenEdge = new Map<number, { source: number; target: number }>();
  for (let edge = 0; edge < edges.count; edge++) {
    if (edges.isNew[edge] !== 1) continue;
    const source = edges.sources[edge] ?? 0;
    const target = edges.targets[edge] ?? 0;
    const component = componentOf[source] ?? -1;
    if (component === -1 || component !== componentOf[target]) continue;
    const current = chosenEdge.get(component);
    if (
      current === undefined ||
      (ids[source] ?? 0) < (ids[current.source] ?? 0) ||
      (ids[source] === ids[current.source] && (ids[target] ?? 0) < (ids[current.target] ?? 0))
    ) {
      chosenEdge.set(component, { source, target });
    }
  }

  const violations: DependencyViolation[] = [];
  for (const [component, { source, target }] of chosenEdge) {
    // The shortest path target ⇝ source inside the component closes the cycle source → target ⇝ source.
    const previous = new Map<number, number>([[target, -1]]);
    const queue = [target];
    for (let cursor = 0; cursor < queue.length && !previous.has(source); cursor++) {
      const node = queue[cursor] ?? 0;
      const end = offsets[node + 1] ?? 0;
      for (let edge = offsets[node] ?? 0; edge < end; edge++) {
        const next = targets[edge] ?? 0;
        if (componentOf[next] !== component || previous.has(next)) continue;
        previous.set(next, node);
        queue.push(next);
      }
    }
    const path: FeatureId[] = [];
    for (let node = previous.get(source) ?? -1; node !== -1; node = previous.get(node) ?? -1) {
      path.push(ids[node] ?? 0);
    }
    const featureId = ids[source] ?? 0;
    const cycle = [featureId, ...path.reverse()];
    violations.push({
      featureId,
      dependencyId: ids[target] ?? 0,
      code: "dependency_cycle",
      message: `dependencies would form a cycle: ${formatCycle(cycle)}`,
      cycle,
    });
  }
  return violations;
}
