/**
 * The suppression list over REST (docs/http.md, "Suppressions"): numbers that opted out, with
 * who, when, why and through what. Read scope lists; desk scope (a clerk, or write, which includes it) adds and removes. The web
 * panel uses these same routes with its session (its user is recorded as the source).
 */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import { scopeGuard } from "../auth/guard.js";
import { SuppressionAdd, SuppressionRecordSchema } from "../../api/payloads.js";
import { suppressNumber } from "../../bridge/commands.js";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { ConsentSource } from "../../consent/types.js";
import type { HttpServices } from "../ports.js";

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

/** A person with a session is a panel user; an API key is a machine client. */
function sourceOf(request: FastifyRequest): ConsentSource {
  const p = request.principal;
  return p?.kind === "user" ? { kind: "panel", user: p.name } : { kind: "api", via: "http", by: p?.name ?? "api" };
}

export const suppressionRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  app.get("/suppressions", {
    preHandler: app.requireRead,
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
    preHandler: app.requireRead,
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
    preHandler: scopeGuard("desk"),
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
      const source = sourceOf(request);
      const r = await suppressNumber(
        services,
        body.number,
        source,
        source.kind === "panel" ? "panel" : "http",
        body.reason,
      );
      return reply.code(r.changed ? 201 : 200).send(r);
    },
  });

  app.delete("/suppressions/:number", {
    config: { scope: "desk" },
    preHandler: scopeGuard("desk"),
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
      return services.consent.remove(number, sourceOf(request), reason);
    },
  });
};
