import { AppError } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { parseProjectName, Registry } from "./registry.ts";

const codeOf = (action: () => unknown): string | undefined => {
  try {
    action();
  } catch (error) {
    return AppError.isInstance(error) ? error.code : "not-an-app-error";
  }
  return undefined;
};

describe("Registry", () => {
  it("registers projects, idempotently for the same name and path", () => {
    using home = temporaryDirectory();
    const registry = Registry.open(home.path, { now: () => new Date("2026-01-02T03:04:05.000Z") });
    const first = registry.registerProject({ name: "shop", path: "/projects/shop" });
    expect(first).toEqual({
      created: true,
      project: { name: "shop", path: "/projects/shop", createdAt: "2026-01-02T03:04:05.000Z" },
    });
    expect(registry.registerProject({ name: "shop", path: "/projects/shop" }).created).toBe(false);
    expect(registry.listProjects().map((project) => project.name)).toEqual(["shop"]);
    expect(registry.findProjectByPath("/projects/shop")?.name).toBe("shop");
    registry.close();
  });

  it.each([
    ["the same name at another path", { name: "shop", path: "/elsewhere" }, "project_exists"],
    ["another name at the same path", { name: "store", path: "/projects/shop" }, "project_exists"],
    ["an invalid name", { name: "my shop", path: "/x" }, "invalid_project_name"],
    ["a name over 50 characters", { name: "a".repeat(51), path: "/x" }, "invalid_project_name"],
    ["an empty name", { name: "", path: "/x" }, "invalid_project_name"],
  ])("refuses %s and changes nothing", (_label, input, code) => {
    using home = temporaryDirectory();
    const registry = Registry.open(home.path);
    registry.registerProject({ name: "shop", path: "/projects/shop" });
    expect(codeOf(() => registry.registerProject(input))).toBe(code);
    expect(registry.listProjects()).toHaveLength(1);
    registry.close();
  });

  it("accepts the boundary names", () => {
    expect(parseProjectName("a")).toBe("a");
    expect(parseProjectName("A_b-9".padEnd(50, "x"))).toHaveLength(50);
  });

  it("returns default settings, applies a valid patch and refuses an invalid one whole", () => {
    using home = temporaryDirectory();
    const registry = Registry.open(home.path);
    const defaults = registry.getSettings();
    expect(defaults).toMatchObject({
      maxConcurrency: 3,
      maxAttempts: 3,
      maxDependenciesPerFeature: 20,
      batchSize: 1,
    });
    expect(registry.updateSettings({ maxConcurrency: 4, models: { coding: "big-model" } })).toMatchObject({
      maxConcurrency: 4,
      models: { coding: "big-model", testing: null },
    });
    expect(codeOf(() => registry.updateSettings({ maxConcurrency: 9, batchSize: 2 }))).toBe("invalid_input");
    registry.close();
    const reopened = Registry.open(home.path);
    expect(reopened.getSettings()).toMatchObject({
      maxConcurrency: 4,
      batchSize: 1,
      models: { coding: "big-model" },
    });
    reopened.close();
  });
});
