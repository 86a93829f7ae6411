/**
 * The git rule. Git can run other programs in many ways: configuration (`-c core.pager=…`, `alias.x=!sh`,
 * `core.sshCommand`, `core.hooksPath`, filters, diff drivers …), options (`--upload-pack`, `--exec`, `rebase -x`,
 * `grep -O`), environment (`GIT_SSH_COMMAND`, handled with the other variables) and aliases. So:
 * - `-c`/`--config-env` and `git config` writes accept only settings from a list known to be inert;
 * - only git's own subcommands run (aliases could run anything);
 * - the options that name programs are denied, and commands given to `rebase -x`, `bisect run` and
 *   `submodule foreach` are judged like any command;
 * - paths git writes (`-C`, `--output`, `worktree add`, `clone` targets) must be inside the project;
 * - `git push` is left to the user.
 */
import { deny, type Invocation, type Judge, type ProgramRule } from "./judge-types.ts";
import { hasOption, optionValues, scanOptions } from "./option-scanner.ts";
import { checkWrites, rejectUnknownOptions } from "./rule-helpers.ts";
import type { Arg } from "./words.ts";

/** Settings that never make git run a program. Keys are matched case-insensitively, `*` is one segment. */
const safeConfigPatterns: readonly RegExp[] = [
  "user.*",
  "author.*",
  "committer.*",
  "color.*",
  "color.*.*",
  "advice.*",
  "core.quotepath",
  "core.autocrlf",
  "core.safecrlf",
  "core.eol",
  "core.filemode",
  "core.ignorecase",
  "core.precomposeunicode",
  "core.longpaths",
  "core.whitespace",
  "core.abbrev",
  "core.commentchar",
  "commit.gpgsign",
  "commit.verbose",
  "commit.cleanup",
  "tag.gpgsign",
  "tag.sort",
  "init.defaultbranch",
  "merge.conflictstyle",
  "merge.ff",
  "merge.renames",
  "merge.autostash",
  "pull.rebase",
  "pull.ff",
  "push.default",
  "push.autosetupremote",
  "rebase.autosquash",
  "rebase.autostash",
  "rebase.updaterefs",
  "fetch.prune",
  "diff.renames",
  "diff.algorithm",
  "diff.noprefix",
  "diff.mnemonicprefix",
  "diff.context",
  "diff.colormoved",
  "status.*",
  "log.date",
  "log.decorate",
  "log.abbrevcommit",
  "log.follow",
  "format.pretty",
  "column.ui",
  "i18n.*",
  "blame.*",
  "rerere.enabled",
  "rerere.autoupdate",
  "gc.auto",
  "maintenance.auto",
  "branch.autosetupmerge",
  "branch.autosetuprebase",
  "branch.sort",
].map((pattern) => new RegExp(`^${pattern.replaceAll(".", "\\.").replaceAll("*", "[^.]+")}$`, "i"));

function configKeyProblem(key: string | undefined, how: string): string | undefined {
  if (key !== undefined && safeConfigPatterns.some((pattern) => pattern.test(key))) return undefined;
  return `"${how}" can make git run other programs; only inert settings such as user.name, user.email, color.*, core.autocrlf or commit.gpgsign are allowed`;
}

function checkConfigArgument(arg: Arg | undefined, how: string): void {
  const value = arg?.value;
  const key = value === undefined ? undefined : value.split("=")[0];
  const problem = configKeyProblem(key, `${how} ${value ?? arg?.raw ?? ""}`.trim());
  if (problem !== undefined) deny(problem);
}

