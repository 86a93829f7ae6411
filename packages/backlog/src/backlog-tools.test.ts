/**
 * The backlog tools as agents see them: every tool's answer, the lease rules (a session cannot claim or change a
 * feature another session holds: AutoForge W13), input validation (`invalid_input`, never a throw), dependency
 * edits that are validated and all-or-nothing (W6, W7), human input an agent can ask for and read back (W8), and
 * the ready order.
 */
import {
  type AgentRole,
  type BacklogToolName,
  backlogToolNames,
  type ErrorCode,
  type Feature,
  settingsSchema,
} from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { type BacklogToolResult, createBacklogTools } from "./backlog-tools.ts";

const start = Date.parse("2026-03-04T05:00:00.000Z");
const at = (minutes: number): string => new Date(start + minutes * 60_000).toISOString();

/** A project with a store on a clock the test moves, and the tools over it. */
interface Harness {
  readonly store: ProjectStore;
  readonly clock: { minutes: number };
  call(name: BacklogToolName, input: unknown, sessionId?: string, role?: AgentRole): BacklogToolResult;
  /** Calls a tool that must succeed and returns its result. */
  ok(name: BacklogToolName, input: unknown, sessionId?: string, role?: AgentRole): Record<string, unknown>;
  /** Calls a tool that must fail with `code`, checks that nothing changed, and returns the message. */
  fails(name: BacklogToolName, input: unknown, code: ErrorCode, sessionId?: string, role?: AgentRole): string;
  feature(id: number): Feature;
}

function withTools(test: (harness: Harness) => void): void {
  using directory = temporaryDirectory();
  const clock = { minutes: 0 };
  const store = ProjectStore.open(directory.path, {
    create: true,
    now: () => new Date(start + clock.minutes * 60_000),
  });
  const settings = settingsSchema.parse({ maxAttempts: 2, maxDependenciesPerFeature: 3 });
  const tools = createBacklogTools({ store, settings: () => settings });
  const call: Harness["call"] = (name, input, sessionId = "s1", role) =>
    tools.call(name, input, role === undefined ? { sessionId } : { sessionId, role });
  const harness: Harness = {
    store,
    clock,
    call,
    ok(name, input, sessionId, role) {
      const result = call(name, input, sessionId, role);
      if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
      // Results cross process boundaries as JSON: they must survive the round trip unchanged.
      expect(JSON.parse(JSON.stringify(result.result))).toEqual(result.result);
      return result.result as Record<string, unknown>;
    },
    fails(name, input, code, sessionId, role) {
      const before = { features: store.listFeatures(), seq: store.lastSeq() };
      const result = call(name, input, sessionId, role);
      if (result.ok) throw new Error(`${name} succeeded, expected ${code}: ${JSON.stringify(result.result)}`);
      expect(result.error.code, result.error.message).toBe(code);
      expect(store.listFeatures()).toEqual(before.features);
      expect(store.lastSeq()).toBe(before.seq);
      return result.error.message;
    },
    feature(id) {
      const feature = store.getFeature(id);
      if (feature === undefined) throw new Error(`no feature ${id}`);
      return feature;
    },
  };
  try {
    test(harness);
  } finally {
    store.close();
  }
}

const entry = (name: string, depends_on_indices?: number[]) => ({
  category: "core",
  name,
  description: `${name} works`,
  steps: [`check ${name}`],
  ...(depends_on_indices === undefined ? {} : { depends_on_indices }),
});

/** 1 Database; 2 Login → 1; 3 Search → 1; 4 Profile → 2, 3; 5 Theme. */
function seed(harness: Harness): void {
  harness.ok("feature_create_bulk", {
    features: [
      entry("Database"),
      entry("Login", [0]),
      entry("Search", [0]),
      entry("Profile", [1, 2]),
      entry("Theme"),
    ],
  });
}

/** Moves a feature to `passing` as the orchestrator's verifier would. */
function pass(harness: Harness, id: number): void {
  harness.ok("feature_claim", { feature_id: id }, "coder");
  harness.ok("feature_ready_for_verification", { feature_id: id }, "coder");
  harness.store.changeFeatureStatus(id, { to: "passing", actor: { kind: "orchestrator" } });
}

interface ToolCase {
  readonly tool: BacklogToolName;
  readonly label: string;
  readonly arrange?: (harness: Harness) => void;
  readonly input: unknown;
  readonly check: (result: Record<string, unknown>, harness: Harness) => void;
}

