/**
 * The collections desk: the commands and queries a clerk works with all day (the Today page,
 * the inbox with its handled state, promises, pauses, disputes, marks). Both the REST API and
 * the panel call these, so they behave the same.
 */
import { DateTime } from "luxon";
import type { Clock } from "../core/clock.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import type { Account, Invoice } from "../ledger/types.js";
import type { InboundRecord, InboxFilter } from "../inbound/types.js";
import { needsStaff } from "../inbound/inbox.js";
import { isLocalDate, addDays } from "../core/calendar.js";
import { buildToday, type Today, type TodaySources } from "./today.js";
import type { AccountMark, DeskBook, Handled, MarkKind } from "./desk-book.js";

/** The furthest a clerk may push a promise or a pause, in days from today. */
export const MAX_PAUSE_DAYS = 90;

type TodayLedger = TodaySources["ledger"];

export interface DeskLedger extends TodayLedger {
  pauseAccount(accountId: string, until: string | undefined, reason: string): Promise<void>;
  releaseDispute(invoiceId: string): Promise<void>;
  invoice(id: string): Invoice | undefined;
}

export interface DeskDeps extends Omit<TodaySources, "book" | "ledger" | "inbound"> {
  ledger: DeskLedger;
  inbound: TodaySources["inbound"] & { get(id: string): InboundRecord | undefined };
  book: DeskBook;
  clock: Clock;
  /** The gateway's zone: "today" is the appliance's day. */
  timeZone: () => string;
}

/** An inbox item as the desk shows it: who it is, and whether a person still has to act. */
export interface DeskInboxItem extends InboundRecord {
  name?: string;
  accountId?: string;
  handled?: Handled;
  needsPerson: boolean;
}

export class Desk {
  constructor(private readonly d: DeskDeps) {}

  private day(): { date: string; start: number; end: number; timeZone: string } {
    const zone = this.d.timeZone();
    const now = DateTime.fromMillis(this.d.clock.now(), { zone });
    return {
      date: now.toISODate() ?? "1970-01-01",
      start: now.startOf("day").toMillis(),
      end: now.endOf("day").toMillis(),
      timeZone: zone,
    };
  }

  today(): Today {
    return buildToday(this.d, this.day());
  }

  /** The inbox with names and the handled state; `needsStaff` lists only what a person has not handled yet. */
  inbox(filter: InboxFilter): { total: number; items: DeskInboxItem[] } {
    if (!filter.needsStaff) {
      const page = this.d.inbound.list(filter);
      return { total: page.total, items: page.items.map((r) => this.inboxItem(r)) };
    }
    const offset = filter.offset ?? 0;
    const limit = filter.limit ?? 50;
    const open = this.d.inbound
      .list({ ...filter, offset: 0, limit: 500 })
      .items.map((r) => this.inboxItem(r))
      .filter((r) => r.needsPerson);
    return { total: open.length, items: open.slice(offset, offset + limit) };
  }

  private inboxItem(r: InboundRecord): DeskInboxItem {
    const accountId = r.accountIds[0] ?? r.action?.accountIds[0];
    const name = accountId ? this.d.ledger.account(accountId)?.name : undefined;
    const handled = this.d.book.handled(r.id);
    return {
      ...r,
      ...(accountId ? { accountId } : {}),
      ...(name ? { name } : {}),
      ...(handled ? { handled } : {}),
      needsPerson: needsStaff(r) && !handled,
    };
  }

  /** A staff reply or a click on "done": the message leaves "needs a person". */
  handled(inboundId: string, by: string, how: Handled["how"]): Promise<Handled> {
    if (!this.d.inbound.get(inboundId))
      return Promise.reject(
        new DuegateError(ErrorCode.NotFound, `no inbound message ${inboundId} in the inbox`, { inboundId }),
      );
    return this.d.book.handle(inboundId, by, how);
  }

  reopen(inboundId: string): Promise<void> {
    return this.d.book.reopen(inboundId);
  }

  marks(accountId: string): AccountMark[] {
    return this.d.book.marks(accountId);
  }

  clearMark(accountId: string, mark: MarkKind): Promise<AccountMark> {
    return this.d.book.clearMark(accountId, mark);
  }

  private account(id: string): Account {
    const a = this.d.ledger.account(id);
    if (!a) throw new DuegateError(ErrorCode.NotFound, `account ${id} is unknown`, { accountId: id });
    return a;
  }

  private checkDate(date: string, field: string): void {
    const { date: today } = this.day();
    if (!isLocalDate(date))
      throw new DuegateError(ErrorCode.Validation, `${field} must be a date YYYY-MM-DD, got "${date}"`, { field });
    if (date < today)
      throw new DuegateError(ErrorCode.Validation, `${field} ${date} is in the past (today is ${today})`, { field });
    const latest = addDays(today, MAX_PAUSE_DAYS);
    if (date > latest)
      throw new DuegateError(
        ErrorCode.Validation,
        `${field} ${date} is more than ${MAX_PAUSE_DAYS} days ahead (latest ${latest})`,
        { field },
      );
  }

  /** The debtor promised on the phone: reminders pause until the date, and the Today page watches it. */
  async recordPromise(accountId: string, date: string, by: string): Promise<Account> {
    this.account(accountId);
    this.checkDate(date, "date");
    await this.d.ledger.pauseAccount(accountId, date, `promise to pay recorded in the panel by ${by}`);
    return this.account(accountId);
  }

  /** Pause until a date, or resume (until absent). */
  async pause(accountId: string, until: string | undefined, by: string): Promise<Account> {
    this.account(accountId);
    if (until !== undefined) this.checkDate(until, "until");
    await this.d.ledger.pauseAccount(accountId, until, `paused in the panel by ${by}`);
    return this.account(accountId);
  }

  /** The dispute is settled: the invoice is open again (or paid when nothing is due) and reminders resume. */
  async resolveDispute(invoiceId: string): Promise<Invoice> {
    await this.d.ledger.releaseDispute(invoiceId);
    const i = this.d.ledger.invoice(invoiceId);
    if (!i) throw new DuegateError(ErrorCode.NotFound, `invoice ${invoiceId} is unknown`, { invoiceId });
    return i;
  }
}
