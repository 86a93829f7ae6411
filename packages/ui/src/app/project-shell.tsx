/**
 * A project's screen: the sidebar (projects, one view per screen, each with its key), the control bar (run, dev
 * server, schedules, connection), the banners that say what to do, the view, the log dock, and the feature dialog.
 * Nothing renders before the first snapshot.
 */
import { useQuery } from "@tanstack/react-query";
import {
  Activity,
  Globe,
  KanbanSquare,
  Keyboard,
  LayoutDashboard,
  type LucideIcon,
  MessageSquare,
  Moon,
  Network,
  PanelBottom,
  ScrollText,
  Settings,
  Sun,
  TerminalSquare,
} from "lucide-react";
import { type ReactNode, useCallback, useState } from "react";
import { ApiError, errorMessage } from "../api/client.ts";
import { getProject } from "../api/projects.ts";
import { CelebrationOverlay } from "../features/celebration/celebration-overlay.tsx";
import { AssistantView } from "../features/chat/assistant-view.tsx";
import { BrowserView } from "../features/devserver/browser-view.tsx";
import { DevServerControl } from "../features/devserver/devserver-control.tsx";
import { FeatureDialog } from "../features/feature-detail/feature-dialog.tsx";
import { GraphView } from "../features/graph/graph-view.tsx";
import { ShortcutHelp } from "../features/help/shortcut-help.tsx";
import { KanbanBoard } from "../features/kanban/kanban-board.tsx";
import { LogPanel } from "../features/logs/log-panel.tsx";
import { MissionControl } from "../features/mission-control/mission-control.tsx";
import { RunBanners } from "../features/mission-control/run-banners.tsx";
import { ProgressCard } from "../features/progress/progress-card.tsx";
import { ProjectMenu } from "../features/projects/project-menu.tsx";
import { ProjectSelector } from "../features/projects/project-selector.tsx";
import { RunControls } from "../features/run-controls/run-controls.tsx";
import { ScheduleControl } from "../features/schedules/schedule-control.tsx";
import { SettingsView } from "../features/settings/settings-view.tsx";
import { TerminalView } from "../features/terminal/terminal-view.tsx";
import { cn } from "../lib/cn.ts";
import { useShortcut } from "../lib/shortcuts.ts";
import { useTheme } from "../lib/theme.ts";
import { ProjectStoreProvider, useProjectView } from "../state/project-context.tsx";
import { Button } from "../ui/button.tsx";
import { ConnectionBadge, ConnectionBanner } from "./connection-badge.tsx";
import { navigate, type ProjectViewId, projectViews } from "./router.ts";

const viewIcons: Record<ProjectViewId, LucideIcon> = {
  dashboard: LayoutDashboard,
  kanban: KanbanSquare,
  graph: Network,
  browser: Globe,
  terminal: TerminalSquare,
  logs: ScrollText,
  assistant: MessageSquare,
  settings: Settings,
};

/** The screen of `project` at `view`, with `featureId` open when given. */
export function ProjectShell(props: {
  readonly project: string;
  readonly view: ProjectViewId;
  readonly featureId?: number;
}) {
  const detail = useQuery({
    queryKey: ["project", props.project],
    queryFn: () => getProject(props.project),
    retry: (count, error) => !(error instanceof ApiError && error.status === 404) && count < 2,
  });
  // A failed background refetch keeps the screen: only a project that never loaded shows the error page.
  if (detail.isError && detail.data === undefined) {
    return (
      <CenteredMessage
        title={
          detail.error instanceof ApiError && detail.error.status === 404
            ? "No such project"
            : "The project could not be opened"
        }
      >
        <p>{errorMessage(detail.error)}</p>
        <Button variant="primary" onClick={() => navigate({ kind: "home" })}>
          All projects
        </Button>
      </CenteredMessage>
    );
  }
  if (detail.data === undefined) return <CenteredMessage title={`Opening ${props.project}…`} />;
  return (
    <ProjectStoreProvider project={props.project}>
      <ProjectScreen {...props} />
    </ProjectStoreProvider>
  );
}

