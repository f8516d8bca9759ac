/**
 * The forward calendar: who gets which step on which day over the next N days, from the same
 * planner that decides, run day by day over an overlay of the step memory (each planned send
 * is assumed to happen; no payment is assumed).
 *
 * At 50,000 accounts the calendar holds some 124,000 reminders for 30 days: nobody reads them
 * at once, and holding them cost ~70 MB. So the calendar is paged. Accounts plan independently
 * (the planner reads only the account's own invoices and step memory), so each account's whole
 * horizon is planned in one go with an overlay of its own, in account id order; the first pass
 * keeps only (day, account) of each reminder, which fixes every reminder's place in the
 * calendar's order (date, then account id); the accounts that fall on the requested page are
 * then planned again to build their entries (and texts, when asked).
 */
import type { Ledger } from "../ledger/ledger.js";
import type { Account, Invoice } from "../ledger/types.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { dayNumber, fromDayNumber, isLocalDate, localNow } from "../core/calendar.js";
import { mayPlan, planAccount, type CompiledSequence, type PlannedSend, type PlanSettings } from "./planner.js";
import { NO_DAY, type InvoiceSteps, type StepCover, type StepMemoryView } from "./step-memory.js";
import { composeReminder, type Sender } from "./compose.js";
import { DEFAULT_CODEC, measureText, type CodecSettings } from "./text-measure.js";

export interface PlannedReminder {
  date: string;
  /** Local time HH:MM in the account's zone: the step's time, or the debtor's learned hour. */
  time: string;
  /** Present when `time` is the debtor's learned hour (sequence sendTime: learned). */
  learnedTime?: true;
  accountId: string;
  invoiceIds: string[];
  step: string;
  sequence: string;
  template: string;
  consolidated: boolean;
  /** Minor units, at today's amounts. */
  amountDue: number;
  currency: string;
  mark?: "disconnect" | "handoff";
  text?: string;
  parts?: number;
  cost?: number;
}

export interface ForecastQuery {
  /** Texts, part counts and costs (the codec's count) for the entries returned. */
  render?: boolean;
  /** One account only. */
  accountId?: string;
  /** Local dates (YYYY-MM-DD), inclusive: only entries dated within. */
  from?: string;
  to?: string;
  /** Entries to skip, in calendar order (date, then account id). */
  offset?: number;
  /** At most this many entries; all when absent. */
  limit?: number;
}

export interface ForecastPage {
  /** Entries in the calendar (within from/to), whatever the page. */
  total: number;
  offset: number;
  items: PlannedReminder[];
}

export interface ForecastDeps {
  ledger: Ledger;
  memory: StepMemoryView;
  settings: PlanSettings;
  sequences: Map<string, CompiledSequence>;
  now: number;
  zoneOf: (a: Account) => string;
  sender: Sender;
  costPerPart: number;
  /** The modem's codec settings (config modem), the ones the outbox sends with. */
  codec?: CodecSettings;
}

/** One account's planned sends assumed done: copies of its memory entries, changed in place. */
class OverlayMemory implements StepMemoryView {
  private readonly invoices = new Map<string, InvoiceSteps>();
  private lastDay: number | undefined;
  constructor(private readonly base: StepMemoryView) {}
  invoice(id: string): InvoiceSteps | undefined {
    return this.invoices.get(id) ?? this.base.invoice(id);
  }
  lastMessageDay(accountId: string): number | undefined {
    return this.lastDay ?? this.base.lastMessageDay(accountId);
  }
  mark(covers: readonly StepCover[], day: number | undefined, state: "sent" | "skipped"): void {
    for (const c of covers) {
      let own = this.invoices.get(c.invoiceId);
      if (!own) {
        const cur = this.base.invoice(c.invoiceId);
        this.invoices.set(c.invoiceId, (own = { steps: { ...(cur?.steps ?? {}) }, lastDay: cur?.lastDay ?? NO_DAY }));
      }
      own.steps[c.stepId] = state;
      own.lastDay = Math.max(own.lastDay, c.stepDay);
    }
    if (day !== undefined) this.lastDay = day;
  }
}

interface Window {
  firstDay: number;
  lastDay: number;
  horizon: number;
}

/** Plans one account's horizon; calls sent() for each send on a day within the window. */
function planHorizon(
  d: ForecastDeps,
  account: Account,
  invoices: readonly Invoice[],
  start: number,
  w: Window,
  sent: (send: PlannedSend, day: number) => void,
): void {
  const overlay = new OverlayMemory(d.memory);
  for (let offset = 0; offset < w.horizon; offset++) {
    const day = start + offset;
    if (day > w.lastDay) return;
    // The whole day: steps later today are part of today's calendar.
    const plan = planAccount(account, invoices, day, 24 * 60, d.settings, d.sequences, overlay);
    for (const s of plan.skips)
      overlay.mark([{ invoiceId: s.invoiceId, stepId: s.stepId, stepDay: s.stepDay }], undefined, "skipped");
    for (const send of plan.sends) {
      overlay.mark(send.covers, day, "sent");
      if (day >= w.firstDay) sent(send, day);
    }
  }
}

