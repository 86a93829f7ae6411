/**
 * Rules for package managers. `npm`/`pnpm`/`yarn` may install, run scripts and test, but not install globally,
 * publish or change the user's configuration. `npx`, `npm exec`, `pnpm dlx`/`exec` and `yarn dlx`/`exec` run a
 * package's program as if it were on the PATH: they are allowed when that program is itself allowed (built in,
 * such as vitest, tsc, playwright, eslint, prettier, biome, tsx; or listed in `allow:`), and the program's
 * arguments are judged by its own rule. Other packages are denied, so a typo or an injected name cannot download
 * and run arbitrary code — unless the project itself depends on the package (its package.json lists it, or its
 * `node_modules/.bin` has the program): `npx prisma migrate dev` then runs the project's own program, judged like
 * `node_modules/.bin/prisma`. `dlx` always downloads, so it gets no such allowance.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deny, type Invocation, type Judge, type ProgramRule } from "./judge-types.ts";
import { hasOption, optionValues, scanOptions } from "./option-scanner.ts";
import { hardDenialOf } from "./programs.ts";
import { argumentsOf, programName, rejectInputTail, rejectUnknownOptions } from "./rule-helpers.ts";
import { type Arg, literalArg } from "./words.ts";

/** Packages whose program has another name. */
const packagePrograms: Readonly<Record<string, string>> = {
  typescript: "tsc",
  "@biomejs/biome": "biome",
  "@playwright/test": "playwright",
  "@vitest/cli": "vitest",
};

/** The program a package spec runs: `vitest@2` → `vitest`, `typescript` → `tsc`. */
export function programOfPackage(spec: string): string {
  const withoutVersion = spec.startsWith("@")
    ? spec.replace(/^(@[^/@]+\/[^@]+)@.*$/, "$1")
    : spec.replace(/@.*$/, "");
  return packagePrograms[withoutVersion] ?? withoutVersion;
}

function packageNotAllowed(command: string, spec: string): never {
  const program = programOfPackage(spec);
  const configure = program.includes("/") ? "" : `, or add ${program} to allow in .autowright/commands.yaml`;
  return deny(
    `"${command}" runs the package ${spec}, which is not an allowed program; add it to devDependencies and run it through an npm script${configure}`,
  );
}

/** The name of a package spec without its version: `prisma@5` → `prisma`, `@scope/x@1` → `@scope/x`. */
function packageName(spec: string): string {
  return spec.startsWith("@") ? spec.replace(/^(@[^/@]+\/[^@]+)@.*$/, "$1") : spec.replace(/@.*$/, "");
}

const dependencyFields = ["dependencies", "devDependencies", "optionalDependencies"] as const;

/**
 * The project's own program for a package spec, when the project has it: a bare package name (no version) listed
 * in the project's package.json dependencies or devDependencies, or a program in its `node_modules/.bin`. Then
 * `npx NAME` runs what the project already installs, like `node_modules/.bin/NAME`, with nothing downloaded.
 * Returns the program's path inside the project, or `undefined`.
 */
export function projectProgramOf(spec: string, judge: Judge): string | undefined {
  const name = packageName(spec);
  if (name !== spec || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) return undefined;
  const program = name.startsWith("@") ? (name.split("/")[1] as string) : name;
  for (const root of judge.paths.roots) {
    const bin = join(root, "node_modules", ".bin", program);
    if (existsSync(bin)) return bin;
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    } catch {
      continue;
    }
    if (manifest === null || typeof manifest !== "object") continue;
    for (const field of dependencyFields) {
      const dependencies = (manifest as Record<string, unknown>)[field];
      if (dependencies !== null && typeof dependencies === "object" && Object.hasOwn(dependencies, name)) {
        return bin;
      }
    }
  }
  return undefined;
}

/**
 * `npx`-style execution of a package's program. `args` are the arguments after the runner. `local`: the runner
 * uses the project's installed packages (`npx`, `npm exec`, `pnpm exec`), unlike `dlx`, which always downloads.
 */
function judgePackageExecution(
  runner: string,
  args: readonly Arg[],
  invocation: Invocation,
  judge: Judge,
  local = true,
): void {
  const scanned = scanOptions(args, {
    shortValue: "pc",
    longValue: ["package", "call", "shell", "workspace", "prefix"],
    stopAtOperand: true,
  });
  rejectUnknownOptions(scanned, runner);
  if (hasOption(scanned, "--shell"))
    deny(`"${runner} --shell" chooses the shell scripts run with; leave it out`);
  const specs = optionValues(scanned, "-p", "--package");
  for (const spec of specs) {
    if (spec?.value === undefined) deny(`"${runner} --package" names a package only known at run time`);
    if (!judge.programAllowed(programOfPackage(spec.value)))
      packageNotAllowed(`${runner} --package ${spec.value}`, spec.value);
  }
  const call = optionValues(scanned, "-c", "--call")[0];
  if (call !== undefined) {
    if (call.value === undefined)
      deny(`"${runner} -c" runs a command only known at run time; write it literally`);
    judge.judgeScript(call.value, invocation.stdin, `"${runner} -c"`);
    return;
  }
  const [command, ...rest] = scanned.operands;
  if (command === undefined) {
    rejectInputTail(invocation, "a command");
    return;
  }
  if (command.value === undefined) {
    deny(
      `"${runner}" runs ${command.raw}, which is only known at run time; write the program name literally`,
    );
  }
  const program = programOfPackage(command.value);
  if (!judge.programAllowed(program)) {
    const own = local && specs.length === 0 ? projectProgramOf(command.value, judge) : undefined;
    if (own === undefined) packageNotAllowed(`${runner} ${command.value}`, command.value);
    judge.judgeInvocation({ ...invocation, argv: [literalArg(own, command.raw), ...rest] });
    return;
  }
  judge.judgeInvocation({ ...invocation, argv: [literalArg(program, command.raw), ...rest] });
}

