import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import {
  type AgentRole,
  parseWorkerFrame,
  type SessionOutcome,
  serializeWorkerFrame,
  type WorkerInboundFrame,
  type WorkerOutboundFrame,
  type WorkerStartFrame,
} from "@autowright/protocol";
import { processRunning, type TemporaryDirectory, temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentRuntime, RuntimeResult, SessionContext } from "./runtime.ts";
import { outcomeOf, runWorker } from "./worker.ts";

type AbortReason = "cancelled" | "timed_out" | "orphaned" | undefined;

const results: Record<RuntimeResult["kind"], RuntimeResult> = {
  completed: { kind: "completed", summary: "done" },
  failed: { kind: "failed", summary: "crashed" },
  rate_limited: { kind: "rate_limited", summary: "429", resetAt: "2026-01-01T00:00:00.000Z" },
  auth_failed: { kind: "auth_failed", summary: "401" },
};
const kinds = Object.keys(results) as RuntimeResult["kind"][];
const roles: readonly AgentRole[] = ["initializer", "coding", "testing", "chat"];

describe("outcomeOf", () => {
  const aborted: [RuntimeResult["kind"], AbortReason, AgentRole, SessionOutcome][] = kinds.flatMap((kind) =>
    roles.flatMap((role) => [
      [kind, "timed_out", role, "timed_out"] as [
        RuntimeResult["kind"],
        AbortReason,
        AgentRole,
        SessionOutcome,
      ],
      [kind, "cancelled", role, "cancelled"] as [
        RuntimeResult["kind"],
        AbortReason,
        AgentRole,
        SessionOutcome,
      ],
      [kind, "orphaned", role, "cancelled"] as [
        RuntimeResult["kind"],
        AbortReason,
        AgentRole,
        SessionOutcome,
      ],
    ]),
  );

  it.each(aborted)("a %s result stopped by %s (%s) is %s", (kind, abortReason, role, expected) => {
    expect(outcomeOf(results[kind], abortReason, { role, featureIds: [1, 2] }, new Set([1, 2]))).toBe(
      expected,
    );
  });

  it.each([
    ["completed", "initializer", "passed"],
    ["completed", "coding", "passed"],
    ["completed", "testing", "passed"],
    ["completed", "chat", "passed"],
    ["failed", "initializer", "failed"],
    ["failed", "coding", "failed"],
    ["failed", "testing", "failed"],
    ["failed", "chat", "failed"],
    ["rate_limited", "initializer", "rate_limited"],
    ["rate_limited", "coding", "rate_limited"],
    ["rate_limited", "testing", "rate_limited"],
    ["rate_limited", "chat", "rate_limited"],
    ["auth_failed", "initializer", "auth_failed"],
    ["auth_failed", "coding", "auth_failed"],
    ["auth_failed", "testing", "auth_failed"],
    ["auth_failed", "chat", "auth_failed"],
  ] as const)("a %s result of a %s session with every feature submitted is %s", (kind, role, expected) => {
    expect(outcomeOf(results[kind], undefined, { role, featureIds: [1, 2] }, new Set([1, 2]))).toBe(expected);
  });

  it.each([
    ["coding", [1, 2], [1, 2], "passed"],
    ["coding", [1, 2], [2, 1, 3], "passed"],
    ["coding", [1, 2], [1], "not_passed"],
    ["coding", [1, 2], [], "not_passed"],
    ["coding", [1, 2], [3], "not_passed"],
    ["coding", [], [], "not_passed"],
    ["coding", [], [1], "not_passed"],
    ["testing", [1, 2], [], "passed"],
    ["initializer", [], [], "passed"],
    ["chat", [], [], "passed"],
  ] as const)(
    "a completed %s session assigned %j having submitted %j is %s",
    (role, featureIds, submitted, expected) => {
      expect(
        outcomeOf(
          results.completed,
          undefined,
          { role, featureIds: [...featureIds] },
          new Set<number>(submitted),
        ),
      ).toBe(expected);
    },
  );
});

/** A worker run in this process on in-memory streams, with a runtime the test scripts. */
interface InProcessWorker {
  readonly frames: WorkerOutboundFrame[];
  readonly exited: Promise<number>;
  send(
    frame: WorkerInboundFrame extends infer Frame
      ? Frame extends unknown
        ? Omit<Frame, "v">
        : never
      : never,
  ): void;
  closeInput(): void;
  /** Resolves with the `count`-th frame of this type (1-based). */
  nth<Type extends WorkerOutboundFrame["type"]>(
    type: Type,
    count: number,
  ): Promise<Extract<WorkerOutboundFrame, { type: Type }>>;
}

let directory: TemporaryDirectory;
const leftovers: ChildProcess[] = [];

