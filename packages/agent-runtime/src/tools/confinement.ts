/**
 * File tools may touch only the session's working tree. Paths are resolved against it and symlinks are
 * followed (for a path that does not exist yet, its nearest existing ancestor), so neither `../x` nor a link
 * pointing outside gets through.
 */
import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { AppError } from "@autowright/protocol";

/** True when `path` is `root` or inside it (both already resolved). */
export function isInside(root: string, path: string): boolean {
  const difference = relative(root, path);
  return (
    difference === "" ||
    (!difference.startsWith(`..${sep}`) && difference !== ".." && !isAbsolute(difference))
  );
}

/** Resolves `path` (relative to `root`, or absolute) and returns its real path, refusing anything outside. */
export function resolveInside(root: string, path: string): string {
  const realRoot = realpathSync(root);
  const target = resolve(realRoot, path);
  let existing = target;
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const realExisting = realpathSync(existing);
  const real = resolve(realExisting, relative(existing, target));
  if (!isInside(realRoot, real)) {
    throw new AppError(
      "path_outside_project",
      `${path} is outside the working tree ${realRoot}; use a path inside it`,
    );
  }
  return real;
}

/** The folder of autowright's own files in a working tree (database, prompts, command policy). */
const protectedDirectory = ".autowright";

/**
 * Like {@link resolveInside}, for a path the agent wants to change: autowright's own files (`.autowright/`,
 * where the command policy lives) are refused too, so an agent cannot widen its own permissions.
 */
export function resolveWritableInside(root: string, path: string): string {
  const resolved = resolveInside(root, path);
  const realRoot = realpathSync(root);
  const protectedPath = resolve(realRoot, protectedDirectory);
  if (isInside(protectedPath, resolved)) {
    throw new AppError(
      "path_outside_project",
      `${path} is autowright's own configuration; agents may not change it`,
    );
  }
  return resolved;
}
