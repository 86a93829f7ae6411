/** Test helpers of the projects and first-run screens: a query client per test, summaries, the providers answer. */
import {
  emptySnapshot,
  type Progress,
  type ProjectSummary,
  providerSchema,
  providerTable,
  settingsSchema,
} from "@autowright/protocol";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { NoticeProvider, Notices } from "../../ui/notices.tsx";

/** Renders `ui` with a fresh query client (no retries) and the notices. */
export function renderWithClient(ui: ReactNode) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false }, mutations: { retry: false } },
  });
  return render(
    <QueryClientProvider client={client}>
      <NoticeProvider>
        {ui}
        <Notices />
      </NoticeProvider>
    </QueryClientProvider>,
  );
}

/** A project summary. */
export function summary(
  name: string,
  fields: Omit<Partial<ProjectSummary>, "progress"> & { progress?: Partial<Progress> } = {},
) {
  const { progress, ...rest } = fields;
  return {
    name,
    path: `/home/u/${name}`,
    createdAt: "2026-12-03T12:00:00.000Z",
    hasSpec: true,
    ...rest,
    progress: { ...emptySnapshot().progress, ...progress },
  } satisfies ProjectSummary;
}

/** `GET /api/providers` with the credentials of `withCredentials` set. */
export function providersAnswer(withCredentials: readonly string[] = []) {
  return {
    providers: providerSchema.options.map((id) => {
      const row = providerTable[id];
      return {
        id,
        runtime: row.runtime,
        ...(row.wire === undefined ? {} : { wire: row.wire }),
        defaultModels: { ...row.defaultModels },
        credentialVariables: [...row.credentialVariables],
        credentialsSet: row.credentialVariables.length === 0 || withCredentials.includes(id),
        baseUrlVariable: row.baseUrlVariable,
        priceSource: row.priceSource,
      };
    }),
  };
}

/** `GET /api/settings` with `settings` over the defaults and the secrets in `secretsSet` set. */
export function settingsAnswer(settings: Record<string, unknown> = {}, secretsSet: readonly string[] = []) {
  return {
    settings: settingsSchema.parse(settings),
    secrets: Object.fromEntries(
      ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "OPENAI_API_KEY"].map(
        (name) => [name, { set: secretsSet.includes(name) }],
      ),
    ),
  };
}
