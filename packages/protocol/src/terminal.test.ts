import { describe, expect, it } from "vitest";
import {
  terminalClientFrameSchema,
  terminalCreateRequestSchema,
  terminalInputLimit,
  terminalServerFrameSchema,
} from "./terminal.ts";

describe("terminal frames", () => {
  it.each([
    { type: "input", data: "ls\r" },
    { type: "input", data: "" },
    { type: "resize", cols: 1, rows: 1000 },
    { type: "ping" },
  ])("accepts the client frame %j", (frame) => {
    expect(terminalClientFrameSchema.parse(frame)).toEqual(frame);
  });

  it.each([
    { type: "input" },
    { type: "input", data: 1 },
    { type: "input", data: "x".repeat(terminalInputLimit + 1) },
    { type: "input", data: "x", extra: 1 },
    { type: "resize", cols: 0, rows: 10 },
    { type: "resize", cols: 10, rows: 1001 },
    { type: "resize", cols: 10.5, rows: 10 },
    { type: "output", data: "x" },
    { type: "nope" },
    "input",
    null,
  ])("refuses the client frame %j", (frame) => {
    expect(terminalClientFrameSchema.safeParse(frame).success).toBe(false);
  });

  it("parses every server frame", () => {
    for (const frame of [
      { type: "output", data: "\u001b[31mred\u001b[0m" },
      { type: "exit", exitCode: 0 },
      { type: "exit", exitCode: null, signal: 9 },
      { type: "error", code: "invalid_input", message: "bad frame" },
      { type: "pong" },
    ]) {
      expect(terminalServerFrameSchema.parse(frame)).toEqual(frame);
    }
    expect(terminalServerFrameSchema.safeParse({ type: "error", code: "nope", message: "" }).success).toBe(
      false,
    );
  });

  it("trims names and refuses unknown fields when creating a terminal", () => {
    expect(terminalCreateRequestSchema.parse({ name: "  dev  " })).toEqual({ name: "dev" });
    expect(terminalCreateRequestSchema.safeParse({ name: " " }).success).toBe(false);
    expect(terminalCreateRequestSchema.safeParse({ shell: "/bin/zsh" }).success).toBe(false);
  });
});
