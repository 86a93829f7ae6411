/**
 * Reprioritising: the priority changes that put one feature at a new place in the queue. Priorities are integers
 * (the scheduler orders by priority, then id); a place between two neighbours takes a number between theirs, and
 * when there is none the fewest neighbours on one side are renumbered, never the whole backlog.
 */
import type { Feature } from "@autowright/protocol";

/** One priority to set. */
export interface PriorityChange {
  readonly id: number;
  readonly priority: number;
}

/**
 * The changes that move `movedId` so that it ends up at `targetIndex` of `ordered` (the queue as shown, in
 * priority order) once moved: `targetIndex` counts positions among the other features. Empty when it is already
 * there. The moved feature's change comes first.
 */
export function reprioritise(
  ordered: readonly Feature[],
  movedId: number,
  targetIndex: number,
): PriorityChange[] {
  const from = ordered.findIndex((feature) => feature.id === movedId);
  if (from === -1) return [];
  const rest = ordered.filter((feature) => feature.id !== movedId);
  const index = Math.max(0, Math.min(targetIndex, rest.length));
  if (index === from) return [];
  const previous = rest[index - 1];
  const next = rest[index];
  if (previous === undefined && next === undefined) return [];
  if (previous === undefined) return [{ id: movedId, priority: (next as Feature).priority - 1 }];
  if (next === undefined) return [{ id: movedId, priority: previous.priority + 1 }];
  if (next.priority - previous.priority >= 2)
    return [{ id: movedId, priority: Math.floor((previous.priority + next.priority) / 2) }];

  // No integer between the neighbours: push the following ones up by one until a gap absorbs it, or the preceding
  // ones down; whichever touches fewer features.
  const forward: PriorityChange[] = [{ id: movedId, priority: previous.priority + 1 }];
  let last = previous.priority + 1;
  for (let position = index; position < rest.length; position++) {
    const feature = rest[position] as Feature;
    if (feature.priority > last) break;
    last += 1;
    forward.push({ id: feature.id, priority: last });
  }
  const backward: PriorityChange[] = [{ id: movedId, priority: next.priority - 1 }];
  last = next.priority - 1;
  for (let position = index - 1; position >= 0; position--) {
    const feature = rest[position] as Feature;
    if (feature.priority < last) break;
    last -= 1;
    backward.push({ id: feature.id, priority: last });
  }
  return backward.length < forward.length ? backward : forward;
}

/** The queue after `changes` (to check a plan, and for tests): sorted as the board sorts it. */
export function applyChanges(ordered: readonly Feature[], changes: readonly PriorityChange[]): Feature[] {
  const byId = new Map(changes.map((change) => [change.id, change.priority]));
  return ordered
    .map((feature) => {
      const priority = byId.get(feature.id);
      return priority === undefined ? feature : { ...feature, priority };
    })
    .sort((left, right) => left.priority - right.priority || left.id - right.id);
}