const toolCases: ToolCase[] = [
  {
    tool: "feature_get_stats",
    label: "counts by status and the percentage passing",
    arrange: (harness) => pass(harness, 5),
    input: {},
    check: (result) =>
      expect(result).toEqual({
        passing: 1,
        unverified: 0,
        inProgress: 0,
        verifying: 0,
        needsInput: 0,
        failed: 0,
        pending: 1,
        blocked: 3,
        total: 5,
        percentage: 20,
      }),
  },
  {
    tool: "feature_get_ready",
    label: "ready features as summaries, best first",
    input: {},
    check: (result) =>
      expect(result).toEqual({
        features: [
          { id: 1, name: "Database", category: "core", priority: 1, dependencies: [] },
          { id: 5, name: "Theme", category: "core", priority: 5, dependencies: [] },
        ],
        count: 2,
        totalReady: 2,
      }),
  },
  {
    tool: "feature_get_blocked",
    label: "blocked features with what blocks each",
    arrange: (harness) => pass(harness, 1),
    input: { limit: 2 },
    check: (result) =>
      expect(result).toEqual({
        features: [
          { id: 4, name: "Profile", category: "core", priority: 4, dependencies: [2, 3], blockedBy: [2, 3] },
        ],
        count: 1,
        totalBlocked: 1,
      }),
  },
  {
    tool: "feature_get_by_id",
    label: "the full feature",
    input: { feature_id: 4 },
    check: (result) =>
      expect(result["feature"]).toMatchObject({
        id: 4,
        name: "Profile",
        description: "Profile works",
        steps: ["check Profile"],
        dependencies: [2, 3],
        status: "pending",
        humanInput: null,
        evidence: [],
      }),
  },
  {
    tool: "feature_get_graph",
    label: "nodes, edges from dependency to dependent, cycles and stalled",
    input: {},
    check: (result) =>
      expect(result).toEqual({
        nodes: [1, 2, 3, 4, 5].map((id) => ({
          id,
          name: ["Database", "Login", "Search", "Profile", "Theme"][id - 1],
          status: "pending",
          category: "core",
          priority: id,
        })),
        edges: [
          { from: 1, to: 2 },
          { from: 1, to: 3 },
          { from: 2, to: 4 },
          { from: 3, to: 4 },
        ],
        cycles: [],
        stalled: [],
      }),
  },
  {
    tool: "feature_claim",
    label: "a lease for the caller, ten minutes by default",
    input: { feature_id: 1 },
    check: (result, harness) => {
      expect(result).toMatchObject({
        alreadyClaimed: false,
        feature: { id: 1, status: "in_progress", lease: { owner: "s1", expiresAt: at(10) } },
      });
      expect(harness.ok("feature_claim", { feature_id: 1 })).toMatchObject({ alreadyClaimed: true });
    },
  },
  {
    tool: "feature_ready_for_verification",
    label: "verifying, lease kept, the summary kept as evidence",
    arrange: (harness) => harness.ok("feature_claim", { feature_id: 1 }),
    input: { feature_id: 1, summary: "added the schema and a test" },
    check: (result, harness) => {
      expect(result).toMatchObject({
        verification: "queued",
        feature: {
          status: "verifying",
          lease: { owner: "s1" },
          evidence: [
            { kind: "manual", sessionId: "s1", note: "summary from session s1: added the schema and a test" },
          ],
        },
      });
      expect(harness.ok("feature_ready_for_verification", { feature_id: 1 })).toMatchObject({
        verification: "queued",
      });
    },
  },
  {
    tool: "feature_mark_failing",
    label: "a coding agent gives up: pending, the reason kept, one attempt counted, lease released",
    arrange: (harness) => harness.ok("feature_claim", { feature_id: 1 }),
    input: { feature_id: 1, reason: "the driver does not build" },
    check: (result) =>
      expect(result["feature"]).toMatchObject({
        status: "pending",
        attempts: 1,
        lastError: "the driver does not build",
        lease: null,
      }),
  },
  {
    tool: "feature_skip",
    label: "pending at the end of the queue with the reason, lease released",
    arrange: (harness) => harness.ok("feature_claim", { feature_id: 1 }),
    input: { feature_id: 1, reason: "needs a decision on the schema" },
    check: (result) =>
      expect(result).toMatchObject({
        id: 1,
        name: "Database",
        oldPriority: 1,
        newPriority: 6,
        feature: {
          status: "pending",
          lease: null,
          attempts: 0,
          lastError: "skipped: needs a decision on the schema",
        },
      }),
  },
  {
    tool: "feature_create",
    label: "one feature at the end of the queue",
    input: {
      category: "ui",
      name: "Dark mode",
      description: "a dark theme",
      steps: ["toggle it"],
      verify: ["npm test"],
    },
    check: (result) =>
      expect(result["feature"]).toMatchObject({
        id: 6,
        priority: 6,
        category: "ui",
        name: "Dark mode",
        steps: ["toggle it"],
        verify: ["npm test"],
        status: "pending",
        dependencies: [],
      }),
  },
  {
    tool: "feature_create_bulk",
    label: "ids of the created features, dependencies by index",
    input: { features: [entry("Export"), entry("Import", [0])] },
    check: (result, harness) => {
      expect(result).toEqual({ created: 2, ids: [6, 7], withDependencies: 1 });
      expect(harness.feature(7).dependencies).toEqual([6]);
    },
  },
  {
    tool: "feature_add_dependency",
    label: "adds to a non-empty list and persists (W6)",
    input: { feature_id: 2, dependency_id: 5 },
    check: (result, harness) => {
      expect(result).toEqual({ featureId: 2, dependencies: [1, 5] });
      expect(harness.feature(2).dependencies).toEqual([1, 5]);
    },
  },
  {
    tool: "feature_remove_dependency",
    label: "removes one of several and persists (W6)",
    input: { feature_id: 4, dependency_id: 2 },
    check: (result, harness) => {
      expect(result).toEqual({ featureId: 4, dependencies: [3], removed: true });
      expect(harness.feature(4).dependencies).toEqual([3]);
      expect(harness.ok("feature_remove_dependency", { feature_id: 4, dependency_id: 2 })).toEqual({
        featureId: 4,
        dependencies: [3],
        removed: false,
      });
    },
  },
  {
    tool: "feature_set_dependencies",
    label: "replaces the list",
    input: { feature_id: 5, dependency_ids: [3, 2] },
    check: (result, harness) => {
      expect(result).toEqual({ featureId: 5, dependencies: [3, 2] });
      expect(harness.feature(5).dependencies).toEqual([3, 2]);
    },
  },
  {
    tool: "feature_request_human_input",
    label: "needs_input with the request, lease released",
    arrange: (harness) => harness.ok("feature_claim", { feature_id: 1 }),
    input: {
      feature_id: 1,
      prompt: "Which database should the app use?",
      fields: [
        {
          id: "engine",
          label: "Engine",
          type: "select",
          options: [
            { value: "pg", label: "PostgreSQL" },
            { value: "sqlite", label: "SQLite" },
          ],
        },
      ],
    },
    check: (result) =>
      expect(result["feature"]).toMatchObject({
        status: "needs_input",
        lease: null,
        humanInput: {
          request: { prompt: "Which database should the app use?", requestedAt: at(0), sessionId: "s1" },
          response: null,
        },
      }),
  },
  {
    tool: "project_set_test_command",
    label: "records the project's test command, trimmed",
    input: { command: " npm test " },
    check: (result, harness) => {
      expect(result).toMatchObject({ testCommand: { command: "npm test", recordedAt: at(0) } });
      expect(harness.store.getTestCommand()).toEqual({ command: "npm test", recordedAt: at(0) });
      expect(harness.store.eventsSince(0).at(-1)).toMatchObject({
        type: "project.updated",
        data: { testCommand: { command: "npm test" } },
      });
    },
  },
];

