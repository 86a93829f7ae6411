/** Test helpers of the board and the feature detail: the providers the screens need, around a real store. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { ProjectStoreProvider } from "../../state/project-context.tsx";
import type { ProjectStore } from "../../state/project-store.ts";
import { NoticeProvider, Notices } from "../../ui/notices.tsx";

/** Renders `ui` with a query client, the notices and `store` as the open project's. */
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
