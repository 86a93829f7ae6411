/**
 * The Fastify instance every HTTP surface is built on: zod validation of params, query and bodies (the protocol's
 * schemas), bounded bodies, and the one error model. A route throws `AppError`; it leaves as
 * `{ error: { code, message, details? } }` with the status of its code. Route tests build their app with
 * {@link createHttpApp} too, so they see exactly what clients see.
 */
import { AppError, type ErrorBody, type ErrorCode, isInternalErrorCode } from "@autowright/protocol";
import Fastify, { type FastifyError } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";

/** The Fastify instance with the zod type provider. */
export type HttpApp = ReturnType<typeof createTypedApp>;

/** The largest request body accepted (1 MiB): larger ones are `413 body_too_large`. */
export const defaultBodyLimit = 1024 * 1024;

const statusByCode: Partial<Record<ErrorCode, number>> = {
  invalid_input: 400,
  invalid_json: 400,
  invalid_project_name: 400,
  dependency_self: 400,
  dependency_unknown: 400,
  dependency_duplicate: 400,
  dependency_cycle: 400,
  dependency_limit: 400,
  not_an_autoforge_project: 400,
  path_outside_project: 400,
  unsupported_protocol_version: 400,
  command_denied: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  project_not_found: 404,
  feature_not_found: 404,
  directory_not_found: 404,
  project_exists: 409,
  conflict: 409,
  invalid_transition: 409,
  lease_not_held: 409,
  lease_held: 409,
  feature_blocked: 409,
  attempts_exhausted: 409,
  cancelled: 409,
  store_closed: 503,
  body_too_large: 413,
  rate_limited: 429,
};

/** The HTTP status of an error code. */
export function httpStatusOf(code: ErrorCode): number {
  return statusByCode[code] ?? (isInternalErrorCode(code) ? 500 : 400);
}

/** The error body of an error code and message. */
export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

function createTypedApp(options: { bodyLimit?: number } = {}) {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? defaultBodyLimit,
    // Our own errors carry the reason; Fastify's default 500 page would hide it.
    return503OnClosing: true,
    forceCloseConnections: true,
  }).withTypeProvider<ZodTypeProvider>();
  // An empty body sent as JSON (`curl -H 'Content-Type: application/json' -X POST …/run/pause`) is no body, not an
  // error; anything else goes through Fastify's own parser (which refuses prototype poisoning).
  const jsonParser = app.getDefaultJsonParser("error", "ignore");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") {
      done(null, undefined);
      return;
    }
    jsonParser(request, text, done);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = toErrorResponse(error);
    // Our failures are said on the server's stderr (the client gets no internals).
    if (status >= 500)
      console.error(
        `autowright: ${request.method} ${request.url.split("?")[0]} failed: ${error.stack ?? error.message}${error.cause === undefined ? "" : ` (${JSON.stringify(error.cause).slice(0, 2_000)})`}`,
      );
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(errorBody("not_found", `no route ${request.method} ${request.url.split("?")[0] ?? ""}`));
  });
  return app;
}

/** A Fastify app with zod validation and the error model (see the module comment). */
export function createHttpApp(options: { bodyLimit?: number } = {}): HttpApp {
  return createTypedApp(options);
}

/** Maps anything a route or Fastify throws to a status and an error body. Internal errors say little. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (AppError.isInstance(error)) {
    return { status: httpStatusOf(error.code), body: { error: error.toPayload() } };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => ({
      path: `${error.validationContext ?? "body"}${issue.instancePath.replaceAll("/", ".")}`,
      message: issue.message,
    }));
    return {
      status: 400,
      body: errorBody("invalid_input", issues.map((issue) => `${issue.path}: ${issue.message}`).join("; "), {
        issues,
      }),
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, body: errorBody("body_too_large", "the request body is too large") };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        status: 415,
        body: errorBody("invalid_input", "send JSON (content-type: application/json)"),
      };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, body: errorBody("invalid_json", "the JSON body is empty") };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 400, body: errorBody("invalid_json", "the body is not valid JSON") };
    default:
      break;
  }
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return {
      status: 400,
      body: errorBody("invalid_json", `the body is not valid JSON: ${String(fastifyError.message)}`),
    };
  }
  return { status: 500, body: errorBody("internal_error", "the server failed to handle the request") };
}