/** Git's own commands that need no further checks beyond the common ones. */
const plainSubcommands = new Set([
  "add",
  "am",
  "annotate",
  "apply",
  "blame",
  "branch",
  "bundle",
  "cat-file",
  "check-attr",
  "check-ignore",
  "check-mailmap",
  "check-ref-format",
  "checkout",
  "cherry",
  "cherry-pick",
  "clean",
  "column",
  "commit",
  "commit-graph",
  "commit-tree",
  "count-objects",
  "describe",
  "diff",
  "diff-files",
  "diff-index",
  "diff-tree",
  "fetch",
  "for-each-ref",
  "fsck",
  "gc",
  "hash-object",
  "help",
  "init",
  "interpret-trailers",
  "log",
  "ls-files",
  "ls-remote",
  "ls-tree",
  "mailinfo",
  "mailsplit",
  "merge",
  "merge-base",
  "merge-file",
  "merge-tree",
  "mktag",
  "mktree",
  "mv",
  "name-rev",
  "notes",
  "patch-id",
  "prune",
  "pull",
  "range-diff",
  "read-tree",
  "reflog",
  "remote",
  "repack",
  "replace",
  "rerere",
  "reset",
  "restore",
  "rev-list",
  "rev-parse",
  "revert",
  "rm",
  "shortlog",
  "show",
  "show-branch",
  "show-ref",
  "sparse-checkout",
  "stash",
  "status",
  "stripspace",
  "switch",
  "symbolic-ref",
  "tag",
  "update-index",
  "update-ref",
  "var",
  "verify-commit",
  "verify-tag",
  "version",
  "whatchanged",
  "write-tree",
]);

const deniedSubcommands: ReadonlyMap<string, string> = new Map([
  ["push", "publishes commits outside the project; pushing is left to the user"],
  ["filter-branch", "runs shell snippets over the history; rewrite history with rebase instead"],
  ["difftool", "launches external diff programs; use git diff"],
  ["mergetool", "launches external merge programs; resolve conflicts by editing the files"],
  ["daemon", "serves the repository on the network"],
  ["instaweb", "starts a web server and a browser"],
  ["web--browse", "starts a browser"],
  ["send-email", "sends mail outside the project"],
  ["imap-send", "sends mail outside the project"],
  ["credential", "reads or stores credentials"],
  ["credential-store", "reads or stores credentials"],
  ["credential-cache", "reads or stores credentials"],
  ["upload-pack", "is a server-side program"],
  ["receive-pack", "is a server-side program"],
  ["upload-archive", "is a server-side program"],
  ["shell", "is a restricted login shell"],
  ["http-backend", "is a server-side program"],
]);

/** Options of any subcommand that name a program for git to run. */
const programOptions = [
  "--upload-pack",
  "--receive-pack",
  "--exec",
  "--extcmd",
  "--open-files-in-pager",
  "--template",
];

/**
 * Short options taking a separate value, per subcommand. Only options that certainly take one are listed: taking
 * a flag for a value could hide the next argument, while the reverse only makes the check stricter.
 */
const valueLetters: Readonly<Record<string, string>> = {
  commit: "mFCct",
  tag: "mFu",
  merge: "mFsX",
  stash: "m",
  rebase: "sXx",
  pull: "sXj",
  fetch: "j",
  clone: "objcu",
  "ls-remote": "u",
  grep: "efABm",
  "format-patch": "o",
  archive: "o",
  checkout: "bB",
  switch: "cC",
  "cherry-pick": "mX",
  revert: "mX",
  notes: "mFC",
  log: "n",
};

/** Long options taking the next argument as value when not written with "=". */
const valueLong = [
  "message",
  "file",
  "author",
  "date",
  "template",
  "onto",
  "strategy",
  "strategy-option",
  "exec",
  "output",
  "output-directory",
  "upload-pack",
  "receive-pack",
  "config",
  "separate-git-dir",
  "reference",
  "origin",
  "depth",
  "jobs",
  "fixup",
  "squash",
  "trailer",
  "shallow-since",
  "shallow-exclude",
  "server-option",
];

function checkUrl(arg: Arg | undefined): void {
  const value = arg?.value;
  if (value !== undefined && /^(ext|fd)::/i.test(value)) {
    deny(`the git URL ${value} runs a program as its transport; use an https, ssh or file URL`);
  }
}

