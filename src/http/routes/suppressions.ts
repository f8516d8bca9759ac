/**
 * The suppression list over REST (docs/http.md, "Suppressions"): numbers that opted out, with
 * who, when, why and through what. Read scope lists; desk scope (a clerk, or write, which includes it) adds and removes. The web
 * panel uses these same routes with its session (its user is recorded as the source).
 */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { SuppressionAdd, SuppressionRecordSchema } from "../../api/payloads.js";
import { suppressNumber, unsuppressNumber } from "../../service/index.js";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { HttpServices } from "../ports.js";
import { requesterOf } from "../requester.js";

const NumberParam = Type.Object({
  number: Type.String({ minLength: 3, maxLength: 32, description: "The number, URL-encoded (%2B for +)." }),
});
const ListQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 32, description: "Digits the number contains." })),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
});
const RemoveQuery = Type.Object({
  reason: Type.Optional(Type.String({ maxLength: 200, description: "Why the number may be texted again (recorded)." })),
});
const Changed = Type.Object({
  record: SuppressionRecordSchema,
  changed: Type.Boolean({ description: "false: it already was (added) or was not (removed) suppressed" }),
});

export const suppressionRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  app.get("/suppressions", {
    config: { scope: "read" },
    schema: {
      tags: ["consent"],
      summary: "Numbers on the suppression list, newest first",
      querystring: ListQuery,
      response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(SuppressionRecordSchema) }) },
    },
    handler: async (request) =>
      services.consent.list(request.query as { search?: string; offset: number; limit: number }),
  });

  app.get("/suppressions/:number", {
    config: { scope: "read" },
    schema: {
      tags: ["consent"],
      summary: "One number's consent record (also after a removal)",
      params: NumberParam,
      response: { 200: SuppressionRecordSchema },
    },
    handler: async (request) => {
      const { number } = request.params as { number: string };
      const record = services.consent.get(number);
      if (!record)
        throw new DuegateError(ErrorCode.NotFound, "this number was never on the suppression list", {
          field: "/number",
        });
      return record;
    },
  });

  app.post("/suppressions", {
    config: { scope: "desk" },
    schema: {
      tags: ["consent"],
      summary: "Suppress a number: nothing is sent to it, and accounts with it on file are opted out",
      body: SuppressionAdd,
      response: {
        200: Type.Intersect([Changed, Type.Object({ accountIds: Type.Array(Type.String()) })]),
        201: Type.Intersect([Changed, Type.Object({ accountIds: Type.Array(Type.String()) })]),
      },
    },
    handler: async (request, reply) => {
      const body = request.body as SuppressionAdd;
      const r = await suppressNumber(services, body.number, requesterOf(request), body.reason);
      return reply.code(r.changed ? 201 : 200).send(r);
    },
  });

  app.delete("/suppressions/:number", {
    config: { scope: "desk" },
    schema: {
      tags: ["consent"],
      summary: "Lift a number's suppression (the accounts' own opt-out stays as it is)",
      params: NumberParam,
      querystring: RemoveQuery,
      response: { 200: Changed },
    },
    handler: async (request) => {
      const { number } = request.params as { number: string };
      const { reason } = request.query as { reason?: string };
      return unsuppressNumber(services, number, requesterOf(request), reason);
    },
  });
};
