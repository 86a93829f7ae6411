import { describe, expect, it } from "vitest";
import { LogRing } from "./log-store.ts";

const line = (text: string) => ({
  at: "2026-12-03T12:00:00.000Z",
  line: text,
  level: "info" as const,
  source: "agent" as const,
});

describe("the log ring", () => {
  it("keeps the newest lines up to its capacity, oldest first", () => {
    const ring = new LogRing(3);
    ring.append(["a", "b", "c", "d", "e"].map(line));
    expect(ring.size).toBe(3);
    expect(ring.toArray().map((entry) => entry.line)).toEqual(["c", "d", "e"]);
    expect(ring.at(0)?.line).toBe("c");
    expect(ring.at(2)?.line).toBe("e");
    expect(ring.at(3)).toBeUndefined();
    expect(new Set(ring.toArray().map((entry) => entry.id)).size).toBe(3);
  });

  it("tells its listeners about appends and clears, and not about empty appends", () => {
    const ring = new LogRing(10);
    let calls = 0;
    const unsubscribe = ring.subscribe(() => calls++);
    ring.append([line("x")]);
    ring.append([]);
    const version = ring.version;
    ring.clear();
    expect(ring.version).toBe(version + 1);
    expect(ring.size).toBe(0);
    expect(calls).toBe(2);
    unsubscribe();
    ring.append([line("y")]);
    expect(calls).toBe(2);
  });
});
