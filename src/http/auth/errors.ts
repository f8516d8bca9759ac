/** The JSON error shape of the whole API, {error:{code,message}}, for the auth adapter. */
import type { FastifyReply } from "fastify";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import { boundMessage } from "../../core/excerpt.js";

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

/** The auth routes answer errors as the whole API does (src/http/errors.ts): one envelope for every route. */
export { apiErrorHandler as jsonErrorHandler } from "../errors.js";

export { DuegateError, ErrorCode };
