/** Page data for the panel that the REST API does not give in the shape a page needs. */
import type { FastifyPluginAsync } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { MessageState, OutboxMessage } from "../../outbox/types.js";
import type { WaitReason } from "../../outbox/wait-reason.js";
import type { KeywordKind } from "../../api/events.js";
import type { InboxFilter } from "../../inbound/types.js";
import type { WebServices } from "./ports.js";
import { agingOf } from "../../dunning/reports/index.js";
import { dateBounds, localDate } from "../../core/calendar.js";
import { isMessageState } from "../../core/message-states.js";
import { setting } from "./settings-view.js";

const ORIGINS = ["dunning", "keyword-reply", "api", "test"] as const;
const Paging = {
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
};
const MessagesQuery = Type.Object({
  ...Paging,
  state: Type.Optional(Type.String({ maxLength: 100, description: "one state or several, comma-separated" })),
  number: Type.Optional(Type.String({ maxLength: 40 })),
  account: Type.Optional(Type.String({ maxLength: 100 })),
  origin: Type.Optional(
    Type.Union(
      ORIGINS.map((o) => Type.Literal(o)),
      { description: "dunning, keyword-reply, api or test" },
    ),
  ),
  step: Type.Optional(Type.String({ maxLength: 40, description: "a dunning step id, overdue-7" })),
  since: Type.Optional(Type.String({ format: "date", description: "YYYY-MM-DD, created on or after (gateway zone)" })),
  until: Type.Optional(Type.String({ format: "date", description: "YYYY-MM-DD, created on or before" })),
});
const InboxQuery = Type.Object({
  ...Paging,
  from: Type.Optional(Type.String({ maxLength: 40 })),
  keyword: Type.Optional(Type.String({ maxLength: 20 })),
  needsStaff: Type.Optional(Type.Boolean()),
});
const AccountsQuery = Type.Object({ ...Paging, search: Type.Optional(Type.String({ maxLength: 100 })) });
const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
/** Entries the calendar page shows at most (50,000 accounts plan ~120,000 reminders a month). */
const CALENDAR_LIMIT = 2000;
const Days = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, default: 30 })) });

function need<T>(service: T | undefined, name: string): T {
  if (!service)
    throw new DuegateError(ErrorCode.NotFound, `${name} is not running on this appliance`, { service: name });
  return service;
}

