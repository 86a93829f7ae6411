import { describe, expect, it } from "vitest";
import { type GuardOptions, guardRequest } from "./request-guard.ts";

const options: GuardOptions = {
  token: "t".repeat(32),
  allowedHosts: new Set(["127.0.0.1", "localhost", "[::1]"]),
  port: 8888,
};
const token = options.token;

function judge(request: Partial<Parameters<typeof guardRequest>[0]>) {
  return guardRequest(
    { method: "GET", url: "/api/health", headers: { host: "127.0.0.1:8888" }, upgrade: false, ...request },
    options,
  );
}

describe("guardRequest", () => {
  it.each([
    ["a bearer token", { headers: { host: "127.0.0.1:8888", authorization: `Bearer ${token}` } }, true],
    ["the cookie", { cookies: { autowright_token: token } }, true],
    ["the link's token (sets the cookie)", { url: `/?token=${token}` }, true],
    ["localhost", { headers: { host: "localhost:8888", authorization: `Bearer ${token}` } }, true],
    ["IPv6 loopback", { headers: { host: "[::1]:8888", authorization: `Bearer ${token}` } }, true],
    ["no token", {}, false],
    ["a wrong token", { headers: { host: "127.0.0.1:8888", authorization: "Bearer nope" } }, false],
    ["a token of another length", { url: "/?token=t" }, false],
    ["a foreign Host", { headers: { host: "evil.example:8888", authorization: `Bearer ${token}` } }, false],
    ["no Host", { headers: { authorization: `Bearer ${token}` } }, false],
    [
      "a cross-site POST",
      {
        method: "POST",
        headers: { host: "127.0.0.1:8888", origin: "https://evil.example", authorization: `Bearer ${token}` },
      },
      false,
    ],
    [
      "a same-origin POST on another port",
      {
        method: "POST",
        headers: {
          host: "127.0.0.1:8888",
          origin: "http://127.0.0.1:9999",
          authorization: `Bearer ${token}`,
        },
      },
      false,
    ],
    [
      "a same-origin POST",
      {
        method: "POST",
        headers: {
          host: "127.0.0.1:8888",
          origin: "http://localhost:8888",
          authorization: `Bearer ${token}`,
        },
      },
      true,
    ],
    [
      "a cross-site WebSocket upgrade with the cookie",
      {
        upgrade: true,
        headers: { host: "127.0.0.1:8888", origin: "https://evil.example" },
        cookies: { autowright_token: token },
      },
      false,
    ],
    [
      "an Origin that is not a URL",
      {
        method: "DELETE",
        headers: { host: "127.0.0.1:8888", origin: "null" },
        cookies: { autowright_token: token },
      },
      false,
    ],
  ])("%s → %s", (_case, request, ok) => {
    expect(judge(request as Partial<Parameters<typeof guardRequest>[0]>).ok).toBe(ok);
  });

  it("says why, and sets the cookie only from a link", () => {
    expect(judge({})).toMatchObject({ ok: false, status: 401, code: "unauthorized" });
    expect(judge({ headers: { host: "evil" } })).toMatchObject({ ok: false, status: 403, code: "forbidden" });
    expect(judge({ url: `/?token=${token}` })).toEqual({ ok: true, setCookie: true });
    expect(judge({ url: `/ws/projects/p?token=${token}`, upgrade: true })).toEqual({
      ok: true,
      setCookie: false,
    });
  });
});