describe("every backlog tool", () => {
  it("has a case below", () => {
    expect(new Set(toolCases.map((toolCase) => toolCase.tool))).toEqual(new Set(backlogToolNames));
  });

  it.each(toolCases.map((toolCase) => [toolCase.tool, toolCase.label, toolCase] as const))(
    "%s: %s",
    (_tool, _label, toolCase) =>
      withTools((harness) => {
        seed(harness);
        toolCase.arrange?.(harness);
        const seq = harness.store.lastSeq();
        toolCase.check(harness.ok(toolCase.tool, toolCase.input), harness);
        if (toolCase.tool.startsWith("feature_get_")) expect(harness.store.lastSeq()).toBe(seq);
      }),
  );
});

describe("leases (AutoForge W13)", () => {
  const changes: [BacklogToolName, object][] = [
    ["feature_ready_for_verification", { feature_id: 1 }],
    ["feature_mark_failing", { feature_id: 1, reason: "broken" }],
    ["feature_skip", { feature_id: 1, reason: "later" }],
    ["feature_request_human_input", { feature_id: 1, prompt: "?", fields: [] }],
  ];

  it.each(changes)(
    "%s by a session that does not hold the lease is refused and changes nothing",
    (tool, input) =>
      withTools((harness) => {
        seed(harness);
        expect(harness.fails(tool, input, "lease_not_held", "s1")).toMatch(/nobody holds a lease on it/);
        harness.ok("feature_claim", { feature_id: 1 }, "s1");
        expect(harness.fails(tool, input, "lease_not_held", "s2")).toMatch(
          /session s2 does not hold the lease on feature 1 \(session s1 holds its lease until .*\); claim it first/,
        );
      }),
  );

  it("a second session cannot claim a leased feature until the lease expires", () =>
    withTools((harness) => {
      seed(harness);
      harness.ok("feature_claim", { feature_id: 1 }, "s1");
      expect(harness.fails("feature_claim", { feature_id: 1 }, "lease_held", "s2")).toMatch(
        /leased by session s1/,
      );
      harness.clock.minutes = 9;
      harness.fails("feature_claim", { feature_id: 1 }, "lease_held", "s2");
      harness.clock.minutes = 10;
      expect(harness.ok("feature_claim", { feature_id: 1 }, "s2")).toMatchObject({
        feature: { status: "in_progress", lease: { owner: "s2", expiresAt: at(20) } },
      });
      harness.fails("feature_mark_failing", { feature_id: 1, reason: "late" }, "lease_not_held", "s1");
    }));

  it("refuses to claim a blocked feature, one out of attempts, or one that is being verified", () =>
    withTools((harness) => {
      seed(harness);
      expect(harness.fails("feature_claim", { feature_id: 2 }, "feature_blocked")).toMatch(
        /blocked: its dependencies 1/,
      );
      for (let attempt = 0; attempt < 2; attempt++) {
        harness.ok("feature_claim", { feature_id: 5 });
        harness.ok("feature_mark_failing", { feature_id: 5, reason: `try ${attempt}` });
      }
      expect(harness.fails("feature_claim", { feature_id: 5 }, "attempts_exhausted")).toMatch(
        /used all 2 attempts/,
      );
      harness.ok("feature_claim", { feature_id: 1 });
      harness.ok("feature_ready_for_verification", { feature_id: 1 });
      harness.fails("feature_claim", { feature_id: 1 }, "lease_held", "s2");
      harness.fails("feature_mark_failing", { feature_id: 1, reason: "oops" }, "invalid_transition");
      harness.fails("feature_claim", { feature_id: 99 }, "feature_not_found");
    }));

  it("lets a testing session report a regression, fix it and hand it back, while coding sessions keep off", () =>
    withTools((harness) => {
      seed(harness);
      pass(harness, 5);
      harness.fails("feature_claim", { feature_id: 5 }, "conflict", "coder2", "coding");
      harness.fails(
        "feature_mark_failing",
        { feature_id: 5, reason: "theme broken" },
        "lease_not_held",
        "tester",
      );
      expect(harness.ok("feature_claim", { feature_id: 5 }, "tester", "testing")).toMatchObject({
        feature: { status: "passing", lease: { owner: "tester" } },
      });
      expect(
        harness.ok("feature_mark_failing", { feature_id: 5, reason: "theme broken" }, "tester"),
      ).toMatchObject({
        feature: { status: "regressed", lastError: "theme broken", lease: { owner: "tester" }, attempts: 0 },
      });
      expect(harness.ok("feature_get_ready", {})).toMatchObject({ totalReady: 1 });
      harness.fails("feature_claim", { feature_id: 5 }, "lease_held", "coder2", "coding");
      expect(harness.ok("feature_ready_for_verification", { feature_id: 5 }, "tester")).toMatchObject({
        feature: { status: "verifying", lease: { owner: "tester" } },
      });
    }));
});

