/** `autowright init <dir>`: register a project and scaffold `.autowright/`. */
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { scaffoldPrompts } from "@autowright/agent-runtime";
import { AppError, projectNameSchema } from "@autowright/protocol";
import {
  hasSpec,
  ProjectStore,
  parseProjectName,
  projectPaths,
  type Registry,
  scaffoldProjectFiles,
} from "@autowright/store";
import { type GlobalOptions, withRegistry } from "../context.ts";
import { initializeGitRepository, isGitRepository } from "../git.ts";
import type { CliIo } from "../io.ts";

/** Options of `init`. */
export interface InitOptions extends GlobalOptions {
  readonly name?: string;
  readonly spec?: string;
}

/** Reads a spec file the user passed, refusing a missing or empty one. */
export function readSpecFile(argument: string, io: CliIo): string {
  const path = resolve(io.cwd, argument);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new AppError("not_found", `no such spec file: ${path}`);
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") throw new AppError("invalid_input", `the spec file is empty: ${path}`);
  return text;
}

/** The name a project gets when the user gives none: the folder's name, if it is a valid project name. */
export function defaultProjectName(root: string, explicit: string | undefined): string {
  if (explicit !== undefined) return parseProjectName(explicit);
  const folder = basename(root);
  if (!projectNameSchema.safeParse(folder).success) {
    throw new AppError(
      "invalid_project_name",
      `the folder name ${JSON.stringify(folder)} is not a valid project name; choose one with --name (1 to 50 letters, digits, '_' or '-')`,
    );
  }
  return folder;
}

/** The absolute path `path` will have once created, with the existing part's symlinks resolved. */
function resolvedFuturePath(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    rest.unshift(basename(existing));
    existing = dirname(existing);
  }
  return join(realpathSync(existing), ...rest);
}

/** Refuses, before anything is written, a name or folder that the registry already gives to another entry. */
export function assertRegistrable(registry: Registry, name: string, root: string): void {
  const byName = registry.getProject(name);
  if (byName !== undefined && byName.path !== root) {
    throw new AppError(
      "project_exists",
      `a project named ${name} is already registered at ${byName.path}; choose another --name`,
    );
  }
  const byPath = registry.findProjectByPath(root);
  if (byPath !== undefined && byPath.name !== name) {
    throw new AppError("project_exists", `${root} is already registered as project ${byPath.name}`);
  }
}

/** Runs `init`. */
export function initCommand(directory: string, options: InitOptions, io: CliIo): void {
  const requested = resolve(io.cwd, directory);
  if (existsSync(requested) && !statSync(requested).isDirectory()) {
    throw new AppError("directory_not_found", `not a directory: ${requested}`);
  }
  const specText = options.spec === undefined ? undefined : readSpecFile(options.spec, io);
  const root = resolvedFuturePath(requested);
  const name = defaultProjectName(root, options.name);

  withRegistry(options, io, (registry) => {
    assertRegistrable(registry, name, root);
    mkdirSync(root, { recursive: true });
    const paths = projectPaths(root);
    const scaffold = scaffoldProjectFiles(paths, specText === undefined ? {} : { specText });
    scaffoldPrompts(paths.promptsDirectory);
    ProjectStore.open(root, { create: true }).close();
    const createdRepository = !isGitRepository(root);
    if (createdRepository) initializeGitRepository(root);
    const { created } = registry.registerProject({ name, path: root });

    const relativeSpec = relative(root, paths.specFile);
    const specLine = hasSpec(paths)
      ? `${relativeSpec}${scaffold.createdSpec && specText !== undefined ? " (from your spec file)" : ""}`
      : `${relativeSpec} (still the template: write your spec there, or run init again with --spec FILE)`;
    io.stdout(
      [
        `${created ? "Initialized" : "Re-initialized"} autowright project ${name} in ${root}`,
        `  database  ${relative(root, paths.database)}`,
        `  app spec  ${specLine}`,
        `  prompts   ${relative(root, paths.promptsDirectory)}/{initializer,coding,testing}.md (yours to adapt)`,
        `  git       ${createdRepository ? "initialized a new repository" : "existing repository"}`,
        hasSpec(paths)
          ? `Next: \`autowright run ${root}\` (the initializer agent turns the spec into a backlog), or import one with \`autowright features import ${root} FILE.json\`.`
          : `Next: write the spec, then \`autowright run ${root}\`; or import a backlog with \`autowright features import ${root} FILE.json\`.`,
        "",
      ].join("\n"),
    );
  });
}
