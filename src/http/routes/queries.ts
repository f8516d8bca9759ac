/** Received SMS and staff replies, the reminder forecast, modem and gateway status. */
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { gatewayStatus, listInbox, replyTo } from "../../service/index.js";
import type { HttpServices } from "../ports.js";
import type { KeywordKind } from "../../api/events.js";
import { ModemHealthEvent } from "../../api/events.js";
import { GatewayStatus } from "../../api/payloads.js";
import { Inbound, Page, PlannedReminder, ReplyOutcome } from "../schemas.js";

const Reply = Type.Object(
  {
    to: Type.String({ minLength: 3, maxLength: 40, description: "the debtor's number" }),
    text: Type.String({ minLength: 1, maxLength: 1600 }),
    inboundId: Type.Optional(
      Type.String({ maxLength: 100, description: "the received SMS this answers: it leaves the needs-a-person list" }),
    ),
  },
  { additionalProperties: false },
);

const Paging = {
  offset: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
};

export const queryRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  app.get("/inbound", {
    config: { scope: "read" },
    schema: {
      tags: ["inbound"],
      summary: "Received SMS, newest first (with the sender's name and whether a person must act, when the desk runs)",
      querystring: Type.Object({
        ...Paging,
        from: Type.Optional(Type.String({ maxLength: 32 })),
        accountId: Type.Optional(Type.String({ maxLength: 64 })),
        keyword: Type.Optional(Type.String({ maxLength: 20 })),
        since: Type.Optional(Type.Integer({ minimum: 0 })),
        until: Type.Optional(Type.Integer({ minimum: 0 })),
        needsStaff: Type.Optional(Type.Boolean()),
      }),
      response: { 200: Page(Inbound, "received SMS, newest first") },
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
      return listInbox(services, q);
    },
  });

  app.post("/replies", {
    config: { scope: "desk" },
    schema: {
      tags: ["inbound"],
      summary: "Reply to a debtor by SMS (a person's answer; refused for a number that opted out)",
      body: Reply,
      response: { 200: ReplyOutcome },
    },
    handler: async (request) =>
      replyTo(services, request.body as Static<typeof Reply>, request.principal?.name ?? "api"),
  });

  app.get("/forecast", {
    config: { scope: "read" },
    schema: {
      tags: ["reports"],
      summary: "The reminders planned for the next days, in date then account order, one page at a time",
      querystring: Type.Object({
        days: Type.Integer({ minimum: 1, maximum: 90, default: 7 }),
        accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        offset: Type.Integer({ minimum: 0, default: 0 }),
        limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
      }),
      response: {
        200: Type.Object({
          days: Type.Integer({ description: "the days asked for" }),
          total: Type.Integer(),
          offset: Type.Integer(),
          items: Type.Array(PlannedReminder),
        }),
      },
    },
    handler: async (request) => {
      const q = request.query as { days: number; accountId?: string; offset: number; limit: number };
      const page = services.dunning.forecastPage(q.days, {
        offset: q.offset,
        limit: q.limit,
        ...(q.accountId ? { accountId: q.accountId } : {}),
      });
      return { days: q.days, total: page.total, offset: page.offset, items: page.items };
    },
  });

  app.get("/modem", {
    config: { scope: "read" },
    schema: {
      tags: ["status"],
      summary: "Modem health: state, signal, registration, operator",
      response: { 200: ModemHealthEvent },
    },
    handler: async () => services.modem.health(),
  });

  app.get("/status", {
    config: { scope: "read" },
    schema: {
      tags: ["status"],
      summary: "The same status the MQTT status topic carries",
      response: { 200: GatewayStatus },
    },
    handler: async () => gatewayStatus(services, "online", services.config.gateway.id),
  });
};
