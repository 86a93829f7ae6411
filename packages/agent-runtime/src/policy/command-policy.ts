/**
 * The command policy for agents' shell commands, built on a real Bash parser (mvdan.cc/sh): every simple command a
 * script can run is found and judged, wherever it hides (pipes, lists, subshells, blocks, control flow, functions,
 * `$(…)`, backquotes, process substitution, here-documents, `sh -c`, `eval`, `xargs`, `env`, `find -exec`,
 * `git rebase -x` …). A command is allowed only when every program in it is allowed and passes its program's
 * rule, every redirection writes inside the project, and nothing runs code the policy cannot see.
 *
 * Decisions worth knowing:
 * - Programs come from an allowlist: built in (`builtinAllowedPrograms`), plus `allow:` in the user's and the
 *   project's `commands.yaml`, minus `deny:` in either (a deny always wins). Hard denials (sudo, su, doas, pkill,
 *   killall, dd, mkfs, shutdown, reboot, systemctl, crontab …) cannot be allowed.
 * - A program named by a path inside the project (`./init.sh`, `node_modules/.bin/vitest`) runs like a script of
 *   the project; a path outside it is judged by its base name (`/usr/bin/sudo` is `sudo`).
 * - Running script files is allowed (`node x.js`, `python3 x.py`, `bash x.sh`, `source x.sh`, `npm run`, `make`):
 *   the policy judges command lines, not the contents of files. Inline code (`python3 -c`, `node -e`,
 *   `perl -e`, a here-document or pipe into an interpreter) needs `allowInlineCode`. Shell scripts given as
 *   literals (`bash -c '…'`, `eval '…'`, `bash <<'EOF'`) are parsed and judged; non-literal ones are denied, as is a
 *   shell reading commands from a pipe, and any download piped into a shell or interpreter.
 * - `npx`/`npm exec`/`pnpm dlx`/`yarn dlx` (and `pnpm NAME`/`yarn NAME`, which fall back to running the program
 *   NAME) run a package's program only when that program is allowed (vitest, tsc, playwright, eslint, prettier,
 *   biome, tsx … or configured), and judge it by its own rule; `npm init NAME` needs `create-NAME` allowed. Other
 *   packages are denied with a pointer to devDependencies plus an npm script.
 * - python may run modules (`python3 -m pytest`, `-m http.server`, `-m pip`); pip, make, cargo and go are
 *   allowed (their build files run code like any script), except `cargo install`/`go install` and
 *   `make --eval`/a makefile from input. sqlite3, docker, ssh/scp, perl, ruby are not built in.
 * - Paths written (redirections, tee, cp/mv/ln targets, rm/rmdir/mkdir/touch/chmod/chown, sed -i, sort -o,
 *   curl -o, find -delete …) must be inside the project, resolved against the project root; `/dev/null`,
 *   `/dev/stdout`, `/dev/stderr` are fine; `~` and `$HOME` are outside; deleting the project root is denied; the
 *   project's `.autowright/commands.yaml` may not be written. Reading anywhere is allowed, except the machine's
 *   credential stores (`credentialStores`: /etc/shadow, ~/.ssh, ~/.aws, $AUTOWRIGHT_HOME …): any argument,
 *   redirection or assignment naming one (literally, through `~`, relative paths, `/proc/self/root`, existing
 *   symbolic links or a glob), and inline code or awk/sed programs whose text names one, are denied.
 * - `cd` may only move inside the project, so relative paths stay judged conservatively against the root.
 * - `kill` needs literal PIDs the session started (`ownedPids`), `$!` or `%job`; `kill 0`, `kill -1` and negative
 *   PIDs (process groups) are denied.
 * - curl, wget and bash's `/dev/tcp` may only reach http(s) URLs / hosts on loopback; git may not push, run aliases
 *   or unknown subcommands, or take settings that run programs (only inert `-c` settings); `npm install -g` and
 *   publishing are denied; variables that load code (`LD_PRELOAD`, `BASH_ENV`, `GIT_CONFIG_*`, `CDPATH` …) may
 *   not be set, and command-valued ones (`GIT_SSH_COMMAND`, `GIT_EDITOR`, `PAGER` …) are judged as commands.
 * - Arguments only known at run time (`$X`, `$(…)`) are fine for ordinary arguments, but denied as program names,
 *   scripts, redirection targets, paths written, PIDs, URLs, and wherever they could be an option of a program
 *   with dangerous options (put them after `--`).
 * - Anything the parser rejects is denied, saying it could not be parsed. Literal text shaped like an array
 *   subscript holding a command substitution (`'a[$(id)]'`) is denied: bash runs it when it evaluates the string
 *   arithmetically.
 * - Known limits (the OS sandbox is the layer for these): the contents of script files, package.json scripts and
 *   Makefiles are not judged; paths are checked lexically, so symbolic links are not followed; values a script reads
 *   at run time are not tracked, only whether something is literal.
 */

