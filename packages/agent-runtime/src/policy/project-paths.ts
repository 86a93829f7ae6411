/**
 * Where paths in a command point, relative to the project. The check is lexical: relative paths are resolved
 * against the project root (the directory commands run in; `cd` may only move inside it, so a path that stays
 * inside from the root also stays inside from any directory below it). Symbolic links are not followed; the OS
 * sandbox is the layer that contains them.
 */
import { existsSync, realpathSync } from "node:fs";
import { posix } from "node:path";
import { type CredentialLocations, CredentialStores, withoutProcAliases } from "./credential-stores.ts";
import type { Arg } from "./words.ts";

/** Device files commands may always write to. */
const writableDevices = /^\/dev\/(null|stdout|stderr|tty|zero|fd\/\d+)$/;
/** Paths that mean "this process's standard input". */
const stdinPaths = /^\/dev\/(stdin|fd\/0)$|^\/proc\/(self|\d+)\/fd\/0$/;
/** Paths that name an open file descriptor (a pipe, a process substitution …). */
const descriptorPaths = /^\/dev\/fd\/\d+$|^\/proc\/(self|\d+)\/fd\/\d+$/;

/** The project root and the checks on paths relative to it. */
export class ProjectPaths {
  /** The root as given, resolved; plus its real path when that differs (e.g. macOS /tmp → /private/tmp). */
  readonly roots: readonly string[];
  /** Files agents may never change: the project's command policy. */
  readonly #protected: readonly string[];
  /** The machine's credential stores, which no command may read. */
  readonly credentials: CredentialStores;

  constructor(root: string, locations: CredentialLocations = {}) {
    const resolved = posix.resolve(root);
    const roots = [resolved];
    if (existsSync(resolved)) {
      const real = realpathSync(resolved);
      if (real !== resolved) roots.push(real);
    }
    this.roots = roots;
    this.#protected = roots.map((each) => posix.join(each, ".autowright", "commands.yaml"));
    this.credentials = new CredentialStores(roots, locations);
  }

  /** The project root. */
  get root(): string {
    return this.roots[0] as string;
  }

  /** An absolute path for `path`, relative paths taken from the project root. */
  resolve(path: string): string {
    return posix.resolve(this.root, path);
  }

  /** Whether an absolute path is the project root or below it. */
  isInside(absolute: string): boolean {
    return this.roots.some(
      (root) => absolute === root || absolute.startsWith(root === "/" ? "/" : `${root}/`),
    );
  }

  /** Whether an absolute path is the project root itself. */
  isRoot(absolute: string): boolean {
    return this.roots.includes(absolute);
  }

  /** Whether a literal path names the process's standard input (`/dev/stdin`, `/dev/fd/0`). */
  static isStdinPath(path: string): boolean {
    return stdinPaths.test(path);
  }

  /** Whether a literal path names another open file descriptor (`/dev/fd/3`, `/proc/self/fd/5`). */
  static isDescriptorPath(path: string): boolean {
    return descriptorPaths.test(path) && !stdinPaths.test(path);
  }

  /**
   * Why `who` may not write to (create, change or delete) `arg`, or `undefined` when it may. `who` is
   * `"redirection"` or a quoted program name such as `"rm"`.
   */
  writeProblem(arg: Arg, who: string): string | undefined {
    const redirection = who === "redirection";
    const outside = (shown: string): string =>
      redirection
        ? `redirection to ${shown} is outside the project; write to a path inside the project instead`
        : `${who} would change ${shown}, which is outside the project; only paths inside the project may be changed`;
    if (arg.value === undefined) {
      if (arg.home) return outside(`${arg.raw} (the home directory)`);
      if (arg.fromInput) {
        return `${who} would change ${arg.raw}, read from its input, which the policy cannot check; name the paths literally`;
      }
      return redirection
        ? `redirection to ${arg.raw} is only known at run time; redirect to a literal path inside the project`
        : `${who} would change ${arg.raw}, which is only known at run time; name the path literally`;
    }
    if (arg.tilde) return outside(`${arg.raw} (the home directory)`);
    if (writableDevices.test(arg.value)) return undefined;
    const absolute = this.resolve(arg.value);
    if (!this.isInside(absolute)) {
      return outside(arg.value.startsWith("/") ? arg.value : `${arg.value} (${absolute})`);
    }
    if (this.#protected.includes(absolute)) {
      return `${arg.value} is the project's command policy, which only the user may change`;
    }
    return undefined;
  }