function ProjectScreen(props: {
  readonly project: string;
  readonly view: ProjectViewId;
  readonly featureId?: number;
}) {
  const hasSnapshot = useProjectView((view) => view.hasSnapshot);
  const [dockOpen, setDockOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [sidebarOpen, setSidebarOpen] = useState(true);
  const { dark, setDark } = useTheme();
  const go = useCallback(
    (view: ProjectViewId) => navigate({ kind: "project", project: props.project, view }),
    [props.project],
  );

  useShortcut(
    "d",
    "Show or hide the log dock",
    "Panels",
    useCallback(() => setDockOpen((open) => !open), []),
  );
  useShortcut(
    "[",
    "Collapse or expand the sidebar",
    "Panels",
    useCallback(() => setSidebarOpen((open) => !open), []),
  );
  useShortcut(
    "?",
    "Show the keyboard shortcuts",
    "Help",
    useCallback(() => setHelpOpen(true), []),
  );
  useShortcut(
    "m",
    "Switch dark mode",
    "Help",
    useCallback(() => setDark(!dark), [dark, setDark]),
  );

  return (
    <div className="flex h-full min-h-0">
      <nav
        aria-label="Views"
        className={cn(
          "flex shrink-0 flex-col border-r border-border bg-surface transition-[width]",
          sidebarOpen ? "w-56" : "w-14",
        )}
      >
        <div className="flex h-14 items-center gap-2 border-b border-border px-3">
          <Logo />
          {sidebarOpen ? <span className="font-semibold tracking-tight">autowright</span> : null}
        </div>
        <div className="p-2">{sidebarOpen ? <ProjectSelector /> : null}</div>
        <ul className="flex-1 space-y-0.5 overflow-y-auto p-2">
          {projectViews.map((view) => {
            const Icon = viewIcons[view.id];
            const current = view.id === props.view;
            return (
              <li key={view.id}>
                <a
                  href={`/projects/${encodeURIComponent(props.project)}${view.id === "dashboard" ? "" : `/${view.id}`}`}
                  onClick={(event) => {
                    event.preventDefault();
                    go(view.id);
                  }}
                  aria-current={current ? "page" : undefined}
                  aria-label={sidebarOpen ? undefined : view.label}
                  title={`${view.label} (${view.key.toUpperCase()})`}
                  className={cn(
                    "flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm",
                    current
                      ? "bg-accent-soft font-medium text-accent"
                      : "text-muted hover:bg-surface-muted hover:text-foreground",
                  )}
                >
                  <Icon className="size-4 shrink-0" aria-hidden />
                  {sidebarOpen ? (
                    <>
                      <span className="flex-1">{view.label}</span>
                      <kbd className="font-mono text-[10px] text-muted">{view.key.toUpperCase()}</kbd>
                    </>
                  ) : null}
                </a>
              </li>
            );
          })}
        </ul>
        <div className="flex flex-wrap items-center gap-1 border-t border-border p-2">
          <Button
            size="icon"
            variant="ghost"
            aria-label={dark ? "Light mode" : "Dark mode"}
            onClick={() => setDark(!dark)}
          >
            {dark ? <Sun aria-hidden /> : <Moon aria-hidden />}
          </Button>
          <Button
            size="icon"
            variant="ghost"
            aria-label="Show the log dock"
            aria-pressed={dockOpen}
            onClick={() => setDockOpen(!dockOpen)}
          >
            <PanelBottom aria-hidden />
          </Button>
          <Button
            size="icon"
            variant="ghost"
            aria-label="Keyboard shortcuts"
            onClick={() => setHelpOpen(true)}
          >
            <Keyboard aria-hidden />
          </Button>
        </div>
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex min-h-14 flex-wrap items-center gap-x-4 gap-y-2 border-b border-border bg-surface px-4 py-2">
          <h1 className="mr-auto flex min-w-0 items-center gap-2 text-base font-semibold">
            <Activity className="size-4 text-accent" aria-hidden />
            <span className="truncate">{props.project}</span>
            <ConnectionBadge />
          </h1>
          {hasSnapshot ? (
            <>
              <RunControls />
              <DevServerControl />
              <ScheduleControl />
              <ProjectMenu />
            </>
          ) : null}
        </header>
        <ConnectionBanner />
        {hasSnapshot ? (
          <>
            <RunBanners />
            <main className="min-h-0 flex-1 overflow-auto" id="main">
              <ViewContent view={props.view} />
            </main>
            {dockOpen && props.view !== "logs" ? (
              <div className="h-72 shrink-0 border-t border-border bg-surface">
                <LogPanel onClose={() => setDockOpen(false)} />
              </div>
            ) : null}
            {props.featureId === undefined ? null : (
              <FeatureDialog
                featureId={props.featureId}
                onClose={() => navigate({ kind: "project", project: props.project, view: props.view })}
              />
            )}
            <CelebrationOverlay />
          </>
        ) : (
          <main
            className="flex flex-1 items-center justify-center text-sm text-muted"
            data-testid="waiting-snapshot"
          >
            Connecting to the live stream…
          </main>
        )}
      </div>
      {projectViews.map((view) => (
        <ViewShortcut key={view.id} viewKey={view.key} label={view.label} onPress={() => go(view.id)} />
      ))}
      <ShortcutHelp open={helpOpen} onOpenChange={setHelpOpen} />
    </div>
  );
}

function ViewShortcut(props: {
  readonly viewKey: string;
  readonly label: string;
  readonly onPress: () => void;
}) {
  const { onPress } = props;
  useShortcut(
    props.viewKey,
    `Go to ${props.label}`,
    "Views",
    useCallback(() => onPress(), [onPress]),
  );
  return null;
}

function ViewContent(props: { readonly view: ProjectViewId }) {
  switch (props.view) {
    case "dashboard":
      return (
        <div className="space-y-4 p-4">
          <ProgressCard />
          <MissionControl />
          {/* The board is never hidden while agents run: the dashboard shows it under Mission Control. */}
          <section aria-label="Board">
            <KanbanBoard compact />
          </section>
        </div>
      );
    case "kanban":
      return (
        <div className="h-full p-4">
          <KanbanBoard />
        </div>
      );
    case "graph":
      return <GraphView />;
    case "browser":
      return <BrowserView />;
    case "terminal":
      return <TerminalView />;
    case "logs":
      return <LogPanel />;
    case "assistant":
      return <AssistantView />;
    case "settings":
      return <SettingsView />;
  }
}

/** The mark. */
export function Logo() {
  return (
    <svg viewBox="0 0 32 32" className="size-7 shrink-0" aria-hidden>
      <rect width="32" height="32" rx="8" fill="var(--accent)" />
      <path
        d="M8 22 16 8l8 14"
        stroke="var(--accent-foreground)"
        strokeWidth="3"
        fill="none"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
      <circle cx="16" cy="19" r="2" fill="var(--accent-foreground)" />
    </svg>
  );
}

/** A message in the middle of the screen. */
export function CenteredMessage(props: { readonly title: string; readonly children?: ReactNode }) {
  return (
    <main className="flex h-full items-center justify-center p-6">
      <div className="max-w-md space-y-3 text-center">
        <h1 className="text-lg font-semibold">{props.title}</h1>
        <div className="space-y-3 text-sm text-muted">{props.children}</div>
      </div>
    </main>
  );
}
