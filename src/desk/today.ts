/**
 * The clerk's day in one answer: who was reminded today (sent or waiting), the replies that
 * need a person, promises falling due today or broken, open disputes, marks for
 * disconnection or hand-off, and today's opt-outs. Every line names the account, so the
 * panel links each to it. Built from the domain's own records (the engine's step records,
 * the outbox, the inbox, the ledger) and the desk book; nothing here is stored twice.
 */
import type { Account, Invoice } from "../ledger/types.js";
import type { InboundRecord, InboxFilter } from "../inbound/types.js";
import type { ListFilter, MessageState, OutboxMessage } from "../outbox/types.js";
import type { StepRecord } from "../dunning/step-memory.js";
import { needsStaff } from "../inbound/inbox.js";
import { addDays } from "../core/calendar.js";
import type { AccountMark, Handled } from "./desk-book.js";
import type { OptOutEvent } from "../api/events.js";

export interface TodaySources {
  ledger: {
    account(id: string): Account | undefined;
    forEachAccountWithInvoices(visit: (account: Account, invoices: Invoice[]) => void): void;
    invoicesOf(accountId: string): Invoice[];
  };
  outbox: { list(filter: ListFilter): { total: number; items: OutboxMessage[] } };
  inbound: { list(filter: InboxFilter): { total: number; items: InboundRecord[] } };
  stepRecords(): readonly StepRecord[];
  book: {
    marks(): AccountMark[];
    optOutsSince(since: number): OptOutEvent[];
    handled(id: string): Handled | undefined;
  };
}

export interface TodayReminder {
  accountId: string;
  name: string;
  step: string;
  amountDue: number;
  currency: string;
  /** The outbox's state; "not-enqueued" when the engine decided but the outbox refused it. */
  state: MessageState | "not-enqueued";
  messageId?: string;
  at: number;
}

export interface TodayReply {
  id: string;
  from: string;
  text: string;
  keyword?: string;
  receivedAt: number;
  accountId?: string;
  name?: string;
}

export interface TodayPromise {
  accountId: string;
  name: string;
  date: string;
  status: "due-today" | "broken";
  amountDue: number;
  currency: string;
}

export interface TodayDispute {
  accountId: string;
  name: string;
  invoiceId: string;
  number: string;
  amountDue: number;
  currency: string;
  text?: string;
}

export interface TodayMark extends AccountMark {
  name: string;
}

export interface TodayOptOut {
  accountId: string;
  name: string;
  optedOut: boolean;
  source: string;
  at: number;
}

export interface Today {
  date: string;
  timeZone: string;
  reminders: TodayReminder[];
  replies: TodayReply[];
  promises: TodayPromise[];
  disputes: TodayDispute[];
  marks: TodayMark[];
  optOuts: TodayOptOut[];
}

/** A promise not kept is shown this many days after its date, then it is old news for the reports. */
export const BROKEN_PROMISE_DAYS = 14;
/** Replies read for "needs a person": the newest of the in-memory inbox. */
const REPLY_SCAN = 500;
/** The reminders of a day the page shows at most (the modem sends a few thousand a day at most). */
const REMINDER_LIMIT = 2000;

/** Pause reasons that are promises: the PROMISE keyword's and the panel's (src/desk/desk.ts). */
export function isPromise(account: Pick<Account, "pauseReason">): boolean {
  return account.pauseReason?.startsWith("promise to pay") === true;
}

function owed(invoices: Invoice[], currency: string): number {
  return invoices
    .filter((i) => i.currency === currency && i.amountDue > 0 && (i.status === "open" || i.status === "disputed"))
    .reduce((sum, i) => sum + i.amountDue, 0);
}

export function buildToday(
  src: TodaySources,
  bounds: { date: string; start: number; end: number; timeZone: string },
): Today {
  const nameOf = (id: string) => src.ledger.account(id)?.name ?? "(erased)";
  const { start, end, date } = bounds;

  const messages = new Map(
    src.outbox.list({ since: start, until: end, limit: REMINDER_LIMIT }).items.map((m) => [m.id, m]),
  );
  const reminders = src
    .stepRecords()
    .filter((r) => r.at >= start && r.at <= end && r.state !== "skipped")
    .slice(-REMINDER_LIMIT)
    .map((r): TodayReminder => {
      const state = r.messageId
        ? (messages.get(r.messageId)?.state ?? (r.state === "cancelled" ? "cancelled" : "submitted"))
        : r.state === "cancelled"
          ? "cancelled"
          : r.state === "pending"
            ? "queued"
            : "not-enqueued";
      return {
        accountId: r.accountId,
        name: nameOf(r.accountId),
        step: r.stepId,
        amountDue: r.amountDue,
        currency: r.currency,
        state,
        ...(r.messageId ? { messageId: r.messageId } : {}),
        at: r.at,
      };
    })
    .sort((a, b) => b.at - a.at);

  const replies = src.inbound
    .list({ needsStaff: true, limit: REPLY_SCAN })
    .items.filter((r) => needsStaff(r) && !src.book.handled(r.id))
    .map((r): TodayReply => {
      const accountId = r.accountIds[0] ?? r.action?.accountIds[0];
      return {
        id: r.id,
        from: r.from,
        text: r.text,
        ...(r.keyword ? { keyword: r.keyword } : {}),
        receivedAt: r.receivedAt,
        ...(accountId ? { accountId, name: nameOf(accountId) } : {}),
      };
    });

  const promises: TodayPromise[] = [];
  const disputes: TodayDispute[] = [];
  const brokenSince = addDays(date, -BROKEN_PROMISE_DAYS);
  src.ledger.forEachAccountWithInvoices((account, invoices) => {
    if (account.pausedUntil && isPromise(account)) {
      const amountDue = owed(invoices, account.currency);
      if (account.pausedUntil === date)
        promises.push({
          accountId: account.id,
          name: account.name,
          date: account.pausedUntil,
          status: "due-today",
          amountDue,
          currency: account.currency,
        });
      else if (account.pausedUntil < date && account.pausedUntil >= brokenSince && amountDue > 0)
        promises.push({
          accountId: account.id,
          name: account.name,
          date: account.pausedUntil,
          status: "broken",
          amountDue,
          currency: account.currency,
        });
    }
    for (const i of invoices)
      if (i.status === "disputed")
        disputes.push({
          accountId: account.id,
          name: account.name,
          invoiceId: i.id,
          number: i.number,
          amountDue: i.amountDue,
          currency: i.currency,
          ...(i.disputeText ? { text: i.disputeText } : {}),
        });
  });
  promises.sort((a, b) => (a.status === b.status ? a.date.localeCompare(b.date) : a.status === "broken" ? -1 : 1));

  const marks = src.book.marks().map((m) => ({ ...m, name: nameOf(m.accountId) }));
  const optOuts = src.book
    .optOutsSince(start)
    .filter((o) => o.at <= end)
    .map((o) => ({
      accountId: o.accountId,
      name: nameOf(o.accountId),
      optedOut: o.optedOut,
      source: o.source,
      at: o.at,
    }))
    .reverse();

  return { date, timeZone: bounds.timeZone, reminders, replies, promises, disputes, marks, optOuts };
}
