/**
 * Receivables reports from the ledger: aging buckets, on-time payment rate, days sales
 * outstanding. Per currency, since amounts in different currencies do not add up.
 */
import type { Ledger } from "../../ledger/ledger.js";
import type { Invoice } from "../../ledger/types.js";
import { dayNumber } from "../../core/calendar.js";

export const AGING_BUCKETS = ["current", "1-30", "31-60", "61-90", "over-90"] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

export interface AgingRow {
  currency: string;
  /** Minor units owed per bucket (days past the due date; "current" = not yet due). */
  amounts: Record<AgingBucket, number>;
  counts: Record<AgingBucket, number>;
  total: number;
  /** Of the total, held by disputes (owed but not being collected). */
  disputed: number;
}

export function bucketOf(daysPastDue: number): AgingBucket {
  if (daysPastDue <= 0) return "current";
  if (daysPastDue <= 30) return "1-30";
  if (daysPastDue <= 60) return "31-60";
  if (daysPastDue <= 90) return "61-90";
  return "over-90";
}

const zeros = (): Record<AgingBucket, number> => ({ current: 0, "1-30": 0, "31-60": 0, "61-90": 0, "over-90": 0 });

export function aging(ledger: Ledger, asOf: string): AgingRow[] {
  const rows = new Map<string, AgingRow>();
  for (const [, invoices] of ledger.accountsWithInvoices()) addToAging(rows, invoices, dayNumber(asOf));
  return [...rows.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}

/** The same buckets for some invoices only (one account's, on the panel's account page). */
export function agingOf(invoices: Iterable<Invoice>, asOf: string): AgingRow[] {
  const rows = new Map<string, AgingRow>();
  addToAging(rows, invoices, dayNumber(asOf));
  return [...rows.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}

function addToAging(rows: Map<string, AgingRow>, invoices: Iterable<Invoice>, today: number): void {
  for (const i of invoices) {
    if ((i.status !== "open" && i.status !== "disputed") || i.amountDue <= 0) continue;
    let row = rows.get(i.currency);
    if (!row)
      rows.set(i.currency, (row = { currency: i.currency, amounts: zeros(), counts: zeros(), total: 0, disputed: 0 }));
    const b = bucketOf(today - dayNumber(i.dueDate));
    row.amounts[b] += i.amountDue;
    row.counts[b]++;
    row.total += i.amountDue;
    if (i.status === "disputed") row.disputed += i.amountDue;
  }
}

export interface OnTimeRate {
  /** Invoices paid in full with a paidOn date in [from, to]. */
  paid: number;
  onTime: number;
  /** onTime / paid, or null when nothing was paid. */
  rate: number | null;
  /** Average days paid after the due date, late ones only. */
  averageDaysLate: number | null;
}

export function onTimeRate(ledger: Ledger, from: string, to: string): OnTimeRate {
  let paid = 0;
  let onTime = 0;
  let lateDays = 0;
  for (const [, invoices] of ledger.accountsWithInvoices())
    for (const i of invoices) {
      if (i.status !== "paid" || !i.paidOn || i.paidOn < from || i.paidOn > to) continue;
      paid++;
      const late = dayNumber(i.paidOn) - dayNumber(i.dueDate);
      if (late <= 0) onTime++;
      else lateDays += late;
    }
  return {
    paid,
    onTime,
    rate: paid ? onTime / paid : null,
    averageDaysLate: paid - onTime ? lateDays / (paid - onTime) : null,
  };
}

export interface DsoRow {
  currency: string;
  receivables: number;
  /** Invoiced amount with an issue date in the period. */
  sales: number;
  periodDays: number;
  /** receivables / sales x periodDays (the standard count-back-free DSO); null without sales. */
  dso: number | null;
}

export function dso(ledger: Ledger, asOf: string, periodDays = 90): DsoRow[] {
  const end = dayNumber(asOf);
  const start = end - periodDays + 1;
  const rows = new Map<string, DsoRow>();
  for (const [, invoices] of ledger.accountsWithInvoices())
    for (const i of invoices) {
      if (i.status === "void") continue;
      let row = rows.get(i.currency);
      if (!row) rows.set(i.currency, (row = { currency: i.currency, receivables: 0, sales: 0, periodDays, dso: null }));
      if (i.status === "open" || i.status === "disputed") row.receivables += i.amountDue;
      const issued = dayNumber(i.issueDate);
      if (issued >= start && issued <= end) row.sales += i.amount;
    }
  for (const row of rows.values())
    row.dso = row.sales > 0 ? Math.round((row.receivables / row.sales) * periodDays * 10) / 10 : null;
  return [...rows.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}
