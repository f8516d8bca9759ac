/**
 * The collections desk over REST (docs/http.md, "Collections desk"): the clerk's day in one
 * query (GET /today) and the clerk's commands: record a promise, pause or resume, resolve a
 * dispute, mark a reply handled, clear a disconnection or hand-off mark. The commands need
 * the desk scope (role clerk or admin, or an API key with write; src/auth/types.ts).
 */
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { Desk } from "../../desk/desk.js";
import { MARK_KINDS } from "../../desk/desk-book.js";
import { Account, Invoice } from "../schemas.js";

export type DeskPort = Pick<
  Desk,
  "today" | "recordPromise" | "pause" | "resolveDispute" | "handled" | "reopen" | "marks" | "clearMark"
>;

const Money = { amountDue: Type.Integer({ description: "minor units" }), currency: Type.String() };
const Who = { accountId: Type.String(), name: Type.String() };
const MarkKind = Type.Union(MARK_KINDS.map((m) => Type.Literal(m)));
const Mark = Type.Object({
  ...Who,
  mark: MarkKind,
  step: Type.String(),
  invoiceIds: Type.Array(Type.String()),
  at: Type.Integer(),
});

/** A mark as the desk keeps it (src/desk/desk-book.ts AccountMark): the Today page adds the name. */
const AccountMark = Type.Omit(Mark, ["name"]);
const Handled = Type.Object({
  by: Type.String(),
  at: Type.Integer(),
  how: Type.Union([Type.Literal("replied"), Type.Literal("resolved")]),
});
const Nothing = Type.Null({ description: "no content" });

export const TodaySchema = Type.Object({
  date: Type.String({ description: "today, YYYY-MM-DD in the gateway's time zone" }),
  timeZone: Type.String(),
  reminders: Type.Array(
    Type.Object({
      ...Who,
      step: Type.String(),
      ...Money,
      state: Type.String({ description: "the message's state in the outbox, or not-enqueued" }),
      messageId: Type.Optional(Type.String()),
      at: Type.Integer(),
    }),
    { description: "reminders the engine decided today, newest first: sent and waiting" },
  ),
  replies: Type.Array(
    Type.Object({
      id: Type.String(),
      from: Type.String(),
      text: Type.String(),
      keyword: Type.Optional(Type.String()),
      receivedAt: Type.Integer(),
      accountId: Type.Optional(Type.String()),
      name: Type.Optional(Type.String()),
    }),
    { description: "replies that need a person and nobody has handled yet" },
  ),
  promises: Type.Array(
    Type.Object({
      ...Who,
      date: Type.String(),
      status: Type.Union([Type.Literal("due-today"), Type.Literal("broken")]),
      ...Money,
    }),
    {
      description: "promises to pay falling due today, and those of the last 14 days not kept",
    },
  ),
  disputes: Type.Array(
    Type.Object({
      ...Who,
      invoiceId: Type.String(),
      number: Type.String(),
      ...Money,
      text: Type.Optional(Type.String()),
    }),
    { description: "invoices in dispute" },
  ),
  marks: Type.Array(Mark, {
    description: "accounts a dunning step marked for disconnection or hand-off, until a clerk clears the mark",
  }),
  optOuts: Type.Array(
    Type.Object({
      ...Who,
      channel: Type.Union([Type.Literal("sms"), Type.Literal("email")]),
      number: Type.Optional(Type.String({ description: "when the change was made for a number" })),
      optedOut: Type.Boolean(),
      source: Type.String(),
      at: Type.Integer(),
    }),
    {
      description:
        "opt-outs and opt-ins today, newest first: the suppression list's changes for each account with the number on file, and changes made on one account",
    },
  ),
});

const AccountId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const Day = Type.String({ maxLength: 10, description: "YYYY-MM-DD" });
const PromiseBody = Type.Object({ date: Day }, { additionalProperties: false });
const Pause = Type.Object(
  { until: Type.Optional(Type.Union([Day, Type.Null()], { description: "absent or null: resume reminders now" })) },
  { additionalProperties: false },
);
const MarkParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  mark: Type.String({ maxLength: 20 }),
});

