/**
 * The home page (`/`): the first-run card while no provider has credentials (until saved or skipped), then every
 * project with its progress, "New project", "Try the demo", and the way to the settings.
 */
import type { ProjectSummary } from "@autowright/protocol";
import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, FileCheck2, FileQuestion, FolderPlus, Plus } from "lucide-react";
import { useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { getProviders } from "../../api/settings.ts";
import { navigate } from "../../app/router.ts";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { Card } from "../../ui/card.tsx";
import { TryDemoButton } from "../first-run/demo-button.tsx";
import { FirstRun, isFirstRunDone } from "../first-run/first-run.tsx";
import { PageFrame, RouteLink } from "./page-frame.tsx";
import { ProgressBar, progressText } from "./project-progress.tsx";
import { useProjects } from "./projects-query.ts";

/** The home page. */
export function HomeScreen() {
  const projects = useProjects();
  const providers = useQuery({ queryKey: ["providers"], queryFn: getProviders });
  const [firstRunDone, setFirstRunDone] = useState(isFirstRunDone);
  const noCredentials =
    providers.data?.providers.every((provider) => provider.id === "replay" || !provider.credentialsSet) ===
    true;
  const showFirstRun = !firstRunDone && noCredentials;
  const list = projects.data?.projects;

  return (
    <PageFrame>
      {showFirstRun ? <FirstRun onDone={() => setFirstRunDone(true)} /> : null}
      {providers.isError ? (
        <p role="alert" className="text-sm text-status-failed-strong">
          The providers could not be loaded: {errorMessage(providers.error)}
        </p>
      ) : null}

      <section aria-labelledby="projects-title" className="space-y-4">
        <div className="flex flex-wrap items-center gap-3">
          <h1 id="projects-title" className="text-xl font-semibold tracking-tight">
            Projects
          </h1>
          {list === undefined ? null : <Badge>{list.length}</Badge>}
          {list !== undefined && list.length > 0 ? (
            <div className="ml-auto flex flex-wrap items-start gap-2">
              {showFirstRun || list.some((project) => project.name === "demo") ? null : (
                <TryDemoButton variant="secondary" />
              )}
              <Button variant="primary" onClick={() => navigate({ kind: "new-project" })}>
                <Plus aria-hidden />
                New project
              </Button>
            </div>
          ) : null}
        </div>

        {projects.isError ? (
          <Card role="alert" className="space-y-3 p-5 text-sm">
            <p>
              <span className="font-medium">The projects could not be loaded: </span>
              {errorMessage(projects.error)}
            </p>
            <Button size="sm" onClick={() => projects.refetch()}>
              Try again
            </Button>
          </Card>
        ) : list === undefined ? (
          <ul aria-label="Loading the projects" className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {[0, 1, 2].map((index) => (
              <li key={index} className="h-32 animate-pulse rounded-xl border border-border bg-surface" />
            ))}
          </ul>
        ) : list.length === 0 ? (
          <EmptyState showDemo={!showFirstRun} />
        ) : (
          <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3 2xl:grid-cols-4">
            {list.map((project) => (
              <li key={project.name}>
                <ProjectCard project={project} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </PageFrame>
  );
}

function ProjectCard(props: { readonly project: ProjectSummary }) {
  const { project } = props;
  const { progress } = project;
  return (
    <RouteLink
      href={`/projects/${encodeURIComponent(project.name)}`}
      onNavigate={() => navigate({ kind: "project", project: project.name, view: "dashboard" })}
      className="group flex h-full flex-col gap-3 rounded-xl border border-border bg-surface p-4 shadow-sm transition-colors hover:border-accent focus-visible:outline-2 focus-visible:outline-ring"
    >
      <div className="flex items-start gap-2">
        <h2
          className="min-w-0 flex-1 truncate font-semibold group-hover:text-accent-strong"
          title={project.name}
        >
          {project.name}
        </h2>
        {project.problem !== undefined ? (
          <Badge tone="failed">
            <AlertTriangle aria-hidden />
            Cannot open
          </Badge>
        ) : project.hasSpec ? (
          <Badge tone="done">
            <FileCheck2 aria-hidden />
            Spec
          </Badge>
        ) : (
          <Badge tone="input">
            <FileQuestion aria-hidden />
            No spec yet
          </Badge>
        )}
      </div>
      <p className="truncate font-mono text-xs text-muted" title={project.path}>
        {project.path}
      </p>
      {project.problem !== undefined ? (
        <p className="text-xs text-status-failed-strong">{project.problem}</p>
      ) : (
        <div className="mt-auto space-y-1.5">
          <ProgressBar progress={progress} label={`Progress of ${project.name}`} />
          <p className="flex flex-wrap gap-x-2 text-xs text-muted">
            <span className="font-medium text-foreground">{progressText(progress)}</span>
            {progress.inProgress + progress.verifying > 0 ? (
              <span>· {progress.inProgress + progress.verifying} in progress</span>
            ) : null}
            {progress.needsInput > 0 ? <span>· {progress.needsInput} need input</span> : null}
            {progress.failed > 0 ? <span>· {progress.failed} failed</span> : null}
          </p>
        </div>
      )}
    </RouteLink>
  );
}

function EmptyState(props: { readonly showDemo: boolean }) {
  return (
    <Card className="flex flex-col items-center gap-4 px-6 py-12 text-center">
      <span
        aria-hidden
        className="flex size-12 items-center justify-center rounded-2xl bg-accent-soft text-accent"
      >
        <FolderPlus className="size-6" />
      </span>
      <div className="space-y-1">
        <h2 className="text-base font-semibold">No projects yet</h2>
        <p className="max-w-md text-sm text-muted">
          Create one from a folder and a spec (write it, import an AutoForge project, or let the interview
          write it with you), or watch the demo build a todo app first.
        </p>
      </div>
      <div className="flex flex-wrap items-start justify-center gap-2">
        <Button variant="primary" onClick={() => navigate({ kind: "new-project" })}>
          <Plus aria-hidden />
          New project
        </Button>
        {props.showDemo ? <TryDemoButton variant="secondary" /> : null}
      </div>
    </Card>
  );
}
