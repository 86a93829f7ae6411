/**
 * Plays the orchestrator's side of the worker protocol in tests: spawns the real `autowright worker`, sends
 * `start`, answers every `backlog.call` with the real backlog tools on a real project store, and records every
 * frame (parsed with the protocol, as the orchestrator will).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createBacklogTools } from "@autowright/backlog";
import {
  type AgentRole,
  type FeatureImportEntry,
  featureImportEntrySchema,
  parseWorkerFrame,
  serializeWorkerFrame,
  settingsSchema,
  type WorkerInboundFrame,
  type WorkerOutboundFrame,
  type WorkerStartFrame,
} from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";

/** A frame without `v`, per frame type. */
type InboundBody = WorkerInboundFrame extends infer Frame
  ? Frame extends unknown
    ? Omit<Frame, "v">
    : never
  : never;

/** The built launcher (npm test builds the bundle first). */
export const launcher = fileURLToPath(new URL("../../packages/cli/bin/autowright.js", import.meta.url));

/** Makes `directory` a git repository with one commit and an autowright project with these features. */
export function createProject(directory: string, entries: readonly object[]): ProjectStore {
  const git = (...args: string[]): void => {
    const result = spawnSync("git", args, { cwd: directory, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  };
  git("init", "--quiet");
  writeFileSync(join(directory, "README.md"), "# test project\n");
  writeFileSync(
    join(directory, "package.json"),
    `${JSON.stringify({ name: "test-project", private: true, type: "module" }, null, 2)}\n`,
  );
  git("add", "-A");
  git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "initial");
  const store = ProjectStore.open(directory, { create: true });
  store.importFeatures(
    entries.map((entry) => featureImportEntrySchema.parse(entry)) as FeatureImportEntry[],
    { maxDependenciesPerFeature: 20 },
  );
  return store;
}

/** A running worker and what it said. */
export interface WorkerRun {
  readonly child: ChildProcess;
  readonly frames: WorkerOutboundFrame[];
  readonly invalidLines: string[];
  readonly stdoutLines: string[];
  readonly stderr: () => string;
  send(frame: InboundBody): void;
  /** Resolves with the first frame matching `predicate` (or rejects after `timeoutMs`). */
  waitFor<T extends WorkerOutboundFrame>(
    predicate: (frame: WorkerOutboundFrame) => frame is T,
    timeoutMs?: number,
  ): Promise<T>;
  /** Resolves when the process exits, with its code. */
  exited: Promise<number | null>;
}

/** A start frame without `v` and `type`. */
export type StartBody = Omit<WorkerStartFrame, "v" | "type">;

/**
 * Starts a worker, sends `start` once it is ready, and answers backlog calls from `store`. With a function as
 * `start`, the worker's n-th `ready` (0-based `index`) is answered with what it returns, or with nothing.
 */
export function startWorker(options: {
  start: StartBody | ((index: number) => StartBody | undefined);
  store?: ProjectStore;
  env?: NodeJS.ProcessEnv;
  home: string;
}): WorkerRun {
  const child = spawn(process.execPath, [launcher, "worker", "--home", options.home], {
    env: { ...process.env, AUTOWRIGHT_HEARTBEAT_MS: "200", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const frames: WorkerOutboundFrame[] = [];
  const invalidLines: string[] = [];
  const stdoutLines: string[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const waiters: {
    predicate: (frame: WorkerOutboundFrame) => boolean;
    resolve: (frame: WorkerOutboundFrame) => void;
  }[] = [];
  const tools =
    options.store === undefined
      ? undefined
      : createBacklogTools({ store: options.store, settings: () => settingsSchema.parse({}) });
  const send = (frame: InboundBody): void => {
    if (child.stdin?.writable === true)
      child.stdin.write(serializeWorkerFrame({ v: 1, ...frame } as WorkerInboundFrame));
  };
  const only = options.start;
  const nextStart = typeof only === "function" ? only : (index: number) => (index === 0 ? only : undefined);
  let readyCount = 0;
  let current: StartBody | undefined;
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    stdoutLines.push(line);
    const parsed = parseWorkerFrame(line, "outbound");
    if (!parsed.ok) {
      invalidLines.push(line);
      return;
    }
    const frame = parsed.frame;
    frames.push(frame);
    if (frame.type === "ready") {
      current = nextStart(readyCount);
      readyCount += 1;
      if (current !== undefined) send({ type: "start", ...current });
    }
    if (frame.type === "backlog.call") {
      const answer = (current === undefined
        ? undefined
        : tools?.call(frame.tool, frame.input, {
            sessionId: current.sessionId,
            role: current.role as AgentRole,
          })) ?? {
        ok: false as const,
        error: { code: "internal_error" as const, message: "no backlog in this test" },
      };
      send(
        answer.ok
          ? { type: "tool.result", callId: frame.callId, ok: true, result: answer.result }
          : { type: "tool.result", callId: frame.callId, ok: false, error: answer.error },
      );
    }
    for (const waiter of [...waiters]) {
      if (waiter.predicate(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    frames,
    invalidLines,
    stdoutLines,
    stderr: () => stderr,
    send,
    exited,
    waitFor: <T extends WorkerOutboundFrame>(
      predicate: (frame: WorkerOutboundFrame) => frame is T,
      timeoutMs = 60_000,
    ) => {
      const existing = frames.find(predicate);
      if (existing !== undefined) return Promise.resolve(existing as T);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching frame within ${timeoutMs} ms; frames: ${frames.map((frame) => frame.type).join(", ")}; stderr: ${stderr.slice(-2000)}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (frame) => {
            clearTimeout(timer);
            resolve(frame as T);
          },
        });
      });
    },
  };
}

/** Narrows a frame by type (for `waitFor`). */
export function frameOfType<Type extends WorkerOutboundFrame["type"]>(type: Type) {
  return (frame: WorkerOutboundFrame): frame is Extract<WorkerOutboundFrame, { type: Type }> =>
    frame.type === type;
}

/** A start frame with sensible defaults. */
export function startFrame(
  overrides: Partial<Omit<WorkerStartFrame, "v" | "type">> & Pick<WorkerStartFrame, "cwd">,
): Omit<WorkerStartFrame, "v" | "type"> {
  return {
    sessionId: "session-1",
    role: "coding",
    featureIds: [],
    prompt: "Implement the assigned features.",
    provider: "replay",
    model: "scripted",
    env: {},
    limits: {},
    ...overrides,
  };
}
