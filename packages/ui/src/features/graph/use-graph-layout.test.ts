import { renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { makeFeature } from "../../test-support.ts";
import { graphStructure } from "./graph-layout.ts";
import { syncLayoutNodes, useGraphLayout, useStableStructure } from "./use-graph-layout.ts";

const chain = (count: number) =>
  graphStructure(
    Array.from({ length: count }, (_, index) =>
      makeFeature(index + 1, { dependencies: index > 0 ? [index] : [] }),
    ),
  );

describe("useGraphLayout", () => {
  it("lays a small graph out during the render", () => {
    const { result } = renderHook(() => useGraphLayout(chain(5), "LR"));
    expect(result.current.computing).toBe(false);
    expect(result.current.layout?.positions.size).toBe(5);
  });

  it("lays a large graph out after the render, saying it is computing meanwhile, and again on a new direction", async () => {
    const structure = chain(syncLayoutNodes + 10);
    const { result, rerender } = renderHook(({ direction }) => useGraphLayout(structure, direction), {
      initialProps: { direction: "LR" as "LR" | "TB" },
    });
    expect(result.current).toEqual({ layout: undefined, computing: true, error: undefined });
    await waitFor(() => expect(result.current.computing).toBe(false), { timeout: 10_000 });
    const first = result.current.layout;
    expect(first?.positions.size).toBe(syncLayoutNodes + 10);
    rerender({ direction: "TB" });
    // The previous layout stays on screen while the new one is computed.
    expect(result.current.computing).toBe(true);
    expect(result.current.layout).toBe(first);
    await waitFor(() => expect(result.current.layout?.direction).toBe("TB"), { timeout: 10_000 });
    expect(result.current.computing).toBe(false);
  });
});

describe("useStableStructure", () => {
  it("keeps the same object while the key is the same", () => {
    const { result, rerender } = renderHook(({ structure }) => useStableStructure(structure), {
      initialProps: { structure: chain(3) },
    });
    const first = result.current;
    rerender({ structure: chain(3) });
    expect(result.current).toBe(first);
    rerender({ structure: chain(4) });
    expect(result.current).not.toBe(first);
  });
});