export const panelReadRoutes: FastifyPluginAsync<{ services: WebServices }> = async (app, { services: s }) => {
  const zone = () => setting(s.config, "gateway.defaultTimeZone", "UTC");

  app.get<{ Querystring: Static<typeof MessagesQuery> }>(
    "/api/v1/panel/messages",
    { schema: { querystring: MessagesQuery }, config: { scope: "read" } },
    async (request) => {
      const q = request.query;
      const states = q.state ? q.state.split(",").filter(isMessageState) : undefined;
      const outbox = need(s.outbox, "the outbox");
      const page = outbox.list({
        ...(q.origin ? { originKind: q.origin } : {}),
        ...(q.step ? { step: q.step } : {}),
        ...(states?.length ? { state: states as MessageState[] } : {}),
        ...(q.number ? { number: q.number } : {}),
        ...(q.account ? { accountId: q.account } : {}),
        ...(q.since ? { since: dateBounds(q.since, zone()).start } : {}),
        ...(q.until ? { until: dateBounds(q.until, zone()).end } : {}),
        offset: q.offset ?? 0,
        limit: q.limit ?? 50,
      });
      const now = s.clock.now();
      return { total: page.total, items: page.items.map((m) => withDebtor(s, m, now)) };
    },
  );

  app.get<{ Params: Static<typeof Id> }>(
    "/api/v1/panel/messages/:id",
    { schema: { params: Id }, config: { scope: "read" } },
    async (request) => {
      const m = need(s.outbox, "the outbox").get(request.params.id);
      if (!m) throw new DuegateError(ErrorCode.NotFound, `no message ${request.params.id}`, { id: request.params.id });
      return withDebtor(s, m, s.clock.now());
    },
  );

  app.get<{ Querystring: Static<typeof InboxQuery> }>(
    "/api/v1/panel/inbox",
    { schema: { querystring: InboxQuery }, config: { scope: "read" } },
    async (request) => {
      const q = request.query;
      const inbox = s.desk ?? { inbox: (f: InboxFilter) => need(s.inbound, "the inbox").list(f) };
      return inbox.inbox({
        ...(q.from ? { from: q.from } : {}),
        ...(q.keyword ? { keyword: q.keyword as KeywordKind } : {}),
        ...(q.needsStaff ? { needsStaff: true } : {}),
        offset: q.offset ?? 0,
        limit: q.limit ?? 50,
      });
    },
  );

  app.get<{ Querystring: Static<typeof Days> }>(
    "/api/v1/panel/calendar",
    { schema: { querystring: Days }, config: { scope: "read" } },
    async (request) => {
      const days = request.query.days ?? 30;
      // A Pi's browser gets one bounded page; the total says how much more there is.
      const page = need(s.dunning, "the dunning engine").forecastPage(days, { offset: 0, limit: CALENDAR_LIMIT });
      return { days, total: page.total, items: page.items };
    },
  );

  app.get<{ Querystring: Static<typeof AccountsQuery> }>(
    "/api/v1/panel/accounts",
    { schema: { querystring: AccountsQuery }, config: { scope: "read" } },
    async (request) => {
      const ledger = need(s.ledger, "the ledger");
      const { total, items } = ledger.listAccounts({
        ...(request.query.search ? { search: request.query.search } : {}),
        offset: request.query.offset ?? 0,
        limit: request.query.limit ?? 50,
      });
      return {
        total,
        items: items.map((a) => {
          const open = ledger
            .invoicesOf(a.id)
            .filter((i) => i.amountDue > 0 && i.status !== "paid" && i.status !== "void");
          const due: Record<string, number> = {};
          for (const i of open) due[i.currency] = (due[i.currency] ?? 0) + i.amountDue;
          return { ...a, openInvoices: open.length, due };
        }),
      };
    },
  );

  app.get<{ Params: Static<typeof Id> }>(
    "/api/v1/panel/accounts/:id",
    { schema: { params: Id }, config: { scope: "read" } },
    async (request) => accountView(s, request.params.id, zone()),
  );

  app.get("/api/v1/panel/policy", { config: { scope: "read" } }, async () =>
    need(s.dunning, "the dunning engine").policy(),
  );
};

/** A message as the panel lists it: the debtor's name and account, and for a waiting one why it waits. */
function withDebtor(
  s: WebServices,
  m: OutboxMessage,
  now: number,
): OutboxMessage & { accountId?: string; name?: string; wait?: WaitReason } {
  const o = m.origin;
  const accountId =
    o.kind === "dunning"
      ? o.accountId
      : o.kind === "keyword-reply"
        ? o.accountIds[0]
        : o.kind === "api"
          ? o.accountId
          : undefined;
  const name = accountId ? s.ledger?.account(accountId)?.name : undefined;
  const wait = s.outbox?.waitReason?.(m, now);
  return { ...m, ...(accountId ? { accountId } : {}), ...(name ? { name } : {}), ...(wait ? { wait } : {}) };
}

function accountView(s: WebServices, id: string, zone: string): Record<string, unknown> {
  const ledger = need(s.ledger, "the ledger");
  const account = ledger.account(id);
  if (!account) throw new DuegateError(ErrorCode.NotFound, `no account ${id}`, { id });
  const invoices = ledger.invoicesOf(id);
  const messages = s.outbox?.list({ accountId: id, limit: 500 }).items ?? [];
  const replies = s.inbound?.list({ accountId: id, limit: 500 }).items ?? [];
  const marks = s.desk?.marks(id) ?? [];
  // Its numbers on the suppression list: no SMS goes to them even if the account is opted in.
  const suppressed = (s.consent?.recordsOf(account.phones) ?? []).filter((r) => r.suppressed).map((r) => r.number);
  return {
    account,
    invoices,
    aging: agingOf(invoices, localDate(s.clock.now(), zone)),
    messages,
    replies,
    marks,
    suppressed,
  };
}
