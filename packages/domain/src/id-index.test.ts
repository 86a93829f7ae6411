import { describe, expect, it } from "vitest";
import { createIdIndex } from "./id-index.ts";

describe("createIdIndex", () => {
  it.each([
    { name: "dense ids", ids: [3, 1, 2] },
    { name: "sparse ids (Map fallback)", ids: [1_000_000_000, 7, 42] },
  ])("indexes $name in first-seen order", ({ ids }) => {
    const index = createIdIndex([...ids, ids[0] ?? 0]);
    expect(index.ids).toEqual(ids);
    expect(ids.map((id) => index.indexOf(id))).toEqual([0, 1, 2]);
  });

  it.each([0, -1, 1.5, 99, 1_000_000, Number.NaN])("returns -1 for the unknown id %d", (id) => {
    expect(createIdIndex([1, 2, 3]).indexOf(id)).toBe(-1);
    expect(createIdIndex([1, 2, 3_000_000]).indexOf(id)).toBe(-1);
  });
});
