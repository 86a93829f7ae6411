/**
 * Graph algorithms over dense integer nodes in compressed sparse row form. Everything here is iterative (no
 * recursion), so a 10,000-long dependency chain cannot overflow the stack.
 */

/**
 * A directed graph over the nodes `0 … nodeCount - 1`: the successors of node `n` are
 * `targets[offsets[n]] … targets[offsets[n + 1] - 1]`.
 */
export type AdjacencyGraph = {
  nodeCount: number;
  offsets: Int32Array;
  targets: Int32Array;
};

/**
 * The strongly connected components of a graph. Component indices are a reverse topological order of the
 * condensation: for every edge `u → v` between different components, `componentOf[u] > componentOf[v]`
 * (successors get smaller indices). Nodes not reached from the requested roots have component `-1`.
 */
export type StronglyConnectedComponents = {
  componentOf: Int32Array;
  componentCount: number;
  componentSizes: Int32Array;
};

/** Nodes listed component by component, components in index order (so successors' components come first). */
export type ComponentGrouping = {
  /** Component `c` owns `nodes[componentStart[c]] … nodes[componentStart[c + 1] - 1]`. */
  componentStart: Int32Array;
  nodes: Int32Array;
};

/**
 * Builds an {@link AdjacencyGraph} from a successor list per node. Successors outside `0 … nodeCount - 1` are
 * dropped.
 */
export function buildAdjacencyGraph(successors: readonly (readonly number[])[]): AdjacencyGraph {
  const nodeCount = successors.length;
  const offsets = new Int32Array(nodeCount + 1);
  let edgeCount = 0;
  for (let node = 0; node < nodeCount; node++) {
    offsets[node] = edgeCount;
    for (const target of successors[node] ?? []) {
      if (target >= 0 && target < nodeCount) edgeCount++;
    }
  }
  offsets[nodeCount] = edgeCount;
  const targets = new Int32Array(edgeCount);
  let position = 0;
  for (let node = 0; node < nodeCount; node++) {
    for (const target of successors[node] ?? []) {
      if (target >= 0 && target < nodeCount) targets[position++] = target;
    }
  }
  return { nodeCount, offsets, targets };
}

/**
 * Tarjan's strongly connected components, iterative. With `roots`, only the nodes reachable from them are
 * visited (the others get component `-1`); without, every node is.
 */
export function stronglyConnectedComponents(
  graph: AdjacencyGraph,
  roots?: Iterable<number>,
): StronglyConnectedComponents {
  const { nodeCount, offsets, targets } = graph;
  const discovery = new Int32Array(nodeCount).fill(-1);
  const lowLink = new Int32Array(nodeCount);
  const onStack = new Uint8Array(nodeCount);
  const componentOf = new Int32Array(nodeCount).fill(-1);
  const nextEdge = new Int32Array(nodeCount);
  const componentStack = new Int32Array(nodeCount);
  const callStack = new Int32Array(nodeCount);
  const sizes: number[] = [];
  let componentStackSize = 0;
  let counter = 0;
  let componentCount = 0;

  const visitFrom = (root: number): void => {
    if (discovery[root] !== -1) return;
    let callDepth = 0;
    callStack[callDepth++] = root;
    discovery[root] = counter;
    lowLink[root] = counter;
    counter++;
    nextEdge[root] = offsets[root] ?? 0;
    componentStack[componentStackSize++] = root;
    onStack[root] = 1;
    while (callDepth > 0) {
      const node = callStack[callDepth - 1] ?? 0;
      const edgeEnd = offsets[node + 1] ?? 0;
      let edge = nextEdge[node] ?? 0;
      let descended = false;
      while (edge < edgeEnd) {
        const target = targets[edge] ?? 0;
        edge++;
        if (discovery[target] === -1) {
          nextEdge[node] = edge;
          discovery[target] = counter;
          lowLink[target] = counter;
          counter++;
          nextEdge[target] = offsets[target] ?? 0;
          componentStack[componentStackSize++] = target;
          onStack[target] = 1;
          callStack[callDepth++] = target;
          descended = true;
          break;
        }
        if (onStack[target] === 1) {
          const targetDiscovery = discovery[target] ?? 0;
          if (targetDiscovery < (lowLink[node] ?? 0)) lowLink[node] = targetDiscovery;
        }
      }
      if (descended) continue;
      nextEdge[node] = edge;
      callDepth--;
      const nodeLowLink = lowLink[node] ?? 0;
      if (nodeLowLink === discovery[node]) {
        let size = 0;
        let member: number;
        do {
          member = componentStack[--componentStackSize] ?? 0;
          onStack[member] = 0;
          componentOf[member] = componentCount;
          size++;
        } while (member !== node);
        sizes.push(size);
        componentCount++;
      }
      if (callDepth > 0) {
        const parent = callStack[callDepth - 1] ?? 0;
        if (nodeLowLink < (lowLink[parent] ?? 0)) lowLink[parent] = nodeLowLink;
      }
    }
  };

  if (roots === undefined) {
    for (let node = 0; node < nodeCount; node++) visitFrom(node);
  } else {
    for (const root of roots) visitFrom(root);
  }
  return { componentOf, componentCount, componentSizes: Int32Array.from(sizes) };
}

