import { AppError } from "@autowright/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createHttpApp, type HttpApp } from "./http-app.ts";

let app: HttpApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function build(): HttpApp {
  const created = createHttpApp({ bodyLimit: 64 });
  created.post(
    "/things/:id",
    {
      schema: {
        params: z.object({ id: z.string().regex(/^[0-9]+$/) }),
        body: z.object({ name: z.string().min(1) }),
      },
    },
    async (request) => {
      if (request.body.name === "taken") throw new AppError("conflict", "that name is taken");
      if (request.body.name === "boom") throw new Error("secret internals");
      return { id: Number(request.params.id), name: request.body.name };
    },
  );
  app = created;
  return created;
}

describe("createHttpApp", () => {
  it("validates with zod and answers the one error model", async () => {
    const server = build();
    const ok = await server.inject({ method: "POST", url: "/things/1", payload: { name: "a" } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ id: 1, name: "a" });

    const missing = await server.inject({ method: "POST", url: "/things/1", payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe("invalid_input");
    expect(missing.json().error.message).toContain("name");

    const wrongType = await server.inject({ method: "POST", url: "/things/x", payload: { name: "a" } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error.message).toContain("params");

    const conflict = await server.inject({ method: "POST", url: "/things/1", payload: { name: "taken" } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({ error: { code: "conflict", message: "that name is taken" } });

    const internal = await server.inject({ method: "POST", url: "/things/1", payload: { name: "boom" } });
    expect(internal.statusCode).toBe(500);
    expect(JSON.stringify(internal.json())).not.toContain("secret internals");
  });

  it("takes an empty JSON body as no body", async () => {
    const server = build();
    server.post("/ping", async (request) => ({ body: request.body ?? null }));
    const empty = await server.inject({
      method: "POST",
      url: "/ping",
      headers: { "content-type": "application/json" },
      payload: "",
    });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({ body: null });
    const poisoned = await server.inject({
      method: "POST",
      url: "/ping",
      headers: { "content-type": "application/json" },
      payload: '{"__proto__":{"admin":true}}',
    });
    expect(poisoned.statusCode).toBe(400);
  });

  it("refuses bad JSON, large bodies and unknown routes in the same shape", async () => {
    const server = build();
    const badJson = await server.inject({
      method: "POST",
      url: "/things/1",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe("invalid_json");

    const large = await server.inject({
      method: "POST",
      url: "/things/1",
      payload: { name: "x".repeat(200) },
    });
    expect(large.statusCode).toBe(413);
    expect(large.json().error.code).toBe("body_too_large");

    const unknown = await server.inject({ method: "GET", url: "/nowhere" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe("not_found");
  });
});
