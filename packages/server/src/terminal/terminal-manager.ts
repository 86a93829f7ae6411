/**
 * The PTY shells of one project: any number of named terminals, each a real pseudo-terminal (node-pty) running
 * the user's shell in the project root, with the secrets removed from its environment. Output is kept in a bounded
 * scrollback and handed to the attached clients only: with none attached it is only buffered. Killing a terminal
 * ends its whole session (the shell and the jobs started from it); {@link TerminalManager.close} kills them all
 * and resolves once none is left.
 */
import { randomUUID } from "node:crypto";
import { accessSync, constants, statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { processTable } from "@autowright/agent-runtime";
import {
  AppError,
  type TerminalId,
  type TerminalInfo,
  type TerminalStatus,
  terminalSizeLimits,
} from "@autowright/protocol";
import { type IDisposable, type IPty, spawn } from "node-pty";
import { defaultScrollbackCharacters, Scrollback } from "./scrollback.ts";

/** The size of a new terminal when the client gives none. */
export const defaultTerminalSize = { cols: 80, rows: 24 } as const;

/** How many terminals (running or exited) a project may have at once. */
export const defaultTerminalLimit = 20;

/** How long a killed session has to exit after SIGHUP, and again after SIGKILL. */
const killGraceMs = 2_000;
const killPollMs = 50;

/** Receives a terminal's output and its exit, while attached. */
export interface TerminalClient {
  output(data: string): void;
  exit(exitCode: number | null, signal: number | undefined): void;
}

/** How a project's terminals start. */
export interface TerminalManagerOptions {
  /** The working directory of every shell: the project root. */
  readonly cwd: string;
  /** The shells' base environment, read at each start: the server's with every secret removed. */
  readonly environment: () => NodeJS.ProcessEnv;
  /** The shell to run; default `$SHELL` of the environment, else /bin/bash, else /bin/sh. */
  readonly shell?: string;
  readonly shellArguments?: readonly string[];
  /** The scrollback bound per terminal, in characters (default 256 Ki). */
  readonly scrollbackCharacters?: number;
  /** How many terminals may exist at once (default {@link defaultTerminalLimit}). */
  readonly maxTerminals?: number;
}

/** What {@link TerminalManager.create} accepts. */
export interface TerminalCreateOptions {
  readonly name?: string;
  readonly cols?: number;
  readonly rows?: number;
}

/** One PTY shell. Created by {@link TerminalManager.create}; its methods never throw once it has exited. */
export class Terminal {
  readonly id: TerminalId;
  readonly createdAt: string;
  readonly #pty: IPty;
  readonly #scrollback: Scrollback;
  readonly #clients = new Set<TerminalClient>();
  readonly #subscriptions: IDisposable[];
  readonly #exited: Promise<void>;
  #name: string;
  #cols: number;
  #rows: number;
  #status: TerminalStatus = "running";
  #exitCode: number | null = null;
  #signal: number | undefined;
  #termination: Promise<void> | undefined;

  /** @internal Use {@link TerminalManager.create}. */
  constructor(options: {
    name: string;
    cols: number;
    rows: number;
    file: string;
    args: readonly string[];
    cwd: string;
    env: Record<string, string>;
    scrollbackCharacters: number;
  }) {
    this.id = randomUUID();
    this.createdAt = new Date().toISOString();
    this.#name = options.name;
    this.#cols = options.cols;
    this.#rows = options.rows;
    this.#scrollback = new Scrollback(options.scrollbackCharacters);
    try {
      this.#pty = spawn(options.file, [...options.args], {
        name: "xterm-256color",
        cols: options.cols,
        rows: options.rows,
        cwd: options.cwd,
        env: options.env,
      });
    } catch (error) {
      throw new AppError(
        "internal_error",
        `could not start the terminal (${options.file}): ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    let markExited: () => void = () => {};
    this.#exited = new Promise((resolve) => {
      markExited = resolve;
    });
    this.#subscriptions = [
      this.#pty.onData((data) => {
        this.#scrollback.append(data);
        for (const client of this.#clients) this.#deliver(client, () => client.output(data));
      }),
      this.#pty.onExit(({ exitCode, signal }) => {
        this.#status = "exited";
        this.#exitCode = exitCode;
        this.#signal = signal === undefined || signal === 0 ? undefined : signal;
        for (const subscription of this.#subscriptions) subscription.dispose();
        const clients = [...this.#clients];
        this.#clients.clear();
        for (const client of clients) this.#deliver(client, () => client.exit(this.#exitCode, this.#signal));
        markExited();
      }),
    ];
  }

  /** A client that throws is detached: one broken connection must not stop the others' output. */
  #deliver(client: TerminalClient, call: () => void): void {
    try {
      call();
    } catch {
      this.#clients.delete(client);
    }
  }

  /** The display name. */
  get name(): string {
    return this.#name;
  }

  /** The shell's process id (also its session and process group id). */
  get pid(): number {
    return this.#pty.pid;
  }

  /** Whether the shell still runs. */
  get status(): TerminalStatus {
    return this.#status;
  }

  /** How many clients are attached now. */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Resolves once the shell has exited. */
  get exited(): Promise<void> {
    return this.#exited;
  }

  /** The terminal as lists show it. */
  info(): TerminalInfo {
    return {
      id: this.id,
      name: this.#name,
      createdAt: this.createdAt,
      cols: this.#cols,
      rows: this.#rows,
      status: this.#status,
      exitCode: this.#exitCode,
    };
  }

  /**
   * Attaches a client: it receives the scrollback at once (one `output` call), then every new output until it
   * detaches; an exited terminal sends its `exit` right after the scrollback. Returns the detach function.
   */
  attach(client: TerminalClient): () => void {
    const replay = this.#scrollback.text();
    if (replay.length > 0) client.output(replay);
    if (this.#status === "exited") {
      client.exit(this.#exitCode, this.#signal);
      return () => {};
    }
    this.#clients.add(client);
    return () => {
      this.#clients.delete(client);
    };
  }

  /** Sends keystrokes to the shell; false (nothing written) once it has exited. */
  write(data: string): boolean {
    if (this.#status === "exited" || this.#termination !== undefined) return false;
    this.#pty.write(data);
    return true;
  }

  /** Resizes the pseudo-terminal (the shell gets SIGWINCH). */
  resize(cols: number, rows: number): void {
    assertSize(cols, rows);
    this.#cols = cols;
    this.#rows = rows;
    if (this.#status === "running") this.#pty.resize(cols, rows);
  }

  /** @internal Renames (the manager validates the name). */
  rename(name: string): void {
    this.#name = name;
  }

  /**
   * Ends the terminal's whole session: SIGHUP to the shell and every process of its session, SIGKILL to what is
   * left after a grace period. Resolves once none of them runs. Calling it again returns the same promise.
   */
  kill(): Promise<void> {
    this.#termination ??= this.#terminate();
    return this.#termination;
  }

  async #terminate(): Promise<void> {
    this.#signalSession("SIGHUP");
    if (await this.#waitForSessionEnd()) return;
    this.#signalSession("SIGKILL");
    await this.#waitForSessionEnd();
  }

  #signalSession(signal: NodeJS.Signals): void {
    // Once the shell has exited its pid may name another process group: only the session scan is safe then.
    const group = this.#status === "running" ? [-this.#pty.pid] : [];
    for (const target of [...group, ...sessionMembers(this.#pty.pid)]) {
      try {
        process.kill(target, signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** True once the shell has exited and no process of its session runs, false after the grace period. */
  async #waitForSessionEnd(): Promise<boolean> {
    const deadline = Date.now() + killGraceMs;
    let exited = this.#status === "exited";
    void this.#exited.then(() => {
      exited = true;
    });
    while (!(exited && sessionMembers(this.#pty.pid).length === 0)) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, killPollMs));
    }
    return true;
  }
}

/** The terminals of one project. */
export class TerminalManager {
  readonly #options: TerminalManagerOptions;
  readonly #terminals = new Map<TerminalId, Terminal>();
  readonly #terminations = new Set<Promise<void>>();
  #closed = false;

  constructor(options: TerminalManagerOptions) {
    this.#options = options;
  }

  /** Starts a new shell; the name defaults to the first free "Terminal N". */
  create(options: TerminalCreateOptions = {}): Terminal {
    if (this.#closed) throw new AppError("conflict", "the project's terminals are closed");
    const limit = this.#options.maxTerminals ?? defaultTerminalLimit;
    if (this.#terminals.size >= limit) {
      throw new AppError("conflict", `a project may have at most ${limit} terminals: close one first`);
    }
    const cols = options.cols ?? defaultTerminalSize.cols;
    const rows = options.rows ?? defaultTerminalSize.rows;
    assertSize(cols, rows);
    if (!isDirectory(this.#options.cwd)) {
      throw new AppError("directory_not_found", `the project folder is missing: ${this.#options.cwd}`);
    }
    const environment = this.#options.environment();
    const terminal = new Terminal({
      name: options.name === undefined ? this.#nextName() : validName(options.name),
      cols,
      rows,
      file: this.#options.shell ?? chooseShell(environment["SHELL"]),
      args: this.#options.shellArguments ?? [],
      cwd: this.#options.cwd,
      env: terminalEnvironment(environment),
      scrollbackCharacters: this.#options.scrollbackCharacters ?? defaultScrollbackCharacters,
    });
    this.#terminals.set(terminal.id, terminal);
    return terminal;
  }

  /** Every terminal, in creation order. */
  list(): TerminalInfo[] {
    return [...this.#terminals.values()].map((terminal) => terminal.info());
  }

  /** The terminal with this id; throws `not_found`. */
  get(id: string): Terminal {
    const terminal = this.#terminals.get(id);
    if (terminal === undefined) throw new AppError("not_found", `no such terminal: ${id}`);
    return terminal;
  }

  /** Renames a terminal. */
  rename(id: string, name: string): TerminalInfo {
    const terminal = this.get(id);
    terminal.rename(validName(name));
    return terminal.info();
  }

  /** Resizes a terminal. */
  resize(id: string, cols: number, rows: number): TerminalInfo {
    const terminal = this.get(id);
    terminal.resize(cols, rows);
    return terminal.info();
  }

  /** Kills a terminal's session and forgets it at once; resolves once its processes are gone. */
  async kill(id: string): Promise<void> {
    const terminal = this.get(id);
    this.#terminals.delete(id);
    return this.#track(terminal.kill());
  }

  /** Kills every terminal and refuses new ones; resolves once no process of any of them runs. */
  async close(): Promise<void> {
    this.#closed = true;
    const terminals = [...this.#terminals.values()];
    this.#terminals.clear();
    for (const terminal of terminals) this.#track(terminal.kill());
    await Promise.all([...this.#terminations]);
  }

  #track(termination: Promise<void>): Promise<void> {
    this.#terminations.add(termination);
    void termination.finally(() => this.#terminations.delete(termination));
    return termination;
  }

  #nextName(): string {
    const taken = new Set([...this.#terminals.values()].map((terminal) => terminal.name));
    let number = 1;
    while (taken.has(`Terminal ${number}`)) number++;
    return `Terminal ${number}`;
  }
}

/** The shell to run: `$SHELL` when it is an executable absolute path, else /bin/bash, else /bin/sh. */
export function chooseShell(shell: string | undefined): string {
  for (const candidate of [shell, "/bin/bash"]) {
    if (candidate !== undefined && isAbsolute(candidate) && isExecutable(candidate)) return candidate;
  }
  return "/bin/sh";
}

/** A shell's environment: the given one (defined values only) with `TERM=xterm-256color`. */
export function terminalEnvironment(environment: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) if (value !== undefined) result[name] = value;
  result["TERM"] = "xterm-256color";
  result["COLORTERM"] ??= "truecolor";
  return result;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) {
    throw new AppError("invalid_input", "a terminal name has 1 to 100 characters");
  }
  return trimmed;
}

function assertSize(cols: number, rows: number): void {
  const ok = (value: number) =>
    Number.isInteger(value) && value >= terminalSizeLimits.min && value <= terminalSizeLimits.max;
  if (!ok(cols) || !ok(rows)) {
    throw new AppError(
      "invalid_input",
      `a terminal has ${terminalSizeLimits.min} to ${terminalSizeLimits.max} columns and rows`,
    );
  }
}

/** The live processes of the session `sessionId` (the shell's pid: node-pty makes the shell a session leader). */
function sessionMembers(sessionId: number): number[] {
  const session = String(sessionId);
  return processTable()
    .filter((entry) => entry.fields[3] === session && entry.fields[0] !== "Z")
    .map((entry) => entry.pid);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
