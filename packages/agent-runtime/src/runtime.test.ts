import { describe, expect, it } from "vitest";
import { createRedactor } from "./redaction.ts";
import { type OutboundFrameBody, ToolActivity } from "./runtime.ts";

const secret = "S3CRET-value-abcdefghijklmnopqrstuvwxyz";

function activity(): { readonly frames: OutboundFrameBody[]; readonly tools: ToolActivity } {
  const frames: OutboundFrameBody[] = [];
  return {
    frames,
    tools: new ToolActivity((frame) => frames.push(frame), createRedactor({ API_TOKEN: secret })),
  };
}

describe("ToolActivity.called", () => {
  it.each([
    ["read_file", { path: "src/app.ts" }, "src/app.ts", "thinking"],
    ["grep", { pattern: "TODO" }, "TODO", "thinking"],
    ["write_file", { path: "src/app.ts", content: "x" }, "src/app.ts", "working"],
    ["Edit", { file_path: "/w/a.ts" }, "/w/a.ts", "working"],
    ["bash", { command: "npm   test" }, "npm test", "testing"],
    ["feature_claim", { feature_id: 4 }, "4", "thinking"],
  ])("%s with %j emits tool.called (%j) and agent.state %s", (tool, input, inputSummary, state) => {
    const { frames, tools } = activity();
    tools.called("call-1", tool, input);
    expect(frames).toStrictEqual([
      { type: "tool.called", callId: "call-1", tool, inputSummary },
      { type: "agent.state", state, tool },
    ]);
  });

  it("leaves out the summary when the input has none", () => {
    const { frames, tools } = activity();
    tools.called("call-1", "feature_get_stats", {});
    expect(frames).toStrictEqual([
      { type: "tool.called", callId: "call-1", tool: "feature_get_stats" },
      { type: "agent.state", state: "thinking", tool: "feature_get_stats" },
    ]);
  });

  it("redacts the input summary", () => {
    const { frames, tools } = activity();
    tools.called("call-1", "bash", {
      command: `curl -H "Authorization: Bearer abcdefghijklmnop" -H "X: ${secret}"`,
    });
    expect(frames[0]).toStrictEqual({
      type: "tool.called",
      callId: "call-1",
      tool: "bash",
      inputSummary: 'curl -H "Authorization: Bearer [redacted]" -H "X: [redacted]"',
    });
  });

  // BUG: the summary is cut to 160 characters before it is redacted, so a secret that straddles the cut is no
  // longer found and its first characters are sent as they are.
  it("does not leak the start of a secret cut off by the summary limit", () => {
    const { frames, tools } = activity();
    tools.called("call-1", "bash", { command: `echo ${"x".repeat(140)} ${secret}` });
    const summary = (frames[0] as { inputSummary?: string }).inputSummary ?? "";
    expect(summary).not.toContain(secret.slice(0, 12));
  });
});

describe("ToolActivity.ended", () => {
  it("reports a successful call with its duration and no state change", async () => {
    const { frames, tools } = activity();
    tools.called("call-1", "bash", { command: "sleep 0.03" });
    await new Promise((resolve) => setTimeout(resolve, 30));
    frames.length = 0;
    tools.ended("call-1", true);
    expect(frames).toStrictEqual([
      { type: "tool.ended", callId: "call-1", tool: "bash", ok: true, durationMs: expect.any(Number) },
    ]);
    const durationMs = (frames[0] as { durationMs: number }).durationMs;
    expect(Number.isInteger(durationMs)).toBe(true);
    expect(durationMs).toBeGreaterThanOrEqual(25);
    expect(durationMs).toBeLessThan(5000);
  });

  it("reports a failed call with its redacted error and shows the agent struggling", () => {
    const { frames, tools } = activity();
    tools.called("call-2", "write_file", { path: "a.ts" });
    frames.length = 0;
    tools.ended("call-2", false, `write failed with token ${secret}`);
    expect(frames).toStrictEqual([
      {
        type: "tool.ended",
        callId: "call-2",
        tool: "write_file",
        ok: false,
        durationMs: expect.any(Number),
        error: "write failed with token [redacted]",
      },
      { type: "agent.state", state: "struggling", tool: "write_file" },
    ]);
  });

  it("redacts the error before clipping it to 2000 characters", () => {
    const { frames, tools } = activity();
    tools.called("call-3", "bash", { command: "npm test" });
    tools.ended("call-3", false, `${"e".repeat(1990)}${secret}${"z".repeat(3000)}`);
    const ended = frames[2] as { error: string };
    expect(ended.error).toBe(`${"e".repeat(1990)}[redacted]`);
    expect(ended.error).toHaveLength(2000);
  });

  it("reports a call it never saw start as an unknown tool without a duration", () => {
    const { frames, tools } = activity();
    tools.ended("never-called", false, "boom");
    expect(frames).toStrictEqual([
      { type: "tool.ended", callId: "never-called", tool: "unknown", ok: false, error: "boom" },
      { type: "agent.state", state: "struggling", tool: "unknown" },
    ]);
  });

  it("forgets a call once it ended", () => {
    const { frames, tools } = activity();
    tools.called("call-4", "grep", { pattern: "x" });
    tools.ended("call-4", true);
    frames.length = 0;
    tools.ended("call-4", true);
    expect(frames).toStrictEqual([{ type: "tool.ended", callId: "call-4", tool: "unknown", ok: true }]);
  });
});

describe("ToolActivity.thought", () => {
  it.each([
    ["I will read the file.", "I will read the file."],
    ["First idea.\n\nFinal plan: edit app.ts  \n\n", "Final plan: edit app.ts"],
    [`Using ${secret} now`, "Using [redacted] now"],
    ["t".repeat(400), "t".repeat(300)],
  ])("shows the last line of %j as the thought", (text, thought) => {
    const { frames, tools } = activity();
    tools.thought(text);
    expect(frames).toStrictEqual([{ type: "agent.state", state: "thinking", thought }]);
  });

  it.each(["", "  \n \n"])("emits nothing for blank text %j", (text) => {
    const { frames, tools } = activity();
    tools.thought(text);
    expect(frames).toStrictEqual([]);
  });
});
