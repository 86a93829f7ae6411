/**
 * The REST API on a real listening server: each route's happy path and its bad inputs (missing field, wrong type,
 * unknown id, cycle, body too large, path outside the allowed roots, symlink escape, two starts of one run), each
 * refusal in the one error shape with the state unchanged afterwards; the guard (token, Host, Origin); the
 * generated OpenAPI document.
 */
import { existsSync, mkdirSync, statSync, symlinkSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { readSecrets } from "@autowright/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServerHarness, startServerHarness } from "./support/server-harness.ts";

let harness: ServerHarness;

/** A GET with headers fetch() will not send (Host). */
function rawGet(
  target: ServerHarness,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port: target.server.port,
        path,
        headers: { authorization: `Bearer ${target.server.token}`, ...headers },
      },
      (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => {
          body += chunk.toString("utf8");
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on("error", reject);
    request.end();
  });
}
beforeEach(async () => {
  harness = await startServerHarness();
});
afterEach(async () => {
  await harness.close();
});

const backlog = [
  { category: "core", name: "Cart", description: "a cart", steps: ["add an item"] },
  { category: "core", name: "Checkout", dependsOnIndices: [0] },
];

describe("the guard", () => {
  it("needs the token on every request, in a header, the cookie or the link", async () => {
    const anonymous = await harness.api("GET", "/api/health", undefined, { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe("unauthorized");
    expect(
      (await harness.api("GET", "/api/health", undefined, { token: "wrong-token-wrong-token" })).status,
    ).toBe(401);
    const health = await harness.api("GET", "/api/health");
    expect(health).toMatchObject({ status: 200, body: { ok: true, protocolVersion: 1 } });

    const link = await harness.api("GET", `/?token=${harness.server.token}`, undefined, { token: null });
    expect(link.status).toBe(200);
    const cookie = link.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^autowright_token=.+; HttpOnly; SameSite=Strict; Path=\//);
    const withCookie = await harness.api("GET", "/api/projects", undefined, {
      token: null,
      headers: { cookie: cookie.split(";")[0] as string },
    });
    expect(withCookie.status).toBe(200);
    expect((await harness.api("GET", "/", undefined, { token: null })).status).toBe(401);
  });

  it("refuses a foreign Host (DNS rebinding) and a cross-site Origin on changes", async () => {
    const rebinding = await rawGet(harness, "/api/health", { host: "evil.example:80" });
    expect(rebinding.status).toBe(403);
    expect(JSON.parse(rebinding.body).error.code).toBe("forbidden");
    expect((await rawGet(harness, "/api/health", { host: `localhost:${harness.server.port}` })).status).toBe(
      200,
    );
    const crossSite = await harness.api(
      "POST",
      "/api/projects",
      { name: "x", path: join(harness.work.path, "x") },
      { headers: { origin: "https://evil.example" } },
    );
    expect(crossSite.status).toBe(403);
    expect(existsSync(join(harness.work.path, "x"))).toBe(false);
    const sameOrigin = await harness.api(
      "POST",
      "/api/projects",
      { name: "x", path: join(harness.work.path, "x") },
      { headers: { origin: harness.server.url } },
    );
    expect(sameOrigin.status).toBe(201);
    // A read from another origin is harmless (no side effect) and still needs the token.
    expect(
      (await harness.api("GET", "/api/health", undefined, { headers: { origin: "https://evil.example" } }))
        .status,
    ).toBe(200);
  });
});

describe("projects", () => {
  it("creates, registers again, lists, shows and removes a project", async () => {
    const root = join(harness.work.path, "shop");
    const created = await harness.api("POST", "/api/projects", {
      name: "shop",
      path: root,
      spec: "# Shop\nA shop.",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ created: true, project: { name: "shop", hasSpec: true } });
    expect(existsSync(join(root, ".git"))).toBe(true);
    expect(existsSync(join(root, ".autowright", "prompts", "coding.md"))).toBe(true);
    const again = await harness.api("POST", "/api/projects", { name: "shop", path: root });
    expect(again).toMatchObject({ status: 200, body: { created: false } });

    const list = await harness.api("GET", "/api/projects");
    expect(list.body.projects.map((project: { name: string }) => project.name)).toEqual(["shop"]);
    const shown = await harness.api("GET", "/api/projects/shop");
    expect(shown.body).toMatchObject({
      project: { name: "shop" },
      run: { active: false, status: "stopped" },
    });

    expect((await harness.api("DELETE", "/api/projects/shop")).status).toBe(200);
    expect((await harness.api("GET", "/api/projects/shop")).status).toBe(404);
    expect(existsSync(root)).toBe(true);
  });

  it.each([
    ["a missing field", { name: "p" }, 400, "invalid_input"],
    ["a wrong type", { name: "p", path: 42 }, 400, "invalid_input"],
    ["an invalid name", { name: "../etc", path: "/tmp/x" }, 400, "invalid_input"],
    ["an unknown field", { name: "p", path: "/tmp/x", owner: "me" }, 400, "invalid_input"],
    ["a relative path", { name: "p", path: "relative/p" }, 400, "invalid_input"],
    [
      "a path outside the allowed roots",
      { name: "p", path: "/etc/autowright-p" },
      400,
      "path_outside_project",
    ],
  ])("refuses %s and changes nothing", async (_case, body, status, code) => {
    const answer = await harness.api("POST", "/api/projects", body);
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect((await harness.api("GET", "/api/projects")).body.projects).toEqual([]);
  });

  it("refuses a symlink that escapes the allowed roots, bad JSON and a body too large", async () => {
    const link = join(harness.work.path, "escape");
    symlinkSync("/etc", link);
    const escaping = await harness.api("POST", "/api/projects", { name: "p", path: join(link, "p") });
    expect(escaping.status).toBe(400);
    expect(escaping.body.error.code).toBe("path_outside_project");
    const badJson = await harness.api("POST", "/api/projects", "{nope");
    expect(badJson.body.error.code).toBe("invalid_json");
    const large = await harness.api("POST", "/api/projects", {
      name: "p",
      path: join(harness.work.path, "p"),
      spec: "x".repeat(2 * 1024 * 1024),
    });
    expect(large.status).toBe(413);
    expect(large.body.error.code).toBe("body_too_large");
    expect((await harness.api("GET", "/api/projects")).body.projects).toEqual([]);
  });

  it("resets a project (quick keeps the spec; full restores the template) and refuses an unknown one", async () => {
    await harness.createProject("shop", backlog);
    await harness.api("PUT", "/api/projects/shop/prompts", { prompts: { "app-spec": "# Shop\n" } });
    // No body at all is a quick reset.
    const quick = await harness.api("POST", "/api/projects/shop/reset");
    expect(quick.body).toEqual({ removedFeatures: 2, mode: "quick" });
    expect((await harness.api("GET", "/api/projects/shop/features")).body.features).toEqual([]);
    expect((await harness.api("GET", "/api/projects/shop")).body.project.hasSpec).toBe(true);
    await harness.api("POST", "/api/projects/shop/reset", { mode: "full" });
    expect((await harness.api("GET", "/api/projects/shop")).body.project.hasSpec).toBe(false);
    expect((await harness.api("POST", "/api/projects/nope/reset", {})).status).toBe(404);
    expect((await harness.api("POST", "/api/projects/shop/reset", { mode: "all" })).status).toBe(400);
  });
});

describe("features", () => {
  it("adds, edits, skips, deletes and graphs features", async () => {
    await harness.createProject("shop", backlog);
    const one = await harness.api("POST", "/api/projects/shop/features", {
      category: "ui",
      name: "Theme",
      steps: ["dark"],
      dependencies: [1],
    });
    expect(one.status).toBe(201);
    expect(one.body.feature).toMatchObject({ id: 3, name: "Theme", dependencies: [1], status: "pending" });
    const patched = await harness.api("PATCH", "/api/projects/shop/features/3", {
      description: "dark mode",
      priority: 0,
    });
    expect(patched.body.feature).toMatchObject({ description: "dark mode", priority: 0 });
    const list = await harness.api("GET", "/api/projects/shop/features");
    expect(list.body.features.map((feature: { id: number }) => feature.id)).toEqual([3, 1, 2]);
    const skipped = await harness.api("POST", "/api/projects/shop/features/3/skip");
    expect(skipped.body.feature.priority).toBeGreaterThan(2);
    const graph = await harness.api("GET", "/api/projects/shop/features/graph");
    expect(graph.body.edges).toEqual(
      expect.arrayContaining([
        { source: 2, target: 1 },
        { source: 3, target: 1 },
      ]),
    );
    expect(graph.body.nodes.find((node: { id: number }) => node.id === 2).blockedBy).toEqual([1]);
    const refused = await harness.api("DELETE", "/api/projects/shop/features/1");
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/#2, #3 depend on it/);
    expect((await harness.api("DELETE", "/api/projects/shop/features/3")).status).toBe(200);
    expect((await harness.api("GET", "/api/projects/shop/features/3")).status).toBe(404);
  });

  it("refuses bad dependency edits and bad bodies, and the backlog is unchanged", async () => {
    await harness.createProject("shop", backlog);
    const before = (await harness.api("GET", "/api/projects/shop/features")).body;
    const cases: [string, string, unknown, number, string][] = [
      ["PUT", "/api/projects/shop/features/1/dependencies", { dependencyIds: [2] }, 400, "dependency_cycle"],
      ["PUT", "/api/projects/shop/features/1/dependencies", { dependencyIds: [1] }, 400, "dependency_self"],
      [
        "PUT",
        "/api/projects/shop/features/1/dependencies",
        { dependencyIds: [99] },
        400,
        "dependency_unknown",
      ],
      ["PUT", "/api/projects/shop/features/1/dependencies", { dependencyIds: "2" }, 400, "invalid_input"],
      ["PUT", "/api/projects/shop/features/99/dependencies", { dependencyIds: [] }, 404, "feature_not_found"],
      ["POST", "/api/projects/shop/features", { description: "no name" }, 400, "invalid_input"],
      ["POST", "/api/projects/shop/features", { name: "x", dependencies: [42] }, 400, "invalid_input"],
      [
        "POST",
        "/api/projects/shop/features/bulk",
        { features: [{ name: "a", dependsOnIndices: [0] }] },
        400,
        "invalid_input",
      ],
      ["POST", "/api/projects/shop/features/bulk", { features: [] }, 400, "invalid_input"],
      ["PATCH", "/api/projects/shop/features/1", { status: "passing" }, 400, "invalid_input"],
      ["PATCH", "/api/projects/shop/features/1", {}, 400, "invalid_input"],
      ["PATCH", "/api/projects/shop/features/1", { dependencies: [2] }, 400, "dependency_cycle"],
      ["PATCH", "/api/projects/shop/features/abc", { name: "x" }, 400, "invalid_input"],
      ["GET", "/api/projects/shop/features/0", undefined, 400, "invalid_input"],
      [
        "POST",
        "/api/projects/shop/features/1/human-input",
        { fields: { a: "b" } },
        409,
        "invalid_transition",
      ],
      ["GET", "/api/projects/nope/features", undefined, 404, "project_not_found"],
    ];
    for (const [method, path, body, status, code] of cases) {
      const answer = await harness.api(method, path, body);
      expect([method, path, answer.status, answer.body?.error?.code]).toEqual([method, path, status, code]);
    }
    expect((await harness.api("GET", "/api/projects/shop/features")).body).toEqual(before);
  });

  it("round-trips the human input an agent asked for", async () => {
    await harness.createProject("shop", backlog);
    const store = harness.server.hosts.host("shop").store;
    store.claimFeature(1, {
      owner: "coding-test",
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      maxAttempts: 3,
    });
    store.changeFeatureStatus(1, {
      to: "needs_input",
      actor: { kind: "session", sessionId: "coding-test" },
      humanInputRequest: {
        prompt: "Which currency?",
        fields: [{ id: "currency", label: "Currency", type: "text", required: true }],
      },
    });
    const unknown = await harness.api("POST", "/api/projects/shop/features/1/human-input", {
      fields: { colour: "red" },
    });
    expect(unknown.status).toBe(400);
    const answered = await harness.api("POST", "/api/projects/shop/features/1/human-input", {
      fields: { currency: "EUR" },
    });
    expect(answered.status).toBe(200);
    expect(answered.body.feature).toMatchObject({
      status: "pending",
      humanInput: { response: { fields: { currency: "EUR" } } },
    });
  });
});

describe("settings and providers", () => {
  it("keeps secrets write-only, in a 0600 file, and validates everything first", async () => {
    const patched = await harness.api("PATCH", "/api/settings", {
      maxAttempts: 5,
      secrets: { ANTHROPIC_API_KEY: "sk-ant-test-0123456789" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.settings.maxAttempts).toBe(5);
    expect(patched.body.secrets.ANTHROPIC_API_KEY).toEqual({ set: true });
    expect(JSON.stringify(patched.body)).not.toContain("sk-ant-test");
    expect(JSON.stringify((await harness.api("GET", "/api/settings")).body)).not.toContain("sk-ant-test");
    expect(readSecrets(harness.home.path)).toEqual({ ANTHROPIC_API_KEY: "sk-ant-test-0123456789" });
    expect(statSync(join(harness.home.path, "secrets.json")).mode & 0o777).toBe(0o600);

    for (const [body, code] of [
      [{ maxAttempts: 0 }, "invalid_input"],
      [{ maxAttempts: "5" }, "invalid_input"],
      [{ maxConcurrency: 9, concurrencyCap: 5 }, "invalid_input"],
      [{ secrets: { HOME: "x" } }, "invalid_input"],
      [{ colour: "red" }, "invalid_input"],
    ] as const) {
      const answer = await harness.api("PATCH", "/api/settings", body);
      expect([JSON.stringify(body), answer.status, answer.body.error?.code]).toEqual([
        JSON.stringify(body),
        400,
        code,
      ]);
    }
    expect((await harness.api("GET", "/api/settings")).body.settings.maxAttempts).toBe(5);
    const removed = await harness.api("PATCH", "/api/settings", { secrets: { ANTHROPIC_API_KEY: null } });
    expect(removed.body.secrets.ANTHROPIC_API_KEY).toEqual({ set: false });

    const providers = await harness.api("GET", "/api/providers");
    expect(providers.body.providers.map((provider: { id: string }) => provider.id)).toEqual([
      "claude",
      "anthropic",
      "openai-compatible",
      "replay",
    ]);
  });
});

describe("the folder browser", () => {
  it("lists sub-folders (hidden ones left out), marks projects, and refuses folders outside the roots", async () => {
    await harness.createProject("shop");
    mkdirSync(join(harness.work.path, ".secret"));
    const listed = await harness.api("GET", `/api/fs/list?path=${encodeURIComponent(harness.work.path)}`);
    expect(listed.status).toBe(200);
    expect(listed.body.entries).toEqual([expect.objectContaining({ name: "shop", isProject: true })]);
    const outside = await harness.api("GET", "/api/fs/list?path=/etc");
    expect(outside.body.error.code).toBe("path_outside_project");
    const missing = await harness.api(
      "GET",
      `/api/fs/list?path=${encodeURIComponent(join(harness.work.path, "nope"))}`,
    );
    expect(missing.status).toBe(404);
  });
});

describe("the OpenAPI document", () => {
  it("describes every API route from the schemas that validate it", async () => {
    const document = (await harness.api("GET", "/api/openapi.json")).body;
    expect(document.openapi).toMatch(/^3\./);
    const paths = Object.keys(document.paths);
    for (const path of [
      "/api/health",
      "/api/projects",
      "/api/projects/{name}",
      "/api/projects/{name}/reset",
      "/api/projects/{name}/features",
      "/api/projects/{name}/features/bulk",
      "/api/projects/{name}/features/graph",
      "/api/projects/{name}/features/{id}",
      "/api/projects/{name}/features/{id}/dependencies",
      "/api/projects/{name}/features/{id}/skip",
      "/api/projects/{name}/features/{id}/human-input",
      "/api/projects/{name}/run",
      "/api/projects/{name}/run/start",
      "/api/projects/{name}/sessions",
      "/api/projects/{name}/sessions/{sessionId}/log",
      "/api/projects/{name}/prompts",
      "/api/settings",
      "/api/providers",
      "/api/fs/list",
    ]) {
      expect(paths, path).toContain(path);
    }
    const create = document.paths["/api/projects/{name}/features"].post;
    expect(create.requestBody.content["application/json"].schema.required).toContain("name");
  });
});
