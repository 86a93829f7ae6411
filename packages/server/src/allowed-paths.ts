/**
 * Paths from requests are checked after resolving symlinks: a folder must be inside one of the allowed roots
 * (by default the user's home folder and the temporary folder), so a request cannot make the server create,
 * register or list anything elsewhere, and a symlink inside a root that points outside is refused too.
 */
import { existsSync, realpathSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { AppError } from "@autowright/protocol";

/** The default allowed roots: `AUTOWRIGHT_PROJECT_ROOTS` (a `:`-separated list) or the home and temp folders. */
export function defaultAllowedRoots(env: NodeJS.ProcessEnv): string[] {
  const configured = env["AUTOWRIGHT_PROJECT_ROOTS"];
  const roots =
    configured !== undefined && configured.trim() !== ""
      ? configured.split(":").filter((root) => root.trim() !== "")
      : [homedir(), tmpdir()];
  return roots.filter((root) => existsSync(root)).map((root) => realpathSync(resolve(root)));
}

/** The real path of `path` (symlinks of its existing part resolved; the rest appended). */
export function realFuturePath(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  while (!existsSync(existing)) {
    rest.unshift(basename(existing));
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  return join(realpathSync(existing), ...rest);
}

/** True when `path` is `root` or inside it. */
export function isWithin(root: string, path: string): boolean {
  const relation = relative(root, path);
  return relation === "" || (!relation.startsWith(`..${sep}`) && relation !== ".." && !isAbsolute(relation));
}

/**
 * The real path of a folder a request names, refused with `invalid_input` when it is not absolute and with
 * `path_outside_project` when, symlinks resolved, it is outside every allowed root.
 */
export function allowedPath(path: string, roots: readonly string[]): string {
  if (!isAbsolute(path))
    throw new AppError("invalid_input", `the path must be absolute, got ${JSON.stringify(path)}`);
  if (path.includes("\0")) throw new AppError("invalid_input", "the path contains a NUL byte");
  const real = realFuturePath(path);
  if (!roots.some((root) => isWithin(root, real))) {
    throw new AppError(
      "path_outside_project",
      `${real} is outside the folders autowright may use (${roots.join(", ")}); set AUTOWRIGHT_PROJECT_ROOTS to allow others`,
      { details: { path: real, allowedRoots: [...roots] } },
    );
  }
  return real;
}
