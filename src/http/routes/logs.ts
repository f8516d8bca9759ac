/** GET /logs: recent log lines for the Logs page, already masked by the logger. */
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import type { LogRing } from "../../core/log.js";
import { recentLogs } from "../../service/index.js";
import { AnyObject } from "../schemas.js";

const Query = Type.Object({
  level: Type.Integer({
    minimum: 0,
    maximum: 60,
    default: 30,
    description: "pino level: 20 debug, 30 info, 40 warn, 50 error",
  }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  q: Type.Optional(Type.String({ maxLength: 100, description: "text the line must contain" })),
});

export const logRoutes: FastifyPluginAsync<{ services: { logRing: Pick<LogRing, "recent"> } }> = async (
  app,
  { services },
) => {
  app.get("/logs", {
    config: { scope: "read" },
    schema: {
      tags: ["status"],
      summary: "Recent log lines of this appliance, newest last (numbers masked)",
      querystring: Query,
      response: { 200: Type.Object({ items: Type.Array(AnyObject("one log line as pino writes it")) }) },
    },
    handler: async (request) => {
      const q = request.query as Static<typeof Query>;
      return {
        items: recentLogs(services.logRing, { level: q.level, limit: q.limit, ...(q.q ? { contains: q.q } : {}) }),
      };
    },
  });
};
