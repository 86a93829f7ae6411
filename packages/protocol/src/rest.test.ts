/** REST bodies and path parameters. */
import { describe, expect, it } from "vitest";
import {
  featureParamsSchema,
  featurePatchRequestSchema,
  okResponseSchema,
  projectCreateRequestSchema,
  runStartRequestSchema,
  sessionParamsSchema,
} from "./rest.ts";

describe("REST schemas", () => {
  it("validates project creation", () => {
    expect(projectCreateRequestSchema.safeParse({ name: "todo-app", path: "/tmp/todo" }).success).toBe(true);
    expect(projectCreateRequestSchema.safeParse({ name: "bad name", path: "/tmp/todo" }).success).toBe(false);
  });

  it("needs at least one known field in a feature patch", () => {
    expect(featurePatchRequestSchema.safeParse({ name: "Renamed" }).success).toBe(true);
    expect(featurePatchRequestSchema.safeParse({}).success).toBe(false);
    expect(featurePatchRequestSchema.safeParse({ status: "passing" }).success).toBe(false);
    expect(featurePatchRequestSchema.safeParse({ name: "x", status: "passing" }).success).toBe(false);
  });

  it("parses feature ids in paths strictly", () => {
    expect(featureParamsSchema.parse({ name: "p", id: "12" })).toEqual({ name: "p", id: 12 });
    for (const id of ["0", "-1", "1.5", "0x10", "1e3", "", " 1"]) {
      expect(featureParamsSchema.safeParse({ name: "p", id }).success, id).toBe(false);
    }
  });

  it("validates session params, run start and ok", () => {
    expect(sessionParamsSchema.safeParse({ name: "p", sessionId: "sess-1" }).success).toBe(true);
    expect(sessionParamsSchema.safeParse({ name: "p", sessionId: "" }).success).toBe(false);
    expect(runStartRequestSchema.parse({})).toEqual({});
    expect(runStartRequestSchema.safeParse({ concurrency: 17 }).success).toBe(false);
    expect(runStartRequestSchema.safeParse({ provider: "replay", testingAgentRatio: 3 }).success).toBe(true);
    expect(okResponseSchema.safeParse({ ok: false }).success).toBe(false);
  });
});
