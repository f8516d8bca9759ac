/**
 * The clerk's day in one answer: who was reminded today (sent or waiting), the replies that
 * need a person, promises falling due today or broken, open disputes, marks for
 * disconnection or hand-off, and today's opt-outs. Every line names the account, so the
 * panel links each to it. Built from the domain's own records (the engine's step records,
 * the outbox, the inbox, the ledger, the suppression list) and the desk book; nothing here is
 * stored twice. The opt-outs in particular are read from where consent is kept, so that the
 * page cannot disagree with what the outbox enforces: the suppression list's changes for numbers
 * (STOP, START, staff, API, import), and the accounts' consent logs for what was changed on one
 * account only (the panel's button, the API by account id, the e-mail unsubscribe).
 */
import type { Account, Invoice } from "../ledger/types.js";
import type { InboundRecord, InboxFilter } from "../inbound/types.js";
import type { ListFilter, MessageState, OutboxMessage } from "../outbox/types.js";
import type { StepRecord } from "../dunning/step-memory.js";
import { needsStaff } from "../inbound/inbox.js";
import { addDays } from "../core/calendar.js";
import type { AccountMark, Handled } from "./desk-book.js";
import { describeSource, type NumberConsentChange } from "../consent/index.js";

export interface TodaySources {
  ledger: {
    account(id: string): Account | undefined;
    forEachAccountWithInvoices(visit: (account: Account, invoices: Invoice[]) => void): void;
    invoicesOf(accountId: string): Invoice[];
    accountsByNumber(number: string): Account[];
    forEachAccount(visit: (account: Account) => void): void;
  };
  consent: { changesBetween(from: number, to: number): NumberConsentChange[] };
  outbox: { list(filter: ListFilter): { total: number; items: OutboxMessage[] } };
  inbound: { list(filter: InboxFilter): { total: number; items: InboundRecord[] } };
  stepRecords(): readonly StepRecord[];
  book: {
    marks(): AccountMark[];
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
  /** What it stops: SMS, or e-mail (the unsubscribe link, or staff for the account's e-mail). */
  channel: "sms" | "email";
  /** The number it was made for, when it was made for a number (the suppression list's record). */
  number?: string;
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
  const optOuts = todaysOptOuts(src, start, end);

  return { date, timeZone: bounds.timeZone, reminders, replies, promises, disputes, marks, optOuts };
}

/**
 * Today's consent changes, newest first. A number's change is shown for each account that has
 * the number on file now (a number on file nowhere is on the Opt-outs page, not here). A change
 * the ledger made for a number (its consent log names the number) is the suppression list's line
 * already, and is not shown twice.
 */
function todaysOptOuts(src: TodaySources, start: number, end: number): TodayOptOut[] {
  const out: TodayOptOut[] = [];
  for (const c of src.consent.changesBetween(start, end))
    for (const a of src.ledger.accountsByNumber(c.number))
      out.push({
        accountId: a.id,
        name: a.name,
        channel: "sms",
        number: c.number,
        optedOut: c.action === "added",
        source: describeSource(c.source),
        at: c.at,
      });
  src.ledger.forEachAccount((a) => {
    for (const c of a.consentLog ?? [])
      if (c.at >= start && c.at <= end && c.number === undefined)
        out.push({
          accountId: a.id,
          name: a.name,
          channel: c.channel,
          optedOut: c.optedOut,
          source: c.source,
          at: c.at,
        });
  });
  // Each source lists oldest first: reversed, a stable sort keeps the later of two changes in one millisecond first.
  return out.reverse().sort((a, b) => b.at - a.at);
}