function judgeSubcommand(
  subcommand: string,
  args: readonly Arg[],
  invocation: Invocation,
  judge: Judge,
): void {
  const denied = deniedSubcommands.get(subcommand);
  if (denied !== undefined) deny(`"git ${subcommand}" ${denied}`);
  if (subcommand === "config") {
    judgeConfig(args, judge);
    return;
  }
  if (subcommand === "bisect" && args[0]?.value === "run") {
    judge.judgeInvocation({
      argv: args.slice(1),
      tailFromInput: invocation.tailFromInput,
      stdin: { kind: "none" },
    });
    return;
  }
  if (subcommand === "submodule") {
    const foreach = args.findIndex((arg) => arg.value === "foreach");
    if (foreach >= 0) {
      const command = args
        .slice(foreach + 1)
        .filter((arg) => arg.value !== "--recursive" && arg.value !== "-q");
      const unknown = command.find((arg) => arg.value === undefined);
      if (unknown !== undefined)
        deny(`"git submodule foreach ${unknown.raw}" runs code only known at run time`);
      judge.judgeScript(
        command.map((arg) => arg.value).join(" "),
        { kind: "none" },
        `"git submodule foreach"`,
      );
    }
    return;
  }
  if (subcommand === "worktree") {
    const scanned = scanOptions(args, { shortValue: "bB", longValue: ["reason"] });
    rejectUnknownOptions(scanned, "git worktree");
    if (scanned.operands[0]?.value === "add")
      checkWrites(scanned.operands.slice(1, 2), "git worktree add", judge);
    if (scanned.operands[0]?.value === "move")
      checkWrites(scanned.operands.slice(2, 3), "git worktree move", judge);
    return;
  }
  if (
    !plainSubcommands.has(subcommand) &&
    !["clone", "rebase", "grep", "format-patch", "archive", "bisect", "submodule"].includes(subcommand)
  ) {
    deny(
      `"git ${subcommand}" is not a git command the policy knows (aliases are not run); use git's own commands such as status, add, commit, diff, log`,
    );
  }
  const scanned = scanOptions(args, { shortValue: valueLetters[subcommand] ?? "", longValue: valueLong });
  rejectUnknownOptions(scanned, `git ${subcommand}`);
  for (const option of programOptions) {
    if (option === "--exec" && subcommand === "rebase") continue;
    if (hasOption(scanned, option))
      deny(`"git ${subcommand} ${option}" makes git run another program; leave it out`);
  }
  if (subcommand === "grep" && hasOption(scanned, "-O")) {
    deny(`"git grep -O" opens the matches in another program; leave it out`);
  }
  if ((subcommand === "clone" || subcommand === "ls-remote") && hasOption(scanned, "-u")) {
    deny(`"git ${subcommand} -u" makes git run another program as upload-pack; leave it out`);
  }
  if (subcommand === "archive" && hasOption(scanned, "--remote")) {
    deny(`"git archive --remote" runs a program on the remote side; archive the local repository`);
  }
  for (const config of optionValues(scanned, "-c", "--config")) {
    if (subcommand === "clone") checkConfigArgument(config, `git clone -c`);
  }
  if (subcommand === "rebase") {
    for (const command of optionValues(scanned, "-x", "--exec")) {
      if (command?.value === undefined) {
        deny(`"git rebase --exec" runs a command only known at run time; write the command literally`);
      }
      judge.judgeScript(command.value, { kind: "none" }, `"git rebase --exec"`);
    }
  }
  const writes =
    subcommand === "archive" ||
    subcommand === "format-patch" ||
    subcommand === "diff" ||
    subcommand === "log" ||
    subcommand === "show"
      ? optionValues(scanned, "-o", "--output", "--output-directory")
      : [];
  checkWrites(writes, `git ${subcommand}`, judge);
  if (subcommand === "clone") {
    checkUrl(scanned.operands[0]);
    checkWrites(scanned.operands.slice(1, 2), "git clone", judge);
    checkWrites(optionValues(scanned, "--separate-git-dir"), "git clone", judge);
  }
  if (subcommand === "fetch" || subcommand === "pull" || subcommand === "ls-remote")
    checkUrl(scanned.operands[0]);
  if (subcommand === "remote") {
    for (const operand of scanned.operands) checkUrl(operand);
  }
}

