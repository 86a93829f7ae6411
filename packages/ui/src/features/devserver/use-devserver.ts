/**
 * The dev server's actions and first loads, shared by the header control, the Browser view and the log panel: the
 * status itself always comes from the stream (`view.live.snapshot.devServer`), never from what was clicked.
 */
import type { DevServerStatus } from "@autowright/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { getDevServer, startDevServer, stopDevServer } from "../../api/devserver.ts";
import type { LogRing } from "../../state/log-store.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { useNotify } from "../../ui/notices.tsx";

/** The query key of a project's dev server state (`GET …/devserver`). */
export const devServerQueryKey = (project: string) => ["devserver", project] as const;
/** The query key of a project's dev server configuration. */
export const devServerConfigQueryKey = (project: string) => ["devserver", project, "config"] as const;

/** How each status reads, with the tone of its badge. */
export const devServerStatusLabels: Record<
  DevServerStatus,
  { readonly label: string; readonly tone: "neutral" | "progress" | "done" | "failed" }
> = {
  stopped: { label: "Stopped", tone: "neutral" },
  starting: { label: "Starting", tone: "progress" },
  running: { label: "Running", tone: "done" },
  crashed: { label: "Crashed", tone: "failed" },
};

/** The live dev server status from the snapshot and the `devserver.updated` events. */
export function useDevServerStatus() {
  return useProjectView((view) => view.live.snapshot.devServer);
}

/** Start and stop, each failure told with the server's message. */
export function useDevServerActions() {
  const store = useProjectStore();
  const project = store.project;
  const queryClient = useQueryClient();
  const { notifyError } = useNotify();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: devServerQueryKey(project) });
  const start = useMutation({
    mutationFn: () => startDevServer(project),
    onError: (error) => notifyError("The dev server did not start", error),
    onSettled: refresh,
  });
  const stop = useMutation({
    mutationFn: () => stopDevServer(project),
    onError: (error) => notifyError("The dev server did not stop", error),
    onSettled: refresh,
  });
  return {
    start: () => start.mutate(),
    stop: () => stop.mutate(),
    /** Starts, after stopping it first when it runs (a changed command applies on the next start). */
    restart: async (running: boolean) => {
      try {
        if (running) await stop.mutateAsync();
        await start.mutateAsync();
      } catch {
        // Told by the mutation's onError.
      }
    },
    busy: start.isPending || stop.isPending,
    starting: start.isPending,
    stopping: stop.isPending,
  };
}

/** The dev server's state over REST (the process and its last output lines). */
export function useDevServerState(enabled = true) {
  const project = useProjectStore().project;
  return useQuery({
    queryKey: devServerQueryKey(project),
    queryFn: () => getDevServer(project),
    enabled,
  });
}

const seededRings = new WeakSet<LogRing>();

/**
 * Fills an empty dev-server log ring once with the server's most recent lines (the stream only carries the lines
 * written after it connected). Those lines have no time: none is invented for them.
 */
export function useSeedDevServerLog(): void {
  const store = useProjectStore();
  const state = useDevServerState();
  const recentLog = state.data?.recentLog;
  useEffect(() => {
    const ring = store.devServerLogs;
    if (recentLog === undefined || seededRings.has(ring)) return;
    seededRings.add(ring);
    if (ring.size > 0 || recentLog.length === 0) return;
    ring.append(
      recentLog.map((line) => ({ at: "", line, level: "info" as const, source: "devserver" as const })),
    );
  }, [store, recentLog]);
}
