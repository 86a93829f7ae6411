import { describe, expect, it } from "vitest";
import { parseRoute, routePath } from "./router.ts";

describe("the routes", () => {
  it("parses every route and writes it back", () => {
    const cases = [
      ["/", { kind: "home" }],
      ["/settings", { kind: "settings" }],
      ["/new", { kind: "new-project" }],
      ["/projects/shop", { kind: "project", project: "shop", view: "dashboard" }],
      ["/projects/shop/graph", { kind: "project", project: "shop", view: "graph" }],
      ["/projects/shop/features/12", { kind: "project", project: "shop", view: "dashboard", featureId: 12 }],
    ] as const;
    for (const [path, route] of cases) {
      expect(parseRoute(path)).toEqual(route);
      expect(routePath(route)).toBe(path);
    }
  });

  it("keeps the view a feature was opened from (history state)", () => {
    expect(parseRoute("/projects/shop/features/3", { view: "kanban" })).toEqual({
      kind: "project",
      project: "shop",
      view: "kanban",
      featureId: 3,
    });
    expect(parseRoute("/projects/shop/features/3", { view: "nonsense" })).toMatchObject({
      view: "dashboard",
    });
  });

  it("says not found for anything else", () => {
    for (const path of [
      "/projects",
      "/projects/shop/unknown",
      "/projects/shop/features/0",
      "/projects/shop/features/x",
      "/nope",
      "/projects/%E0%A4%A",
    ])
      expect(parseRoute(path).kind, path).toBe("not-found");
  });
});
