/** React access to a project's store: one store per open project, selected pieces of its view per component. */
import { createContext, type ReactNode, useContext, useEffect, useState, useSyncExternalStore } from "react";
import type { LogRing } from "./log-store.ts";
import { ProjectStore } from "./project-store.ts";
import type { ProjectView } from "./project-view.ts";

const ProjectStoreContext = createContext<ProjectStore | undefined>(undefined);

/**
 * The open stores by project, on `window.__autowright.stores`: a hook for benchmarks and debugging in the browser's
 * console (`__autowright.stores.get("shop").view`). It holds nothing the page could not read anyway.
 */
export interface AutowrightDebugHook {
  readonly stores: Map<string, ProjectStore>;
}

function debugHook(): AutowrightDebugHook {
  const holder = window as unknown as { __autowright?: AutowrightDebugHook };
  holder.__autowright ??= { stores: new Map() };
  return holder.__autowright;
}

/** Opens the store of `project` for its children (and closes it when the project changes or unmounts). */
export function ProjectStoreProvider(props: {
  readonly project: string;
  readonly children: ReactNode;
  /** A store made elsewhere (tests, benches); the provider then neither starts nor closes it. */
  readonly store?: ProjectStore;
}): ReactNode {
  const [own, setOwn] = useState<ProjectStore | undefined>(undefined);
  useEffect(() => {
    if (props.store !== undefined) return;
    const store = new ProjectStore(props.project);
    store.start();
    setOwn(store);
    debugHook().stores.set(props.project, store);
    return () => {
      if (debugHook().stores.get(props.project) === store) debugHook().stores.delete(props.project);
      store.close();
      setOwn(undefined);
    };
  }, [props.project, props.store]);
  const store = props.store ?? own;
  if (store === undefined || store.project !== props.project) return null;
  return <ProjectStoreContext.Provider value={store}>{props.children}</ProjectStoreContext.Provider>;
}

/** The store of the open project. */
export function useProjectStore(): ProjectStore {
  const store = useContext(ProjectStoreContext);
  if (store === undefined) throw new Error("useProjectStore outside a ProjectStoreProvider");
  return store;
}

/**
 * A piece of the open project's view. The selector must return a value that stays the same object while its
 * inputs do (a field of the view, not a new array): it re-renders when that value changes.
 */
export function useProjectView<T>(selector: (view: ProjectView) => T): T {
  const store = useProjectStore();
  return useSyncExternalStore(
    (listener) => store.subscribe(listener),
    () => selector(store.view),
    () => selector(store.view),
  );
}

/** A log ring's version (re-renders on every append or clear). */
export function useLogVersion(ring: LogRing): number {
  return useSyncExternalStore(
    (listener) => ring.subscribe(listener),
    () => ring.version,
    () => ring.version,
  );
}
