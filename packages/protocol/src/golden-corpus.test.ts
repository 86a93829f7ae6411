/**
 * The golden corpus: one valid example of every server event, worker frame and client message, parsed with the
 * union schemas, plus a table of frames that must be rejected. Adding a type to a union without an example here
 * fails the coverage assertions.
 */
import { describe, expect, it } from "vitest";
import { clientMessageSchema } from "./client-messages.ts";
import { serverEventSchema } from "./events.ts";
import { workerInboundFrameSchema, workerOutboundFrameSchema } from "./worker-frames.ts";

const at = "2025-06-01T12:00:00.000Z";

const feature = {
  id: 7,
  priority: 3,
  category: "auth",
  name: "Sign in with email",
  description: "A user signs in with email and password.",
  steps: ["Open /login", "Submit valid credentials", "See the dashboard"],
  dependencies: [2, 5],
  status: "in_progress",
  attempts: 1,
  lastError: null,
  lease: { owner: "sess-1", expiresAt: at },
  evidence: [{ kind: "check", command: "npm test", exitCode: 0, outputTail: "ok", durationMs: 1200, at }],
  humanInput: null,
  verify: ["npm run e2e -- login"],
  unverified: false,
  createdAt: at,
  updatedAt: at,
};

const progress = {
  passing: 4,
  unverified: 1,
  inProgress: 2,
  verifying: 1,
  needsInput: 0,
  failed: 1,
  pending: 12,
  blocked: 5,
  total: 20,
  percentage: 20,
};

const orchestrator = {
  state: "monitoring",
  message: "2 coding agents, 1 testing agent",
  codingAgents: 2,
  testingAgents: 1,
  maxConcurrency: 3,
  readyCount: 4,
  blockedCount: 5,
};

const agentStarted = {
  agentId: "sess-1",
  index: 0,
  name: "Spark",
  role: "coding",
  featureIds: [7],
  featureNames: ["Sign in with email"],
  model: "claude-sonnet-4-5",
};

const serverEvents: readonly unknown[] = [
  {
    v: 1,
    at,
    type: "hello",
    data: {
      protocolVersion: 1,
      serverVersion: "0.1.0",
      project: "todo-app",
      lastSeq: 42,
      snapshot: {
        run: { status: "running" },
        orchestrator,
        agents: [{ ...agentStarted, state: "working", tool: "edit_file" }],
        progress,
        devServer: { status: "stopped" },
        decisions: [{ kind: "run_started", message: "the run starts", seq: 1, at }],
      },
    },
  },
  { v: 1, seq: 1, at, type: "run.updated", data: { status: "rate_limited", reason: "429", resumeAt: at } },
  { v: 1, seq: 2, at, type: "progress.updated", data: progress },
  {
    v: 1,
    seq: 3,
    at,
    type: "orchestrator.updated",
    data: { ...orchestrator, state: "stalled", stalled: [{ featureId: 9, reason: "cycle" }] },
  },
  {
    v: 1,
    seq: 4,
    at,
    type: "orchestrator.decided",
    data: { kind: "agent_spawned", message: "Spark starts on #1 Login", featureId: 1, agentId: "sess-1" },
  },
  { v: 1, seq: 4, at, type: "agent.started", data: agentStarted },
  {
    v: 1,
    seq: 5,
    at,
    type: "agent.updated",
    data: { agentId: "sess-1", state: "testing", thought: "Running the tests", tool: "bash" },
  },
  {
    v: 1,
    seq: 6,
    at,
    type: "agent.ended",
    data: {
      agentId: "sess-1",
      featureIds: [7],
      outcome: "passed",
      usage: { inputTokens: 12_000, outputTokens: 3_400, costUsd: 0.21 },
    },
  },
  {
    v: 1,
    seq: 7,
    at,
    type: "feature.created",
    data: { feature: { ...feature, status: "pending", lease: null } },
  },
  { v: 1, seq: 8, at, type: "feature.updated", data: { feature } },
  { v: 1, seq: 9, at, type: "feature.deleted", data: { id: 11 } },
  {
    v: 1,
    at,
    type: "log.appended",
    data: { line: "claimed #7", level: "info", source: "agent", agentId: "sess-1", featureId: 7 },
  },
  {
    v: 1,
    seq: 10,
    at,
    type: "devserver.updated",
    data: { status: "running", url: "http://127.0.0.1:4100", port: 4100, command: "npm run dev" },
  },
  {
    v: 1,
    seq: 11,
    at,
    type: "project.updated",
    data: { testCommand: { command: "npm test", recordedAt: at } },
  },
  { v: 1, at, type: "devserver.log.appended", data: { line: "ready in 300 ms" } },
  {
    v: 1,
    at,
    type: "browser.screenshot",
    data: {
      url: "http://localhost:4100/",
      mimeType: "image/jpeg",
      imageData: "/9j/4AAQ",
      width: 1280,
      height: 800,
    },
  },
  { v: 1, at, type: "pong", data: { id: "p-1" } },
  { v: 1, at, type: "error", data: { code: "invalid_input", message: "unknown message type" } },
];

