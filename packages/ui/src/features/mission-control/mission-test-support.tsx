/** Test helpers of Mission Control, the progress card and the celebrations: providers around a real store. */
import type { ProjectDetailResponse, RunStateResponse } from "@autowright/protocol";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { ProjectStoreProvider } from "../../state/project-context.tsx";
import type { ProjectStore } from "../../state/project-store.ts";
import { NoticeProvider, Notices } from "../../ui/notices.tsx";

/** Renders `ui` inside the providers the screens need, with `store` as the open project's. */
export function renderWithStore(ui: ReactNode, store: ProjectStore) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  return render(
    <QueryClientProvider client={queryClient}>
      <NoticeProvider>
        <ProjectStoreProvider project={store.project} store={store}>
          {ui}
        </ProjectStoreProvider>
        <Notices />
      </NoticeProvider>
    </QueryClientProvider>,
  );
}

/** A `GET /api/projects/:name` answer with the run's `lastResult`. */
export function projectDetail(
  lastResult: RunStateResponse["lastResult"] = null,
  status: RunStateResponse["status"] = "stopped",
  project = "demo",
): ProjectDetailResponse {
  return {
    project: {
      name: project,
      path: `/tmp/${project}`,
      createdAt: "2026-12-03T12:00:00.000Z",
      hasSpec: true,
      progress: {
        passing: 0,
        unverified: 0,
        inProgress: 0,
        verifying: 0,
        needsInput: 0,
        failed: 0,
        pending: 0,
        blocked: 0,
        total: 0,
        percentage: 0,
      },
    },
    run: {
      active: false,
      status,
      paused: false,
      startedAt: null,
      maxConcurrency: 3,
      provider: "replay",
      lastResult,
    },
  };
}

/**
 * jsdom lays nothing out: every element measures 0×0, so a virtualised list shows no row. This gives elements a
 * size (a log dialog's, rows of 20 px) until the returned restore is called.
 */
export function withLayout(): () => void {
  const sizes: Record<string, (element: HTMLElement) => number> = {
    clientWidth: () => 800,
    clientHeight: () => 480,
    offsetWidth: () => 800,
    offsetHeight: (element) => (element.hasAttribute("data-index") ? 20 : 480),
  };
  const originals = Object.keys(sizes).map(
    (name) => [name, Object.getOwnPropertyDescriptor(HTMLElement.prototype, name)] as const,
  );
  for (const [name, size] of Object.entries(sizes)) {
    Object.defineProperty(HTMLElement.prototype, name, {
      configurable: true,
      get(this: HTMLElement) {
        return size(this);
      },
    });
  }
  return () => {
    for (const [name, descriptor] of originals) {
      if (descriptor === undefined)
        delete (HTMLElement.prototype as unknown as Record<string, unknown>)[name];
      else Object.defineProperty(HTMLElement.prototype, name, descriptor);
    }
  };
}
