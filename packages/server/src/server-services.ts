/** What the core routes share: the open projects, the registry, where the server lives and which folders it may touch. */
import type { Registry } from "@autowright/store";
import type { ProjectHosts } from "./project-hosts.ts";

/** The services of the core routes. */
export interface ServerServices {
  readonly hosts: ProjectHosts;
  readonly registry: Registry;
  readonly home: string;
  readonly version: string;
  readonly startedAt: string;
  /** Folders (resolved) under which projects may be created, registered and browsed. */
  readonly allowedRoots: readonly string[];
}
