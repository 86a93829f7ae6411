/**
 * Dense indices for feature ids. Feature ids are small positive integers in practice, so a typed-array table is
 * used when the largest id is within a few times the number of ids, and a `Map` otherwise.
 */
import type { FeatureId } from "@autowright/protocol";

/** Maps feature ids to the dense indices `0 … ids.length - 1`, in first-seen order. */
export type IdIndex = {
  /** The ids, by index (without repeats). */
  readonly ids: readonly FeatureId[];
  /** The index of an id, or -1 when the id is not indexed. */
  indexOf(id: FeatureId): number;
};

/** Indexes the given ids; a repeated id keeps its first index. */
export function createIdIndex(ids: readonly FeatureId[]): IdIndex {
  let largest = 0;
  let dense = true;
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0) {
      dense = false;
      break;
    }
    if (id > largest) largest = id;
  }
  if (dense && largest <= ids.length * 4 + 1024) {
    const table = new Int32Array(largest + 1).fill(-1);
    const unique: FeatureId[] = [];
    for (const id of ids) {
      if (table[id] !== -1) continue;
      table[id] = unique.length;
      unique.push(id);
    }
    // A typed array yields undefined for negative, fractional or out-of-range keys.
    return { ids: unique, indexOf: (id) => table[id] ?? -1 };
  }
  const map = new Map<FeatureId, number>();
  const unique: FeatureId[] = [];
  for (const id of ids) {
    if (map.has(id)) continue;
    map.set(id, unique.length);
    unique.push(id);
  }
  return { ids: unique, indexOf: (id) => map.get(id) ?? -1 };
}