function entryOf(
  d: ForecastDeps,
  account: Account,
  invoices: readonly Invoice[],
  send: PlannedSend,
  day: number,
  render: boolean,
): PlannedReminder {
  let amountDue = 0;
  for (const i of send.invoices) amountDue += i.amountDue;
  const r: PlannedReminder = {
    date: fromDayNumber(day),
    time: `${String(Math.floor(send.minute / 60)).padStart(2, "0")}:${String(send.minute % 60).padStart(2, "0")}`,
    ...(send.learnedTime ? { learnedTime: true as const } : {}),
    accountId: account.id,
    invoiceIds: send.invoices.map((i) => i.id),
    step: send.step.id,
    sequence: send.sequence,
    template: send.templateId,
    consolidated: send.consolidated,
    amountDue,
    currency: send.currency,
    ...(send.step.mark ? { mark: send.step.mark } : {}),
  };
  if (render) {
    const text = composeReminder(
      d.settings.policy,
      send.templateId,
      account,
      send.invoices,
      invoices,
      send.currency,
      day,
      d.sender,
    );
    const m = measureText(text.text, account.locale, d.codec ?? DEFAULT_CODEC);
    r.text = m.text;
    r.parts = m.parts;
    r.cost = Math.round(m.parts * d.costPerPart * 10_000) / 10_000;
  }
  return r;
}

function dayOf(date: string | undefined, field: "from" | "to"): number | undefined {
  if (date === undefined) return undefined;
  if (!isLocalDate(date))
    throw new DuegateError(ErrorCode.Validation, `forecast: ${field} must be a date YYYY-MM-DD, got "${date}"`, {
      field,
    });
  return dayNumber(date);
}

/** A growable list of (day, account ordinal) pairs: 8 bytes a reminder instead of an object. */
class Placements {
  days: Int32Array = new Int32Array(1024);
  accounts: Int32Array = new Int32Array(1024);
  length = 0;
  push(day: number, account: number): void {
    if (this.length === this.days.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.days = grow(this.days);
      this.accounts = grow(this.accounts);
    }
    this.days[this.length] = day;
    this.accounts[this.length++] = account;
  }
}

export function forecastPage(d: ForecastDeps, days: number, q: ForecastQuery = {}): ForecastPage {
  const horizon = Math.max(1, Math.min(366, Math.floor(days)));
  const from = dayOf(q.from, "from");
  const to = dayOf(q.to, "to");
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = q.limit === undefined ? Infinity : Math.max(0, Math.floor(q.limit));
  const w: Window = { firstDay: from ?? -Infinity, lastDay: to ?? Infinity, horizon };

  const accounts: Array<readonly [Account, Invoice[]]> = [];
  if (q.accountId !== undefined) {
    const a = d.ledger.account(q.accountId);
    if (a) accounts.push([a, d.ledger.invoicesOf(a.id)]);
  } else
    for (const [a, invoices] of d.ledger.accountsWithInvoices())
      if (mayPlan(a, d.settings, d.sequences)) accounts.push([a, invoices]);
  // Account id order is the calendar's order within a day (ids are unique).
  accounts.sort((x, y) => (x[0].id < y[0].id ? -1 : 1));

  const starts = new Map<string, number>();
  const startOf = (a: Account): number => {
    const zone = d.zoneOf(a);
    let s = starts.get(zone);
    if (s === undefined) starts.set(zone, (s = localNow(d.now, zone).day));
    return s;
  };

  // Pass 1: where every reminder falls. A reminder is identified by (day, account), and an
  // account's reminders of one day keep the planner's order. Asked for everything, the
  // entries are built at once (the caller wants them all anyway).
  const placed = new Placements();
  const all: PlannedReminder[] | undefined = limit === Infinity && offset === 0 ? [] : undefined;
  accounts.forEach(([a, invoices], i) =>
    planHorizon(d, a, invoices, startOf(a), w, (send, day) => {
      placed.push(day, i);
      all?.push(entryOf(d, a, invoices, send, day, q.render === true));
    }),
  );
  const total = placed.length;
  const order = calendarOrder(placed);
  if (all) return { total, offset, items: Array.from(order, (k) => all[k]!) };
  if (offset >= total || limit === 0) return { total, offset, items: [] };
  const page = order.subarray(offset, Math.min(total, offset + limit));

  // Pass 2: the accounts on the page, planned again, their entries put in their places. An
  // account's placements are consecutive in pass 1 (accounts were planned one after another).
  const slot = new Map<number, number>();
  page.forEach((k, n) => slot.set(k, n));
  const firstOf = new Map<number, number>();
  for (const k of page) {
    const i = placed.accounts[k]!;
    let first = k;
    while (first > 0 && placed.accounts[first - 1] === i) first--;
    firstOf.set(i, Math.min(firstOf.get(i) ?? first, first));
  }
  const items = new Array<PlannedReminder>(page.length);
  for (const [i, first] of [...firstOf].sort((x, y) => x[0] - y[0])) {
    const [a, invoices] = accounts[i]!;
    let k = first;
    planHorizon(d, a, invoices, startOf(a), w, (send, day) => {
      const n = slot.get(k++);
      if (n !== undefined) items[n] = entryOf(d, a, invoices, send, day, q.render === true);
    });
  }
  return { total, offset, items };
}

/**
 * Placement indexes in calendar order: by day, then account id, then the planner's order. A
 * counting sort by day over indexes taken in ascending order: within a day they stay in
 * account (= id) order, and an account's own reminders in planner order.
 */
function calendarOrder(p: Placements): Int32Array {
  const order = new Int32Array(p.length);
  if (p.length === 0) return order;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < p.length; k++) {
    const day = p.days[k]!;
    if (day < min) min = day;
    if (day > max) max = day;
  }
  const next = new Int32Array(max - min + 2);
  for (let k = 0; k < p.length; k++) next[p.days[k]! - min + 1]!++;
  for (let i = 1; i < next.length; i++) next[i]! += next[i - 1]!;
  for (let k = 0; k < p.length; k++) order[next[p.days[k]! - min]!++] = k;
  return order;
}

/** The calendar (or one page of it), in date then account order. */
export function forecast(d: ForecastDeps, days: number, q: ForecastQuery = {}): PlannedReminder[] {
  return forecastPage(d, days, q).items;
}
