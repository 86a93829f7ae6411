import { describe, expect, it } from "vitest";
import { makeFeature } from "../../test-support.ts";
import { applyChanges, reprioritise } from "./reorder.ts";

const queue = (...priorities: number[]) =>
  priorities.map((priority, index) => makeFeature(index + 1, { priority }));
const ids = (features: readonly { id: number }[]) => features.map((feature) => feature.id);

describe("reprioritise", () => {
  it("takes a number between the neighbours when there is one", () => {
    expect(reprioritise(queue(10, 20, 30), 3, 1)).toEqual([{ id: 3, priority: 15 }]);
  });

  it("goes before the first and after the last without touching others", () => {
    expect(reprioritise(queue(1, 2, 3), 3, 0)).toEqual([{ id: 3, priority: 0 }]);
    expect(reprioritise(queue(1, 2, 3), 1, 2)).toEqual([{ id: 1, priority: 4 }]);
  });

  it("changes nothing when the feature is already there, or unknown", () => {
    expect(reprioritise(queue(1, 2, 3), 2, 1)).toEqual([]);
    expect(reprioritise(queue(1, 2, 3), 9, 0)).toEqual([]);
  });

  it("swaps neighbours with consecutive priorities (two changes, not a renumbering)", () => {
    const changes = reprioritise(queue(1, 2, 3, 4), 2, 2);
    expect(changes).toHaveLength(2);
    expect(ids(applyChanges(queue(1, 2, 3, 4), changes))).toEqual([1, 3, 2, 4]);
  });

  it("renumbers only up to the nearest gap", () => {
    const features = queue(1, 2, 3, 4, 10, 11);
    const changes = reprioritise(features, 6, 2);
    // 6 goes between 2 and 3: either 3 and 4 move up (into the gap before 10) or 1 and 2 move down.
    expect(ids(applyChanges(features, changes))).toEqual([1, 2, 6, 3, 4, 5]);
    expect(changes.length).toBeLessThanOrEqual(3);
  });

  it("puts the feature exactly where asked and keeps every other order, for any queue", () => {
    let seed = 7;
    const random = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    for (let round = 0; round < 500; round++) {
      const size = 1 + random(12);
      const priorities = Array.from({ length: size }, () => random(8) - 2);
      const features = queue(...priorities).sort((a, b) => a.priority - b.priority || a.id - b.id);
      const moved = features[random(size)]?.id ?? 1;
      const target = random(size);
      const after = applyChanges(features, reprioritise(features, moved, target));
      const expected = features.filter((feature) => feature.id !== moved);
      const movedFeature = features.find((feature) => feature.id === moved);
      if (movedFeature !== undefined) expected.splice(target, 0, movedFeature);
      expect(ids(after), `priorities ${priorities} move #${moved} to ${target}`).toEqual(ids(expected));
    }
  });
});