  /**
   * The credential store `arg` names, if any: the path itself (relative paths from the project root, `~`,
   * `/proc/self/root/…`, symbolic links that exist), a glob that can match one, a path embedded in an option
   * (`--file=PATH`, `if=PATH`, `-fPATH`, `@PATH`, `A:B`), or, for a value only known at run time, a store its
   * text names (`"$HOME/.ssh"`).
   */
  credentialStoreOf(arg: Arg): string | undefined {
    const value = arg.value;
    if (value === undefined) return this.credentials.mentionedIn(arg.raw);
    for (const candidate of embeddedPaths(value)) {
      const store = this.#storeOfPath(candidate, arg.glob);
      if (store !== undefined) return store;
    }
    return undefined;
  }

  /** Why `who` (a quoted program name, `"redirection"`) may not read `arg`, or `undefined` when it may. */
  readProblem(arg: Arg, who: string): string | undefined {
    const store = this.credentialStoreOf(arg);
    return store === undefined ? undefined : credentialReason(who, store);
  }

  /** Why code or a script text (`python3 -c`, an awk program) may not run, when it names a credential store. */
  mentionProblem(text: string, who: string): string | undefined {
    const store = this.credentials.mentionedIn(text);
    return store === undefined ? undefined : credentialReason(who, store);
  }

  #storeOfPath(path: string, glob: boolean): string | undefined {
    let absolute: string;
    if (path === "~" || path.startsWith("~/")) {
      absolute = posix.join(this.credentials.home, path.slice(1));
    } else if (path.startsWith("~")) {
      const slash = path.indexOf("/");
      const user = slash < 0 ? path.slice(1) : path.slice(1, slash);
      const rest = slash < 0 ? "" : path.slice(slash);
      absolute = posix.join(user === "root" ? "/root" : `/home/${user}`, rest);
    } else absolute = this.resolve(withoutProcAliases(path, this.root));
    return glob ? this.credentials.storeMatchedBy(absolute) : this.credentials.storeOf(absolute);
  }

  /**
   * Why a command may not work in the directory `arg` (`cd`, `pushd`, `git -C`, `env -C`), or `undefined`.
   * `describe` renders the offending part, e.g. `(path) => \`cd ${path}\``.
   */
  directoryProblem(arg: Arg, describe: (path: string) => string): string | undefined {
    const hint = "commands run in the project, so use paths inside it";
    if (arg.value === undefined) {
      return `"${describe(arg.raw)}" names a directory only known at run time; ${hint}`;
    }
    if (arg.tilde) return `"${describe(arg.raw)}" leaves the project; ${hint}`;
    const absolute = this.resolve(arg.value);
    if (!this.isInside(absolute)) return `"${describe(arg.value)}" leaves the project; ${hint}`;
    return undefined;
  }
}

/** The denial for reading a credential store. */
function credentialReason(who: string, store: string): string {
  return `${who} reads a credential store: ${store}; agents may not read credentials, so do without them or ask the user`;
}

/** A value and the paths embedded in it: around `=`, `@`, `:` or `,`, and after an attached short option. */
function embeddedPaths(value: string): string[] {
  const paths = new Set([value]);
  const attached = /^-[A-Za-z]([/~.].*)$/.exec(value);
  if (attached !== null) paths.add(attached[1] as string);
  if (/[=@:,]/.test(value)) for (const part of value.split(/[=@:,]/)) if (part !== "") paths.add(part);
  return [...paths];
}
