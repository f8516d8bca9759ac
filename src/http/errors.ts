/**
 * The API's one error shape, {error: {code, message, field}}: domain errors keep their
 * code, schema failures name the field (a JSON pointer), an oversized body is a 413 and
 * malformed JSON a 400, never a stack trace.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ErrorCode, isDuegateError, type DuegateError } from "../core/errors.js";
import { boundMessage, excerpt } from "../core/excerpt.js";

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.Validation]: 400,
  [ErrorCode.PayloadInvalid]: 400,
  [ErrorCode.PayloadMalformed]: 400,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.NotCancellable]: 409,
  [ErrorCode.StaleUpdate]: 409,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.InvalidNumber]: 400,
  [ErrorCode.OptedOut]: 409,
  [ErrorCode.TextUnencodable]: 400,
  [ErrorCode.UnknownTopic]: 404,
  [ErrorCode.PolicyInvalid]: 400,
  [ErrorCode.TemplateInvalid]: 400,
};

/** The HTTP status of a domain error. */
export function statusOf(error: DuegateError): number {
  return STATUS[error.code] ?? 400;
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  field?: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return (
    reply
      .code(status)
      .type("application/json")
      // Every error path passes here: the message quotes at most an excerpt of the input (src/core/excerpt.ts).
      .send({
        error: { code, message: boundMessage(message), ...(field !== undefined ? { field: excerpt(field) } : {}) },
        ...extra,
      })
  );
}

export function apiErrorHandler(
  error: FastifyError | DuegateError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (isDuegateError(error)) {
    const retry = error.context.retryAfterMs;
    if (typeof retry === "number") reply.header("retry-after", Math.ceil(retry / 1000));
    return sendError(reply, statusOf(error), error.code, error.message, fieldOf(error.context));
  }
  const fe = error as FastifyError;
  if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return sendError(
      reply,
      413,
      ErrorCode.PayloadTooLarge,
      `the body is over the limit of ${request.routeOptions.bodyLimit ?? "?"} bytes (http.bodyLimitBytes): split it`,
    );
  if (
    fe.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
    fe.code === "FST_ERR_CTP_EMPTY_JSON_BODY" ||
    fe instanceof SyntaxError
  )
    return sendError(reply, 400, ErrorCode.PayloadMalformed, `the body is not valid JSON: ${fe.message}`, "");
  if (fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
    return sendError(reply, 415, ErrorCode.PayloadMalformed, fe.message);
  if (fe.validation && fe.validation.length > 0) {
    const v = fe.validation[0]!;
    const params = v.params as Record<string, unknown>;
    let field = v.instancePath;
    let reason = v.message ?? "is invalid";
    if (v.keyword === "required" && typeof params.missingProperty === "string")
      [field, reason] = [`${field}/${params.missingProperty}`, "is required"];
    if (v.keyword === "additionalProperties" && typeof params.additionalProperty === "string")
      [field, reason] = [`${field}/${params.additionalProperty}`, "is not a known field"];
    const where = fe.validationContext && fe.validationContext !== "body" ? `${fe.validationContext} ` : "";
    return sendError(reply, 400, ErrorCode.PayloadInvalid, `${where}${field || "(whole)"} ${reason}`, field);
  }
  if (fe.statusCode === 429) return sendError(reply, 429, ErrorCode.RateLimited, fe.message);
  if (fe.statusCode && fe.statusCode < 500) return sendError(reply, fe.statusCode, fe.code ?? "http.error", fe.message);
  request.log.error({ err: error }, "request failed");
  return sendError(reply, 500, "internal", "internal error; see the log");
}

/** Where in the request the problem is, for a client or a form to show it beside the field. */
function fieldOf(context: Record<string, unknown>): string | undefined {
  if (typeof context.field === "string") return normaliseField(context.field);
  if (typeof context.path === "string") return normaliseField(context.path);
  if (typeof context.template === "string" && typeof context.locale === "string")
    return `/templates/${context.template}/${context.locale}`;
  return undefined;
}

/** Domain errors name fields as paths ("phones[1]"); the API speaks JSON pointers. */
function normaliseField(f: string): string {
  if (f === "" || f.startsWith("/")) return f;
  return (
    "/" +
    f
      .replace(/\[(\d+)\]/g, ".$1")
      .split(".")
      .filter(Boolean)
      .join("/")
  );
}