/** Lists the nodes component by component, in component index order (a topological order, successors first). */
export function groupByComponent(components: StronglyConnectedComponents): ComponentGrouping {
  const { componentOf, componentCount, componentSizes } = components;
  const componentStart = new Int32Array(componentCount + 1);
  for (let component = 0; component < componentCount; component++) {
    componentStart[component + 1] = (componentStart[component] ?? 0) + (componentSizes[component] ?? 0);
  }
  const fill = componentStart.slice(0, componentCount);
  const nodes = new Int32Array(componentStart[componentCount] ?? 0);
  for (let node = 0; node < componentOf.length; node++) {
    const component = componentOf[node] ?? -1;
    if (component < 0) continue;
    const position = fill[component] ?? 0;
    nodes[position] = node;
    fill[component] = position + 1;
  }
  return { componentStart, nodes };
}

/**
 * The condensation: one node per component, an edge `a → b` (deduplicated, no self-edges) whenever some member of
 * `a` has an edge to some member of `b`. Its node order `0 … componentCount - 1` is a reverse topological order.
 */
export function condense(
  graph: AdjacencyGraph,
  components: StronglyConnectedComponents,
  grouping: ComponentGrouping = groupByComponent(components),
): AdjacencyGraph {
  const { offsets, targets } = graph;
  const { componentOf, componentCount } = components;
  const { componentStart, nodes } = grouping;
  const lastSeenBy = new Int32Array(componentCount).fill(-1);
  const condensedOffsets = new Int32Array(componentCount + 1);
  const condensedTargets = new Int32Array(targets.length);
  let edgeCount = 0;
  for (let component = 0; component < componentCount; component++) {
    condensedOffsets[component] = edgeCount;
    lastSeenBy[component] = component;
    const end = componentStart[component + 1] ?? 0;
    for (let index = componentStart[component] ?? 0; index < end; index++) {
      const node = nodes[index] ?? 0;
      const edgeEnd = offsets[node + 1] ?? 0;
      for (let edge = offsets[node] ?? 0; edge < edgeEnd; edge++) {
        const targetComponent = componentOf[targets[edge] ?? 0] ?? -1;
        if (targetComponent < 0 || lastSeenBy[targetComponent] === component) continue;
        lastSeenBy[targetComponent] = component;
        condensedTargets[edgeCount++] = targetComponent;
      }
    }
  }
  condensedOffsets[componentCount] = edgeCount;
  return {
    nodeCount: componentCount,
    offsets: condensedOffsets,
    targets: condensedTargets.subarray(0, edgeCount),
  };
}

/** The reverse of a graph (every edge `u → v` becomes `v → u`); each node's successors stay in ascending order. */
export function reverseGraph(graph: AdjacencyGraph): AdjacencyGraph {
  const { nodeCount, offsets, targets } = graph;
  const reversedOffsets = new Int32Array(nodeCount + 1);
  for (let edge = 0; edge < targets.length; edge++) {
    const target = targets[edge] ?? 0;
    reversedOffsets[target + 1] = (reversedOffsets[target + 1] ?? 0) + 1;
  }
  for (let node = 0; node < nodeCount; node++) {
    reversedOffsets[node + 1] = (reversedOffsets[node + 1] ?? 0) + (reversedOffsets[node] ?? 0);
  }
  const fill = reversedOffsets.slice(0, nodeCount);
  const reversedTargets = new Int32Array(targets.length);
  for (let node = 0; node < nodeCount; node++) {
    const end = offsets[node + 1] ?? 0;
    for (let edge = offsets[node] ?? 0; edge < end; edge++) {
      const target = targets[edge] ?? 0;
      const position = fill[target] ?? 0;
      reversedTargets[position] = node;
      fill[target] = position + 1;
    }
  }
  return { nodeCount, offsets: reversedOffsets, targets: reversedTargets };
}

/** True when node `node` has an edge to itself. */
export function hasSelfLoop(graph: AdjacencyGraph, node: number): boolean {
  const end = graph.offsets[node + 1] ?? 0;
  for (let edge = graph.offsets[node] ?? 0; edge < end; edge++) {
    if (graph.targets[edge] === node) return true;
  }
  return false;
}

/** The number of set bits in a 32-bit word. */
export function popcount32(word: number): number {
  let value = word - ((word >>> 1) & 0x55555555);
  value = (value & 0x33333333) + ((value >>> 2) & 0x33333333);
  return Math.imul((value + (value >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
