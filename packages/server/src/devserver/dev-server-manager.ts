/**
 * The dev server of one project: runs the app the agents are building (the custom command, else the detected one)
 * without a shell, in the project's folder, in a process group of its own, on a free port it allocates and passes
 * as `PORT` (with `HOST=127.0.0.1`). It is `running` once a line of output names a local URL or the port accepts
 * connections; a process that exits without being asked to is `crashed`. Every output line goes out as
 * `devserver.log.appended`, every status change as `devserver.updated`.
 *
 * Starting while it starts or runs is refused with `conflict` (so a changed command is never silently ignored);
 * stopping when nothing runs is a no-op (a crashed server becomes `stopped`). `stop()` ends the whole process tree
 * (SIGTERM, SIGKILL after a grace period) and frees the port. A record of the running process in
 * `.autowright/tmp/devserver-process.json` lets the next manager of the project end a server a crashed autowright left
 * behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessLive } from "@autowright/agent-runtime";
import {
  AppError,
  type DevServerConfig,
  type DevServerState,
  type DevServerStatus,
  type DevServerUpdatedData,
  devServerRecentLogLimit,
} from "@autowright/protocol";
import { z } from "zod";
import type { ProjectContext } from "../server-context.ts";
import { formatCommandLine, substitutePlaceholders } from "./command-line.ts";
import { devServerConfigOf, effectiveCommand, writeCustomCommand } from "./config.ts";
import { detectLocalUrl, LineSplitter, portOfUrl } from "./output-lines.ts";
import { allocatePort, type PortRange, portAcceptsConnections } from "./ports.ts";
import {
  descendantsOf,
  groupAlive,
  killTree,
  type ProcessTree,
  processStartTime,
  processTreeOf,
  signalTree,
} from "./process-tree.ts";

/** Tuning of a {@link DevServerManager}; the defaults suit real use, tests shorten the waits. */
export interface DevServerOptions {
  /** Where ports are allocated from (default 4100 to 4999). */
  readonly ports?: PortRange;
  /** How long the tree has after SIGTERM before SIGKILL (default 5 s). */
  readonly stopGraceMs?: number;
  /** Longer output lines are cut (default 4000 characters). */
  readonly maxLineLength?: number;
  /** The first wait between checks of the port while starting (default 250 ms; it grows to 2 s). */
  readonly readinessPollMs?: number;
  /** After this long starting, a log line says what to check (default 30 s). */
  readonly slowStartHintMs?: number;
}

/** The default port range of dev servers. */
export const defaultDevServerPorts: PortRange = { first: 4100, last: 4999 };

/** The host dev servers are told to listen on. */
export const devServerHost = "127.0.0.1";

const windows = process.platform === "win32";

/** Ports handed to a dev server of this process and not released yet (across all projects). */
const reservedPorts = new Set<number>();

/** Every manager of this process that is not closed, for {@link stopAllDevServers}. */
const liveManagers = new Set<DevServerManager>();

const processRecordSchema = z.object({
  serverPid: z.number().int(),
  pid: z.number().int().positive(),
  startTime: z.string().optional(),
  command: z.string(),
});
type ProcessRecord = z.infer<typeof processRecordSchema>;

interface Run {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly command: string;
  readonly port: number;
  readonly startedAt: string;
  url: string | undefined;
  listeningPort: number | undefined;
  stopRequested: boolean;
  killing: Promise<void> | undefined;
  done: boolean;
  finished: Promise<void>;
  readonly timers: Set<NodeJS.Timeout>;
}

interface Ending {
  readonly command: string;
  readonly port: number;
  readonly exitCode: number | undefined;
  readonly exitSignal: string | undefined;
}

function delay(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}

/** The dev server of one project (see the module comment). */
export class DevServerManager {
  readonly #project: ProjectContext;
  readonly #environment: () => NodeJS.ProcessEnv;
  readonly #ports: PortRange;
  readonly #stopGraceMs: number;
  readonly #maxLineLength: number;
  readonly #readinessPollMs: number;
  readonly #slowStartHintMs: number;
  #status: DevServerStatus = "stopped";
  #run: Run | undefined;
  #ending: Ending | undefined;
  #recentLog: string[] = [];
  #launch: Promise<unknown> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #recovery: Promise<void>;