describe("bad input", () => {
  const cases: [BacklogToolName, unknown, RegExp][] = [
    ["feature_get_ready", { limit: 0 }, /limit/],
    ["feature_get_ready", { limit: 51 }, /limit/],
    ["feature_get_blocked", { limit: 2.5 }, /limit/],
    ["feature_get_by_id", {}, /feature_id/],
    ["feature_get_by_id", { feature_id: "1" }, /feature_id/],
    ["feature_get_by_id", { feature_id: -1 }, /feature_id/],
    ["feature_claim", null, /feature_id/],
    ["feature_claim", "feature 1", /expected object/],
    ["feature_mark_failing", { feature_id: 1, reason: "   " }, /reason/],
    ["feature_skip", { feature_id: 1 }, /reason/],
    ["feature_create", { category: "x", name: "", description: "", steps: ["a"] }, /name/],
    [
      "feature_create",
      { category: "x", name: "A", description: "", steps: [] },
      /at least one acceptance step/,
    ],
    ["feature_create_bulk", { features: [] }, /features/],
    ["feature_create_bulk", { features: [entry("A", [0])] }, /entry 0 can only depend on earlier entries/],
    ["feature_add_dependency", { feature_id: 1 }, /dependency_id/],
    ["feature_set_dependencies", { feature_id: 1, dependency_ids: "2" }, /dependency_ids/],
    [
      "feature_request_human_input",
      { feature_id: 1, prompt: "?", fields: [{ id: "a", label: "A", type: "select" }] },
      /a select field needs options/,
    ],
    [
      "feature_request_human_input",
      {
        feature_id: 1,
        prompt: "?",
        fields: [
          { id: "a", label: "A", type: "text" },
          { id: "a", label: "B", type: "text" },
        ],
      },
      /field ids must be unique/,
    ],
    ["project_set_test_command", {}, /command/],
    ["project_set_test_command", { command: "  " }, /the test command cannot be empty/],
    ["project_set_test_command", { command: "npm test\nrm -rf ~" }, /the test command must be one line/],
  ];

  it.each(cases)("%s %j is invalid_input, naming the problem", (tool, input, message) =>
    withTools((harness) => {
      seed(harness);
      harness.ok("feature_claim", { feature_id: 1 });
      expect(harness.fails(tool, input, "invalid_input")).toMatch(message);
    }),
  );

  it("answers an unknown tool, a missing session id and a broken store without throwing", () =>
    withTools((harness) => {
      expect(harness.call("feature_launch" as BacklogToolName, {})).toMatchObject({
        ok: false,
        error: { code: "invalid_input", message: 'unknown backlog tool "feature_launch"' },
      });
      expect(harness.call("feature_get_stats", {}, "")).toMatchObject({
        ok: false,
        error: { code: "invalid_input" },
      });
      expect(harness.ok("feature_get_stats", undefined)).toMatchObject({ total: 0 });
      harness.store.close();
      expect(harness.call("feature_get_stats", {})).toEqual({
        ok: false,
        error: { code: "store_closed", message: "the project store is closed" },
      });
    }));
});

