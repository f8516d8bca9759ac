/**
 * Learning against holdout: for the debtors of sequences with sendTime "learned" who got a
 * reminder in the period, per group, how many reminders were paid within N days, how often
 * those debtors replied and how many opted out. Read from the engine's step records, the
 * ledger's paid dates and the learner's per-account records (reply days, opt-out day), so
 * no history file is streamed.
 */
import type { Ledger } from "../../ledger/ledger.js";
import { dayNumber } from "../../core/calendar.js";
import type { StepRecord } from "../step-memory.js";
import type { SendTimeGroup, SendTimeRecord } from "./learner.js";

export interface SendTimeGroupRow {
  group: SendTimeGroup;
  /** Debtors reminded in the period. */
  debtors: number;
  reminders: number;
  /** Reminders whose invoices were all paid within `withinDays` of the reminder's date. */
  paidWithin: number;
  /** paidWithin / reminders; null when there were none. */
  paidShare: number | null;
  /** Replies (STOP excluded) of these debtors dated in the period. */
  replies: number;
  /** replies / debtors; null without debtors. */
  repliesPerDebtor: number | null;
  /** These debtors who opted out in the period. */
  optOuts: number;
  /** optOuts / debtors; null without debtors. */
  optOutShare: number | null;
  /** Reminders that went at a learned hour (none in the holdout). */
  atLearnedHour: number;
}

export interface SendTimeReport {
  from: string;
  to: string;
  withinDays: number;
  rows: SendTimeGroupRow[];
}

export interface SendTimeReportInput {
  records: readonly StepRecord[];
  ledger: Pick<Ledger, "invoice">;
  learners: {
    group(accountId: string): SendTimeGroup;
    record(accountId: string): Readonly<SendTimeRecord> | undefined;
  };
  inLearnedSequence(accountId: string): boolean;
  period: { from: string; to: string };
  withinDays: number;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);

export function sendTimeReport(input: SendTimeReportInput): SendTimeReport {
  const { period, withinDays, ledger } = input;
  const rows = new Map<SendTimeGroup, SendTimeGroupRow & { accounts: Set<string> }>();
  for (const group of ["learning", "holdout"] as const)
    rows.set(group, {
      group,
      debtors: 0,
      reminders: 0,
      paidWithin: 0,
      paidShare: null,
      replies: 0,
      repliesPerDebtor: null,
      optOuts: 0,
      optOutShare: null,
      atLearnedHour: 0,
      accounts: new Set(),
    });
  const inLearned = new Map<string, boolean>();
  for (const r of input.records) {
    if (r.state !== "enqueued" || r.date < period.from || r.date > period.to) continue;
    let learned = inLearned.get(r.accountId);
    if (learned === undefined) inLearned.set(r.accountId, (learned = input.inLearnedSequence(r.accountId)));
    if (!learned) continue;
    const row = rows.get(input.learners.group(r.accountId))!;
    row.accounts.add(r.accountId);
    row.reminders++;
    if (r.learnedTime) row.atLearnedHour++;
    const limit = dayNumber(r.date) + withinDays;
    const paid = r.invoiceIds.every((id) => {
      const inv = ledger.invoice(id);
      return inv?.status === "paid" && inv.paidOn !== undefined && dayNumber(inv.paidOn) <= limit;
    });
    if (paid) row.paidWithin++;
  }
  const first = dayNumber(period.from);
  const last = dayNumber(period.to);
  const out: SendTimeGroupRow[] = [];
  for (const { accounts, ...row } of rows.values()) {
    row.debtors = accounts.size;
    for (const id of accounts) {
      const rec = input.learners.record(id);
      if (!rec) continue;
      for (const d of rec.replyDays) if (d >= first && d <= last) row.replies++;
      if (rec.optOutDay !== undefined && rec.optOutDay >= first && rec.optOutDay <= last) row.optOuts++;
    }
    row.paidShare = ratio(row.paidWithin, row.reminders);
    row.repliesPerDebtor = ratio(row.replies, row.debtors);
    row.optOutShare = ratio(row.optOuts, row.debtors);
    out.push(row);
  }
  return { from: period.from, to: period.to, withinDays, rows: out };
}
