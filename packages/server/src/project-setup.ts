/**
 * Making a folder an autowright project, the one way for every entry (`autowright init`, `import-autoforge`,
 * `POST /api/projects`): everything is checked before anything is written, then `.autowright/` is scaffolded,
 * the database created, a git repository made when there is none, and the project registered.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { scaffoldPrompts } from "@autowright/agent-runtime";
import { analyzeBacklog, type BacklogAnalysis } from "@autowright/domain";
import { AppError, type Project, projectNameSchema } from "@autowright/protocol";
import {
  type AutoforgeProject,
  type ProjectPaths,
  ProjectStore,
  parseProjectName,
  projectPaths,
  type Registry,
  readAutoforgeProject,
  type ScaffoldResult,
  scaffoldProjectFiles,
} from "@autowright/store";
import { realFuturePath } from "./allowed-paths.ts";

/** True when `directory` is inside a git work tree. */
export function isGitRepository(directory: string): boolean {
  const result = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], {
    cwd: directory,
    encoding: "utf8",
  });
  return result.status === 0 && result.stdout.trim() === "true";
}

/** Runs `git init` in `directory`. */
export function initializeGitRepository(directory: string): void {
  const result = spawnSync("git", ["init", "--quiet"], { cwd: directory, encoding: "utf8" });
  if (result.error !== undefined) {
    throw new AppError("internal_error", `cannot run git (is it installed?): ${result.error.message}`);
  }
  if (result.status !== 0) throw new AppError("internal_error", `git init failed: ${result.stderr.trim()}`);
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
export { realFuturePath as resolvedFuturePath } from "./allowed-paths.ts";

/** Refuses, before anything is written, a name or folder that the registry already gives to another entry. */
export function assertRegistrable(registry: Registry, name: string, root: string): void {
  const byName = registry.getProject(name);
  if (byName !== undefined && byName.path !== root) {
    throw new AppError(
      "project_exists",
      `a project named ${name} is already registered at ${byName.path}; choose another name`,
    );
  }
  const byPath = registry.findProjectByPath(root);
  if (byPath !== undefined && byPath.name !== name) {
    throw new AppError("project_exists", `${root} is already registered as project ${byPath.name}`);
  }
}

/** What {@link setUpProject} did. */
export interface ProjectSetup {
  readonly project: Project;
  readonly paths: ProjectPaths;
  /** False when the same name at the same folder was registered already (set up again). */
  readonly created: boolean;
  readonly createdRepository: boolean;
  readonly scaffold: ScaffoldResult;
}

/**
 * Sets up `root` (absolute; created when missing) as project `name`, with `specText` as its app spec when given.
 * A file at `root` is refused with `directory_not_found`.
 */
export function setUpProject(
  registry: Registry,
  options: { name: string; root: string; specText?: string },
): ProjectSetup {
  if (existsSync(options.root) && !statSync(options.root).isDirectory()) {
    throw new AppError("directory_not_found", `not a directory: ${options.root}`);
  }
  const root = realFuturePath(options.root);
  const name = parseProjectName(options.name);
  assertRegistrable(registry, name, root);
  mkdirSync(root, { recursive: true });
  const paths = projectPaths(root);
  const scaffold = scaffoldProjectFiles(
    paths,
    options.specText === undefined ? {} : { specText: options.specText },
  );
  scaffoldPrompts(paths.promptsDirectory);
  ProjectStore.open(root, { create: true }).close();
  const createdRepository = !isGitRepository(root);
  if (createdRepository) initializeGitRepository(root);
  const { project, created } = registry.registerProject({ name, path: root });
  return { project, paths, created, createdRepository, scaffold };
}

/** What {@link importAutoforgeProject} did. */
export interface AutoforgeImport {
  readonly project: Project;
  readonly paths: ProjectPaths;
  readonly source: AutoforgeProject;
  readonly analysis: BacklogAnalysis;
  /** Dependencies on features the AutoForge backlog does not have, as `#from → #to`. */
  readonly missingDependencies: string[];
  /** Where AutoForge's prompts were copied for reference (undefined when it had none). */
  readonly referenceDirectory: string | undefined;
}

/**
 * Turns the AutoForge (or AutoCoder) project in `root` (an existing, resolved folder) into project `name`: its
 * backlog exactly as it was (cycles and missing ids kept, so the stall report shows them), its spec, and its
 * prompts for reference. Refused when `root` already has an autowright backlog. AutoForge's files are untouched.
 */
export function importAutoforgeProject(
  registry: Registry,
  options: { name: string; root: string; now?: Date },
): AutoforgeImport {
  const { root } = options;
  const now = options.now ?? new Date();
  const source = readAutoforgeProject(root, { now });
  const name = parseProjectName(options.name);
  const paths = projectPaths(root);
  if (existsSync(paths.database)) {
    const store = ProjectStore.open(root);
    const count = store.countFeatures();
    store.close();
    if (count > 0) {
      throw new AppError(
        "conflict",
        `${root} is already an autowright project with ${count} features; nothing was imported`,
      );
    }
  }
  assertRegistrable(registry, name, root);
  const settings = registry.getSettings();
  scaffoldProjectFiles(
    paths,
    source.specFile === undefined ? {} : { specText: readFileSync(source.specFile, "utf8") },
  );
  scaffoldPrompts(paths.promptsDirectory);
  let referenceDirectory: string | undefined;
  if (source.promptFiles.length > 0) {
    referenceDirectory = join(paths.promptsDirectory, "autoforge");
    mkdirSync(referenceDirectory, { recursive: true });
    for (const file of source.promptFiles) copyFileSync(file, join(referenceDirectory, basename(file)));
  }
  const store = ProjectStore.open(root, { create: true });
  try {
    store.insertFeaturesVerbatim(source.features);
  } finally {
    store.close();
  }
  if (!isGitRepository(root)) initializeGitRepository(root);
  const { project } = registry.registerProject({ name, path: root });
  const analysis = analyzeBacklog(source.features, { maxAttempts: settings.maxAttempts, now: now.getTime() });
  const known = new Set(source.features.map((feature) => feature.id));
  const missingDependencies = source.features.flatMap((feature) =>
    feature.dependencies.filter((id) => !known.has(id)).map((id) => `#${feature.id} → #${id}`),
  );
  return { project, paths, source, analysis, missingDependencies, referenceDirectory };
}
