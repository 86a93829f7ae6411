/**
 * The project's checks and how they run. Which commands prove a feature: the test command a person or the
 * initializer recorded (else the one detected in the tree being checked), then the feature's own `verify`
 * commands; in YOLO mode the lint/type-check gate instead. How they run: the commands are agent-written code, so
 * they get what the agents' own commands get — the environment without our secrets, the OS sandbox where there is
 * one, and their output redacted before it is kept anywhere.
 */
import {
  commandEnvironment,
  createRedactor,
  findExecutable,
  type Redactor,
  securityLayers,
  writableFolders,
} from "@autowright/agent-runtime";
import type { Feature, Settings } from "@autowright/protocol";
import { errorMessage } from "./error-message.ts";
import type { Workspace } from "./git/workspaces.ts";
import type { RunChecksOptions, VerificationResult } from "./verifier/check-runner.ts";
import { detectGateCommands, detectTestCommand } from "./verifier/command-detection.ts";

/** Runs check commands (the verifier's `runChecks`, or a fake in tests). */
export type CheckRunner = (options: RunChecksOptions) => Promise<VerificationResult>;

/** What {@link ProjectChecks} needs of the worktrees: a clean checkout of the main branch's head, and its removal. */
export interface CheckWorkspaces {
  create(name: string, options: { startPoint: string }): Promise<Workspace>;
  remove(name: string): Promise<void>;
}

/** Options of {@link ProjectChecks}. */
export interface ProjectChecksOptions {
  /** The project directory (the main working tree). */
  readonly root: string;
  readonly settings: () => Settings;
  /** The test command recorded for the project (by the initializer or a person), or null. */
  readonly recordedTestCommand: () => string | null;
  /** The orchestrator's environment: scrubbed before any check sees it, and the source of what is redacted. */
  readonly env: NodeJS.ProcessEnv;
  readonly runChecks: CheckRunner;
  readonly workspaces: CheckWorkspaces;
  /** Aborted when the run stops: a running check is killed. */
  readonly signal: AbortSignal;
  /** Told what went wrong around a check that did not change its verdict (a worktree that could not be removed). */
  readonly warn: (message: string) => void;
}

/** Where the checks of a project come from, and the one way they run. */
export class ProjectChecks {
  readonly #options: ProjectChecksOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #redact: Redactor;
  readonly #bwrap: string | undefined;
  #counter = 0;

  constructor(options: ProjectChecksOptions) {
    this.#options = options;
    // Exactly what agent commands get: no provider credentials, no variable whose name says secret.
    this.#env = commandEnvironment(options.env);
    this.#redact = createRedactor(options.env);
    this.#bwrap = securityLayers(options.env).toolLoopSandbox
      ? findExecutable("bwrap", options.env)
      : undefined;
  }

  /** Removes secrets (of the orchestrator's environment, and anything shaped like a key) from text. */
  get redact(): Redactor {
    return this.#redact;
  }

  /** The test command for a tree: the recorded one, else the one detected there; null when there is none. */
  testCommand(directory: string = this.#options.root): string | null {
    return this.#options.recordedTestCommand() ?? detectTestCommand(directory);
  }

  /**
   * The commands that prove `features` in `directory`: the test command and each feature's own `verify`
   * commands, without repeats; in YOLO mode, the lint/type-check gate found there instead.
   */
  commandsFor(
    features: readonly Pick<Feature, "verify">[],
    directory: string = this.#options.root,
  ): string[] {
    if (this.#options.settings().yolo) return detectGateCommands(directory);
    const test = this.testCommand(directory);
    const commands = test === null ? [] : [test];
    for (const feature of features)
      for (const command of feature.verify) if (!commands.includes(command)) commands.push(command);
    return commands;
  }

  /** One line saying which checks the project has now, for the log. */
  describe(): string {
    const root = this.#options.root;
    if (this.#options.settings().yolo) {
      const gate = detectGateCommands(root);
      return `YOLO mode: no tests, lint/type-check gate: ${gate.length === 0 ? "none found" : gate.join(", ")}`;
    }
    const recorded = this.#options.recordedTestCommand();
    if (recorded !== null) return `test command: ${recorded} (recorded)`;
    return `test command: ${detectTestCommand(root) ?? "none found yet"}`;
  }

  /** Runs `commands` in `directory` (a session's worktree) the safe way; never rejects for a failing check. */
  run(directory: string, commands: readonly string[], sessionId?: string): Promise<VerificationResult> {
    return this.#options.runChecks({
      directory,
      commands,
      timeoutMs: this.#options.settings().sessionTimeoutMinutes * 60_000,
      env: this.#env,
      redact: this.#redact,
      signal: this.#options.signal,
      ...(this.#bwrap === undefined
        ? {}
        : { sandbox: { bwrap: this.#bwrap, writable: writableFolders(directory, this.#env) } }),
      ...(sessionId === undefined ? {} : { sessionId }),
    });
  }

  /**
   * Runs `commands` on the main branch's head in a clean worktree of its own: in the main working tree, test
   * runners that search the whole tree (`node --test`, vitest) would also run the test files of the agents'
   * worktrees under `.autowright/worktrees/`, and the user's uncommitted files would take part.
   */
  async onMainBranch(commands: readonly string[]): Promise<VerificationResult> {
    this.#counter += 1;
    const name = `checks-${Date.now().toString(36)}-${this.#counter}`;
    const tree = await this.#options.workspaces.create(name, { startPoint: "HEAD" });
    try {
      return await this.run(tree.path, commands);
    } finally {
      await this.#options.workspaces.remove(name).catch((error: unknown) => {
        this.#options.warn(`could not remove the check worktree ${name}: ${errorMessage(error)}`);
      });
    }
  }
}
