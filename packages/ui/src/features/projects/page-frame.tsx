/** The frame of the pages outside a project (home, new project): the mark, the settings link, dark mode. */
import { Moon, Settings, Sun } from "lucide-react";
import type { ReactNode } from "react";
import { Logo } from "../../app/project-shell.tsx";
import { navigate } from "../../app/router.ts";
import { useTheme } from "../../lib/theme.ts";
import { Button } from "../../ui/button.tsx";

/** A link that navigates inside the dashboard (a real link: it opens in a new tab too). */
export function RouteLink(props: {
  readonly href: string;
  readonly onNavigate: () => void;
  readonly children: ReactNode;
  readonly className?: string;
  readonly "aria-label"?: string;
}) {
  return (
    <a
      href={props.href}
      aria-label={props["aria-label"]}
      className={props.className}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        props.onNavigate();
      }}
    >
      {props.children}
    </a>
  );
}

/** The page with its header; `children` is the content (inside `<main>`). */
export function PageFrame(props: { readonly children: ReactNode }) {
  const { dark, setDark } = useTheme();
  return (
    <div className="flex h-full min-h-0 flex-col bg-background">
      <header className="shrink-0 border-b border-border bg-surface">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-2.5 px-6 2xl:max-w-7xl">
          <RouteLink
            href="/"
            onNavigate={() => navigate({ kind: "home" })}
            className="flex items-center gap-2.5 rounded-md"
            aria-label="autowright: all projects"
          >
            <Logo />
            <span className="font-semibold tracking-tight">autowright</span>
          </RouteLink>
          <span className="ml-1 hidden text-sm text-muted sm:inline">Mission Control</span>
          <nav aria-label="Dashboard" className="ml-auto flex items-center gap-1">
            <RouteLink
              href="/settings"
              onNavigate={() => navigate({ kind: "settings" })}
              className="inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium hover:bg-surface-muted"
            >
              <Settings className="size-4" aria-hidden />
              Settings
            </RouteLink>
            <Button
              size="icon"
              variant="ghost"
              aria-label={dark ? "Light mode" : "Dark mode"}
              onClick={() => setDark(!dark)}
            >
              {dark ? <Sun aria-hidden /> : <Moon aria-hidden />}
            </Button>
          </nav>
        </div>
      </header>
      <main className="min-h-0 flex-1 overflow-y-auto">
        <div className="mx-auto max-w-6xl space-y-6 px-6 py-8 2xl:max-w-7xl">{props.children}</div>
      </main>
    </div>
  );
}
