/**
 * The dashboard's figures: modem, queue, today's counts, messages per day and delivery
 * rate (from the outbox), aging and on-time rate (from the ledger). Computed on request:
 * the panel asks once and then follows the live feed.
 */
import type { Invoice } from "../../ledger/types.js";
import type { OutboxMessage } from "../../outbox/types.js";
import type { WebServices } from "./ports.js";
import { dayOf, daysBetween, lastDays, startOfDay } from "./days.js";
import { setting } from "./settings-view.js";

export interface DayFigures {
  day: string;
  sent: number;
  delivered: number;
  failed: number;
  received: number;
}

const AGING_BUCKETS = ["not due", "1-30", "31-60", "61-90", "90+"] as const;
/** Bounds on what one dashboard request reads, so that a big ledger cannot stall the Pi. */
const MAX_MESSAGES = 20_000;
const MAX_ACCOUNTS = 20_000;

function agingBucket(daysOverdue: number): (typeof AGING_BUCKETS)[number] {
  if (daysOverdue <= 0) return "not due";
  if (daysOverdue <= 30) return "1-30";
  if (daysOverdue <= 60) return "31-60";
  if (daysOverdue <= 90) return "61-90";
  return "90+";
}

const SENT_STATES = new Set(["submitted", "delivered", "failed", "expired"]);

export function perDay(messages: readonly OutboxMessage[], received: readonly { receivedAt: number }[], days: string[], zone: string): DayFigures[] {
  const byDay = new Map(days.map((d) => [d, { day: d, sent: 0, delivered: 0, failed: 0, received: 0 }]));
  for (const m of messages) {
    const f = byDay.get(dayOf(m.createdAt, zone));
    if (!f) continue;
    if (SENT_STATES.has(m.state) && m.parts.some((p) => p.reference !== undefined)) f.sent++;
    if (m.state === "delivered") f.delivered++;
    if (m.state === "failed" || m.state === "expired") f.failed++;
  }
  for (const r of received) {
    const f = byDay.get(dayOf(r.receivedAt, zone));
    if (f) f.received++;
  }
  return [...byDay.values()];
}

export function aging(invoices: Iterable<Invoice>, today: string): { buckets: Array<{ bucket: string; count: number; byCurrency: Record<string, number> }>; onTimeRate: number | null } {
  const buckets = new Map(AGING_BUCKETS.map((b) => [b, { bucket: b as string, count: 0, byCurrency: {} as Record<string, number> }]));
  let paid = 0;
  let onTime = 0;
  for (const i of invoices) {
    if (i.paidOn) {
      paid++;
      if (i.paidOn <= i.dueDate) onTime++;
    }
    if (i.amountDue <= 0 || i.status === "paid" || i.status === "void") continue;
    const b = buckets.get(agingBucket(daysBetween(i.dueDate, today)))!;
    b.count++;
    b.byCurrency[i.currency] = (b.byCurrency[i.currency] ?? 0) + i.amountDue;
  }
  return { buckets: [...buckets.values()], onTimeRate: paid > 0 ? onTime / paid : null };
}

export function dashboard(s: WebServices, days = 14): Record<string, unknown> {
  const zone = setting(s.config, "gateway.defaultTimeZone", "UTC");
  const now = s.clock.now();
  const dayList = lastDays(now, days, zone);
  const since = startOfDay(now, days - 1, zone);
  const messages = s.outbox?.list({ since, limit: MAX_MESSAGES }).items ?? [];
  const received = s.inbound?.list({ since, limit: MAX_MESSAGES }).items ?? [];
  const invoices: Invoice[] = [];
  if (s.ledger) for (const a of s.ledger.listAccounts({ limit: MAX_ACCOUNTS }).items) invoices.push(...s.ledger.invoicesOf(a.id));
  const figures = perDay(messages, received, dayList, zone);
  const today = figures[figures.length - 1];
  return {
    health: s.modem?.health() ?? null,
    stats: s.outbox?.stats() ?? null,
    receivedToday: today?.received ?? 0,
    days: figures,
    aging: aging(invoices, dayList[dayList.length - 1]!),
    costPerPart: setting(s.config, "outbox.costPerPart", 0),
    zone,
    at: now,
  };
}
