/**
 * The reports as the adapters serve them (HTTP API, web panel): the report functions of this
 * folder over the running ledger, the engine's step records and the outbox's and inbound's
 * history (MessageFacts, ReplyFacts), with periods given as local dates in the gateway's time
 * zone, checked here and defaulted (the last 30 days up to today).
 */
import type { Clock } from "../../core/clock.js";
import type { LocalDate } from "../../core/types.js";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { Ledger } from "../../ledger/ledger.js";
import type { MessageFacts, ReplyFacts } from "../../ledger/ports.js";
import type { SuppressionRecord } from "../../consent/types.js";
import { addDays, dayNumber, instantOf, isLocalDate, localNow } from "../../core/calendar.js";
import type { StepRecord } from "../step-memory.js";
import { aging, dso, onTimeRate, AGING_BUCKETS, type AgingRow, type DsoRow, type OnTimeRate } from "./receivables.js";
import { stepEffectiveness, type StepEffectiveness } from "./effectiveness.js";
import { evidence, evidenceCsv, partsAndCost, type EvidencePack, type UsageRow } from "./messages.js";
import type { SendTimeReport } from "../send-time/report.js";
import type { SendTimeChoice } from "../send-time/learner.js";

/** One account's send time as the engine explains it (DunningEngine.sendTimeOf). */
export type AccountSendTime = SendTimeChoice & {
  sequence: string;
  sendTime: "fixed" | "learned";
  stepTime: string;
  time: string;
};

export interface ReportsDeps {
  ledger: Ledger;
  stepRecords(): readonly StepRecord[];
  messages: MessageFacts;
  replies: ReplyFacts;
  /** The suppression list, for the consent records of an account's numbers in its evidence. */
  consent?: { recordsOf(numbers: readonly string[]): SuppressionRecord[] };
  clock: Clock;
  /** The send-time learner's group comparison and per-account choice (the dunning engine). */
  sendTime?: {
    report(period: ReportPeriod, withinDays: number): SendTimeReport;
    of(accountId: string): AccountSendTime | undefined;
  };
  /** Read on every report: the panel may change the zone or the price while running. */
  settings(): { timeZone: string; costPerPart: number };
}

export interface ReportPeriod {
  from: LocalDate;
  to: LocalDate;
}

/** Days a period covers when none is given: the last 30, today included. */
export const DEFAULT_PERIOD_DAYS = 30;
/** The longest period one request may ask for (ten years), and by day (one year: a chart's worth). */
const MAX_PERIOD_DAYS = 3660;
const MAX_DAILY_DAYS = 366;

export class Reports {
  constructor(private readonly d: ReportsDeps) {}

  /** Today in the gateway's time zone. */
  today(): LocalDate {
    return localNow(this.d.clock.now(), this.d.settings().timeZone).date;
  }

  /** from/to checked (YYYY-MM-DD, real dates, from <= to, at most ten years); to defaults to today, from to 29 days before to. */
  period(q: { from?: string | undefined; to?: string | undefined }, maxDays = MAX_PERIOD_DAYS): ReportPeriod {
    const to = q.to === undefined ? this.today() : date(q.to, "to");
    const from = q.from === undefined ? addDays(to, -(DEFAULT_PERIOD_DAYS - 1)) : date(q.from, "from");
    if (from > to)
      throw new DuegateError(ErrorCode.Validation, `from (${from}) is after to (${to})`, { field: "from" });
    const days = dayNumber(to) - dayNumber(from) + 1;
    if (days > maxDays)
      throw new DuegateError(
        ErrorCode.Validation,
        `the period ${from} to ${to} is ${days} days; at most ${maxDays} are allowed here`,
        { field: "from" },
      );
    return { from, to };
  }

  aging(q: { asOf?: string | undefined } = {}): { asOf: LocalDate; buckets: typeof AGING_BUCKETS; rows: AgingRow[] } {
    const asOf = q.asOf === undefined ? this.today() : date(q.asOf, "asOf");
    return { asOf, buckets: AGING_BUCKETS, rows: aging(this.d.ledger, asOf) };
  }

  onTime(q: { from?: string | undefined; to?: string | undefined } = {}): ReportPeriod & OnTimeRate {
    const p = this.period(q);
    return { ...p, ...onTimeRate(this.d.ledger, p.from, p.to) };
  }

  dso(q: { asOf?: string | undefined; periodDays?: number | undefined } = {}): {
    asOf: LocalDate;
    periodDays: number;
    rows: DsoRow[];
  } {
    const asOf = q.asOf === undefined ? this.today() : date(q.asOf, "asOf");
    const periodDays = q.periodDays ?? 90;
    if (!Number.isInteger(periodDays) || periodDays < 1 || periodDays > MAX_PERIOD_DAYS)
      throw new DuegateError(ErrorCode.Validation, `periodDays must be a whole number from 1 to ${MAX_PERIOD_DAYS}`, {
        field: "periodDays",
      });
    return { asOf, periodDays, rows: dso(this.d.ledger, asOf, periodDays) };
  }

