/**
 * What the learner knows about each debtor, kept up to date from the bus as things happen
 * (a reminder reaching the network, a payment, a reply, an opt-out) and stored as one record
 * per account in a journalling store (src/store/record-document.ts): an event appends just
 * the account it touched, and nothing re-reads the outbox's or inbound's history.
 */
import type { Clock } from "../../core/clock.js";
import type { EventBus } from "../../core/bus.js";
import type { DomainEvents } from "../../api/events.js";
import type { DocumentStore } from "../../ledger/ports.js";
import { dayNumber, localNow } from "../../core/calendar.js";
import {
  choose,
  debtorActed,
  emptyRecord,
  expire,
  reminderSent,
  settledReminders,
  bestHour,
  type HourWindow,
  type LearnerSettings,
  type SendTimeChoice,
  type SendTimeGroup,
  type SendTimeRecord,
} from "./learner.js";
import { holdoutPosition } from "./holdout.js";

export interface SendTimeDocument {
  schema: 1;
  accounts: Record<string, SendTimeRecord>;
}

export const SEND_TIME_COLLECTIONS = ["accounts"] as const;

export const emptySendTimeMemory = (): SendTimeDocument => ({ schema: 1, accounts: {} });

export interface SendTimeSettings extends LearnerSettings {
  /** Share of debtors (0-100) that keep the step's time, by a stable hash of the account id. */
  holdoutPercent: number;
}

export interface SendTimeDeps {
  bus: EventBus<DomainEvents>;
  clock: Clock;
  /** The account's time zone, or undefined for an account the ledger does not know. */
  zoneOf(accountId: string): string | undefined;
  settings(): SendTimeSettings;
  /** Local hours a reminder may go at (the outbox's send window). */
  window(): HourWindow;
}

/** What the planner asks: the minute of the day to send at, for a sequence whose sendTime is learned. */
export interface SendTimeView {
  minuteFor(accountId: string, stepMinute: number): { minute: number; learned: boolean };
}

/** A reply that opts out is no sign of a good hour. */
const STOP_KEYWORDS = new Set(["stop"]);

export class SendTimeMemory implements SendTimeView {
  readonly name = "dunning.send-time";
  /** Each account's holdout position (a hash), computed once: the planner asks at every evaluation. */
  private readonly positions = new Map<string, number>();

  constructor(
    private readonly doc: DocumentStore<SendTimeDocument>,
    private readonly d: SendTimeDeps,
  ) {}

  start(): void {
    const { bus } = this.d;
    bus.on("message.state", this.name, (e) => {
      if (e.state !== "submitted" || e.origin.kind !== "dunning" || !e.origin.accountId) return;
      this.update(e.origin.accountId, e.at, (r, s, hour) => reminderSent(r, e.at, hour, s, e.id));
    });
    bus.on("ledger.changed", this.name, (e) => {
      if (e.kind === "erasure" || e.stop === "erased") return this.erase(e.accountId);
      if (e.kind !== "payment") return;
      // Only a payment that follows a reminder says something about the hour: an import of
      // old payments would otherwise pile up at the hour of the import.
      const r = this.doc.data.accounts[e.accountId];
      if (!r || (expire(r, e.at, this.d.settings()), r.open.length === 0)) return;
      this.update(e.accountId, e.at, (rec, s, hour, day) => debtorActed(rec, "payment", e.at, hour, day, s));
    });
    bus.on("inbound.received", this.name, (e) => {
      if (e.keyword !== undefined && STOP_KEYWORDS.has(e.keyword.toLowerCase())) return;
      for (const id of e.accountIds)
        this.update(id, e.receivedAt, (r, s, hour, day) => debtorActed(r, "reply", e.receivedAt, hour, day, s));
    });
    bus.on("account.optout", this.name, (e) => {
      if (!e.optedOut) return;
      this.update(e.accountId, e.at, (r, _s, _h, day) => void (r.optOutDay = day));
    });
  }

  stop(): void {
    this.d.bus.removeAll(this.name);
  }

  private update(
    accountId: string,
    at: number,
    change: (r: SendTimeRecord, s: SendTimeSettings, hour: number, day: number) => void,
  ): void {
    const zone = this.d.zoneOf(accountId);
    if (zone === undefined) return;
    const local = localNow(at, zone);
    const r = (this.doc.data.accounts[accountId] ??= emptyRecord());
    change(r, this.d.settings(), Math.floor(local.minute / 60), dayNumber(local.date));
    this.doc.touch?.("accounts", accountId);
    this.doc.markDirty();
  }

  private erase(accountId: string): void {
    this.positions.delete(accountId);
    if (!this.doc.data.accounts[accountId]) return;
    delete this.doc.data.accounts[accountId];
    this.doc.touch?.("accounts", accountId);
    this.doc.markDirty();
  }

  record(accountId: string): Readonly<SendTimeRecord> | undefined {
    return this.doc.data.accounts[accountId];
  }

  /** Every account with a record (the group report). */
  entries(): Array<[string, Readonly<SendTimeRecord>]> {
    return Object.entries(this.doc.data.accounts);
  }

  group(accountId: string): SendTimeGroup {
    return this.groupAt(accountId, this.d.settings().holdoutPercent);
  }

  private groupAt(accountId: string, holdoutPercent: number): SendTimeGroup {
    let p = this.positions.get(accountId);
    if (p === undefined) this.positions.set(accountId, (p = holdoutPosition(accountId)));
    return p * 100 < holdoutPercent ? "holdout" : "learning";
  }

  /** The hour chosen for a step at `stepMinute`, and why. */
  choice(accountId: string, stepMinute: number): SendTimeChoice {
    return choose(
      this.doc.data.accounts[accountId],
      this.d.clock.now(),
      this.d.window(),
      Math.floor(stepMinute / 60),
      this.d.settings(),
      this.group(accountId),
    );
  }

  minuteFor(accountId: string, stepMinute: number): { minute: number; learned: boolean } {
    const r = this.doc.data.accounts[accountId];
    if (!r) return { minute: stepMinute, learned: false };
    const s = this.d.settings();
    if (
      this.groupAt(accountId, s.holdoutPercent) === "holdout" ||
      settledReminders(r, this.d.clock.now(), s) < s.minReminders
    )
      return { minute: stepMinute, learned: false };
    const hour = bestHour(r, this.d.window(), Math.floor(stepMinute / 60), s);
    // The step's minutes past the hour are kept: a step at 10:30 learned to 18 goes at 18:30.
    return { minute: hour * 60 + (stepMinute % 60), learned: true };
  }

  async flush(): Promise<void> {
    await this.doc.flush();
  }
}

/** The send window's local hours: those whose start is inside [start, end). */
export function windowHours(w: { start: string; end: string } | undefined): HourWindow {
  if (!w) return { first: 8, last: 20 };
  const m = (t: string): number => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  const first = Math.ceil(m(w.start) / 60);
  const last = Math.ceil(m(w.end) / 60) - 1;
  // A window across midnight or shorter than an hour: every hour it touches is allowed.
  return last >= first ? { first, last } : { first: 0, last: 23 };
}
