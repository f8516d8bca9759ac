/**
 * How well each step works: reminders enqueued per step, and the share of them whose invoices
 * were all paid within N days (docs/reports.md).
 * Read from the engine's step records and the ledger's paid dates.
 */
import type { Ledger } from "../../ledger/ledger.js";
import { dayNumber } from "../../core/calendar.js";
import type { StepRecord } from "../step-memory.js";

export interface StepEffectiveness {
  step: string;
  sent: number;
  paidWithin: number;
  /** paidWithin / sent, null when none was sent. */
  share: number | null;
  consolidated: number;
}

export function stepEffectiveness(
  records: readonly StepRecord[],
  ledger: Ledger,
  opts: { from?: string; to?: string; withinDays?: number } = {},
): StepEffectiveness[] {
  const within = opts.withinDays ?? 7;
  const rows = new Map<string, StepEffectiveness>();
  for (const r of records) {
    if (r.state !== "enqueued") continue;
    if ((opts.from && r.date < opts.from) || (opts.to && r.date > opts.to)) continue;
    let row = rows.get(r.stepId);
    if (!row) rows.set(r.stepId, (row = { step: r.stepId, sent: 0, paidWithin: 0, share: null, consolidated: 0 }));
    row.sent++;
    if (r.invoiceIds.length > 1) row.consolidated++;
    const limit = dayNumber(r.date) + within;
    const paid = r.invoiceIds.every((id) => {
      const inv = ledger.invoice(id);
      return inv?.status === "paid" && inv.paidOn !== undefined && dayNumber(inv.paidOn) <= limit;
    });
    if (paid) row.paidWithin++;
  }
  for (const row of rows.values()) row.share = row.sent ? row.paidWithin / row.sent : null;
  return [...rows.values()].sort((a, b) => b.sent - a.sent || (a.step < b.step ? -1 : 1));
}
