/**
 * The graph's layout as React state: recomputed only when the structure (its key) or the direction changes. Small
 * graphs are laid out at once; large ones in a worker so the page stays responsive (the previous layout stays on
 * screen meanwhile). Without workers (tests, a worker that fails to load) the layout runs on the page, after a
 * frame so the "laying out" state can paint.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import {
  deserializeLayout,
  type GraphDirection,
  type GraphLayout,
  type GraphStructure,
  layoutGraph,
  type SerializedLayout,
} from "./graph-layout.ts";
import type { LayoutRequest } from "./graph-layout.worker.ts";

/** Graphs up to this many nodes are laid out synchronously (a few milliseconds to ~100 ms). */
export const syncLayoutNodes = 150;

/** The layout of a structure, or why there is none. */
export interface LayoutState {
  /** The latest finished layout (possibly of an older structure while a new one is computed). */
  readonly layout: GraphLayout | undefined;
  /** True while the layout on screen is not the one of the current structure and direction. */
  readonly computing: boolean;
  readonly error: string | undefined;
}

function attempt(
  structure: GraphStructure,
  direction: GraphDirection,
): { layout?: GraphLayout; error?: string } {
  try {
    return { layout: layoutGraph(structure, direction) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Keeps the same structure object while its key does not change. */
export function useStableStructure(structure: GraphStructure): GraphStructure {
  const stable = useRef(structure);
  if (stable.current.key !== structure.key) stable.current = structure;
  return stable.current;
}

/** The layout of `structure` in `direction`. */
export function useGraphLayout(structure: GraphStructure, direction: GraphDirection): LayoutState {
  const large = structure.nodeIds.length > syncLayoutNodes;
  const sync = useMemo(
    () => (large ? undefined : attempt(structure, direction)),
    [large, structure, direction],
  );
  const [asyncState, setAsyncState] = useState<{ layout?: GraphLayout; error?: string }>({});
  const worker = useRef<{ instance: Worker | undefined; failed: boolean; request: number }>({
    instance: undefined,
    failed: false,
    request: 0,
  });

  useEffect(() => {
    if (!large) return;
    const state = worker.current;
    const request = ++state.request;
    let cancelled = false;
    const onPage = () => {
      // Two frames: the "laying out" state paints before the main thread is busy.
      const timer = setTimeout(() => {
        if (cancelled || request !== state.request) return;
        setAsyncState(attempt(structure, direction));
      }, 32);
      return () => clearTimeout(timer);
    };
    if (state.failed || typeof Worker === "undefined") {
      const cancel = onPage();
      return () => {
        cancelled = true;
        cancel();
      };
    }
    let cancelFallback: (() => void) | undefined;
    try {
      state.instance ??= new Worker(new URL("./graph-layout.worker.ts", import.meta.url), { type: "module" });
    } catch {
      state.failed = true;
      const cancel = onPage();
      return () => {
        cancelled = true;
        cancel();
      };
    }
    const instance = state.instance;
    const onMessage = (
      event: MessageEvent<{ request: number; layout?: SerializedLayout; error?: string }>,
    ) => {
      if (cancelled || event.data.request !== request) return;
      if (event.data.layout !== undefined) setAsyncState({ layout: deserializeLayout(event.data.layout) });
      else setAsyncState((previous) => ({ ...previous, error: event.data.error ?? "the layout failed" }));
    };
    const onError = (event: Event) => {
      event.preventDefault();
      state.failed = true;
      state.instance?.terminate();
      state.instance = undefined;
      if (!cancelled) cancelFallback = onPage();
    };
    instance.addEventListener("message", onMessage);
    instance.addEventListener("error", onError);
    const message: LayoutRequest = { request, structure, direction };
    instance.postMessage(message);
    return () => {
      cancelled = true;
      cancelFallback?.();
      instance.removeEventListener("message", onMessage);
      instance.removeEventListener("error", onError);
    };
  }, [large, structure, direction]);

  useEffect(
    () => () => {
      worker.current.instance?.terminate();
      worker.current.instance = undefined;
    },
    [],
  );

  if (!large) return { layout: sync?.layout, computing: false, error: sync?.error };
  const current = asyncState.layout;
  return {
    layout: current,
    computing: current === undefined || current.key !== structure.key || current.direction !== direction,
    error: asyncState.error,
  };
}
