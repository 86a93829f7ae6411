/**
 * The Graph view: the backlog's dependency graph, live from the project's store (nodes coloured by status, the
 * agents' mascots on the nodes they work on; click or Enter opens the feature). The canvas is loaded on demand
 * behind an error boundary, so neither its size nor a failure of it can cost the rest of the dashboard.
 */
import { Network } from "lucide-react";
import { Component, type ErrorInfo, lazy, type ReactNode, Suspense, useCallback } from "react";
import { navigate, useRoute } from "../../app/router.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";

const GraphCanvas = lazy(() => import("./graph-canvas.tsx"));

/** The dependency graph of the open project. */
export function GraphView() {
  const store = useProjectStore();
  const project = store.project;
  const features = useProjectView((view) => view.features);
  const loaded = useProjectView((view) => view.featuresLoaded);
  const agents = useProjectView((view) => view.live.snapshot.agents);
  const streamError = useProjectView((view) => view.streamError);
  const route = useRoute();
  const currentFeatureId = route.kind === "project" ? route.featureId : undefined;
  const openFeature = useCallback(
    (featureId: number) => navigate({ kind: "project", project, view: "graph", featureId }),
    [project],
  );

  let content: ReactNode;
  let state: string;
  if (!loaded) {
    state = streamError === undefined ? "loading" : "error";
    content =
      streamError === undefined ? (
        <GraphMessage title="Loading the backlog…" />
      ) : (
        <GraphMessage title="The graph needs the backlog" alert>
          <p>{streamError}</p>
          <Button onClick={() => store.reconnect()}>Try again</Button>
        </GraphMessage>
      );
  } else if (features.size === 0) {
    state = "empty";
    content = (
      <GraphMessage title="No features yet">
        <p>
          The graph shows each feature and what it depends on. Add features on the board, or write a spec and
          let the initializer plan them.
        </p>
        <Button variant="primary" onClick={() => navigate({ kind: "project", project, view: "kanban" })}>
          Open the board
        </Button>
      </GraphMessage>
    );
  } else {
    state = "ready";
    content = (
      <GraphErrorBoundary>
        <Suspense fallback={<GraphMessage title="Loading the graph…" />}>
          <GraphCanvas
            features={features}
            agents={agents}
            currentFeatureId={currentFeatureId}
            onOpenFeature={openFeature}
          />
        </Suspense>
      </GraphErrorBoundary>
    );
  }
  return (
    <section
      aria-label="Dependency graph"
      data-testid="graph-view"
      data-state={state}
      className="h-full min-h-96"
    >
      {content}
    </section>
  );
}

function GraphMessage(props: {
  readonly title: string;
  readonly alert?: boolean;
  readonly children?: ReactNode;
}) {
  return (
    <div className="flex h-full items-center justify-center p-6" role={props.alert ? "alert" : undefined}>
      <div className="max-w-md space-y-3 text-center">
        <Network className="mx-auto size-8 text-muted" aria-hidden />
        <h2 className="text-base font-semibold">{props.title}</h2>
        {props.children === undefined ? null : (
          <div className="space-y-3 text-sm text-muted">{props.children}</div>
        )}
      </div>
    </div>
  );
}

/** Catches a failure of the canvas (a render error, a chunk that did not load) and says so. */
export class GraphErrorBoundary extends Component<
  { readonly children: ReactNode },
  { readonly error: Error | undefined }
> {
  override state: { readonly error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("The dependency graph failed:", error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error === undefined) return this.props.children;
    return (
      <GraphMessage title="The graph could not be drawn" alert>
        <p className="font-mono text-xs break-words">{this.state.error.message}</p>
        <p>The board and the other views still work.</p>
        <div className="flex justify-center gap-2">
          <Button onClick={() => this.setState({ error: undefined })}>Try again</Button>
          <Button variant="ghost" onClick={() => window.location.reload()}>
            Reload the page
          </Button>
        </div>
      </GraphMessage>
    );
  }
}
