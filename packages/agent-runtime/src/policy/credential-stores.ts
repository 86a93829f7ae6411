/**
 * Credential stores: the files and directories on a machine that hold passwords, keys and tokens. Agents may read
 * outside the project (system headers, documentation), but never these. One list serves both layers: the command
 * policy denies any command that names one of them (`credentialStoreProblem`), and the bubblewrap sandbox hides
 * them (`credentialStoreMasks`), so a command the policy missed still cannot read them.
 */
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { posix } from "node:path";

/** One credential store. */
export interface CredentialStore {
  /**
   * Where it is: an absolute path, a path under the user's home (`~/.ssh`), or `$AUTOWRIGHT_HOME` (autowright's own
   * data directory: its token and settings). The last component may be a `*` pattern (`/etc/ssh/*_key`).
   */
  readonly path: string;
  /** A directory (everything below it is secret) or a single file. */
  readonly kind: "directory" | "file";
}

/** Every credential store, for the command policy and the sandbox. */
export const credentialStores: readonly CredentialStore[] = [
  { path: "/etc/shadow", kind: "file" },
  { path: "/etc/shadow-", kind: "file" },
  { path: "/etc/gshadow", kind: "file" },
  { path: "/etc/gshadow-", kind: "file" },
  { path: "/etc/sudoers", kind: "file" },
  { path: "/etc/sudoers.d", kind: "directory" },
  { path: "/etc/ssh/*_key", kind: "file" },
  { path: "~/.ssh", kind: "directory" },
  { path: "~/.aws", kind: "directory" },
  { path: "~/.config/gh", kind: "directory" },
  { path: "~/.netrc", kind: "file" },
  { path: "~/.docker/config.json", kind: "file" },
  { path: "~/.claude", kind: "directory" },
  { path: "~/.claude.json", kind: "file" },
  { path: "~/.gnupg", kind: "directory" },
  { path: "~/.kube", kind: "directory" },
  { path: "~/.git-credentials", kind: "file" },
  { path: "~/.npmrc", kind: "file" },
  { path: "$AUTOWRIGHT_HOME", kind: "directory" },
];

/** Where `~` and `$AUTOWRIGHT_HOME` are on this machine. */
export interface CredentialLocations {
  /** The user's home directory. Default: `$HOME`, else the OS's idea of it. */
  readonly home?: string | undefined;
  /** Autowright's data directory. Default: `$AUTOWRIGHT_HOME`, else `~/.autowright`. */
  readonly autowrightHome?: string | undefined;
}

/** One credential store as an absolute location, with the name shown in denials. */
interface ResolvedStore {
  readonly shown: string;
  /** Absolute directory or file; for a pattern, the directory holding the matching files. */
  readonly path: string;
  readonly kind: "directory" | "file";
  /** For `dir/*_key`: which names in `path` are secret. */
  readonly pattern?: RegExp;
  /** Relative to any home directory (`.ssh`), for entries under `~`. */
  readonly underHome?: string;
}

