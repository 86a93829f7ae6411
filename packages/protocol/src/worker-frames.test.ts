/** parseWorkerFrame / serializeWorkerFrame: never throw, always one line. */
import { describe, expect, it } from "vitest";
import {
  parseWorkerFrame,
  serializeWorkerFrame,
  type WorkerInboundFrame,
  type WorkerOutboundFrame,
} from "./worker-frames.ts";

describe("parseWorkerFrame", () => {
  it.each([
    ["garbage", "this is not json"],
    ["an empty line", ""],
    ["truncated JSON", '{"v":1,"type":"heartbeat"'],
  ])("returns invalid_json for %s", (_name, line) => {
    const result = parseWorkerFrame(line, "outbound");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe("invalid_json");
  });

  it.each([
    ["a number", "42"],
    ["a string", '"ready"'],
    ["null", "null"],
    ["an array", '[{"v":1,"type":"heartbeat"}]'],
  ])("returns invalid_input for %s", (_name, line) => {
    const result = parseWorkerFrame(line, "outbound");
    expect(result).toEqual({
      ok: false,
      error: { code: "invalid_input", message: "a frame must be a JSON object" },
    });
  });

  it("returns invalid_input with the zod message for an object that is not a frame", () => {
    const result = parseWorkerFrame('{"v":1,"type":"ended","outcome":"success","summary":"x"}', "outbound");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("invalid_input");
      expect(result.error.message).toMatch(/^invalid outbound frame: outcome: /);
    }
  });

  it("parses a valid outbound line (with its trailing newline)", () => {
    const result = parseWorkerFrame('{"v":1,"type":"ready","protocolVersion":1,"pid":123}\n', "outbound");
    expect(result).toEqual({ ok: true, frame: { v: 1, type: "ready", protocolVersion: 1, pid: 123 } });
  });

  it("parses a valid inbound line and narrows on type", () => {
    const result = parseWorkerFrame('{"v":1,"type":"cancel","reason":"stop"}', "inbound");
    expect(result.ok).toBe(true);
    if (result.ok && result.frame.type === "cancel") expect(result.frame.reason).toBe("stop");
  });

  it("keeps the directions apart", () => {
    expect(parseWorkerFrame('{"v":1,"type":"cancel"}', "outbound").ok).toBe(false);
    expect(parseWorkerFrame('{"v":1,"type":"heartbeat","at":"2025-06-01T12:00:00Z"}', "inbound").ok).toBe(
      false,
    );
  });
});

describe("serializeWorkerFrame", () => {
  it("writes exactly one line that parses back to the same frame", () => {
    const frames: (WorkerInboundFrame | WorkerOutboundFrame)[] = [
      { v: 1, type: "text", text: "line one\nline two\r\nline three" },
      { v: 1, type: "tool.result", callId: "c-1", ok: false, error: { code: "not_found", message: "no" } },
    ];
    for (const frame of frames) {
      const line = serializeWorkerFrame(frame);
      expect(line.endsWith("\n")).toBe(true);
      expect(line.slice(0, -1)).not.toMatch(/[\r\n]/);
      const direction = frame.type === "tool.result" ? "inbound" : "outbound";
      expect(parseWorkerFrame(line, direction)).toEqual({ ok: true, frame });
    }
  });
});