describe("dependency edits (AutoForge W6, W7)", () => {
  it("feature_create_bulk with a cycle via indices changes nothing", () =>
    withTools((harness) => {
      seed(harness);
      const message = harness.fails(
        "feature_create_bulk",
        { features: [entry("A", [1]), entry("B", [0])] },
        "invalid_input",
      );
      expect(message).toMatch(/entry 0 can only depend on earlier entries \(got 1\)/);
      expect(harness.store.countFeatures()).toBe(5);
    }));

  it("feature_create_bulk over the dependency limit is all or nothing", () =>
    withTools((harness) => {
      seed(harness);
      const message = harness.fails(
        "feature_create_bulk",
        { features: [entry("A"), entry("B"), entry("C"), entry("D"), entry("E", [0, 1, 2, 3])] },
        "invalid_input",
      );
      expect(message).toMatch(/the batch was rejected, nothing was changed: entry 4 \("E"\)/);
    }));

  it.each<[string, BacklogToolName, object, ErrorCode, RegExp]>([
    [
      "a cycle",
      "feature_set_dependencies",
      { feature_id: 1, dependency_ids: [4] },
      "dependency_cycle",
      /cycle: 1 → 4 → 2 → 1/,
    ],
    [
      "a cycle",
      "feature_add_dependency",
      { feature_id: 1, dependency_id: 2 },
      "dependency_cycle",
      /1 → 2 → 1/,
    ],
    [
      "a self-edge",
      "feature_add_dependency",
      { feature_id: 3, dependency_id: 3 },
      "dependency_self",
      /itself/,
    ],
    [
      "an unknown id",
      "feature_set_dependencies",
      { feature_id: 5, dependency_ids: [77] },
      "dependency_unknown",
      /unknown feature 77/,
    ],
    [
      "a duplicate",
      "feature_add_dependency",
      { feature_id: 2, dependency_id: 1 },
      "dependency_duplicate",
      /twice|more than once/,
    ],
    [
      "a duplicate in the list",
      "feature_set_dependencies",
      { feature_id: 5, dependency_ids: [1, 1] },
      "dependency_duplicate",
      /more than once/,
    ],
    [
      "more than the limit",
      "feature_set_dependencies",
      { feature_id: 5, dependency_ids: [1, 2, 3, 4] },
      "dependency_limit",
      /limit of 3/,
    ],
    [
      "an unknown feature",
      "feature_remove_dependency",
      { feature_id: 42, dependency_id: 1 },
      "feature_not_found",
      /42/,
    ],
  ])("refuse %s (%s), say why and change nothing", (_label, tool, input, code, message) =>
    withTools((harness) => {
      seed(harness);
      expect(harness.fails(tool, input, code)).toMatch(message);
    }),
  );
});