  steps(
    q: { from?: string | undefined; to?: string | undefined; withinDays?: number | undefined } = {},
  ): ReportPeriod & { withinDays: number; rows: StepEffectiveness[] } {
    const p = this.period(q);
    const withinDays = q.withinDays ?? 7;
    if (!Number.isInteger(withinDays) || withinDays < 0 || withinDays > 365)
      throw new DuegateError(ErrorCode.Validation, "withinDays must be a whole number from 0 to 365", {
        field: "withinDays",
      });
    return { ...p, withinDays, rows: stepEffectiveness(this.d.stepRecords(), this.d.ledger, { ...p, withinDays }) };
  }

  /**
   * Messages that went to the network per local day or month of the period, every day or
   * month listed (zeros where nothing was sent), and the totals. Streams the outbox's history
   * of the period; nothing else is read.
   */
  async cost(q: { from?: string | undefined; to?: string | undefined; by?: "day" | "month" | undefined } = {}): Promise<
    ReportPeriod & {
      by: "day" | "month";
      timeZone: string;
      costPerPart: number;
      rows: UsageRow[];
      totals: Omit<UsageRow, "period">;
    }
  > {
    const by = q.by ?? "day";
    const p = this.period(q, by === "day" ? MAX_DAILY_DAYS : MAX_PERIOD_DAYS);
    const { timeZone, costPerPart } = this.d.settings();
    const found = await partsAndCost(this.d.messages, {
      from: instantOf(p.from, 0, timeZone),
      to: instantOf(addDays(p.to, 1), 0, timeZone),
      by,
      timeZone,
      costPerPart,
    });
    const byPeriod = new Map(found.map((r) => [r.period, r]));
    const rows: UsageRow[] = [];
    for (let day = dayNumber(p.from); day <= dayNumber(p.to); day++) {
      const d = addDays(p.from, day - dayNumber(p.from));
      const period = by === "day" ? d : d.slice(0, 7);
      if (rows.length > 0 && rows[rows.length - 1]!.period === period) continue;
      rows.push(
        byPeriod.get(period) ?? { period, messages: 0, sms: 0, emails: 0, parts: 0, delivered: 0, failed: 0, cost: 0 },
      );
    }
    const totals = { messages: 0, sms: 0, emails: 0, parts: 0, delivered: 0, failed: 0, cost: 0 };
    for (const r of rows) {
      totals.messages += r.messages;
      totals.sms += r.sms;
      totals.emails += r.emails;
      totals.parts += r.parts;
      totals.delivered += r.delivered;
      totals.failed += r.failed;
    }
    totals.cost = Math.round(totals.parts * costPerPart * 10_000) / 10_000;
    return { ...p, by, timeZone, costPerPart, rows, totals };
  }

  /**
   * Learning group against holdout (docs/send-time.md): debtors reminded in the period, the
   * share of reminders paid within withinDays, replies and opt-outs per group.
   */
  sendTime(
    q: { from?: string | undefined; to?: string | undefined; withinDays?: number | undefined } = {},
  ): SendTimeReport {
    const p = this.period(q);
    const withinDays = q.withinDays ?? 7;
    if (!Number.isInteger(withinDays) || withinDays < 0 || withinDays > 365)
      throw new DuegateError(ErrorCode.Validation, "withinDays must be a whole number from 0 to 365", {
        field: "withinDays",
      });
    if (!this.d.sendTime) return { ...p, withinDays, rows: [] };
    return this.d.sendTime.report(p, withinDays);
  }

  /** The hour the account's reminders go at and why (DuegateError NotFound for an unknown account). */
  sendTimeOf(accountId: string): AccountSendTime {
    const found = this.d.sendTime?.of(accountId);
    if (!found) throw new DuegateError(ErrorCode.NotFound, `no account ${accountId}`, { field: "/id" });
    return found;
  }

  /** Every message and reply of one account (DuegateError NotFound for an account the ledger does not know). */
  async evidence(accountId: string): Promise<EvidencePack> {
    const account = this.d.ledger.account(accountId);
    if (!account) throw new DuegateError(ErrorCode.NotFound, `no account ${accountId}`, { field: "/id" });
    return evidence(
      accountId,
      this.d.messages,
      this.d.replies,
      this.d.clock.now(),
      this.d.consent?.recordsOf(account.phones) ?? [],
      account.consentLog ?? [],
    );
  }

  /** One row per message or reply (docs/reports.md, Evidence export). */
  evidenceCsv(pack: EvidencePack): string {
    return evidenceCsv(pack);
  }
}

function date(value: string, field: string): LocalDate {
  if (!isLocalDate(value))
    throw new DuegateError(ErrorCode.Validation, `${field} must be a date as YYYY-MM-DD, not "${value}"`, { field });
  return value;
}