import type { CredentialLocations } from "./credential-stores.ts";
import { judgeCommand, type PolicyDecision, type PolicyRules } from "./judge.ts";
import {
  type CommandPolicyLayer,
  globalPolicyPath,
  projectPolicyPath,
  readCommandPolicyFile,
} from "./policy-file.ts";
import { builtinAllowedPrograms, hardDenialOf } from "./programs.ts";
import { ProjectPaths } from "./project-paths.ts";

export type { CredentialLocations, CredentialStore } from "./credential-stores.ts";
export { CredentialStores, credentialStores } from "./credential-stores.ts";
export type { PolicyDecision } from "./judge.ts";
export type { CommandPolicyFile, CommandPolicyLayer } from "./policy-file.ts";
export { commandPolicyFileSchema, parseCommandPolicyFile } from "./policy-file.ts";
export { builtinAllowedPrograms, hardDenials } from "./programs.ts";

/** What the caller knows about the session when judging a command. */
export interface JudgeContext {
  /** PIDs of processes this session started; only these may be killed. */
  readonly ownedPids?: ReadonlySet<number>;
}

/** A loaded command policy for one project. */
export interface CommandPolicy {
  /** The directory commands run in and are confined to. */
  readonly projectRoot: string;
  /** The policy files that were merged, global first (only the ones that exist). */
  readonly sources: readonly string[];
  /** Judges one command line (a Bash script, possibly several lines). Synchronous; never throws. */
  judge(command: string, context?: JudgeContext): PolicyDecision;
}

/** Where to look for policy files. */
export interface LoadCommandPolicyOptions {
  /** The project root; its `.autowright/commands.yaml` applies. */
  readonly projectRoot: string;
  /** The autowright home directory; its `commands.yaml` applies to every project. */
  readonly home: string;
  /**
   * The directory commands run in and may write to, when it is not the project root (a session's git worktree).
   * Relative paths in commands are resolved against it. Default: `projectRoot`.
   */
  readonly workingDirectory?: string;
}

const noPids: ReadonlySet<number> = new Set();

/**
 * Loads the policy for a project: the built-in rules, then `<home>/commands.yaml`, then
 * `<projectRoot>/.autowright/commands.yaml` (both optional). A malformed file is an `invalid_input` AppError naming
 * the file and the problem.
 */
export function loadCommandPolicy(options: LoadCommandPolicyOptions): CommandPolicy {
  const layers = [
    readCommandPolicyFile(globalPolicyPath(options.home)),
    readCommandPolicyFile(projectPolicyPath(options.projectRoot)),
  ].filter((layer): layer is CommandPolicyLayer => layer !== undefined);
  return createCommandPolicy(options.workingDirectory ?? options.projectRoot, layers, {
    autowrightHome: options.home,
  });
}

/**
 * Builds a policy confining commands to `projectRoot` from already-parsed layers (lowest precedence first; a deny
 * in any layer wins).
 */
export function createCommandPolicy(
  projectRoot: string,
  layers: readonly CommandPolicyLayer[],
  locations: CredentialLocations = {},
): CommandPolicy {
  const allowed = new Set(builtinAllowedPrograms);
  const denied = new Map<string, string>();
  const inlineCode = new Set<string>();
  for (const { path, file } of layers) {
    for (const name of file.allow ?? []) allowed.add(name);
    for (const name of file.allowInlineCode ?? []) {
      allowed.add(name);
      inlineCode.add(name);
    }
    for (const name of file.deny ?? []) denied.set(name, path);
  }
  for (const name of allowed) if (hardDenialOf(name) !== undefined) allowed.delete(name);
  const rules: PolicyRules = {
    paths: new ProjectPaths(projectRoot, locations),
    allowed,
    denied,
    inlineCode,
  };
  return {
    projectRoot: rules.paths.root,
    sources: layers.map((layer) => layer.path),
    judge: (command, context) => judgeCommand(rules, command, context?.ownedPids ?? noPids),
  };
}
