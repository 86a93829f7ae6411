/** Where autowright keeps things on disk: per project under `.autowright/`, globally under `$AUTOWRIGHT_HOME`. */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The files of one project. */
export interface ProjectPaths {
  readonly root: string;
  readonly dataDirectory: string;
  readonly database: string;
  readonly promptsDirectory: string;
  readonly specFile: string;
  readonly worktreesDirectory: string;
  /** Per-session log files (`<id>.jsonl`), kept after the session and across restarts. */
  readonly sessionLogsDirectory: string;
  readonly commandsFile: string;
  readonly gitignore: string;
}

/** The name of the per-project data directory. */
export const dataDirectoryName = ".autowright";

/** The files of the project rooted at `root` (an absolute, resolved path). */
export function projectPaths(root: string): ProjectPaths {
  const dataDirectory = join(root, dataDirectoryName);
  const promptsDirectory = join(dataDirectory, "prompts");
  return {
    root,
    dataDirectory,
    database: join(dataDirectory, "autowright.db"),
    promptsDirectory,
    specFile: join(promptsDirectory, "app-spec.md"),
    worktreesDirectory: join(dataDirectory, "worktrees"),
    sessionLogsDirectory: join(dataDirectory, "logs", "sessions"),
    commandsFile: join(dataDirectory, "commands.yaml"),
    gitignore: join(dataDirectory, ".gitignore"),
  };
}

/** The global data directory: `--home`, else `$AUTOWRIGHT_HOME`, else `~/.autowright`. */
export function resolveHome(
  explicit: string | undefined,
  environment: NodeJS.ProcessEnv = process.env,
): string {
  const chosen = explicit ?? environment["AUTOWRIGHT_HOME"];
  return resolve(chosen !== undefined && chosen !== "" ? chosen : join(homedir(), ".autowright"));
}

/** The registry database inside a home directory. */
export function registryPath(home: string): string {
  return join(home, "registry.db");
}