beforeEach(() => {
  directory = temporaryDirectory("autowright-worker-unit-");
});
afterEach(() => {
  for (const child of leftovers.splice(0)) child.kill("SIGKILL");
  directory[Symbol.dispose]();
});

function startWorkerInProcess(
  run: (context: SessionContext) => Promise<RuntimeResult>,
  env: NodeJS.ProcessEnv = { PATH: process.env["PATH"] ?? "" },
): InProcessWorker {
  const input = new PassThrough();
  const output = new PassThrough();
  const frames: WorkerOutboundFrame[] = [];
  const waiters: (() => void)[] = [];
  let buffered = "";
  output.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const parsed = parseWorkerFrame(line, "outbound");
      if (!parsed.ok) throw new Error(`the worker wrote an invalid frame: ${line}`);
      frames.push(parsed.frame);
    }
    for (const waiter of waiters.splice(0)) waiter();
  });
  const runtime: AgentRuntime = { name: "scripted", run };
  const exited = runWorker({
    input,
    output,
    env,
    home: directory.path,
    heartbeatMs: 60_000,
    settleMs: 500,
    selectRuntime: async () => ({ runtime }),
  });
  return {
    frames,
    exited,
    send: (frame) => input.write(serializeWorkerFrame({ v: 1, ...frame } as WorkerInboundFrame)),
    closeInput: () => input.end(),
    nth: (type, count) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no ${type} #${count}; frames: ${frames.map((frame) => frame.type).join(", ")}`),
            ),
          10_000,
        );
        const check = (): void => {
          const found = frames.filter((frame) => frame.type === type)[count - 1];
          if (found === undefined) {
            waiters.push(check);
            return;
          }
          clearTimeout(timer);
          resolve(found as Extract<WorkerOutboundFrame, { type: typeof type }>);
        };
        check();
      }),
  };
}

function start(
  sessionId: string,
  overrides: Partial<Omit<WorkerStartFrame, "v" | "type">> = {},
): Omit<WorkerStartFrame, "v" | "type"> & { type: "start" } {
  return {
    type: "start",
    sessionId,
    role: "chat",
    featureIds: [],
    prompt: "go",
    provider: "replay",
    model: "scripted",
    cwd: directory.path,
    env: {},
    limits: {},
    ...overrides,
  };
}

const completed: RuntimeResult = { kind: "completed", summary: "done" };

