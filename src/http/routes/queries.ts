/** Read-only views: inbound SMS, the reminder forecast, modem and gateway status. */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { gatewayStatus } from "../../bridge/status.js";
import type { HttpServices } from "../ports.js";
import type { KeywordKind } from "../../api/events.js";

const Paging = {
  offset: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
};

export const queryRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  app.get("/inbound", {
    preHandler: app.requireRead,
    schema: {
      tags: ["inbound"],
      summary: "Received SMS, newest first",
      querystring: Type.Object({
        ...Paging,
        from: Type.Optional(Type.String({ maxLength: 32 })),
        accountId: Type.Optional(Type.String({ maxLength: 64 })),
        keyword: Type.Optional(Type.String({ maxLength: 20 })),
        since: Type.Optional(Type.Integer({ minimum: 0 })),
        until: Type.Optional(Type.Integer({ minimum: 0 })),
        needsStaff: Type.Optional(Type.Boolean()),
      }),
    },
    handler: async (request) => {
      const q = request.query as {
        offset: number;
        limit: number;
        from?: string;
        accountId?: string;
        keyword?: KeywordKind;
        since?: number;
        until?: number;
        needsStaff?: boolean;
      };
      return services.inbound.list(q);
    },
  });

  app.get("/forecast", {
    preHandler: app.requireRead,
    schema: {
      tags: ["reports"],
      summary: "The reminders planned for the next days, in date then account order, one page at a time",
      querystring: Type.Object({
        days: Type.Integer({ minimum: 1, maximum: 90, default: 7 }),
        accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        offset: Type.Integer({ minimum: 0, default: 0 }),
        limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
      }),
    },
    handler: async (request) => {
      const q = request.query as { days: number; accountId?: string; offset: number; limit: number };
      const page = services.dunning.forecastPage(q.days, {
        offset: q.offset,
        limit: q.limit,
        ...(q.accountId ? { accountId: q.accountId } : {}),
      });
      return { total: page.total, offset: page.offset, items: page.items };
    },
  });

  app.get("/modem", {
    preHandler: app.requireRead,
    schema: { tags: ["status"], summary: "Modem health: state, signal, registration, operator" },
    handler: async () => services.modem.health(),
  });

  app.get("/status", {
    preHandler: app.requireRead,
    schema: { tags: ["status"], summary: "The same status the MQTT status topic carries" },
    handler: async () => gatewayStatus(services, "online", services.config.gateway.id),
  });
};
