/** The JSON error shape of the whole API, {error:{code,message}}, for the auth adapter. */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DuegateError, ErrorCode, isDuegateError } from "../../core/errors.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Validation]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.RateLimited]: 429,
};

export function sendError(reply: FastifyReply, status: number, code: string, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).type("application/json").send({ error: { code, message, ...extra } });
}

/** Error handler of the auth routes: domain errors keep their code, schema failures say which field. */
export function authErrorHandler(error: FastifyError | DuegateError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isDuegateError(error)) {
    const retry = error.context.retryAfterMs;
    if (typeof retry === "number") reply.header("retry-after", Math.ceil(retry / 1000));
    const field = typeof error.context.field === "string" ? { field: error.context.field } : {};
    return sendError(reply, STATUS[error.code] ?? 400, error.code, error.message, field);
  }
  const fe = error as FastifyError;
  if (fe.validation) return sendError(reply, 400, ErrorCode.Validation, `invalid request: ${fe.message}`);
  if (fe.statusCode && fe.statusCode < 500) return sendError(reply, fe.statusCode, fe.code ?? "http.error", fe.message);
  request.log.error({ err: error }, "auth route failed");
  return sendError(reply, 500, "internal", "internal error; see the log");
}

export { DuegateError, ErrorCode };
