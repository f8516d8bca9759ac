/** GET /api/v1/panel/logs: recent log lines for the Logs page, already masked by the logger. */
import type { FastifyPluginAsync } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import type { WebServices } from "./ports.js";

const Query = Type.Object({
  level: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 60,
      default: 30,
      description: "pino level: 20 debug, 30 info, 40 warn, 50 error",
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  q: Type.Optional(Type.String({ maxLength: 100, description: "text the line must contain" })),
});

export const logRoutes: FastifyPluginAsync<{ services: WebServices }> = async (app, { services }) => {
  app.get<{ Querystring: Static<typeof Query> }>(
    "/api/v1/panel/logs",
    { schema: { querystring: Query }, config: { scope: "read" } },
    async (request) => {
      const { level = 30, limit = 200, q } = request.query;
      const needle = q?.toLowerCase();
      const lines = services.logRing
        .recent(level, 1000)
        // The generated admin password is logged once for the console, never shown here.
        .filter((l) => l.oneTimeSecret !== true)
        .filter((l) => !needle || JSON.stringify(l).toLowerCase().includes(needle))
        .slice(-limit);
      return { items: lines };
    },
  );
};