/** `npm init NAME` / `yarn create NAME` run the package `create-NAME` (`@scope/create` for `@scope`). */
function judgeInitializer(runner: string, initializer: Arg | undefined, judge: Judge): void {
  const value = initializer?.value;
  if (value === undefined || value.startsWith("-")) return;
  const spec = value.startsWith("@")
    ? value.replace(/^(@[^/]+)(\/(.*))?$/, (_match, scope: string, _slash, rest?: string) =>
        rest === undefined ? `${scope}/create` : `${scope}/create-${rest}`,
      )
    : `create-${value}`;
  if (!judge.programAllowed(programOfPackage(spec))) packageNotAllowed(`${runner} ${value}`, spec);
}

const registryCommands = new Set([
  "publish",
  "unpublish",
  "deprecate",
  "dist-tag",
  "owner",
  "access",
  "adduser",
  "add-user",
  "login",
  "logout",
  "token",
  "team",
  "org",
  "profile",
  "star",
  "unstar",
  "hook",
  "trust",
]);

const npmCommands = new Set([
  "install",
  "i",
  "in",
  "ins",
  "inst",
  "insta",
  "instal",
  "isnt",
  "isnta",
  "isntal",
  "isntall",
  "add",
  "ci",
  "clean-install",
  "ic",
  "install-clean",
  "install-test",
  "it",
  "install-ci-test",
  "cit",
  "uninstall",
  "un",
  "remove",
  "rm",
  "r",
  "unlink",
  "run",
  "run-script",
  "rum",
  "urn",
  "test",
  "tst",
  "t",
  "start",
  "stop",
  "restart",
  "ls",
  "list",
  "la",
  "ll",
  "outdated",
  "audit",
  "update",
  "up",
  "upgrade",
  "udpate",
  "view",
  "v",
  "info",
  "show",
  "pack",
  "prune",
  "dedupe",
  "ddp",
  "rebuild",
  "rb",
  "explain",
  "why",
  "fund",
  "help",
  "doctor",
  "root",
  "prefix",
  "bin",
  "version",
  "pkg",
  "query",
  "search",
  "find-dupes",
  "cache",
  "sbom",
  "diff",
  "ping",
]);

function rejectGlobal(scanned: ReturnType<typeof scanOptions>, program: string): void {
  const location = optionValues(scanned, "--location")[0]?.value;
  if (hasOption(scanned, "-g", "--global") || location === "global" || location === "user") {
    deny(
      `"${program}" with --global installs or changes things outside the project; use project-local dependencies`,
    );
  }
}

const npm: ProgramRule = (invocation, judge) => {
  const args = argumentsOf(invocation);
  const scanned = scanOptions(args, {
    shortValue: "Cw",
    longValue: [
      "prefix",
      "workspace",
      "location",
      "registry",
      "tag",
      "loglevel",
      "cache",
      "script-shell",
      "userconfig",
    ],
  });
  rejectUnknownOptions(scanned, "npm");
  rejectGlobal(scanned, "npm");
  if (hasOption(scanned, "--script-shell"))
    deny(`"npm --script-shell" chooses the shell scripts run with; leave it out`);
  for (const prefix of optionValues(scanned, "-C", "--prefix")) {
    const problem = prefix && judge.paths.directoryProblem(prefix, (path) => `npm --prefix ${path}`);
    if (problem) deny(problem);
  }
  const commandIndex = args.indexOf(scanned.operands[0] as Arg);
  const command = scanned.operands[0];
  if (command === undefined) return;
  if (command.value === undefined) {
    deny(`"npm" command ${command.raw} is only known at run time; write it literally`);
  }
  const name = command.value;
  if (name === "exec" || name === "x") {
    judgePackageExecution(`npm ${name}`, args.slice(commandIndex + 1), invocation, judge);
    return;
  }
  if (name === "init" || name === "create" || name === "innit") {
    judgeInitializer(`npm ${name}`, scanned.operands[1], judge);
    return;
  }
  if (name === "config" || name === "c" || name === "set" || name === "get") {
    const action = name === "set" || name === "get" ? name : scanned.operands[1]?.value;
    const location = optionValues(scanned, "--location")[0]?.value;
    if ((action === "set" || action === "delete" || action === "edit") && location !== "project") {
      deny(
        `"npm config ${action}" changes the user's npm settings; pass --location=project to change the project's .npmrc`,
      );
    }
    return;
  }
  if (name === "explore") {
    const separator = args.findIndex((arg) => arg.value === "--");
    if (separator >= 0) {
      judge.judgeInvocation({ ...invocation, argv: args.slice(separator + 1) });
    }
    return;
  }
  if (registryCommands.has(name)) {
    deny(`"npm ${name}" acts on the npm registry or the user's account; leave publishing to the user`);
  }
  if (name === "link" || name === "ln") {
    deny(`"npm ${name}" links packages globally, outside the project; use a file: or workspace dependency`);
  }
  if (name === "edit" || name === "repo" || name === "docs" || name === "bugs" || name === "home") {
    deny(`"npm ${name}" opens an editor or a browser; read the files directly`);
  }
  if (!npmCommands.has(name)) {
    deny(`"npm ${name}" is not an npm command the policy knows; use install, ci, run, test, exec or similar`);
  }
};