const workerInbound: readonly unknown[] = [
  {
    v: 1,
    type: "start",
    sessionId: "sess-1",
    role: "coding",
    featureIds: [7],
    prompt: "Implement feature #7.",
    provider: "replay",
    model: "scripted",
    cwd: "/tmp/project/.autowright/worktrees/sess-1",
    env: { PORT: "4100" },
    limits: { maxTurns: 200, timeoutMs: 3_600_000, maxOutputBytes: 1_000_000 },
  },
  { v: 1, type: "cancel", reason: "stopped by the user" },
  { v: 1, type: "tool.result", callId: "c-1", ok: true, result: { features: [], count: 0 } },
];

/** Kept apart: the failing branch of `tool.result` shares the type of the one above. */
const toolResultError = {
  v: 1,
  type: "tool.result",
  callId: "c-2",
  ok: false,
  error: { code: "lease_not_held", message: "feature #7 is claimed by another session" },
};

const workerOutbound: readonly unknown[] = [
  { v: 1, type: "ready", protocolVersion: 1, pid: 4242 },
  { v: 1, type: "heartbeat", at },
  { v: 1, type: "agent.state", state: "thinking", thought: "Reading the spec", tool: "read_file" },
  { v: 1, type: "tool.called", callId: "t-1", tool: "bash", inputSummary: "npm test" },
  { v: 1, type: "tool.ended", callId: "t-1", tool: "bash", ok: false, durationMs: 812, error: "exit code 1" },
  { v: 1, type: "text", text: "The test fails because\nthe route is missing." },
  { v: 1, type: "log", level: "warn", line: "retrying the model call" },
  { v: 1, type: "usage", inputTokens: 1000, outputTokens: 200, costUsd: 0.01 },
  { v: 1, type: "backlog.call", callId: "c-1", tool: "feature_get_ready", input: { limit: 5 } },
  { v: 1, type: "rate_limited", resetAt: at, message: "5-hour limit reached" },
  { v: 1, type: "auth_failed", message: "invalid API key" },
  { v: 1, type: "ended", outcome: "not_passed", summary: "Implemented, but the check fails." },
];

const clientMessages: readonly unknown[] = [
  { v: 1, id: "p-1", type: "ping" },
  { v: 1, type: "subscribe", data: { sinceSeq: 42 } },
  { v: 1, type: "browser.subscribe" },
  { v: 1, id: "b-2", type: "browser.unsubscribe", data: {} },
];

function typeOf(example: unknown): string {
  return (example as { type: string }).type;
}

describe("golden corpus", () => {
  it("has one example per server event type, and every example parses", () => {
    const unionTypes = serverEventSchema.options.map((option) => option.shape.type.value);
    expect(new Set(serverEvents.map(typeOf))).toEqual(new Set(unionTypes));
    expect(serverEvents).toHaveLength(unionTypes.length);
    for (const example of serverEvents) {
      const parsed = serverEventSchema.safeParse(example);
      expect(parsed.error, typeOf(example)).toBeUndefined();
      expect(parsed.data).toEqual(example);
    }
  });

  it("has one example per inbound worker frame type, and every example parses", () => {
    const unionTypes = workerInboundFrameSchema.options.flatMap((option) =>
      "shape" in option ? [option.shape.type.value] : option.options.map((branch) => branch.shape.type.value),
    );
    expect(new Set(workerInbound.map(typeOf))).toEqual(new Set(unionTypes));
    for (const example of [...workerInbound, toolResultError]) {
      const parsed = workerInboundFrameSchema.safeParse(example);
      expect(parsed.error, typeOf(example)).toBeUndefined();
      expect(parsed.data).toEqual(example);
    }
  });

  it("has one example per outbound worker frame type, and every example parses", () => {
    const unionTypes = workerOutboundFrameSchema.options.map((option) => option.shape.type.value);
    expect(new Set(workerOutbound.map(typeOf))).toEqual(new Set(unionTypes));
    expect(workerOutbound).toHaveLength(unionTypes.length);
    for (const example of workerOutbound) {
      const parsed = workerOutboundFrameSchema.safeParse(example);
      expect(parsed.error, typeOf(example)).toBeUndefined();
      expect(parsed.data).toEqual(example);
    }
  });

  it("has one example per client message type, and every example parses", () => {
    const unionTypes = clientMessageSchema.options.map((option) => option.shape.type.value);
    expect(new Set(clientMessages.map(typeOf))).toEqual(new Set(unionTypes));
    for (const example of clientMessages) {
      const parsed = clientMessageSchema.safeParse(example);
      expect(parsed.error, typeOf(example)).toBeUndefined();
      expect(parsed.data).toEqual(example);
    }
  });
});

