/** Resolving what the user named: the home directory, a project directory or a registered project name. */
import { existsSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { AppError, projectNameSchema } from "@autowright/protocol";
import { Registry, resolveHome } from "@autowright/store";
import type { CliIo } from "./io.ts";

/** Options every command accepts. */
export interface GlobalOptions {
  readonly home?: string;
}

/** The home directory for this invocation (`--home`, `$AUTOWRIGHT_HOME`, `~/.autowright`). */
export function homeFor(options: GlobalOptions, io: CliIo): string {
  return resolveHome(options.home === undefined ? undefined : resolve(io.cwd, options.home), io.env);
}

/** Runs `action` with the registry open, closing it afterwards. */
export function withRegistry<T>(options: GlobalOptions, io: CliIo, action: (registry: Registry) => T): T {
  const registry = Registry.open(homeFor(options, io));
  try {
    return action(registry);
  } finally {
    registry.close();
  }
}

/** An existing directory, resolved (symlinks followed), or a `directory_not_found` error. */
export function existingDirectory(argument: string, io: CliIo): string {
  const path = resolve(io.cwd, argument);
  if (!existsSync(path)) throw new AppError("directory_not_found", `no such directory: ${path}`);
  if (!statSync(path).isDirectory()) throw new AppError("directory_not_found", `not a directory: ${path}`);
  return realpathSync(path);
}

/**
 * The root of the project the user named: a directory, or else the name of a registered project. The directory
 * must be an autowright project; opening its store says so if it is not.
 */
export function projectRoot(argument: string, options: GlobalOptions, io: CliIo): string {
  const path = resolve(io.cwd, argument);
  if (existsSync(path)) return existingDirectory(argument, io);
  if (projectNameSchema.safeParse(argument).success) {
    const project = withRegistry(options, io, (registry) => registry.getProject(argument));
    if (project !== undefined) {
      if (!existsSync(project.path)) {
        throw new AppError(
          "directory_not_found",
          `project ${argument} is registered at ${project.path}, which no longer exists`,
        );
      }
      return project.path;
    }
    throw new AppError("project_not_found", `no such directory or registered project: ${argument}`);
  }
  throw new AppError("directory_not_found", `no such directory: ${path}`);
}
