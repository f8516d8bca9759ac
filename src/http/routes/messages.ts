/**
 * Messages: direct sends, cancels (by selector or one message), retries, a test message from
 * staff, the message list and one message (with the debtor and why a queued one waits), and
 * the history export as CSV. The panel's Messages and Send pages use these same routes.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { stringify } from "csv-stringify";
import { CancelRequest, SendRequest } from "../../api/payloads.js";
import {
  cancelMessage,
  cancelSelector,
  findMessage,
  listMessages,
  sendDirect,
  sendTestMessage,
} from "../../service/index.js";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import { dateBounds } from "../../core/calendar.js";
import { isMessageState, MESSAGE_STATES } from "../../core/message-states.js";
import type { HttpServices } from "../ports.js";
import type { ListFilter, MessageState, OutboxMessage } from "../../outbox/types.js";
import { CancelResult, EnqueueAnswer, Message, Page } from "../schemas.js";

const ORIGINS = ["dunning", "keyword-reply", "api", "test"] as const;
const Day = (description: string) =>
  Type.String({ format: "date", maxLength: 10, description: `YYYY-MM-DD in the gateway's time zone, ${description}` });
const Filters = {
  state: Type.Optional(
    Type.String({
      maxLength: 200,
      description: `one state or several, comma-separated: ${MESSAGE_STATES.join(", ")}`,
    }),
  ),
  accountId: Type.Optional(Type.String({ maxLength: 64 })),
  invoiceId: Type.Optional(Type.String({ maxLength: 64 })),
  number: Type.Optional(Type.String({ maxLength: 32, description: "any common form" })),
  origin: Type.Optional(
    Type.Union(
      ORIGINS.map((o) => Type.Literal(o)),
      { description: "where it came from: dunning, keyword-reply, api (or staff), test" },
    ),
  ),
  step: Type.Optional(Type.String({ maxLength: 40, description: "a dunning step id, e.g. overdue-7" })),
  since: Type.Optional(Type.Integer({ minimum: 0, description: "createdAt >= since (ms)" })),
  until: Type.Optional(Type.Integer({ minimum: 0, description: "createdAt <= until (ms)" })),
  from: Type.Optional(Day("created on or after")),
  to: Type.Optional(Day("created on or before")),
};
const MessageQuery = Type.Object({
  ...Filters,
  offset: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
});
const ExportQuery = Type.Object(Filters);
type Filters = Static<typeof ExportQuery>;

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const TestMessage = Type.Object(
  {
    to: Type.String({
      minLength: 3,
      maxLength: 254,
      description: "a phone number, or an e-mail address for channel email",
    }),
    text: Type.String({ minLength: 1, maxLength: 1600 }),
    channel: Type.Optional(
      Type.Union([Type.Literal("sms"), Type.Literal("email")], {
        description: "sms (default) or email: a test mail through the outbox's e-mail lane (docs/email.md).",
      }),
    ),
  },
  { additionalProperties: false },
);

/** The outbox's filter from the query; the states and dates are checked here, with the field at fault. */
function listFilter(q: Filters, zone: string): ListFilter {
  const states = q.state ? q.state.split(",").map((x) => x.trim()) : [];
  const bad = states.find((x) => !isMessageState(x));
  if (bad !== undefined)
    throw new DuegateError(ErrorCode.Validation, `state "${bad}" is not one of ${MESSAGE_STATES.join(", ")}`, {
      field: "/state",
    });
  const since = Math.max(q.since ?? 0, q.from ? dateBounds(q.from, zone).start : 0);
  const until = Math.min(
    q.until ?? Number.MAX_SAFE_INTEGER,
    q.to ? dateBounds(q.to, zone).end : Number.MAX_SAFE_INTEGER,
  );
  return {
    ...(states.length ? { state: states as MessageState[] } : {}),
    ...(q.accountId ? { accountId: q.accountId } : {}),
    ...(q.invoiceId ? { invoiceId: q.invoiceId } : {}),
    ...(q.number ? { number: q.number } : {}),
    ...(q.origin ? { originKind: q.origin } : {}),
    ...(q.step ? { step: q.step } : {}),
    ...(since > 0 ? { since } : {}),
    ...(until < Number.MAX_SAFE_INTEGER ? { until } : {}),
  };
}

/** The most rows one export walks (a bound, like every loop here). */
const EXPORT_MAX_ROWS = 1_000_000;
const EXPORT_PAGE = 500;

