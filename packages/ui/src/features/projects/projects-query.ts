/** The project list, shared by the home screen, the selector and the wizard (one query key, no polling). */
import { useQuery } from "@tanstack/react-query";
import { listProjects } from "../../api/projects.ts";

/** The query key of the project list. */
export const projectsQueryKey = ["projects"] as const;

/** Every registered project with its progress: loaded again whenever a screen that shows it opens (no polling). */
export function useProjects() {
  return useQuery({ queryKey: projectsQueryKey, queryFn: listProjects, staleTime: 0 });
}