describe("human input (AutoForge W8)", () => {
  it("an agent asks, and feature_get_by_id shows the request and then the answer", () =>
    withTools((harness) => {
      seed(harness);
      harness.ok("feature_claim", { feature_id: 5 }, "coder");
      harness.clock.minutes = 3;
      const fields = [
        { id: "brand", label: "Brand colour", type: "text", required: true, placeholder: "#ff0000" },
      ];
      const asked = harness.ok(
        "feature_request_human_input",
        { feature_id: 5, prompt: "Which brand colour?", fields },
        "coder",
      );
      expect(asked["message"]).toMatch(/feature_get_by_id/);
      expect(harness.ok("feature_get_by_id", { feature_id: 5 })["feature"]).toMatchObject({
        status: "needs_input",
        lease: null,
        humanInput: {
          request: { prompt: "Which brand colour?", fields, requestedAt: at(3), sessionId: "coder" },
          response: null,
        },
      });
      expect(harness.ok("feature_get_stats", {})).toMatchObject({ needsInput: 1 });
      expect(harness.ok("feature_get_ready", {})).toMatchObject({ totalReady: 1 });
      harness.fails("feature_claim", { feature_id: 5 }, "invalid_transition", "coder");
      const response = { fields: { brand: "#123456" }, respondedAt: at(5) };
      harness.store.changeFeatureStatus(5, {
        to: "pending",
        actor: { kind: "orchestrator" },
        humanInputResponse: response,
      });
      expect(harness.ok("feature_get_by_id", { feature_id: 5 })["feature"]).toMatchObject({
        status: "pending",
        humanInput: { request: { prompt: "Which brand colour?" }, response },
      });
    }));
});

describe("feature_get_ready order", () => {
  it("favours features others depend on, then shallower ones, then priority, then id; leased ones drop out", () =>
    withTools((harness) => {
      harness.ok("feature_create_bulk", {
        features: [
          entry("Leaf A"), // 1
          entry("Hub"), // 2: 4, 5 and 6 depend on it, directly or transitively
          entry("Leaf B"), // 3
          entry("Mid", [1]), // 4 → 2
          entry("Top", [3]), // 5 → 4
          entry("Side", [1]), // 6 → 2
        ],
      });
      harness.ok("feature_set_dependencies", { feature_id: 6, dependency_ids: [4] });
      harness.ok("feature_create", { category: "core", name: "Urgent", description: "", steps: ["x"] }); // 7
      harness.store.changeFeatureStatus(3, { to: "in_progress", actor: { kind: "orchestrator" } });
      harness.store.changeFeatureStatus(3, { to: "pending", actor: { kind: "orchestrator" }, priority: -1 });
      const ids = (result: Record<string, unknown>) =>
        (result["features"] as { id: number }[]).map(({ id }) => id);
      expect(ids(harness.ok("feature_get_ready", {}))).toEqual([2, 3, 1, 7]);
      expect(harness.ok("feature_get_ready", { limit: 2 })).toMatchObject({ count: 2, totalReady: 4 });
      harness.ok("feature_claim", { feature_id: 2 });
      expect(ids(harness.ok("feature_get_ready", {}))).toEqual([3, 1, 7]);
      harness.ok("feature_ready_for_verification", { feature_id: 2 });
      harness.store.changeFeatureStatus(2, { to: "passing", actor: { kind: "orchestrator" } });
      expect(ids(harness.ok("feature_get_ready", {}))).toEqual([4, 3, 1, 7]);
    }));
});