export const messageRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  const zone = () => services.config.gateway.defaultTimeZone;
  const by = (request: { principal: { name: string } | null }) => request.principal?.name ?? "api";

  app.post("/send", {
    config: { scope: "write" },
    schema: {
      tags: ["messages"],
      summary: "Queue one SMS; the id is the idempotency key (a repeat sends once)",
      body: SendRequest,
      response: { 200: EnqueueAnswer, 202: EnqueueAnswer },
    },
    handler: async (request, reply) => {
      const r = await sendDirect(services.outbox, request.body as SendRequest, "http", by(request));
      return reply.code(r.status === "queued" ? 202 : 200).send({ status: r.status, message: r.message });
    },
  });

  // A clerk's or an admin's one-off message (the panel's Send page): a new message every time, ahead of reminders.
  app.post("/test-messages", {
    config: { scope: "desk" },
    schema: {
      tags: ["messages"],
      summary: "Send a test SMS (or e-mail) now; every request is a new message",
      body: TestMessage,
      response: { 201: Message },
    },
    handler: async (request, reply) => {
      const body = request.body as Static<typeof TestMessage>;
      const result = await sendTestMessage(services.outbox, body, by(request));
      request.log.info(
        {
          event: body.channel === "email" ? "panel.test_email" : "panel.test_sms",
          id: result.message.id,
          by: by(request),
        },
        `test ${body.channel === "email" ? "mail" : "SMS"} queued`,
      );
      return reply.code(201).send(result.message);
    },
  });

  app.post("/cancel", {
    config: { scope: "write" },
    schema: {
      tags: ["messages"],
      summary: "Cancel queued messages by id, idempotency key, invoice or account",
      body: CancelRequest,
      response: { 200: CancelResult },
    },
    handler: async (request) => {
      const body = request.body as CancelRequest;
      return services.outbox.cancel(cancelSelector(body), body.reason ?? `cancelled over HTTP by ${by(request)}`);
    },
  });

  app.post("/messages/:id/cancel", {
    config: { scope: "desk" },
    schema: {
      tags: ["messages"],
      summary: "Cancel one message; 409 when it is already on its way or finished",
      params: Id,
      response: { 200: CancelResult },
    },
    handler: async (request) => cancelMessage(services.outbox, (request.params as { id: string }).id, by(request)),
  });

  app.post("/messages/:id/retry", {
    config: { scope: "desk" },
    schema: {
      tags: ["messages"],
      summary: "Queue a failed message again",
      params: Id,
      response: { 200: Message },
    },
    handler: async (request) => services.outbox.retry((request.params as { id: string }).id),
  });

  app.get("/messages", {
    config: { scope: "read" },
    schema: {
      tags: ["messages"],
      summary: "Messages and their states, newest first, with the debtor and why a queued one waits",
      querystring: MessageQuery,
      response: { 200: Page(Message, "messages, newest first") },
    },
    handler: async (request) => {
      const q = request.query as Static<typeof MessageQuery>;
      return listMessages(services, { ...listFilter(q, zone()), offset: q.offset, limit: q.limit });
    },
  });

  app.get("/messages/:id", {
    config: { scope: "read" },
    schema: {
      tags: ["messages"],
      summary: "One message by the gateway's id or your send id",
      params: Id,
      response: { 200: Message },
    },
    handler: async (request) => findMessage(services, (request.params as { id: string }).id),
  });

  app.get("/export/messages.csv", {
    config: { scope: "read" },
    schema: {
      tags: ["messages"],
      summary: "Message history as CSV (same filters as /messages)",
      querystring: ExportQuery,
      response: { 200: Type.String({ description: "text/csv, one line per message" }) },
    },
    handler: async (request, reply) => {
      const filter = listFilter(request.query as Filters, zone());
      // escape_formulas: a cell starting with = + - @ (a number "+49...") is not run as a spreadsheet formula.
      const csv = stringify({ header: true, columns: CSV_COLUMNS, escape_formulas: true });
      reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="messages.csv"');
      // Paged, so a long history is never one array in memory.
      void (async () => {
        for (let offset = 0; offset < EXPORT_MAX_ROWS; offset += EXPORT_PAGE) {
          const page = services.outbox.list({ ...filter, offset, limit: EXPORT_PAGE });
          for (const m of page.items) if (!csv.write(csvRow(m))) await new Promise((r) => csv.once("drain", r));
          if (page.items.length < EXPORT_PAGE) break;
        }
        csv.end();
      })().catch((e: unknown) => csv.destroy(e instanceof Error ? e : new Error(String(e))));
      return reply.send(csv);
    },
  });
};

const CSV_COLUMNS = [
  "id",
  "idempotencyKey",
  "to",
  "state",
  "createdAt",
  "lastChangeAt",
  "parts",
  "originKind",
  "accountId",
  "invoiceIds",
  "step",
  "failureReason",
];

function csvRow(m: OutboxMessage): Record<string, string | number> {
  const o = m.origin as { kind: string; accountId?: string; invoiceIds?: string[]; step?: string };
  const last = m.history[m.history.length - 1];
  return {
    id: m.id,
    idempotencyKey: m.idempotencyKey,
    to: m.to,
    state: m.state,
    createdAt: new Date(m.createdAt).toISOString(),
    lastChangeAt: last ? new Date(last.at).toISOString() : "",
    parts: m.partCount,
    originKind: o.kind,
    accountId: o.accountId ?? "",
    invoiceIds: (o.invoiceIds ?? []).join(";"),
    step: o.step ?? "",
    failureReason: m.failureReason ?? "",
  };
}
