/**
 * The governors of a real run: `autowright run` with the `anthropic` and `openai-compatible` providers (the AI SDK
 * tool loop in real workers) against a scripted model server that reports token usage. Invariants: a cost budget
 * is priced from the model price table and stops the run (exit 3) once passed; a model without a price gets no cost
 * budget (refused before anything starts) but a token budget still works; refused credentials stop the run at the
 * first session, with no attempt counted.
 */
import type { ServerEvent } from "@autowright/protocol";
import {
  type ModelScript,
  type ScriptedModelServer,
  startScriptedModelServer,
} from "@autowright/scripted-model";
import { ProjectStore } from "@autowright/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRunHarness, type RunHarness } from "./support/run-harness.ts";

let harness: RunHarness;
const servers: ScriptedModelServer[] = [];

beforeEach(() => {
  harness = createRunHarness();
});
afterEach(async () => {
  harness[Symbol.dispose]();
  for (const server of servers.splice(0)) await server.close();
});

async function modelServer(wire: "anthropic" | "openai", script: ModelScript): Promise<ScriptedModelServer> {
  const server = await startScriptedModelServer({ wire, script });
  servers.push(server);
  return server;
}

/** `turns` model turns that each run a harmless command and report this usage, then a closing text. */
function spendingScript(turns: number, usage: { inputTokens: number; outputTokens: number }): ModelScript {
  return {
    turns: [
      ...Array.from({ length: turns }, () => ({
        toolCalls: [{ name: "bash", input: { command: "true" } }],
        usage,
      })),
      { text: "done", usage },
    ],
  };
}

const runEnded = (event: ServerEvent) => event.type === "run.updated" && event.data.status === "stopped";

function sessionCosts(root: string): { inputTokens: number; outputTokens: number; costUsd: number | null } {
  const store = ProjectStore.open(root);
  try {
    return store.usageSince("2000-01-01T00:00:00.000Z").total;
  } finally {
    store.close();
  }
}

const modelTurns = (server: ScriptedModelServer) =>
  server.requests.filter((request) => request.kind === "turn").length;

describe("the governors of a real run", { timeout: 300_000 }, () => {
  it("stops at the cost budget, pricing the tool loop's tokens from the price table (anthropic)", async () => {
    const root = harness.createProject([{ name: "A" }, { name: "B" }]);
    // Each turn: one million input tokens on claude-sonnet-4-5, $3.
    const server = await modelServer(
      "anthropic",
      spendingScript(6, { inputTokens: 1_000_000, outputTokens: 0 }),
    );
    const run = harness.startRun(root, ["--concurrency", "1", "--max-cost", "4"], {
      provider: "anthropic",
      env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: "sk-ant-test-budget-0000000000" },
    });
    expect(await run.exit, run.stderr()).toBe(3);
    const stopped = run.events.find(runEnded);
    expect(stopped?.type === "run.updated" && stopped.data.reason).toMatch(
      /the run's cost \$6\.00 passed the budget of \$4/,
    );
    const ended = run.events.find((event) => event.type === "agent.ended");
    expect(ended?.type === "agent.ended" && ended.data.usage.costUsd).toBeGreaterThanOrEqual(6);
    expect(sessionCosts(root).costUsd).toBeGreaterThanOrEqual(6);
    // The session was cancelled at the budget, not played to its end; nothing passed, no attempt was counted.
    expect(modelTurns(server)).toBeLessThan(5);
    expect(harness.features(root).map((feature) => [feature.status, feature.attempts])).toEqual([
      ["pending", 0],
      ["pending", 0],
    ]);
  });

  it("refuses --max-cost for a model without a price, in one line, before anything starts", async () => {
    const root = harness.createProject([{ name: "A" }]);
    const server = await modelServer("openai", spendingScript(1, { inputTokens: 10, outputTokens: 10 }));
    const run = harness.startRun(root, ["--max-cost", "5"], {
      provider: "openai-compatible",
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(await run.exit).toBe(1);
    expect(run.stderr().trim().split("\n")).toEqual([
      'autowright: a cost budget needs prices, and "qwen2.5-coder" has none: add it to the modelPrices setting, or budget tokens instead (--max-tokens)',
    ]);
    expect(server.requests).toEqual([]);
    expect(sessionCosts(root).inputTokens).toBe(0);
    expect(harness.features(root)[0]?.status).toBe("pending");
  });

  it("keeps a token budget for a model without a price, whose cost stays unknown (openai-compatible)", async () => {
    const root = harness.createProject([{ name: "A" }]);
    const server = await modelServer("openai", spendingScript(6, { inputTokens: 900, outputTokens: 100 }));
    const run = harness.startRun(root, ["--max-tokens", "1500"], {
      provider: "openai-compatible",
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(await run.exit, run.stderr()).toBe(3);
    const stopped = run.events.find(runEnded);
    expect(stopped?.type === "run.updated" && stopped.data.reason).toMatch(
      /the run used 2000 tokens, more than the budget of 1500/,
    );
    const ended = run.events.find((event) => event.type === "agent.ended");
    expect(ended?.type === "agent.ended" && ended.data.usage).toEqual({
      inputTokens: 1800,
      outputTokens: 200,
      costUsd: null,
    });
  });

  it("prices a model from the modelPrices setting, and then budgets its cost", async () => {
    const root = harness.createProject([{ name: "A" }]);
    const price = harness.cli([
      "settings",
      "set",
      "modelPrices",
      '{"qwen2.5-coder":{"inputPerMTok":1,"outputPerMTok":2}}',
    ]);
    expect(price.code, price.stderr).toBe(0);
    // Each turn: $0.50 of input and $0.50 of output.
    const server = await modelServer(
      "openai",
      spendingScript(6, { inputTokens: 500_000, outputTokens: 250_000 }),
    );
    const run = harness.startRun(root, ["--max-cost", "1.5"], {
      provider: "openai-compatible",
      env: { OPENAI_BASE_URL: server.openaiBaseUrl },
    });
    expect(await run.exit, run.stderr()).toBe(3);
    const stopped = run.events.find(runEnded);
    expect(stopped?.type === "run.updated" && stopped.data.reason).toMatch(
      /the run's cost \$2\.00 passed the budget of \$1\.5/,
    );
  });

  it("stops the whole run when the provider refuses the credentials, with no attempt counted", async () => {
    const root = harness.createProject([{ name: "A" }, { name: "B" }, { name: "C" }]);
    const server = await modelServer("anthropic", {
      turns: [{ error: { status: 401, message: "invalid x-api-key" } }],
    });
    const run = harness.startRun(root, ["--concurrency", "1"], {
      provider: "anthropic",
      env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: "sk-ant-test-refused-000000000" },
    });
    expect(await run.exit, run.stderr()).toBe(3);
    const stopped = run.events.find(runEnded);
    expect(stopped?.type === "run.updated" && stopped.data.reason).toMatch(/refused the credentials/);
    expect(run.events.filter((event) => event.type === "agent.started")).toHaveLength(1);
    expect(harness.features(root).map((feature) => [feature.status, feature.attempts])).toEqual([
      ["pending", 0],
      ["pending", 0],
      ["pending", 0],
    ]);
    // The key never reaches an event.
    expect(JSON.stringify(run.events)).not.toContain("sk-ant-test-refused");
  });
});
