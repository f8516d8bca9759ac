/** Direct sends, cancels, the messages and their states, and the history export as CSV. */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { stringify } from "csv-stringify";
import { CancelRequest, SendRequest } from "../../api/payloads.js";
import { cancelSelector, sendDirect } from "../../bridge/commands.js";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { HttpServices } from "../ports.js";
import type { MessageState, OutboxMessage } from "../../outbox/types.js";
import { MESSAGE_STATES } from "../../core/message-states.js";

const MessageQuery = Type.Object({
  state: Type.Optional(Type.Union(MESSAGE_STATES.map((s) => Type.Literal(s)))),
  accountId: Type.Optional(Type.String({ maxLength: 64 })),
  invoiceId: Type.Optional(Type.String({ maxLength: 64 })),
  number: Type.Optional(Type.String({ maxLength: 32 })),
  since: Type.Optional(Type.Integer({ minimum: 0, description: "createdAt >= since (ms)" })),
  until: Type.Optional(Type.Integer({ minimum: 0, description: "createdAt <= until (ms)" })),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
});
type MessageQuery = {
  state?: MessageState;
  accountId?: string;
  invoiceId?: string;
  number?: string;
  since?: number;
  until?: number;
  offset: number;
  limit: number;
};

/** The most rows one export walks (a bound, like every loop here). */
const EXPORT_MAX_ROWS = 1_000_000;
const EXPORT_PAGE = 500;

export const messageRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  app.post("/send", {
    preHandler: app.requireWrite,
    schema: {
      tags: ["messages"],
      summary: "Queue one SMS; the id is the idempotency key (a repeat sends once)",
      body: SendRequest,
    },
    handler: async (request, reply) => {
      const r = await sendDirect(
        services.outbox,
        request.body as SendRequest,
        "http",
        request.principal?.name ?? "api",
      );
      return reply.code(r.status === "queued" ? 202 : 200).send({ status: r.status, message: r.message });
    },
  });

  app.post("/cancel", {
    preHandler: app.requireWrite,
    schema: {
      tags: ["messages"],
      summary: "Cancel queued messages by id, idempotency key, invoice or account",
      body: CancelRequest,
    },
    handler: async (request) => {
      const body = request.body as CancelRequest;
      return services.outbox.cancel(
        cancelSelector(body),
        body.reason ?? `cancelled over HTTP by ${request.principal?.name ?? "api"}`,
      );
    },
  });

  app.get("/messages", {
    preHandler: app.requireRead,
    schema: { tags: ["messages"], summary: "Messages and their states, newest first", querystring: MessageQuery },
    handler: async (request) => services.outbox.list(request.query as MessageQuery),
  });

  app.get("/messages/:id", {
    preHandler: app.requireRead,
    schema: {
      tags: ["messages"],
      summary: "One message by the gateway's id or your send id",
      params: Type.Object({ id: Type.String({ maxLength: 200 }) }),
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const m =
        services.outbox.get(id) ??
        services.outbox.byIdempotencyKey(`send:${id}`) ??
        services.outbox.byIdempotencyKey(id);
      if (!m) throw new DuegateError(ErrorCode.NotFound, `message ${id} is unknown`, { field: "/id" });
      return m;
    },
  });

  app.get("/export/messages.csv", {
    preHandler: app.requireRead,
    schema: {
      tags: ["messages"],
      summary: "Message history as CSV (same filters as /messages)",
      querystring: Type.Omit(MessageQuery, ["offset", "limit"]),
    },
    handler: async (request, reply) => {
      const q = request.query as Omit<MessageQuery, "offset" | "limit">;
      // escape_formulas: a cell starting with = + - @ (a number "+49...") is not run as a spreadsheet formula.
      const csv = stringify({ header: true, columns: CSV_COLUMNS, escape_formulas: true });
      reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="messages.csv"');
      // Paged, so a long history is never one array in memory.
      void (async () => {
        for (let offset = 0; offset < EXPORT_MAX_ROWS; offset += EXPORT_PAGE) {
          const page = services.outbox.list({ ...q, offset, limit: EXPORT_PAGE });
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