const runUpdated = { v: 1, seq: 1, at, type: "run.updated", data: { status: "running" } };
const pong = { v: 1, at, type: "pong", data: {} };
const agentEnded = serverEvents.find((example) => typeOf(example) === "agent.ended") as { data: object };

describe("rejected server events", () => {
  it.each([
    ["a durable event without seq", { ...runUpdated, seq: undefined }],
    ["a durable event with seq 0", { ...runUpdated, seq: 0 }],
    ["a durable event with a fractional seq", { ...runUpdated, seq: 1.5 }],
    ["an ephemeral event with seq", { ...pong, seq: 3 }],
    [
      "an ephemeral log line with seq",
      {
        ...(serverEvents.find((event) => (event as { type?: string }).type === "log.appended") as object),
        seq: 11,
      },
    ],
    ["an unknown type", { ...runUpdated, type: "run.exploded" }],
    ["a missing type", { v: 1, seq: 1, at, data: {} }],
    ["the wrong version", { ...runUpdated, v: 2 }],
    ["no version", { seq: 1, at, type: "run.updated", data: { status: "running" } }],
    ["a bad timestamp", { ...runUpdated, at: "yesterday" }],
    ["an unknown run status", { ...runUpdated, data: { status: "exploded" } }],
    ["a bad outcome", { ...agentEnded, data: { ...agentEnded.data, outcome: "success" } }],
    [
      "an unknown mascot",
      { v: 1, seq: 4, at, type: "agent.started", data: { ...agentStarted, name: "Bob" } },
    ],
    ["a chat agent", { v: 1, seq: 4, at, type: "agent.started", data: { ...agentStarted, role: "chat" } }],
    ["an unknown error code", { v: 1, at, type: "error", data: { code: "oops", message: "x" } }],
    ["data missing", { v: 1, seq: 1, at, type: "feature.deleted" }],
    ["not an object", "run.updated"],
  ])("rejects %s", (_name, frame) => {
    expect(serverEventSchema.safeParse(frame).success).toBe(false);
  });
});

describe("rejected worker frames", () => {
  it.each([
    ["an unknown outbound type", "outbound", { v: 1, type: "celebrate" }],
    ["the wrong version", "outbound", { v: 2, type: "heartbeat", at }],
    ["a bad outcome", "outbound", { v: 1, type: "ended", outcome: "success", summary: "done" }],
    [
      "an unknown backlog tool",
      "outbound",
      { v: 1, type: "backlog.call", callId: "c", tool: "rm_rf", input: {} },
    ],
    ["a rate limit without resetAt", "outbound", { v: 1, type: "rate_limited" }],
    ["negative usage", "outbound", { v: 1, type: "usage", inputTokens: -1, outputTokens: 0, costUsd: 0 }],
    ["an unknown agent state", "outbound", { v: 1, type: "agent.state", state: "dancing" }],
    ["a start without a session", "inbound", { ...(workerInbound[0] as object), sessionId: "" }],
    [
      "a start with a non-string env value",
      "inbound",
      { ...(workerInbound[0] as object), env: { PORT: 4100 } },
    ],
    ["a failed tool.result without error", "inbound", { v: 1, type: "tool.result", callId: "c", ok: false }],
    ["an outbound frame sent inbound", "inbound", { v: 1, type: "heartbeat", at }],
  ] as const)("rejects %s", (_name, direction, frame) => {
    const schema = direction === "inbound" ? workerInboundFrameSchema : workerOutboundFrameSchema;
    expect(schema.safeParse(frame).success).toBe(false);
  });
});

describe("rejected client messages", () => {
  it.each([
    ["an unknown type", { v: 1, type: "shutdown" }],
    ["the wrong version", { v: 2, type: "ping" }],
    ["a subscribe without data", { v: 1, type: "subscribe" }],
    ["a negative sinceSeq", { v: 1, type: "subscribe", data: { sinceSeq: -1 } }],
    ["a fractional sinceSeq", { v: 1, type: "subscribe", data: { sinceSeq: 1.5 } }],
    ["an empty id", { v: 1, id: "", type: "ping" }],
  ])("rejects %s", (_name, message) => {
    expect(clientMessageSchema.safeParse(message).success).toBe(false);
  });
});