function judgeConfig(args: readonly Arg[], judge: Judge): void {
  const scanned = scanOptions(args, {
    shortValue: "f",
    longValue: ["file", "blob", "type", "default", "comment", "value"],
  });
  rejectUnknownOptions(scanned, "git config");
  if (hasOption(scanned, "-e", "--edit") || scanned.operands[0]?.value === "edit") {
    deny(`"git config --edit" opens an editor; set values with git config KEY VALUE`);
  }
  checkWrites(optionValues(scanned, "-f", "--file"), "git config --file", judge);
  const reads = [
    "--get",
    "--get-all",
    "--get-regexp",
    "--get-urlmatch",
    "--list",
    "-l",
    "--get-color",
    "--get-colorbool",
  ];
  if (reads.some((name) => hasOption(scanned, name))) return;
  const removes = ["--unset", "--unset-all", "--remove-section", "--rename-section"];
  if (removes.some((name) => hasOption(scanned, name))) return;
  const operands = [...scanned.operands];
  const verb = operands[0]?.value;
  if (
    verb === "get" ||
    verb === "list" ||
    verb === "unset" ||
    verb === "remove-section" ||
    verb === "rename-section"
  )
    return;
  if (verb === "set") operands.shift();
  if (operands.length < 2) return;
  if (hasOption(scanned, "--global", "--system")) {
    deny(`"git config --global" changes settings outside the project; use the repository's own config`);
  }
  const key = operands[0];
  const problem = configKeyProblem(key?.value, `git config ${key?.value ?? key?.raw ?? ""}`);
  if (problem !== undefined) deny(problem);
}

/** `git`: global options first, then one of git's own subcommands. */
export const gitRule: ProgramRule = (invocation, judge) => {
  const args = invocation.argv.slice(1);
  let index = 0;
  while (index < args.length) {
    const arg = args[index] as Arg;
    const value = arg.value;
    if (value === undefined) {
      deny(`"git" argument ${arg.raw} is only known at run time and could be an option; write it literally`);
    }
    if (!value.startsWith("-")) break;
    index++;
    if (value === "-c") {
      checkConfigArgument(args[index], "git -c");
      index++;
    } else if (value.startsWith("--config-env")) {
      const setting = value.includes("=") ? value.slice(value.indexOf("=") + 1) : args[index++]?.value;
      checkConfigArgument({ ...arg, value: setting }, "git --config-env");
    } else if (
      value === "-C" ||
      value === "--git-dir" ||
      value === "--work-tree" ||
      value === "--namespace"
    ) {
      const directory = args[index];
      index++;
      if (directory !== undefined && value !== "--namespace") {
        const problem = judge.paths.directoryProblem(directory, (path) => `git ${value} ${path}`);
        if (problem !== undefined) deny(problem);
      }
    } else if (value.startsWith("--git-dir=") || value.startsWith("--work-tree=")) {
      const directory = { ...arg, value: value.slice(value.indexOf("=") + 1) };
      const problem = judge.paths.directoryProblem(
        directory,
        (path) => `git ${value.slice(0, value.indexOf("="))}=${path}`,
      );
      if (problem !== undefined) deny(problem);
    } else if (value.startsWith("--exec-path=")) {
      deny(`"git --exec-path=…" makes git run programs from another directory; leave it out`);
    } else if (value === "--list-cmds" || value === "--super-prefix" || value === "--attr-source") {
      index++;
    }
  }
  const subcommand = args[index];
  if (subcommand === undefined) {
    if (invocation.tailFromInput)
      deny(`"xargs git" would take its git command from its input; name it literally`);
    return;
  }
  if (invocation.tailFromInput && subcommand.value !== "add" && subcommand.value !== "rm") {
    deny(
      `"xargs git ${subcommand.value}" would add options read from its input, which the policy cannot check`,
    );
  }
  judgeSubcommand(subcommand.value as string, args.slice(index + 1), invocation, judge);
};
