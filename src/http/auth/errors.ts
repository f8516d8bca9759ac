/** The JSON error shape of the whole API, {error:{code,message}}, for the auth adapter. */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DuegateError, ErrorCode, isDuegateError } from "../../core/errors.js";
import { boundMessage } from "../../core/excerpt.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Validation]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.NotCancellable]: 409,
  [ErrorCode.InvalidNumber]: 400,
  [ErrorCode.OptedOut]: 409,
  [ErrorCode.PolicyInvalid]: 400,
  [ErrorCode.TemplateInvalid]: 400,
  [ErrorCode.TextUnencodable]: 400,
};

/** Where in the request the problem is, for a form to show it beside the field. */
function fieldOf(context: Record<string, unknown>): Record<string, string> {
  if (typeof context.field === "string") return { field: context.field };
  if (typeof context.path === "string") return { field: context.path };
  if (typeof context.template === "string" && typeof context.locale === "string")
    return { field: `/templates/${context.template}/${context.locale}` };
  return {};
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(status)
    .type("application/json")
    .send({ error: { code, message: boundMessage(message), ...extra } });
}

/** Error handler of the auth and panel routes: domain errors keep their code, schema failures say which field. */
export function jsonErrorHandler(
  error: FastifyError | DuegateError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (isDuegateError(error)) {
    const retry = error.context.retryAfterMs;
    if (typeof retry === "number") reply.header("retry-after", Math.ceil(retry / 1000));
    return sendError(reply, STATUS[error.code] ?? 400, error.code, error.message, fieldOf(error.context));
  }
  const fe = error as FastifyError;
  if (fe.validation) return sendError(reply, 400, ErrorCode.Validation, `invalid request: ${fe.message}`);
  if (fe.statusCode && fe.statusCode < 500) return sendError(reply, fe.statusCode, fe.code ?? "http.error", fe.message);
  request.log.error({ err: error }, "request failed");
  return sendError(reply, 500, "internal", "internal error; see the log");
}

export { DuegateError, ErrorCode };
