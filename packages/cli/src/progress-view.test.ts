import { PassThrough, Readable } from "node:stream";
import type { Orchestrator } from "@autowright/orchestrator";
import {
  type Feature,
  type FeatureStatus,
  type Progress,
  type ServerEvent,
  serverEventSchema,
} from "@autowright/protocol";
import { testFeature } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CliIo } from "./io.ts";
import { ProgressView } from "./progress-view.ts";

type Session = ReturnType<Orchestrator["runningSessions"]>[number];

const at = "2026-01-02T03:04:05.000Z";
const escapeCharacter = "\u001b";
const redrawIntervalMs = 100;
let seq = 0;
let stderrWrites: string[] = [];

/** A real protocol event: parsed with the protocol's schema, so an invalid fixture fails the test. */
function event(type: ServerEvent["type"], data: unknown): ServerEvent {
  if (type === "log.appended") return serverEventSchema.parse({ v: 1, at, type, data });
  seq += 1;
  return serverEventSchema.parse({ v: 1, seq, at, type, data });
}

function feature(id: number, name: string, status: FeatureStatus): Feature {
  return testFeature({ id, name, description: name, status });
}

function progress(counts: Partial<Progress> & { passing: number; total: number }): ServerEvent {
  return event("progress.updated", {
    inProgress: 0,
    verifying: 0,
    needsInput: 0,
    failed: 0,
    pending: 0,
    blocked: 0,
    percentage: counts.total === 0 ? 0 : Math.round((counts.passing / counts.total) * 100),
    ...counts,
  });
}

function orchestratorUpdated(message: string): ServerEvent {
  return event("orchestrator.updated", {
    state: "monitoring",
    message,
    codingAgents: 1,
    testingAgents: 1,
    maxConcurrency: 2,
    readyCount: 1,
    blockedCount: 0,
  });
}

/** A fake terminal (or pipe) that records every write, and a fake orchestrator with settable agents. */
function setup(
  isTty: boolean,
  options: { columns?: number; name?: string } = {},
): {
  view: ProgressView;
  writes: string[];
  sessions: Session[];
  runningSessionsCalls: () => number;
} {
  const writes: string[] = [];
  const io: CliIo = {
    stdout: (text) => writes.push(text),
    stderr: (text) => stderrWrites.push(text),
    env: {},
    cwd: "/",
    isTty,
    ...(options.columns === undefined ? {} : { columns: options.columns }),
    stdinStream: Readable.from([]),
    stdoutStream: new PassThrough(),
  };
  const sessions: Session[] = [];
  let calls = 0;
  const view = new ProgressView(
    io,
    {
      runningSessions: () => {
        calls += 1;
        return sessions.map((session) => ({ ...session }));
      },
    },
    options.name ?? "todo-app",
  );
  return { view, writes, sessions, runningSessionsCalls: () => calls };
}

/** The lines of one frame, without the erase prefix and the final newline. */
function frameLines(frame: string): string[] {
  expect(frame.endsWith("\n"), "a frame ends with a newline").toBe(true);
  const erased = frame.startsWith(escapeCharacter) ? frame.indexOf(`${escapeCharacter}[J`) + 3 : 0;
  return frame.slice(erased, -1).split("\n");
}

/** The bar line's parts: filled and empty cells and the label after the bar. */
function bar(lines: readonly string[]): { filled: number; empty: number; label: string } {
  const line = lines.find((candidate) => candidate.startsWith("["));
  expect(line, `a bar line in ${JSON.stringify(lines)}`).toBeDefined();
  const match = /^\[(█*)(░*)\] (.*)$/.exec(line ?? "");
  expect(match, `the bar line is [█…░…] label: ${line}`).not.toBeNull();
  return { filled: match?.[1]?.length ?? 0, empty: match?.[2]?.length ?? 0, label: match?.[3] ?? "" };
}

beforeEach(() => {
  seq = 0;
  stderrWrites = [];
});
afterEach(() => {
  expect(stderrWrites, "the view never writes to stderr").toEqual([]);
});

