/**
 * File tools may touch only the session's working tree. Paths are resolved against it and symlinks are
 * followed (for a path that does not exist yet, its nearest existing ancestor), so neither `../x` nor a link
 * pointing outside gets through.
 */
import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
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

/**
 * The real path `target` would write to: symlinks followed, including dangling ones (a link to a file that does
 * not exist yet would otherwise be judged by its own location, and writing through it would escape).
 */
function realTarget(target: string, depth = 0): string {
  if (depth > 40) throw new AppError("path_outside_project", `${target}: too many levels of symbolic links`);
  let existing = target;
  while (!pathExists(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (existing === target && lstatSync(target).isSymbolicLink() && !existsSync(target)) {
    return realTarget(resolve(dirname(target), readlinkSync(target)), depth + 1);
  }
  const realExisting = realpathSync(existing);
  return resolve(realExisting, relative(existing, target));
}

function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Resolves `path` (relative to `root`, or absolute) and returns its real path, refusing anything outside. */
export function resolveInside(root: string, path: string): string {
  const realRoot = realpathSync(root);
  const real = realTarget(resolve(realRoot, path));
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
