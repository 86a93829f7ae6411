/**
 * The checks every HTTP request and WebSocket upgrade passes before any route sees it (architecture.md §7):
 * `Host` must be an allowed name (DNS rebinding), `Origin` must be our own on WebSockets and state-changing
 * requests (cross-site WebSocket hijacking, CSRF), and the auth token must come with it (cookie set from the
 * `?token=` link, `Authorization: Bearer`, or `?token=` itself). WebSocket upgrades that fail are accepted and
 * closed with code 4403 and an `error` frame saying why, so a browser client can tell the user.
 */
import type { ErrorCode } from "@autowright/protocol";
import { tokenMatches } from "./auth-token.ts";

/** The name of the cookie that carries the token. */
export const tokenCookieName = "autowright_token";

/** The WebSocket close code of a refused upgrade. */
export const refusedCloseCode = 4403;

/** What the guard needs to know. */
export interface GuardOptions {
  readonly token: string;
  /** Host names (no port) a request may be addressed to. */
  readonly allowedHosts: ReadonlySet<string>;
  /** The port the server listens on (an Origin must name it). */
  port: number;
}

/** A request as the guard sees it. */
export interface GuardedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly cookies?: Record<string, string | undefined>;
  readonly upgrade: boolean;
}

/** The guard's verdict. */
export type GuardVerdict =
  | { readonly ok: true; readonly setCookie: boolean }
  | { readonly ok: false; readonly status: number; readonly code: ErrorCode; readonly message: string };

const safeMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** The host names that are loopback. */
export const loopbackHosts: readonly string[] = ["localhost", "127.0.0.1", "[::1]", "::1"];

/** Judges one request. */
export function guardRequest(request: GuardedRequest, options: GuardOptions): GuardVerdict {
  const host = hostName(header(request.headers, "host"));
  if (host === undefined || !options.allowedHosts.has(host)) {
    return refuse(
      403,
      "forbidden",
      `the Host ${JSON.stringify(header(request.headers, "host") ?? "")} is not allowed`,
    );
  }
  const origin = header(request.headers, "origin");
  if (
    (request.upgrade || !safeMethods.has(request.method)) &&
    origin !== undefined &&
    !originAllowed(origin, options)
  ) {
    return refuse(403, "forbidden", `cross-origin requests are refused (Origin ${origin})`);
  }
  const queryToken = tokenFromQuery(request.url);
  const bearer = bearerToken(header(request.headers, "authorization"));
  const cookie = request.cookies?.[tokenCookieName];
  if (tokenMatches(bearer, options.token) || tokenMatches(cookie, options.token))
    return { ok: true, setCookie: false };
  if (tokenMatches(queryToken, options.token)) return { ok: true, setCookie: !request.upgrade };
  return refuse(
    401,
    "unauthorized",
    "a token is required: open the link `autowright serve` printed, or send Authorization: Bearer <token>",
  );
}

function refuse(status: number, code: ErrorCode, message: string): GuardVerdict {
  return { ok: false, status, code, message };
}

function header(headers: GuardedRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The host name of a Host header, lower case, without the port. */
function hostName(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  const lower = value.toLowerCase();
  if (lower.startsWith("[")) {
    const end = lower.indexOf("]");
    return end === -1 ? undefined : lower.slice(0, end + 1);
  }
  return lower.split(":")[0];
}

function originAllowed(origin: string, options: GuardOptions): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  return options.allowedHosts.has(url.hostname.toLowerCase()) && port === options.port;
}

function bearerToken(value: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? "");
  return match?.[1];
}

function tokenFromQuery(url: string): string | undefined {
  const query = url.indexOf("?");
  if (query === -1) return undefined;
  return new URLSearchParams(url.slice(query + 1)).get("token") ?? undefined;
}
