/**
 * The dashboard's routes, as paths the server serves `index.html` for: `/` (projects, first run), `/settings`,
 * `/new` (the new-project wizard), `/projects/:name` (its Dashboard: Mission Control and the board),
 * `/projects/:name/:view` (one view per screen) and `/projects/:name/features/:id` (a feature, over the view it was
 * opened from). History API only; no router library.
 */
import { useSyncExternalStore } from "react";

/** The views of a project, each with its keyboard key. */
export const projectViews = [
  { id: "dashboard", label: "Dashboard", key: "h" },
  { id: "kanban", label: "Kanban", key: "k" },
  { id: "graph", label: "Graph", key: "g" },
  { id: "browser", label: "Browser", key: "b" },
  { id: "terminal", label: "Terminal", key: "t" },
  { id: "logs", label: "Logs", key: "l" },
  { id: "assistant", label: "Assistant", key: "a" },
  { id: "settings", label: "Settings", key: "," },
] as const;

/** A project's view. */
export type ProjectViewId = (typeof projectViews)[number]["id"];

const viewIds: ReadonlySet<string> = new Set(projectViews.map((view) => view.id));

/** Where the dashboard is. */
export type Route =
  | { readonly kind: "home" }
  | { readonly kind: "settings" }
  | { readonly kind: "new-project" }
  | {
      readonly kind: "project";
      readonly project: string;
      readonly view: ProjectViewId;
      readonly featureId?: number;
    }
  | { readonly kind: "not-found"; readonly path: string };

/** The route of a path (the view under a feature comes from the history state). */
export function parseRoute(pathname: string, state?: unknown): Route {
  const parts = pathname.split("/").filter((part) => part !== "");
  if (parts.length === 0) return { kind: "home" };
  if (parts.length === 1 && parts[0] === "settings") return { kind: "settings" };
  if (parts.length === 1 && parts[0] === "new") return { kind: "new-project" };
  if (parts[0] !== "projects" || parts[1] === undefined) return { kind: "not-found", path: pathname };
  let project: string;
  try {
    project = decodeURIComponent(parts[1]);
  } catch {
    return { kind: "not-found", path: pathname };
  }
  if (parts.length === 2) return { kind: "project", project, view: "dashboard" };
  if (parts.length === 3 && parts[2] !== undefined && viewIds.has(parts[2]))
    return { kind: "project", project, view: parts[2] as ProjectViewId };
  if (parts.length === 4 && parts[2] === "features" && /^[1-9][0-9]{0,9}$/.test(parts[3] ?? "")) {
    const from = (state as { view?: unknown } | null | undefined)?.view;
    const view = typeof from === "string" && viewIds.has(from) ? (from as ProjectViewId) : "dashboard";
    return { kind: "project", project, view, featureId: Number(parts[3]) };
  }
  return { kind: "not-found", path: pathname };
}

/** The path of a route. */
export function routePath(route: Route): string {
  switch (route.kind) {
    case "home":
      return "/";
    case "settings":
      return "/settings";
    case "new-project":
      return "/new";
    case "not-found":
      return route.path;
    case "project": {
      const base = `/projects/${encodeURIComponent(route.project)}`;
      if (route.featureId !== undefined) return `${base}/features/${route.featureId}`;
      return route.view === "dashboard" ? base : `${base}/${route.view}`;
    }
  }
}

const listeners = new Set<() => void>();
let current: { path: string; state: unknown; route: Route } | undefined;

function snapshot(): Route {
  const path = window.location.pathname;
  const state: unknown = window.history.state;
  if (current === undefined || current.path !== path || current.state !== state)
    current = { path, state, route: parseRoute(path, state) };
  return current.route;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

/** Goes to a route (a new history entry unless `replace`). */
export function navigate(route: Route, options: { readonly replace?: boolean } = {}): void {
  const path = routePath(route);
  const state = route.kind === "project" && route.featureId !== undefined ? { view: route.view } : null;
  if (options.replace) window.history.replaceState(state, "", path);
  else window.history.pushState(state, "", path);
  for (const listener of listeners) listener();
}

/** The current route (re-renders on navigation and on back/forward). */
export function useRoute(): Route {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

/**
 * Removes `?token=` from the address bar once the page has loaded (the server has set the cookie by then): the
 * token should not sit in the history or be copied along with a link.
 */
export function dropTokenFromAddress(): void {
  const url = new URL(window.location.href);
  if (!url.searchParams.has("token")) return;
  url.searchParams.delete("token");
  window.history.replaceState(window.history.state, "", `${url.pathname}${url.search}${url.hash}`);
}