describe("ProgressView on a terminal", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("draws one frame per redraw interval: header, bar with passing/total, counts, message and each agent", () => {
    const { view, writes, sessions } = setup(true);
    sessions.push(
      { id: "coding-1", role: "coding", name: "Spark", featureIds: [2, 3], state: "working" },
      { id: "testing-2", role: "testing", name: "Fizz", featureIds: [1], state: "testing" },
    );
    view.update(event("run.updated", { status: "running" }));
    view.update(progress({ passing: 1, inProgress: 2, verifying: 0, pending: 1, total: 4 }));
    view.update(orchestratorUpdated("2 agents running: Spark on #2, #3; Fizz on #1"));
    expect(writes, "nothing is drawn before the redraw interval").toEqual([]);

    vi.advanceTimersByTime(redrawIntervalMs - 1);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes, "three events, one frame").toHaveLength(1);

    const frame = writes[0] ?? "";
    expect(frame, "the first frame has nothing to erase").not.toContain(escapeCharacter);
    const lines = frameLines(frame);
    expect(lines[0]).toBe("autowright · todo-app · running");
    const { filled, empty, label } = bar(lines);
    expect(label).toBe("1/4 passing · 25%");
    expect(filled + empty).toBeGreaterThanOrEqual(10);
    expect(Math.abs(filled / (filled + empty) - 0.25)).toBeLessThanOrEqual(1 / (filled + empty));
    expect(lines[2]).toBe("in progress 2 · verifying 0 · pending 1 · blocked 0 · needs input 0 · failed 0");
    expect(lines[3]).toBe("2 agents running: Spark on #2, #3; Fizz on #1");
    expect(lines.slice(4).map((line) => line.trim().split(/\s+/))).toEqual([
      ["Spark", "coding", "working", "#2,", "#3"],
      ["Fizz", "testing", "testing", "#1"],
      ["·", "run", "running"],
    ]);
  });

  it.each([
    { passing: 0, total: 0, fraction: 0 },
    { passing: 0, total: 5, fraction: 0 },
    { passing: 1, total: 2, fraction: 0.5 },
    { passing: 3, total: 4, fraction: 0.75 },
    { passing: 7, total: 7, fraction: 1 },
  ])("fills $passing/$total of the bar", ({ passing, total, fraction }) => {
    const { view, writes } = setup(true);
    view.update(progress({ passing, pending: total - passing, total }));
    vi.advanceTimersByTime(redrawIntervalMs);
    const drawn = bar(frameLines(writes.at(-1) ?? ""));
    expect(drawn.label).toBe(`${passing}/${total} passing · ${Math.round(fraction * 100)}%`);
    const cells = drawn.filled + drawn.empty;
    expect(Math.abs(drawn.filled / cells - fraction)).toBeLessThanOrEqual(1 / cells);
    if (fraction === 0) expect(drawn.filled).toBe(0);
    if (fraction === 1) expect(drawn.empty).toBe(0);
  });

  it("says how many passes had no check on the bar line", () => {
    const { view, writes } = setup(true);
    view.update(progress({ passing: 3, unverified: 1, pending: 1, total: 4 }));
    vi.advanceTimersByTime(redrawIntervalMs);
    expect(bar(frameLines(writes.at(-1) ?? "")).label).toBe("3/4 passing (1 unverified) · 75%");
  });

  it("redraws in place: each later frame first moves up over the previous frame's lines and erases them", () => {
    const { view, writes, sessions } = setup(true);
    sessions.push({ id: "coding-1", role: "coding", name: "Octo", featureIds: [1], state: "thinking" });
    view.update(progress({ passing: 0, inProgress: 1, total: 2 }));
    vi.advanceTimersByTime(redrawIntervalMs);
    const firstLines = frameLines(writes[0] ?? "");

    sessions.push({ id: "coding-2", role: "coding", name: "Hoot", featureIds: [2], state: "working" });
    view.update(event("agent.updated", { agentId: "coding-2", state: "working" }));
    vi.advanceTimersByTime(redrawIntervalMs);
    expect(writes).toHaveLength(2);
    const second = writes[1] ?? "";
    expect(
      second.startsWith(`${escapeCharacter}[${firstLines.length}F${escapeCharacter}[J`),
      JSON.stringify(second),
    ).toBe(true);
    const secondLines = frameLines(second);
    expect(secondLines.join("\n")).toMatch(/Hoot\s+coding\s+working\s+#2/);
    expect(secondLines).toHaveLength(firstLines.length + 1);

    sessions.splice(0);
    view.update(
      event("agent.ended", { agentId: "coding-1", featureIds: [1], outcome: "passed", usage: usage() }),
    );
    vi.advanceTimersByTime(redrawIntervalMs);
    const third = writes[2] ?? "";
    expect(
      third.startsWith(`${escapeCharacter}[${secondLines.length}F${escapeCharacter}[J`),
      JSON.stringify(third),
    ).toBe(true);
    expect(third).not.toMatch(/Octo|Hoot\s+coding/);
    expect(third, "the ended agent is listed among recent events").toContain("· agent coding-1 ended passed");
  });

  it("lists the last five notable events under the agents, and not the chatter", () => {
    const { view, writes } = setup(true);
    view.update(event("agent.updated", { agentId: "coding-1", state: "thinking", thought: "hmm" }));
    view.update(event("log.appended", { line: "just info", level: "info", source: "orchestrator" }));
    view.update(event("feature.created", { feature: feature(9, "Created", "pending") }));
    view.update(event("feature.updated", { feature: feature(9, "Created", "in_progress") }));
    for (let id = 1; id <= 7; id += 1)
      view.update(event("feature.updated", { feature: feature(id, `Feature ${id}`, "passing") }));
    vi.advanceTimersByTime(redrawIntervalMs);
    const recent = frameLines(writes.at(-1) ?? "").filter((line) => line.startsWith("  · "));
    expect(recent).toEqual([3, 4, 5, 6, 7].map((id) => `  · #${id} Feature ${id}: passing`));
  });

  it("draws the final frame at once on close, with the final status, and leaves no timer behind", () => {
    const { view, writes } = setup(true);
    view.update(progress({ passing: 2, pending: 2, total: 4 }));
    vi.advanceTimersByTime(redrawIntervalMs);
    const before = frameLines(writes[0] ?? "");

    view.update(progress({ passing: 4, total: 4 }));
    view.update(event("run.updated", { status: "completed" }));
    view.close();
    expect(writes, "close draws without waiting for the interval").toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
    const final = writes[1] ?? "";
    expect(final.startsWith(`${escapeCharacter}[${before.length}F${escapeCharacter}[J`)).toBe(true);
    const lines = frameLines(final);
    expect(lines[0]).toBe("autowright · todo-app · completed");
    expect(bar(lines)).toMatchObject({ empty: 0, label: "4/4 passing · 100%" });
    expect(lines).toContain("  · run completed");

    vi.advanceTimersByTime(10 * redrawIntervalMs);
    expect(writes, "nothing is drawn after close").toHaveLength(2);
  });

  it("keeps every line within the terminal's width, so redraws stay in place", () => {
    const { view, writes, sessions } = setup(true, {
      columns: 50,
      name: `/home/someone/${"deep/".repeat(20)}app`,
    });
    sessions.push({ id: "coding-1", role: "coding", name: "Octo", featureIds: [1, 2, 3], state: "working" });
    view.update(progress({ passing: 1, pending: 3, total: 4 }));
    view.close();
    const lines = frameLines(writes.at(-1) ?? "");
    expect(lines[0]).toMatch(/^autowright · \/home\/someone\/deep/);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(50);
    expect(bar(lines).label).toBe("1/4 passing · 25%");
  });

  it("draws a frame on close even when no event came", () => {
    const { view, writes, sessions } = setup(true);
    sessions.push({ id: "initializer-1", role: "initializer", name: "Nova", featureIds: [], state: "idle" });
    view.close();
    expect(writes).toHaveLength(1);
    const lines = frameLines(writes[0] ?? "");
    expect(lines[0]).toBe("autowright · todo-app · starting");
    expect(bar(lines)).toMatchObject({ filled: 0, label: "0/0 passing · 0%" });
    expect(lines.join("\n")).toMatch(/Nova\s+initializer\s+idle/);
  });
});

