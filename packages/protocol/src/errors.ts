/**
 * The one error model. Every failure that crosses a process boundary is `{ error: { code, message, details? } }`
 * with `code` from the closed set below, so clients can branch on it and messages can change freely.
 */
import { z } from "zod";

/** Every error code autowright emits. Adding one is a protocol change; removing one is a breaking change. */
export const errorCodes = [
  // Caller mistakes (HTTP 4xx, CLI exit 1).
  "invalid_input",
  "invalid_json",
  "invalid_project_name",
  "not_found",
  "project_not_found",
  "project_exists",
  "feature_not_found",
  "directory_not_found",
  "dependency_self",
  "dependency_unknown",
  "dependency_duplicate",
  "dependency_cycle",
  "dependency_limit",
  "invalid_transition",
  "lease_not_held",
  "lease_held",
  "not_an_autoforge_project",
  "conflict",
  "unauthorized",
  "forbidden",
  "rate_limited",
  "command_denied",
  "path_outside_project",
  "unsupported_protocol_version",
  "feature_blocked",
  "attempts_exhausted",
  "cancelled",
  "store_closed",
  "body_too_large",
  // Failures on our side (HTTP 5xx, CLI exit 1).
  "database_error",
  "migration_failed",
  "internal_error",
] as const;

/** A stable, machine-readable error code. */
export const errorCodeSchema = z.enum(errorCodes);
/** A stable, machine-readable error code. */
export type ErrorCode = z.infer<typeof errorCodeSchema>;

/** The error payload carried on every wire. */
export const errorPayloadSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
/** The error payload carried on every wire. */
export type ErrorPayload = z.infer<typeof errorPayloadSchema>;

/** An error response body: `{ error: { code, message, details? } }`. */
export const errorBodySchema = z.object({ error: errorPayloadSchema });
/** An error response body: `{ error: { code, message, details? } }`. */
export type ErrorBody = z.infer<typeof errorBodySchema>;

const appErrorBrand = Symbol.for("autowright.AppError");

/**
 * The base error of autowright. Carries a stable `code`; checked with {@link AppError.isInstance} (a brand, so it
 * works across bundles where `instanceof` would not).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly [appErrorBrand] = true;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options?.details;
  }

  /** True for any AppError, whichever copy of this module created it. */
  static isInstance(value: unknown): value is AppError {
    return typeof value === "object" && value !== null && appErrorBrand in value;
  }

  /** The wire form of this error. */
  toPayload(): ErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

const internalCodes: ReadonlySet<ErrorCode> = new Set([
  "database_error",
  "migration_failed",
  "internal_error",
]);

/** True when the code describes a failure on our side rather than the caller's mistake. */
export function isInternalErrorCode(code: ErrorCode): boolean {
  return internalCodes.has(code);
}

/** Formats a zod error as one readable line: `path: message; path: message`. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((segment) => String(segment)).join(".");
      return path === "" ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}
