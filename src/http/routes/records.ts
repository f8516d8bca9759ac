/**
 * Accounts, invoices and payments: the same upserts as the MQTT topics (one object or a
 * batch; good records stored, each refused one reported with field and reason), and the
 * account queries with balances.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import {
  AccountUpsert,
  ErrorBody,
  InvoiceUpsert,
  OneOrMany,
  OptOutChange,
  PaymentRecord,
  UpsertResult,
} from "../../api/payloads.js";
import { changeOptOut, ingestRecords, type RecordKind } from "../../bridge/commands.js";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import { sendError } from "../errors.js";
import type { HttpServices } from "../ports.js";

/** Documented with the schema, validated record by record in ingestRecords (as over MQTT). */
const perRecord = { validatorCompiler: () => () => true };

export const recordRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  const maxBatch = services.config.mqtt.maxBatch;
  const upsert = (
    kind: RecordKind,
    schema: typeof AccountUpsert | typeof InvoiceUpsert | typeof PaymentRecord,
    url: string,
    summary: string,
  ) =>
    app.post(url, {
      ...perRecord,
      preHandler: app.requireWrite,
      schema: {
        tags: ["records"],
        summary,
        body: OneOrMany(schema, maxBatch),
        response: {
          200: UpsertResult,
          400: Type.Intersect([ErrorBody, Type.Object({ result: Type.Optional(UpsertResult) })]),
        },
      },
      handler: async (request, reply) => {
        const result = await ingestRecords(services.ledger, kind, request.body, maxBatch);
        // Everything refused: the request as a whole failed; otherwise the report says what was.
        if (result.refused.length > 0 && result.stored + result.unchanged + result.stale === 0) {
          const first = result.refused[0]!;
          return sendError(
            reply,
            400,
            ErrorCode.PayloadInvalid,
            `${first.id ? first.id + ": " : ""}${first.reason}`,
            first.field ?? "",
            { result },
          );
        }
        return result;
      },
    });
  upsert("accounts", AccountUpsert, "/accounts", "Create or update accounts (one or a batch)");
  upsert("invoices", InvoiceUpsert, "/invoices", "Create or update invoices (one or a batch)");
  upsert("payments", PaymentRecord, "/payments", "Record payments (one or a batch)");

  app.get("/accounts", {
    preHandler: app.requireRead,
    schema: {
      tags: ["records"],
      summary: "Accounts with their balances",
      querystring: Type.Object({
        search: Type.Optional(Type.String({ maxLength: 100 })),
        offset: Type.Integer({ minimum: 0, default: 0 }),
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
      }),
    },
    handler: async (request) => {
      const q = request.query as { search?: string; offset: number; limit: number };
      const page = services.ledger.listAccounts(q);
      return { total: page.total, items: page.items.map((a) => ({ ...a, balance: services.ledger.balance(a.id) })) };
    },
  });

  app.get("/accounts/:id", {
    preHandler: app.requireRead,
    schema: {
      tags: ["records"],
      summary: "One account with its balance and invoices",
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const account = services.ledger.account(id);
      if (!account) throw new DuegateError(ErrorCode.NotFound, `account ${id} is unknown`, { field: "/id" });
      return { account, balance: services.ledger.balance(id), invoices: services.ledger.invoicesOf(id) };
    },
  });

  app.post("/optout", {
    preHandler: app.requireWrite,
    schema: { tags: ["records"], summary: "Opt an account or a number out of SMS, or back in", body: OptOutChange },
    handler: async (request) => ({
      accountIds: await changeOptOut(services, request.body as OptOutChange, "http", request.principal?.name ?? "api"),
    }),
  });
};