function usage(): { inputTokens: number; outputTokens: number; costUsd: number } {
  return { inputTokens: 10, outputTokens: 5, costUsd: 0.01 };
}

describe("ProgressView elsewhere (not a terminal)", () => {
  const longLine = `${"x".repeat(250)}`;
  const cases: { name: string; event: () => ServerEvent; line: string | undefined }[] = [
    { name: "run started", event: () => event("run.updated", { status: "running" }), line: "run running" },
    {
      name: "run stalled with a reason",
      event: () => event("run.updated", { status: "stalled", reason: "nothing is ready" }),
      line: "run stalled: nothing is ready",
    },
    {
      name: "initializer started",
      event: () =>
        event("agent.started", {
          agentId: "initializer-1",
          index: 0,
          name: "Spark",
          role: "initializer",
          featureIds: [],
          featureNames: [],
          model: "scripted",
        }),
      line: "Spark (initializer) started on the spec",
    },
    {
      name: "coding agent started",
      event: () =>
        event("agent.started", {
          agentId: "coding-2",
          index: 1,
          name: "Fizz",
          role: "coding",
          featureIds: [1, 2],
          featureNames: ["Add a todo", "Delete a todo"],
          model: "scripted",
        }),
      line: "Fizz (coding) started on Add a todo, Delete a todo",
    },
    {
      name: "agent ended",
      event: () =>
        event("agent.ended", {
          agentId: "coding-2",
          featureIds: [1, 2],
          outcome: "not_passed",
          usage: usage(),
        }),
      line: "agent coding-2 ended not_passed",
    },
    {
      name: "feature passing",
      event: () => event("feature.updated", { feature: feature(1, "Add a todo", "passing") }),
      line: "#1 Add a todo: passing",
    },
    {
      name: "feature passing without a check",
      event: () =>
        event("feature.updated", { feature: { ...feature(5, "Say hi", "passing"), unverified: true } }),
      line: "#5 Say hi: passing (unverified: no check ran)",
    },
    {
      name: "feature failed",
      event: () => event("feature.updated", { feature: feature(2, "Delete a todo", "failed") }),
      line: "#2 Delete a todo: failed",
    },
    {
      name: "progress",
      event: () => progress({ passing: 1, failed: 1, total: 2 }),
      line: "progress 1/2 passing",
    },
    {
      name: "progress with unverified passes",
      event: () => progress({ passing: 2, unverified: 2, pending: 1, total: 3 }),
      line: "progress 2/3 passing (2 unverified)",
    },
    {
      name: "warning log",
      event: () => event("log.appended", { line: "disk is slow", level: "warn", source: "orchestrator" }),
      line: "warn: disk is slow",
    },
    {
      name: "long error log, cut at 200 characters",
      event: () => event("log.appended", { line: longLine, level: "error", source: "agent" }),
      line: `error: ${"x".repeat(200)}`,
    },
    {
      name: "info log",
      event: () => event("log.appended", { line: "hello", level: "info", source: "orchestrator" }),
      line: undefined,
    },
    {
      name: "feature in progress",
      event: () => event("feature.updated", { feature: feature(3, "List todos", "in_progress") }),
      line: undefined,
    },
    {
      name: "feature created",
      event: () => event("feature.created", { feature: feature(4, "Edit a todo", "pending") }),
      line: undefined,
    },
    {
      name: "agent updated",
      event: () => event("agent.updated", { agentId: "coding-2", state: "working", tool: "write_file" }),
      line: undefined,
    },
    { name: "orchestrator updated", event: () => orchestratorUpdated("1 agent running"), line: undefined },
  ];

  it.each(cases)("$name → $line", ({ event: make, line }) => {
    const { view, writes } = setup(false);
    view.update(make());
    expect(writes).toEqual(line === undefined ? [] : [`${line}\n`]);
  });

  it("says a feature passed, or the progress, only when it changed", () => {
    const { view, writes } = setup(false);
    view.update(progress({ passing: 0, pending: 2, total: 2 }));
    view.update(progress({ passing: 0, inProgress: 1, pending: 1, total: 2 }));
    view.update(event("feature.updated", { feature: feature(1, "Add a todo", "passing") }));
    // Evidence added to a passing feature (a regression check) is no news.
    view.update(event("feature.updated", { feature: feature(1, "Add a todo", "passing") }));
    view.update(progress({ passing: 1, pending: 1, total: 2 }));
    expect(writes).toEqual(["progress 0/2 passing\n", "#1 Add a todo: passing\n", "progress 1/2 passing\n"]);
  });

  it("writes one plain line per notable event of a run, no escape codes, no timer, nothing on close", () => {
    vi.useFakeTimers();
    try {
      const { view, writes, sessions, runningSessionsCalls } = setup(false);
      sessions.push({ id: "coding-2", role: "coding", name: "Fizz", featureIds: [1], state: "working" });
      for (const { event: make } of cases) view.update(make());
      vi.advanceTimersByTime(10 * redrawIntervalMs);
      view.close();

      // In a run, an agent that ended is named by the mascot it started with (Fizz is coding-2 above).
      const expected = cases.flatMap(({ line }) =>
        line === undefined ? [] : [`${line.replace("agent coding-2", "Fizz")}\n`],
      );
      expect(expected.length).toBeGreaterThan(5);
      expect(writes).toEqual(expected);
      for (const write of writes) expect(write.slice(0, -1)).not.toContain("\n");
      expect(writes.join("")).not.toContain(escapeCharacter);
      expect(writes.join(""), "no progress bar").not.toMatch(/[█░]/);
      expect(runningSessionsCalls(), "the live agent list is a terminal thing").toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