/** The home directory and autowright's data directory for `locations`, absolute. */
export function resolveCredentialLocations(
  locations: CredentialLocations = {},
  environment: NodeJS.ProcessEnv = process.env,
): { readonly home: string; readonly autowrightHome: string } {
  const home = posix.resolve(locations.home ?? (nonEmpty(environment["HOME"]) || homedir()));
  const configured = locations.autowrightHome ?? nonEmpty(environment["AUTOWRIGHT_HOME"]);
  const autowrightHome = posix.resolve(configured || posix.join(home, ".autowright"));
  return { home, autowrightHome };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function resolveStores(home: string, autowrightHome: string): ResolvedStore[] {
  return credentialStores.map((store): ResolvedStore => {
    if (store.path === "$AUTOWRIGHT_HOME") {
      return { shown: "$AUTOWRIGHT_HOME", path: autowrightHome, kind: store.kind };
    }
    const underHome = store.path.startsWith("~/") ? store.path.slice(2) : undefined;
    const absolute = underHome === undefined ? store.path : posix.join(home, underHome);
    const base = posix.basename(absolute);
    if (base.includes("*")) {
      const pattern = new RegExp(`^${base.split("*").map(escapeRegExp).join("[^/]*")}$`);
      return { shown: store.path, path: posix.dirname(absolute), kind: store.kind, pattern };
    }
    return {
      shown: store.path,
      path: absolute,
      kind: store.kind,
      ...(underHome === undefined ? {} : { underHome }),
    };
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether `path` is `base` or below it. */
function isAtOrBelow(path: string, base: string): boolean {
  return path === base || path.startsWith(base === "/" ? "/" : `${base}/`);
}

/**
 * `/proc/self/root/etc/shadow` is `/etc/shadow`; `/proc/self/cwd/x` is `x` in the working directory. Give the path
 * as written: `/proc/self/cwd/../x` is not `/proc/self/x`.
 */
export function withoutProcAliases(path: string, cwd: string): string {
  let current = path;
  for (;;) {
    const root = /^\/proc\/(?:self|thread-self|\d+)(?:\/task\/\d+)?\/root(?=\/|$)/.exec(current);
    if (root !== null) {
      current = `/${current.slice(root[0].length)}`;
      continue;
    }
    const cwdAlias = /^\/proc\/(?:self|thread-self)\/cwd(?=\/|$)/.exec(current);
    if (cwdAlias !== null) {
      current = `${cwd}/${current.slice(cwdAlias[0].length)}`;
      continue;
    }
    return current.startsWith("/") ? posix.resolve(current) : current;
  }
}

/** The real path of `path`, following symbolic links of its longest existing ancestor; `undefined` if no change. */
function realPathOf(path: string): string | undefined {
  let existing = path;
  const rest: string[] = [];
  while (existing !== "/" && !existsSync(existing)) {
    rest.unshift(posix.basename(existing));
    existing = posix.dirname(existing);
  }
  try {
    const real = posix.join(realpathSync(existing), ...rest);
    return real === path ? undefined : real;
  } catch {
    return undefined;
  }
}

/** Home directories of other users (`/home/u`, `/Users/u`, `/root`): their credential stores are off limits too. */
const otherHomes = /^(\/root|\/home\/[^/]+|\/Users\/[^/]+|\/var\/root)(?=\/|$)/;

/** Text naming a credential store in code or in a value only known at run time (`"$D/.ssh"`, `'.aws'`). */
function mentionPatterns(stores: readonly ResolvedStore[]): readonly [RegExp, string][] {
  const patterns: [RegExp, string][] = [];
  const edge = "(?![A-Za-z0-9_.-])";
  const homes = "(?:~|\\$HOME|\\$\\{HOME\\}|/root|/home/[^/\\s'\"]+|/Users/[^/\\s'\"]+)";
  for (const store of stores) {
    if (store.shown === "$AUTOWRIGHT_HOME") {
      patterns.push([/AUTOWRIGHT_HOME/, store.shown]);
      patterns.push([new RegExp(`${homes}/\\.autowright${edge}`), store.shown]);
      patterns.push([new RegExp(`${escapeRegExp(store.path)}${edge}`), store.shown]);
    } else if (store.underHome !== undefined) {
      // The name as a path component or a quoted component (`path.join(home, ".ssh")`).
      patterns.push([
        new RegExp(`(?:^|[^A-Za-z0-9_.-])${escapeRegExp(store.underHome)}${edge}`),
        store.shown,
      ]);
    } else if (store.pattern !== undefined) {
      const name = store.pattern.source.slice(1, -1);
      patterns.push([new RegExp(`${escapeRegExp(store.path)}/${name}`), store.shown]);
    } else {
      patterns.push([new RegExp(`${escapeRegExp(store.path)}${edge}`), store.shown]);
    }
  }
  return patterns;
}

/** The credential stores of one machine and project, and the checks against them. */
export class CredentialStores {
  readonly #stores: readonly ResolvedStore[];
  /** The user's home directory (what `~` means). */
  readonly home: string;
  readonly #homes: readonly string[];
  readonly #mentions: readonly [RegExp, string][];
  readonly #cwd: string;

  /**
   * `projectRoots`: the directories commands run in; a store that contains one of them (a project kept inside
   * `$AUTOWRIGHT_HOME`) is left out, or nothing in the project could be touched.
   */
  constructor(projectRoots: readonly string[], locations: CredentialLocations = {}) {
    const { home, autowrightHome } = resolveCredentialLocations(locations);
    this.home = home;
    const homes = [home];
    const realHome = realPathOf(home);
    if (realHome !== undefined) homes.push(realHome);
    this.#homes = homes;
    this.#cwd = projectRoots[0] ?? "/";
    this.#stores = resolveStores(home, autowrightHome).filter(
      (store) => !projectRoots.some((root) => isAtOrBelow(root, store.path)),
    );
    this.#mentions = mentionPatterns(this.#stores);
  }

  /** The credential store an absolute path is in (shown as in the list, e.g. `~/.ssh`), if any. */
  storeOf(absolute: string): string | undefined {
    const normalized = withoutProcAliases(posix.resolve(absolute), this.#cwd);
    const found = this.#lexicalStoreOf(normalized);
    if (found !== undefined) return found;
    const real = realPathOf(normalized);
    return real === undefined ? undefined : this.#lexicalStoreOf(withoutProcAliases(real, this.#cwd));
  }

  /** The credential store a text (inline code, a value known only at run time) names literally, if any. */
  mentionedIn(text: string): string | undefined {
    for (const [pattern, shown] of this.#mentions) if (pattern.test(text)) return shown;
    return undefined;
  }

  /**
   * The credential store a glob pattern (absolute) could reach into, if any: its first components match the
   * store's path (`/etc/sha*`, `~/.ss?/*`). A pattern that only matches parents of a store does not count, like a
   * literal parent directory.
   */
  storeMatchedBy(pattern: string): string | undefined {
    const components = withoutProcAliases(posix.resolve(pattern), this.#cwd).split("/").slice(1);
    const regexes = components.map(globComponent);
    for (const store of this.#stores) {
      for (const candidate of this.#candidatePaths(store)) {
        const parts = candidate.split("/").slice(1);
        const needed = parts.length + (store.pattern === undefined ? 0 : 1);
        if (regexes.length < needed || (store.kind === "file" && regexes.length > needed)) continue;
        const prefixMatches = parts.every(
          (part, index) => part === anyName || (regexes[index] as RegExp).test(part),
        );
        if (!prefixMatches) continue;
        if (store.pattern === undefined) return store.shown;
        const last = components[parts.length] as string;
        if (store.pattern.test(last) || /[*?[]/.test(last)) return store.shown;
      }
    }
    return undefined;
  }

  /**
   * The stores that exist on this machine under the user's own home and the system's directories (the paths as
   * listed and their real paths), for the sandbox to hide.
   */
  existing(): { readonly path: string; readonly directory: boolean }[] {
    const found = new Map<string, boolean>();
    const add = (path: string): void => {
      let real: string;
      try {
        real = realpathSync(path);
      } catch {
        return;
      }
      for (const each of [path, real]) {
        if (found.has(each)) continue;
        try {
          found.set(each, statSync(each).isDirectory());
        } catch {
          // Gone meanwhile.
        }
      }
    };
    for (const store of this.#stores) {
      for (const base of this.#maskBases(store)) {
        if (store.pattern === undefined) {
          add(base);
          continue;
        }
        let names: string[];
        try {
          names = readdirSync(base);
        } catch {
          continue;
        }
        for (const name of names) if (store.pattern.test(name)) add(posix.join(base, name));
      }
    }
    return [...found].map(([path, directory]) => ({ path, directory }));
  }

  /** Where a store is for masking: under the user's own home only (other users' homes are not this user's). */
  #maskBases(store: ResolvedStore): string[] {
    if (store.underHome === undefined) return [store.path];
    return this.#homes.map((home) => posix.join(home, store.underHome as string));
  }

  #candidatePaths(store: ResolvedStore): string[] {
    if (store.underHome === undefined) return [store.path];
    return [
      ...this.#homes.map((home) => posix.join(home, store.underHome as string)),
      `/root/${store.underHome}`,
      `/home/${anyName}/${store.underHome}`,
      `/Users/${anyName}/${store.underHome}`,
    ];
  }

  #lexicalStoreOf(path: string): string | undefined {
    for (const store of this.#stores) {
      if (store.pattern !== undefined) {
        if (posix.dirname(path) === store.path && store.pattern.test(posix.basename(path)))
          return store.shown;
        continue;
      }
      if (isAtOrBelow(path, store.path)) return store.shown;
      if (store.underHome !== undefined) {
        for (const home of this.#homes) {
          if (isAtOrBelow(path, posix.join(home, store.underHome))) return store.shown;
        }
        const other = otherHomes.exec(path);
        if (other !== null && isAtOrBelow(path, posix.join(other[1] as string, store.underHome))) {
          return store.shown;
        }
      }
    }
    return undefined;
  }
}

/** In a store's candidate path: any user's name (`/home/<anyone>/.ssh`). */
const anyName = "\u0000";

/** A regular expression for one component of a glob pattern (`*`, `?`, `[…]`). */
function globComponent(component: string): RegExp {
  let source = "";
  for (let index = 0; index < component.length; index++) {
    const c = component[index] as string;
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const close = component.indexOf("]", index + 2);
      if (close < 0) source += "\\[";
      else {
        const body = component
          .slice(index + 1, close)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\");
        source += `[${body}]`;
        index = close;
      }
    } else source += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${source}$`);
  } catch {
    return /^.*$/;
  }
}
