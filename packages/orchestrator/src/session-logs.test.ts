import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerEvent } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { readSessionLog, SessionLogWriter, sessionLogFile } from "./session-logs.ts";

const at = "2026-12-03T10:00:00.000Z";
const line = (agentId: string | undefined, text: string): ServerEvent => ({
  v: 1,
  at,
  type: "log.appended",
  data: { line: text, level: "info", source: "agent", ...(agentId === undefined ? {} : { agentId }) },
});

describe("session logs", () => {
  it("keeps each agent's lines, redacted, and reads them back in pages from an offset", () => {
    using directory = temporaryDirectory();
    const warnings: string[] = [];
    const writer = new SessionLogWriter({
      directory: directory.path,
      environment: { MY_API_KEY: "super-secret-value" },
      warn: (message) => warnings.push(message),
    });
    writer.onEvent(line("coding-1", "reading src/app.ts"));
    writer.onEvent(line(undefined, "an orchestrator line"));
    writer.onEvent(line("coding-2", "other agent"));
    writer.onEvent(line("coding-1", "token super-secret-value here"));
    writer.close();

    const all = readSessionLog(directory.path, "coding-1");
    expect(all.lines.map((entry) => entry.line)).toEqual(["reading src/app.ts", "token [redacted] here"]);
    expect(all.nextOffset).toBe(all.size);
    expect(readFileSync(sessionLogFile(directory.path, "coding-1"), "utf8")).not.toContain("super-secret");

    const first = readSessionLog(directory.path, "coding-1", 0, 10);
    expect(first.lines).toHaveLength(1);
    const rest = readSessionLog(directory.path, "coding-1", first.nextOffset);
    expect(rest.lines.map((entry) => entry.line)).toEqual(["token [redacted] here"]);
    expect(readSessionLog(directory.path, "nobody")).toEqual({
      lines: [],
      nextOffset: 0,
      size: 0,
      truncated: false,
    });
    expect(warnings).toEqual([]);
  });

  it("bounds a session's file and says it was cut", () => {
    using directory = temporaryDirectory();
    const writer = new SessionLogWriter({
      directory: directory.path,
      environment: {},
      limitBytes: 400,
      warn: () => {},
    });
    for (let index = 0; index < 50; index += 1)
      writer.onEvent(line("coding-1", `line ${index} ${"x".repeat(20)}`));
    writer.onEvent({
      v: 1,
      seq: 1,
      at,
      type: "agent.ended",
      data: {
        agentId: "coding-1",
        featureIds: [],
        outcome: "passed",
        usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      },
    });
    const page = readSessionLog(directory.path, "coding-1");
    expect(page.truncated).toBe(true);
    expect(page.size).toBeLessThan(600);
    expect(page.lines.length).toBeLessThan(50);
  });

  it("refuses ids that are paths and offsets past the end", () => {
    using directory = temporaryDirectory();
    expect(() => sessionLogFile(directory.path, "../../etc/passwd")).toThrow(/not a session id/);
    expect(() => sessionLogFile(directory.path, join("a", "b"))).toThrow(/not a session id/);
    const writer = new SessionLogWriter({ directory: directory.path, environment: {}, warn: () => {} });
    writer.onEvent(line("coding-1", "x"));
    writer.close();
    expect(() => readSessionLog(directory.path, "coding-1", 10_000)).toThrow(/offset must be between/);
  });
});
