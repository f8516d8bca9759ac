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
import { accountView, changeOptOut, ingestRecords, listAccounts, type RecordKind } from "../../service/index.js";
import { ErrorCode } from "../../core/errors.js";
import { sendError } from "../errors.js";
import type { HttpServices } from "../ports.js";
import { requesterOf } from "../requester.js";
import { Account, Balance, Invoice, Inbound, Message, OpenRecord, Page } from "../schemas.js";

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
      config: { scope: "write" },
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
    config: { scope: "read" },
    schema: {
      tags: ["records"],
      summary: "Accounts with their balances",
      querystring: Type.Object({
        search: Type.Optional(
          Type.String({ maxLength: 100, description: "id, name, or four or more digits of a number" }),
        ),
        offset: Type.Integer({ minimum: 0, default: 0 }),
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
      }),
      response: { 200: Page(Type.Intersect([Account, Type.Object({ balance: Balance })]), "accounts, in id order") },
    },
    handler: async (request) =>
      listAccounts(services, request.query as { search?: string; offset: number; limit: number }),
  });

  app.get("/accounts/:id", {
    config: { scope: "read" },
    schema: {
      tags: ["records"],
      summary:
        "One account with its balance, invoices, aging, recent messages and replies, desk marks and suppressed numbers",
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      response: {
        200: Type.Object({
          account: Account,
          balance: Balance,
          invoices: Type.Array(Invoice),
          aging: Type.Array(OpenRecord({ currency: Type.String() }, "open amounts by age, per currency")),
          messages: Type.Array(Message, { description: "its latest 500 messages, newest first" }),
          replies: Type.Array(Inbound, { description: "its latest 500 received SMS, newest first" }),
          marks: Type.Array(OpenRecord({ mark: Type.String() }, "a disconnection or hand-off mark not yet cleared")),
          suppressed: Type.Array(Type.String(), { description: "its numbers on the suppression list" }),
        }),
      },
    },
    handler: async (request) =>
      accountView(services, (request.params as { id: string }).id, services.config.gateway.defaultTimeZone),
  });

  // A clerk opts an account out or in from the panel; the accounting server does the same with its key.
  app.post("/optout", {
    config: { scope: "desk" },
    schema: {
      tags: ["records"],
      summary: "Opt an account or a number out of SMS, or back in",
      body: OptOutChange,
      response: { 200: Type.Object({ accountIds: Type.Array(Type.String(), { description: "accounts changed" }) }) },
    },
    handler: async (request) => ({
      accountIds: await changeOptOut(services, request.body as OptOutChange, requesterOf(request)),
    }),
  });
};
