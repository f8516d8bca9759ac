/**
 * GET /metrics for Prometheus. The figures hold no number, name or amount, but they tell how
 * much the appliance sends, to whom it belongs and whether its modem is up: by default this
 * machine (a scraper or exporter on the appliance itself) reads them without a key, and every
 * other client needs an API key with the metrics (or read) scope. http.metricsAccess "key"
 * asks this machine for a key too.
 */
import { isIP } from "node:net";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "@sinclair/typebox";
import { ErrorCode } from "../core/errors.js";
import { sendError } from "./errors.js";

export type MetricsAccess = "loopback-or-key" | "key";

export interface MetricsSource {
  readonly contentType: string;
  metricsText(): Promise<string>;
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms: the appliance itself. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase().replace(/^::ffff:/, "");
  if (isIP(a) === 4) return a.startsWith("127.");
  return a === "::1";
}

export interface MetricsRouteOptions {
  metrics: MetricsSource;
  /** Read on every request: http.metricsAccess changes without a restart. */
  access: () => MetricsAccess;
}

export const metricsRoute: FastifyPluginAsync<MetricsRouteOptions> = async (server, { metrics, access }) => {
  const allowed = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const p = request.principal;
    if (p && (p.scopes.includes("metrics") || p.scopes.includes("read"))) return true;
    // The socket's address, never a forwarded-for header: a proxy on this machine would make everyone loopback, so it is not trusted here.
    if (access() === "loopback-or-key" && isLoopback(request.socket.remoteAddress)) return true;
    if (p)
      sendError(
        reply,
        403,
        ErrorCode.Forbidden,
        `this ${p.kind === "apikey" ? "API key" : "user"} lacks the "metrics" or "read" permission needed for /metrics`,
      );
    else
      sendError(
        reply,
        401,
        ErrorCode.Unauthorized,
        access() === "key"
          ? "/metrics needs an API key with the metrics scope (Authorization: Bearer <key>; http.metricsAccess is key)"
          : "/metrics needs an API key with the metrics scope (Authorization: Bearer <key>); only this machine may read it without one (http.metricsAccess)",
      );
    return false;
  };
  // "public" for the auth plugin's default-deny: the check above is this route's own.
  server.get(
    "/metrics",
    {
      config: { scope: "public" },
      schema: {
        hide: true,
        response: { 200: Type.String({ description: "Prometheus text exposition format" }) },
      },
    },
    async (request, reply) => {
      if (!allowed(request, reply)) return reply;
      return reply.type(metrics.contentType).send(await metrics.metricsText());
    },
  );
};
