/** The dashboard: providers and the route switch. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { HomeScreen } from "../features/projects/home-screen.tsx";
import { NewProjectWizard } from "../features/projects/new-project-wizard.tsx";
import { PageFrame } from "../features/projects/page-frame.tsx";
import { SettingsView } from "../features/settings/settings-view.tsx";
import { Button } from "../ui/button.tsx";
import { NoticeProvider, Notices } from "../ui/notices.tsx";
import { CenteredMessage, ProjectShell } from "./project-shell.tsx";
import { navigate, useRoute } from "./router.ts";

/** A query client for the dashboard: no refetch loops (the stream says what changed), no retry of 4xx. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { refetchOnWindowFocus: false, staleTime: 30_000, retry: 1 },
      mutations: { retry: false },
    },
  });
}

/** The app. */
export function App(props: { readonly queryClient?: QueryClient }) {
  const [queryClient] = useState(() => props.queryClient ?? createQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <NoticeProvider>
        <Routes />
        <Notices />
      </NoticeProvider>
    </QueryClientProvider>
  );
}

function Routes() {
  const route = useRoute();
  switch (route.kind) {
    case "home":
      return <HomeScreen />;
    case "new-project":
      return <NewProjectWizard />;
    case "settings":
      return (
        <PageFrame>
          <SettingsView />
        </PageFrame>
      );
    case "project":
      return (
        <ProjectShell
          key={route.project}
          project={route.project}
          view={route.view}
          {...(route.featureId === undefined ? {} : { featureId: route.featureId })}
        />
      );
    case "not-found":
      return (
        <CenteredMessage title="Nothing here">
          <p>There is no page at {route.path}.</p>
          <Button variant="primary" onClick={() => navigate({ kind: "home" })}>
            All projects
          </Button>
        </CenteredMessage>
      );
  }
}
