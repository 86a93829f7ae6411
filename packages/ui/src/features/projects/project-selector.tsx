/**
 * The project switcher in the sidebar: the open project with its live progress, and every project with its
 * passing/total (the list is loaded again each time the menu opens: no polling), "New project", "All projects".
 */
import { Check, ChevronsUpDown, LayoutGrid, Plus } from "lucide-react";
import { DropdownMenu } from "radix-ui";
import { errorMessage } from "../../api/client.ts";
import { navigate, useRoute } from "../../app/router.ts";
import { cn } from "../../lib/cn.ts";
import { useProjectView } from "../../state/project-context.tsx";
import { ProgressBar, progressText } from "./project-progress.tsx";
import { useProjects } from "./projects-query.ts";

const itemClass =
  "flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm outline-none select-none data-[highlighted]:bg-surface-muted";

/** The selector (inside a project's store provider: the open project's progress is the live one). */
export function ProjectSelector() {
  const route = useRoute();
  const current = route.kind === "project" ? route.project : undefined;
  const progress = useProjectView((view) => view.live.snapshot.progress);
  const projects = useProjects();
  const list = projects.data?.projects ?? [];

  return (
    <DropdownMenu.Root
      modal={false}
      onOpenChange={(open) => {
        if (open) void projects.refetch();
      }}
    >
      <DropdownMenu.Trigger
        aria-label={`Project: ${current ?? "none"}. Switch project`}
        className="flex w-full items-center gap-2 rounded-lg border border-border bg-surface px-2.5 py-2 text-left hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-ring data-[state=open]:bg-surface-muted"
      >
        <span className="min-w-0 flex-1">
          <span className="block truncate text-sm font-medium" title={current}>
            {current ?? "No project"}
          </span>
          <span className="mt-1 block">
            <ProgressBar progress={progress} label={`Progress of ${current ?? "the project"}`} />
          </span>
          <span className="mt-1 block text-xs text-muted">{progressText(progress)}</span>
        </span>
        <ChevronsUpDown className="size-4 shrink-0 text-muted" aria-hidden />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="start"
          sideOffset={6}
          className="z-50 w-72 rounded-lg border border-border bg-surface p-1 text-foreground shadow-lg"
        >
          <DropdownMenu.Label className="px-2 pt-1.5 pb-1 text-xs font-medium text-muted">
            Projects
          </DropdownMenu.Label>
          <DropdownMenu.Group
            aria-label="Projects"
            // Focusable so that a long list scrolls from the keyboard too (axe: scrollable-region-focusable).
            tabIndex={0}
            className="max-h-80 overflow-y-auto rounded-md focus-visible:outline-2 focus-visible:outline-ring"
          >
            {projects.isError ? (
              <p role="alert" className="px-2 py-1.5 text-xs text-status-failed-strong">
                The projects could not be loaded: {errorMessage(projects.error)}
              </p>
            ) : projects.data === undefined ? (
              <p className="px-2 py-1.5 text-xs text-muted">Loading…</p>
            ) : (
              list.map((project) => {
                const isCurrent = project.name === current;
                const shown = isCurrent ? progress : project.progress;
                return (
                  <DropdownMenu.Item
                    key={project.name}
                    className={itemClass}
                    onSelect={() => navigate({ kind: "project", project: project.name, view: "dashboard" })}
                  >
                    <Check
                      className={cn("size-4 shrink-0 text-accent", isCurrent ? "" : "invisible")}
                      aria-hidden
                    />
                    <span className="min-w-0 flex-1">
                      <span className="block truncate font-medium">{project.name}</span>
                      <span className="block truncate text-xs text-muted">
                        {project.problem === undefined ? progressText(shown) : project.problem}
                      </span>
                    </span>
                    {shown.total > 0 ? (
                      <span className="w-14 shrink-0">
                        <ProgressBar progress={shown} label={`Progress of ${project.name}`} />
                      </span>
                    ) : null}
                    {isCurrent ? <span className="sr-only">(open)</span> : null}
                  </DropdownMenu.Item>
                );
              })
            )}
          </DropdownMenu.Group>
          <DropdownMenu.Separator className="my-1 h-px bg-border" />
          <DropdownMenu.Item className={itemClass} onSelect={() => navigate({ kind: "new-project" })}>
            <Plus className="size-4 shrink-0 text-muted" aria-hidden />
            New project
          </DropdownMenu.Item>
          <DropdownMenu.Item className={itemClass} onSelect={() => navigate({ kind: "home" })}>
            <LayoutGrid className="size-4 shrink-0 text-muted" aria-hidden />
            All projects
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
