/** Backlog tool inputs: defaults, bounds and the bulk-create index rules. */
import { describe, expect, it } from "vitest";
import {
  backlogToolDescriptions,
  backlogToolInputSchemas,
  backlogToolNames,
  featureCreateBulkInputSchema,
  featureGetBlockedInputSchema,
  featureGetReadyInputSchema,
  featureRequestHumanInputInputSchema,
  projectSetTestCommandInputSchema,
} from "./backlog-tools.ts";

const entry = { category: "core", name: "A", description: "", steps: ["works"] };

describe("backlog tools", () => {
  it("has a schema and a description for every tool", () => {
    expect(Object.keys(backlogToolInputSchemas)).toEqual([...backlogToolNames]);
    expect(Object.keys(backlogToolDescriptions)).toEqual([...backlogToolNames]);
    expect(backlogToolNames).toHaveLength(16);
  });

  it("applies limit defaults and bounds", () => {
    expect(featureGetReadyInputSchema.parse({})).toEqual({ limit: 10 });
    expect(featureGetBlockedInputSchema.parse({})).toEqual({ limit: 20 });
    expect(featureGetReadyInputSchema.safeParse({ limit: 51 }).success).toBe(false);
    expect(featureGetBlockedInputSchema.safeParse({ limit: 0 }).success).toBe(false);
  });

  it("requires a positive feature_id", () => {
    expect(backlogToolInputSchemas.feature_claim.safeParse({ feature_id: 0 }).success).toBe(false);
    expect(backlogToolInputSchemas.feature_claim.parse({ feature_id: 3 })).toEqual({ feature_id: 3 });
  });

  it("requires at least one step on feature_create", () => {
    expect(backlogToolInputSchemas.feature_create.safeParse({ ...entry, steps: [] }).success).toBe(false);
  });

  it("accepts bulk entries that depend on earlier entries", () => {
    const input = { features: [entry, { ...entry, name: "B", depends_on_indices: [0] }] };
    expect(featureCreateBulkInputSchema.parse(input)).toEqual(input);
  });

  it.each([
    ["a forward index", [entry, { ...entry, depends_on_indices: [1] }]],
    ["a self index", [{ ...entry, depends_on_indices: [0] }]],
    ["a duplicate index", [entry, { ...entry, depends_on_indices: [0, 0] }]],
    ["an empty list", []],
  ])("rejects bulk input with %s", (_name, features) => {
    expect(featureCreateBulkInputSchema.safeParse({ features }).success).toBe(false);
  });

  it("rejects duplicate human-input field ids", () => {
    const field = { id: "key", label: "API key", type: "text" };
    const input = { feature_id: 1, prompt: "Need a key", fields: [field, field] };
    expect(featureRequestHumanInputInputSchema.safeParse(input).success).toBe(false);
    expect(featureRequestHumanInputInputSchema.safeParse({ ...input, fields: [field] }).success).toBe(true);
  });

  it("takes one non-empty line as the test command, trimmed", () => {
    expect(projectSetTestCommandInputSchema.parse({ command: "  npm test " })).toEqual({
      command: "npm test",
    });
    expect(projectSetTestCommandInputSchema.parse({ command: "npm test\n" })).toEqual({
      command: "npm test",
    });
    for (const command of ["", "   ", "npm test\nrm -rf /", "a\rb", undefined, 3]) {
      expect(projectSetTestCommandInputSchema.safeParse({ command }).success, JSON.stringify(command)).toBe(
        false,
      );
    }
  });
});
