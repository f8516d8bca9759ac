/**
 * The dashboard's figures in one answer (src/http/web/dashboard.ts): every modem as
 * GET /api/v1/modems gives it, queue and today's counts, the last 14 days, aging and the
 * on-time rate. A thin read over the same functions the other routes use.
 */
import type { FastifyPluginAsync } from "fastify";
import { dashboard } from "../web/dashboard.js";
import type { WebServices } from "../web/ports.js";
import { AnyObject } from "../schemas.js";

export const dashboardRoutes: FastifyPluginAsync<{ services: WebServices }> = async (app, { services }) => {
  app.get("/dashboard", {
    config: { scope: "read" },
    schema: {
      tags: ["modems"],
      summary:
        "The dashboard: every modem's figures, queue and today's counts, messages per day for 14 days, aging, on-time rate",
      // The same modem figures as GET /api/v1/modems (ModemFigures) with the counts beside them: one panel view.
      response: { 200: AnyObject("the dashboard's figures") },
    },
    handler: async () => dashboard(services),
  });
};