  /**
   * A manager for `project`. `environment` gives the environment of user processes (the server's without its
   * secrets: `ServerContext.userProcessEnvironment`).
   */
  constructor(project: ProjectContext, environment: () => NodeJS.ProcessEnv, options: DevServerOptions = {}) {
    this.#project = project;
    this.#environment = environment;
    this.#ports = options.ports ?? defaultDevServerPorts;
    this.#stopGraceMs = options.stopGraceMs ?? 5_000;
    this.#maxLineLength = options.maxLineLength ?? 4_000;
    this.#readinessPollMs = options.readinessPollMs ?? 250;
    this.#slowStartHintMs = options.slowStartHintMs ?? 30_000;
    liveManagers.add(this);
    this.#recovery = this.#endLeftover().catch(() => undefined);
  }

  /** The project this manager serves. */
  get project(): ProjectContext {
    return this.#project;
  }

  /** True once {@link DevServerManager.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The status, where it listens, and the latest output lines. */
  status(): DevServerState {
    const run = this.#run;
    const recentLog = [...this.#recentLog];
    if (run !== undefined) {
      return {
        status: this.#status,
        ...(run.url === undefined ? {} : { url: run.url }),
        port: run.listeningPort ?? run.port,
        command: run.command,
        pid: run.pid,
        startedAt: run.startedAt,
        recentLog,
      };
    }
    const ending = this.#ending;
    if (this.#status === "crashed" && ending !== undefined) {
      return {
        status: "crashed",
        port: ending.port,
        command: ending.command,
        ...(ending.exitCode === undefined ? {} : { exitCode: ending.exitCode }),
        ...(ending.exitSignal === undefined ? {} : { exitSignal: ending.exitSignal }),
        recentLog,
      };
    }
    return { status: this.#status, recentLog };
  }

  /** The custom, detected and effective commands. */
  config(): DevServerConfig {
    return devServerConfigOf(this.#project.paths);
  }

  /**
   * Sets (refused with `invalid_input` when it is not a valid command line) or clears (null) the custom command.
   * It applies from the next start.
   */
  setCommand(command: string | null): DevServerConfig {
    writeCustomCommand(this.#project.paths, command);
    return this.config();
  }

  /**
   * Starts the dev server; resolves once the process is started (`starting`, or `crashed` when it could not be,
   * the log saying why). Refused with `conflict` while one starts, runs or stops, and with `invalid_input` when
   * there is no command to run.
   */
  start(): Promise<DevServerState> {
    if (this.#closed) {
      return Promise.reject(
        new AppError(
          "conflict",
          `the dev server of ${this.#project.name} is shut down: the project is closing`,
        ),
      );
    }
    if (this.#launch !== undefined || this.#run !== undefined) {
      const run = this.#run;
      const message =
        run === undefined
          ? "the dev server is already starting"
          : run.stopRequested
            ? "the dev server is stopping: start it again once it has stopped"
            : `the dev server is already ${this.#status}${run.url === undefined ? ` on port ${run.port}` : ` at ${run.url}`}: stop it first`;
      return Promise.reject(new AppError("conflict", message, { details: { status: this.#status } }));
    }
    const launch = this.#startRun();
    this.#launch = launch;
    return launch.finally(() => {
      this.#launch = undefined;
    });
  }

  /** Stops the dev server and everything it started; resolves once they are gone and the port is free. */
  async stop(): Promise<DevServerState> {
    await this.#launch?.catch(() => undefined);
    const run = this.#run;
    if (run === undefined) {
      if (this.#status === "crashed") {
        this.#status = "stopped";
        this.#ending = undefined;
        this.#publish({ status: "stopped" });
      }
      return this.status();
    }
    if (!run.stopRequested) {
      run.stopRequested = true;
      this.#log(`[autowright] stopping the dev server (pid ${run.pid})`);
      run.killing = killTree(processTreeOf(run.pid), this.#stopGraceMs);
    }
    await run.finished;
    return this.status();
  }

  /** Stops the dev server; from then on `start` is refused. Closing twice is a no-op. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.#recovery;
      await this.stop();
      liveManagers.delete(this);
    })();
    return this.#closing;
  }

  /** SIGKILLs the process tree at once, without waiting (for a server that is exiting right now). */
  killNow(): void {
    const run = this.#run;
    if (run === undefined) return;
    run.stopRequested = true;
    signalTree(processTreeOf(run.pid), "SIGKILL");
  }

  async #startRun(): Promise<DevServerState> {
    await this.#recovery;
    const argv = effectiveCommand(this.#project.paths);
    const port = await allocatePort(this.#ports, reservedPorts);
    if (port === undefined) {
      throw new AppError(
        "conflict",
        `no free port for the dev server between ${this.#ports.first} and ${this.#ports.last}: stop some servers and try again`,
      );
    }
    if (this.#closed) {
      throw new AppError(
        "conflict",
        `the dev server of ${this.#project.name} is shut down: the project is closing`,
      );
    }
    reservedPorts.add(port);
    try {
      return await this.#spawn(argv, port);
    } catch (error) {
      reservedPorts.delete(port);
      throw error;
    }
  }

  async #spawn(argv: readonly string[], port: number): Promise<DevServerState> {
    const command = formatCommandLine(argv);
    const [program, ...programArguments] = substitutePlaceholders(argv, { port, host: devServerHost });
    this.#recentLog = [];
    this.#ending = undefined;
    this.#log(`[autowright] $ ${command}   (PORT=${port}, in ${this.#project.paths.root})`);
    const child = spawn(program ?? "", programArguments, {
      cwd: this.#project.paths.root,
      env: { ...this.#environment(), PORT: String(port), HOST: devServerHost, BROWSER: "none" },
      detached: !windows,
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    const started = await new Promise<Error | undefined>((resolve) => {
      child.once("spawn", () => resolve(undefined));
      child.once("error", resolve);
    });
    // A later error (a failed kill) must not become an unhandled 'error' event.
    child.on("error", () => undefined);
    if (started !== undefined || child.pid === undefined) {
      const reason =
        (started as NodeJS.ErrnoException | undefined)?.code === "ENOENT"
          ? `\`${program}\` was not found: is it installed and on the PATH?`
          : (started?.message ?? "no process id");
      this.#log(`[autowright] could not start the dev server: ${reason}`);
      child.stdout?.destroy();
      child.stderr?.destroy();
      reservedPorts.delete(port);
      this.#status = "crashed";
      this.#ending = { command, port, exitCode: undefined, exitSignal: undefined };
      this.#publish({ status: "crashed", port, command });
      return this.status();
    }
    const run: Run = {
      child,
      pid: child.pid,
      command,
      port,
      startedAt: new Date().toISOString(),
      url: undefined,
      listeningPort: undefined,
      stopRequested: false,
      killing: undefined,
      done: false,
      finished: Promise.resolve(),
      timers: new Set(),
    };
    this.#run = run;
    this.#status = "starting";
    this.#writeRecord(run);
    const streamsClosed = Promise.all(
      [child.stdout, child.stderr].map((stream) => {
        if (stream === null) return Promise.resolve();
        const splitter = new LineSplitter(this.#maxLineLength, (line) => this.#onLine(run, line));
        stream.on("data", (chunk: Buffer) => splitter.push(chunk));
        return new Promise<void>((resolve) => {
          stream.once("close", () => {
            splitter.end();
            resolve();
          });
        });
      }),
    );
    run.finished = this.#supervise(run, exited, streamsClosed);
    this.#publish({ status: "starting", port, command });
    this.#watchPort(run, this.#readinessPollMs);
    const hint = setTimeout(() => {
      run.timers.delete(hint);
      if (this.#run === run && this.#status === "starting" && !run.stopRequested) {
        this.#log(
          `[autowright] still starting: nothing answers on port ${port} and the output shows no local URL yet; does the app listen on the PORT environment variable?`,
        );
      }
    }, this.#slowStartHintMs);
    run.timers.add(hint);
    return this.status();
  }

  async #supervise(
    run: Run,
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
    streamsClosed: Promise<unknown>,
  ): Promise<void> {
    const { code, signal } = await exited;
    // Whatever the leader left behind in its group goes too (a crash must not leave a half server on the port).
    await (run.killing ?? killTree({ leader: run.pid, descendants: [] }, this.#stopGraceMs));
    const waits = new Set<NodeJS.Timeout>();
    await Promise.race([streamsClosed, delay(1_000, waits)]);
    for (const timer of waits) clearTimeout(timer);
    run.child.stdout?.destroy();
    run.child.stderr?.destroy();
    run.done = true;
    for (const timer of run.timers) clearTimeout(timer);
    run.timers.clear();
    this.#removeRecord(run);
    reservedPorts.delete(run.port);
    this.#run = undefined;
    if (run.stopRequested) {
      this.#log("[autowright] the dev server stopped");
      this.#status = "stopped";
      this.#ending = undefined;
      this.#publish({ status: "stopped" });
      return;
    }
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code ?? "unknown"}`;
    this.#log(`[autowright] the dev server ${how} (it was not asked to stop)`);
    this.#status = "crashed";
    this.#ending = {
      command: run.command,
      port: run.listeningPort ?? run.port,
      exitCode: code ?? undefined,
      exitSignal: signal ?? undefined,
    };
    this.#publish({ status: "crashed", port: run.listeningPort ?? run.port, command: run.command });
  }

  #onLine(run: Run, line: string): void {
    this.#log(line);
    if (this.#run !== run || this.#status !== "starting" || run.stopRequested) return;
    const url = detectLocalUrl(line);
    if (url !== undefined) this.#markRunning(run, url, portOfUrl(url));
  }

  #watchPort(run: Run, waitMs: number): void {
    const timer = setTimeout(() => {
      run.timers.delete(timer);
      if (run.done || this.#status !== "starting") return;
      void portAcceptsConnections(run.port).then((open) => {
        if (run.done || this.#run !== run || this.#status !== "starting" || run.stopRequested) return;
        if (open) this.#markRunning(run, `http://localhost:${run.port}/`, run.port);
        else this.#watchPort(run, Math.min(waitMs * 1.5, 2_000));
      });
    }, waitMs);
    run.timers.add(timer);
  }

  #markRunning(run: Run, url: string, port: number): void {
    run.url = url;
    run.listeningPort = port;
    this.#status = "running";
    this.#publish({ status: "running", url, port, command: run.command });
  }

  #log(line: string): void {
    this.#recentLog.push(line);
    if (this.#recentLog.length > devServerRecentLogLimit) this.#recentLog.shift();
    try {
      this.#project.events.ephemeral("devserver.log.appended", { line });
    } catch {
      // The bus is closing with its project: the line is still in the recent log.
    }
  }

  #publish(data: DevServerUpdatedData): void {
    try {
      this.#project.events.durable("devserver.updated", data);
    } catch {
      // The bus closed before the server stopped (the project is being closed): nobody is left to tell.
    }
  }

  #recordFile(): string {
    return join(this.#project.paths.dataDirectory, "tmp", "devserver-process.json");
  }

  #writeRecord(run: Run): void {
    const startTime = processStartTime(run.pid);
    const record: ProcessRecord = {
      serverPid: process.pid,
      pid: run.pid,
      ...(startTime === undefined ? {} : { startTime }),
      command: run.command,
    };
    const file = this.#recordFile();
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(join(this.#project.paths.dataDirectory, "tmp"), { recursive: true });
      writeFileSync(temporary, `${JSON.stringify(record)}\n`);
      renameSync(temporary, file);
    } catch {
      // Without the record only a crash of autowright itself would leave the server running.
    }
  }

  #removeRecord(run: Run): void {
    const record = this.#readRecord();
    if (record?.pid === run.pid) rmSync(this.#recordFile(), { force: true });
  }

  #readRecord(): ProcessRecord | undefined {
    try {
      const parsed = processRecordSchema.safeParse(JSON.parse(readFileSync(this.#recordFile(), "utf8")));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Ends a dev server that an earlier autowright (which died without stopping it) left running. */
  async #endLeftover(): Promise<void> {
    const record = this.#readRecord();
    if (record === undefined) return;
    const managedHere = [...liveManagers].some(
      (manager) => manager !== this && manager.#run?.pid === record.pid,
    );
    if (managedHere) return;
    if (record.serverPid !== process.pid && isProcessLive(record.serverPid)) return;
    // Only the very process recorded (same start time), never one that reused its id.
    const sameProcess = record.startTime !== undefined && processStartTime(record.pid) === record.startTime;
    if (sameProcess && groupAlive(record.pid)) {
      this.#log(
        `[autowright] stopping a dev server left running by an earlier autowright (pid ${record.pid}: ${record.command})`,
      );
      const tree: ProcessTree = { leader: record.pid, descendants: descendantsOf(record.pid) };
      await killTree(tree, this.#stopGraceMs);
    }
    rmSync(this.#recordFile(), { force: true });
  }
}

/** Stops every dev server of this process (each manager is closed); for the server's shutdown. */
export async function stopAllDevServers(): Promise<void> {
  await Promise.all([...liveManagers].map((manager) => manager.close()));
}

/** SIGKILLs every dev server of this process at once (for `process.on("exit")`, where nothing can be awaited). */
export function killAllDevServersNow(): void {
  for (const manager of liveManagers) manager.killNow();
}
