/**
 * The layout worker: dagre on 2,000 nodes takes a second or more, which must not freeze the page. Receives
 * `{ request, structure, direction }`, answers `{ request, layout }` or `{ request, error }`.
 */
import { type GraphDirection, type GraphStructure, layoutGraph, serializeLayout } from "./graph-layout.ts";

/** A request to the worker. */
export interface LayoutRequest {
  readonly request: number;
  readonly structure: GraphStructure;
  readonly direction: GraphDirection;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage: (message: unknown) => void;
};

scope.onmessage = (event) => {
  const { request, structure, direction } = event.data;
  try {
    scope.postMessage({ request, layout: serializeLayout(layoutGraph(structure, direction)) });
  } catch (error) {
    scope.postMessage({ request, error: error instanceof Error ? error.message : String(error) });
  }
};
