/**
 * What the HTTP server writes to the log. Fastify's own per-request lines (incoming, completed,
 * a 4xx answer, a route not found) are info: a line or two for every request would wear the SD
 * card and bury what matters, and a scanner could fill the journal with 404s. They go out at
 * debug (`log.level: debug` shows every request). Errors and warnings stay as fastify writes them.
 *
 * So the server's logger can run at the service's level, and the audit lines the routes write
 * themselves (`request.log.info({ event: "panel.settings", by, ... })`: who changed what in the
 * panel) reach the log at info, with the request's id.
 */
import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

export class QuietRequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, "incoming request");
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) super.requestCompleted(error, request, reply);
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, "request completed");
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (reply.statusCode >= 500) super.defaultErrorLog(error, request, reply);
    else reply.log.debug({ res: reply, err: error }, error?.message);
  }

  override streamError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    // A client that went away mid-answer is the client's business; any other stream error is ours.
    if ((error as { code?: string }).code === "ERR_STREAM_PREMATURE_CLOSE")
      reply.log.debug({ res: reply }, "stream closed prematurely");
    else super.streamError(error, request, reply);
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug(`Route ${request.raw.method}:${request.raw.url} not found`);
  }
}
