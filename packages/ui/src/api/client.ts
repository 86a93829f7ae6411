/**
 * The one way the dashboard talks REST: same-origin fetch (the token rides in the cookie the server set from the
 * `?token=` link), JSON in and out, answers parsed with the protocol's schemas, failures as {@link ApiError} with
 * the server's stable code and readable message. Nothing here swallows an error.
 */
import { errorBodySchema } from "@autowright/protocol";
import type { z } from "zod";

/** A failed API call: the server's `{ error: { code, message } }`, or a network failure as `network_error`. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(code: string, message: string, status: number, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** The readable message of anything thrown by an API call (or anything else). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Options of one request. */
export interface RequestOptions {
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

/**
 * Sends one request and parses the answer with `schema`. A non-2xx answer throws the server's error; an answer
 * that does not match the schema throws `invalid_response` (a protocol bug, never shown as data).
 */
export async function apiRequest<S extends z.ZodType>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  schema: S,
  options: RequestOptions = {},
): Promise<z.infer<S>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: {
        accept: "application/json",
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError("network_error", "The server cannot be reached. Is `autowright serve` running?", 0);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new ApiError(
      "invalid_response",
      `The server answered ${response.status} with something not JSON.`,
      response.status,
    );
  }
  if (!response.ok) {
    const parsed = errorBodySchema.safeParse(json);
    if (parsed.success)
      throw new ApiError(
        parsed.data.error.code,
        parsed.data.error.message,
        response.status,
        parsed.data.error.details,
      );
    throw new ApiError(
      "http_error",
      `${method} ${path} failed with HTTP ${response.status}.`,
      response.status,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new ApiError(
      "invalid_response",
      `${method} ${path}: the answer does not match the protocol.`,
      response.status,
    );
  return parsed.data;
}

/** `/api/projects/NAME` with the name encoded. */
export function projectPath(project: string, rest = ""): string {
  return `/api/projects/${encodeURIComponent(project)}${rest}`;
}