describe("runWorker", () => {
  it("without reuse runs one session, ignores a second start, and exits after ended", async () => {
    let release: () => void = () => undefined;
    const worker = startWorkerInProcess(() => new Promise((resolve) => (release = () => resolve(completed))));
    await worker.nth("ready", 1);
    worker.send(start("session-1"));
    await worker.nth("agent.state", 1);
    worker.send(start("session-2"));
    await worker.nth("log", 2);
    release();
    expect(await worker.exited).toBe(0);
    expect(worker.frames.filter((frame) => frame.type === "ready")).toHaveLength(1);
    expect(worker.frames.filter((frame) => frame.type === "ended")).toEqual([
      { v: 1, type: "ended", outcome: "passed", summary: "done" },
    ]);
    expect(worker.frames.at(-1)?.type).toBe("ended");
    expect(worker.frames).toContainEqual(
      expect.objectContaining({ line: "ignored a second start frame: a worker runs one session" }),
    );
  });

  it("with reuse says ready again after each session and exits when stdin closes while idle", async () => {
    const seen: { sessionId: string; callId: string | undefined }[] = [];
    const worker = startWorkerInProcess(async (context) => {
      const answer = context.callBacklogTool("feature_get_stats", {});
      const call = worker.frames.filter((frame) => frame.type === "backlog.call").at(-1);
      seen.push({
        sessionId: context.start.sessionId,
        callId: call?.type === "backlog.call" ? call.callId : undefined,
      });
      if (call?.type === "backlog.call")
        worker.send({ type: "tool.result", callId: call.callId, ok: true, result: 1 });
      await answer;
      return completed;
    });
    for (const [index, sessionId] of ["one", "two", "three"].entries()) {
      await worker.nth("ready", index + 1);
      worker.send(start(sessionId, { reuse: true }));
      expect(await worker.nth("ended", index + 1)).toMatchObject({ outcome: "passed" });
    }
    await worker.nth("ready", 4);
    worker.closeInput();
    expect(await worker.exited).toBe(0);
    expect(seen).toEqual([
      { sessionId: "one", callId: "one-backlog-1" },
      { sessionId: "two", callId: "two-backlog-1" },
      { sessionId: "three", callId: "three-backlog-1" },
    ]);
    const types = worker.frames.map((frame) => frame.type);
    expect(types.filter((type) => type === "ready")).toHaveLength(4);
    // Every session's frames sit between a ready and its ended.
    expect(types.at(-1)).toBe("ready");
    for (const [index, type] of types.entries()) if (type === "ended") expect(types[index + 1]).toBe("ready");
  });

  it("gives the next session none of the previous one's environment, and puts process.env back", async () => {
    const seen: { own: string | undefined; leaked: string | undefined; global: string | undefined }[] = [];
    const worker = startWorkerInProcess(async (context) => {
      seen.push({
        own: context.env["SESSION_VALUE"],
        leaked: context.env["LEAKED_BY_RUNTIME"],
        global: process.env["LEAKED_BY_RUNTIME"],
      });
      process.env["LEAKED_BY_RUNTIME"] = context.start.sessionId;
      return completed;
    });
    try {
      await worker.nth("ready", 1);
      worker.send(start("one", { reuse: true, env: { SESSION_VALUE: "first" } }));
      await worker.nth("ready", 2);
      worker.send(start("two", { reuse: true }));
      await worker.nth("ready", 3);
      worker.closeInput();
      await worker.exited;
    } finally {
      delete process.env["LEAKED_BY_RUNTIME"];
    }
    expect(seen).toEqual([
      { own: "first", leaked: undefined, global: undefined },
      { own: undefined, leaked: undefined, global: undefined },
    ]);
    expect(process.env["LEAKED_BY_RUNTIME"]).toBeUndefined();
    expect(worker.frames).toContainEqual(
      expect.objectContaining({ level: "debug", line: expect.stringMatching(/LEAKED_BY_RUNTIME/) }),
    );
  });

  it("kills what a reusable session left running before saying ready again", async () => {
    const pids: number[] = [];
    const worker = startWorkerInProcess(async (context) => {
      await context.processes.run("sleep 300 & echo $! > background.pid", {
        cwd: directory.path,
        env: context.env,
        timeoutMs: 10_000,
        maxOutputBytes: 1_000,
      });
      pids.push(Number(readFileSync(`${directory.path}/background.pid`, "utf8").trim()));
      return completed;
    });
    await worker.nth("ready", 1);
    worker.send(start("one", { reuse: true }));
    await worker.nth("ready", 2);
    expect(pids).toHaveLength(1);
    expect(processRunning(pids[0] ?? 0)).toBe(false);
    worker.closeInput();
    expect(await worker.exited).toBe(0);
  });

  it("refuses to be reused while a process the session started outlives it, and exits after ended", async () => {
    const worker = startWorkerInProcess(async () => {
      // A child the tracker does not know (as a runtime's own subprocess would be).
      leftovers.push(spawn("sleep", ["300"], { stdio: "ignore" }));
      return completed;
    });
    await worker.nth("ready", 1);
    worker.send(start("one", { reuse: true }));
    expect(await worker.exited).toBe(0);
    expect(worker.frames.filter((frame) => frame.type === "ready")).toHaveLength(1);
    expect(worker.frames.at(-1)).toMatchObject({ type: "ended", outcome: "passed" });
    expect(worker.frames).toContainEqual(
      expect.objectContaining({ level: "warn", line: expect.stringMatching(/^not reusing this worker/) }),
    );
  });

  it("ends a reusable session when stdin closes during it, and exits without ready", async () => {
    const worker = startWorkerInProcess(
      (context) =>
        new Promise((resolve) =>
          context.signal.addEventListener("abort", () => resolve({ kind: "failed", summary: "aborted" })),
        ),
    );
    await worker.nth("ready", 1);
    worker.send(start("one", { reuse: true }));
    await worker.nth("agent.state", 1);
    worker.closeInput();
    expect(await worker.exited).toBe(0);
    expect(worker.frames.filter((frame) => frame.type === "ready")).toHaveLength(1);
    expect(worker.frames.at(-1)).toMatchObject({ type: "ended", outcome: "cancelled" });
  });

  it.each([
    ["before the first start stops that session", 1, "cancelled"],
    ["between sessions is ignored", 2, "passed"],
  ] as const)("a cancel %s", async (_label, session, outcome) => {
    const worker = startWorkerInProcess(async (context) =>
      context.signal.aborted ? { kind: "failed", summary: "stopped" } : completed,
    );
    await worker.nth("ready", 1);
    if (session === 2) {
      worker.send(start("one", { reuse: true }));
      await worker.nth("ready", 2);
    }
    worker.send({ type: "cancel", reason: "test" });
    worker.send(start("next", { reuse: true }));
    expect(await worker.nth("ended", session)).toMatchObject({ outcome });
    worker.closeInput();
    expect(await worker.exited).toBe(0);
  });
});