/** The commands of pnpm and yarn (v1 and berry) other than dlx, exec and the registry ones. */
const managerCommands = new Set([
  ...npmCommands,
  "approve-builds",
  "autoclean",
  "bin",
  "cache",
  "catalog",
  "check",
  "config",
  "constraints",
  "create",
  "dedupe",
  "deploy",
  "doctor",
  "env",
  "explain",
  "fetch",
  "generate-lock-entry",
  "get",
  "import",
  "info",
  "init",
  "licenses",
  "patch",
  "patch-commit",
  "patch-remove",
  "plugin",
  "rebuild",
  "remove",
  "run",
  "set",
  "setup",
  "store",
  "unplug",
  "upgrade-interactive",
  "version",
  "versions",
  "why",
  "workspace",
  "workspaces",
]);

/**
 * pnpm and yarn: like npm, with `dlx`/`exec` judged like npx and `pnpm NAME` (a script, or else the program NAME)
 * judged as the program NAME.
 */
function pnpmOrYarn(program: string): ProgramRule {
  return (invocation, judge) => {
    const args = argumentsOf(invocation);
    const scanned = scanOptions(args, {
      shortValue: "Cw",
      longValue: ["dir", "filter", "workspace", "cwd", "reporter", "loglevel"],
    });
    rejectUnknownOptions(scanned, program);
    rejectGlobal(scanned, program);
    const command = scanned.operands[0];
    if (command === undefined) return;
    if (command.value === undefined) {
      deny(`"${program}" command ${command.raw} is only known at run time; write it literally`);
    }
    const index = args.indexOf(command);
    if (command.value === "dlx" || command.value === "exec" || command.value === "x") {
      judgePackageExecution(
        `${program} ${command.value}`,
        args.slice(index + 1),
        invocation,
        judge,
        command.value !== "dlx",
      );
      return;
    }
    if (command.value === "global") {
      deny(`"${program} global" installs outside the project; use project-local dependencies`);
    }
    if (registryCommands.has(command.value) || command.value === "npm") {
      deny(
        `"${program} ${command.value}" acts on the registry or the user's account; leave publishing to the user`,
      );
    }
    if (command.value === "link") {
      deny(`"${program} link" links packages globally, outside the project; use a workspace dependency`);
    }
    if (command.value === "create" || command.value === "init") {
      judgeInitializer(`${program} ${command.value}`, scanned.operands[1], judge);
      return;
    }
    if (!managerCommands.has(command.value)) {
      // `pnpm NAME` / `yarn NAME` runs a script called NAME, or else the program NAME: judge it as a program.
      const target = programOfPackage(command.value);
      const own = judge.programAllowed(target) ? undefined : projectProgramOf(command.value, judge);
      if (own !== undefined) {
        judge.judgeInvocation({
          ...invocation,
          argv: [literalArg(own, command.raw), ...args.slice(index + 1)],
        });
        return;
      }
      if (!judge.programAllowed(target) && hardDenialOf(target) === undefined) {
        deny(
          `"${program} ${command.value}" would run ${command.value}, which is not an allowed program; run package scripts with ${program} run ${command.value}`,
        );
      }
      judge.judgeInvocation({ ...invocation, argv: args.slice(index) });
    }
  };
}

const npx: ProgramRule = (invocation, judge) => {
  judgePackageExecution(programName(invocation), argumentsOf(invocation), invocation, judge);
};

/** Rules for package managers, by program name. */
export const packageRules: ReadonlyMap<string, ProgramRule> = new Map<string, ProgramRule>([
  ["npm", npm],
  ["npx", npx],
  ["pnpx", npx],
  ["pnpm", pnpmOrYarn("pnpm")],
  ["yarn", pnpmOrYarn("yarn")],
]);