export const deskRoutes: FastifyPluginAsync<{ services: { desk?: DeskPort } }> = async (app, { services }) => {
  const desk = (): DeskPort => {
    if (!services.desk)
      throw new DuegateError(ErrorCode.NotFound, "the collections desk is not running on this appliance", {});
    return services.desk;
  };
  const by = (request: { principal?: { name: string } | null }) => request.principal?.name ?? "api";

  app.get("/today", {
    config: { scope: "read" },
    schema: {
      tags: ["desk"],
      summary:
        "The clerk's day: reminders sent and waiting, replies needing a person, promises due or broken, disputes, marks, opt-outs",
      response: { 200: TodaySchema },
    },
    handler: async () => desk().today(),
  });

  app.post<{ Params: Static<typeof AccountId>; Body: Static<typeof PromiseBody> }>("/accounts/:id/promise", {
    config: { scope: "desk" },
    schema: {
      tags: ["desk"],
      summary: "Record a promise to pay: reminders pause until the date (today to 90 days ahead)",
      params: AccountId,
      body: PromiseBody,
      response: { 200: Account },
    },
    handler: async (request) => desk().recordPromise(request.params.id, request.body.date, by(request)),
  });

  app.post<{ Params: Static<typeof AccountId>; Body: Static<typeof Pause> }>("/accounts/:id/pause", {
    config: { scope: "desk" },
    schema: {
      tags: ["desk"],
      summary: "Pause reminders until a date, or resume them (until absent or null)",
      params: AccountId,
      body: Pause,
      response: { 200: Account },
    },
    handler: async (request) => desk().pause(request.params.id, request.body.until ?? undefined, by(request)),
  });

  app.get<{ Params: Static<typeof AccountId> }>("/accounts/:id/marks", {
    config: { scope: "read" },
    schema: {
      tags: ["desk"],
      summary: "The disconnection and hand-off marks of an account not yet cleared",
      params: AccountId,
      response: { 200: Type.Object({ items: Type.Array(AccountMark) }) },
    },
    handler: async (request) => ({ items: desk().marks(request.params.id) }),
  });

  app.delete<{ Params: Static<typeof MarkParams> }>("/accounts/:id/marks/:mark", {
    config: { scope: "desk" },
    schema: {
      tags: ["desk"],
      summary: "Clear a mark (disconnect or handoff) once it is seen to",
      params: MarkParams,
      response: { 200: AccountMark },
    },
    handler: async (request) => {
      const mark = request.params.mark;
      if (!(MARK_KINDS as readonly string[]).includes(mark))
        throw new DuegateError(ErrorCode.Validation, `mark must be one of ${MARK_KINDS.join(", ")}, got "${mark}"`, {
          field: "mark",
        });
      const cleared = await desk().clearMark(request.params.id, mark as (typeof MARK_KINDS)[number]);
      request.log.info(
        { event: "desk.mark_cleared", accountId: request.params.id, mark, by: by(request) },
        "mark cleared",
      );
      return cleared;
    },
  });

  app.post<{ Params: Static<typeof AccountId> }>("/invoices/:id/resolve-dispute", {
    config: { scope: "desk" },
    schema: {
      tags: ["desk"],
      summary: "The dispute is settled: the invoice is open again and reminders resume",
      params: AccountId,
      response: { 200: Invoice },
    },
    handler: async (request) => desk().resolveDispute(request.params.id),
  });

  app.post<{ Params: Static<typeof AccountId> }>("/inbound/:id/handled", {
    config: { scope: "desk" },
    schema: {
      tags: ["desk"],
      summary: "A person has dealt with this reply: it leaves the needs-a-person list",
      params: AccountId,
      response: { 200: Handled },
    },
    handler: async (request) => desk().handled(request.params.id, by(request), "resolved"),
  });

  app.delete<{ Params: Static<typeof AccountId> }>("/inbound/:id/handled", {
    config: { scope: "desk" },
    schema: { tags: ["desk"], summary: "Back to needs a person", params: AccountId, response: { 204: Nothing } },
    handler: async (request, reply) => {
      await desk().reopen(request.params.id);
      return reply.code(204).send();
    },
  });
};
