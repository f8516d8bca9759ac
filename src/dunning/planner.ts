/**
 * The decision: for one account at one moment, which steps are due for which invoices, which
 * are too late to send, and how they group into messages. Pure (no I/O, no clock): evaluate()
 * and forecast() both call it, so the forward calendar shows exactly what would be sent.
 *
 * Rules (docs/policy.md):
 * - a step is due when its date (due date + offset) has come and, on that date, its local time;
 *   never "only on the exact day" (so a missed evaluation does not lose a step);
 * - only the latest due step of an invoice is a candidate; earlier ones are superseded;
 * - a step not later than the last one done for the invoice, or already done by id, never runs again;
 * - a step later than `graceDays` after the first day it could have been sent is skipped and logged;
 *   that day counts from the step date, the end of a pause, a released dispute, or the day after
 *   the account's last reminder (the one-message-a-day rule may defer a step); on that first day
 *   the step still waits for its time of day.
 */
import { reachable, type ChannelOptions } from "./channels.js";
import type { Account, Invoice } from "../ledger/types.js";
import { dayNumber, fromDayNumber } from "../core/calendar.js";
import type { PolicyDocument, PolicyStep } from "./policy-schema.js";
import type { InvoiceSteps, StepCover, StepMemoryView } from "./step-memory.js";
import type { SendTimeView } from "./send-time/memory.js";

export interface PlanSettings {
  policy: PolicyDocument;
  graceDays: number;
  promiseGraceDays: number;
  consolidate: boolean;
  /** E-mail settings: an account reachable only by e-mail is planned when e-mail is on (src/dunning/channels.ts). */
  channels?: ChannelOptions;
  /** Each debtor's learned hour, for sequences whose sendTime is "learned". */
  sendTime?: SendTimeView;
}

export interface PlannedSend {
  accountId: string;
  invoices: Invoice[];
  /** The step whose words are used: the most advanced one among the invoices grouped. */
  step: PolicyStep;
  sequence: string;
  templateId: string;
  consolidated: boolean;
  currency: string;
  day: number;
  date: string;
  /** Local minute of the day it goes at: the step's time, or the debtor's learned hour. */
  minute: number;
  /** True when the minute is the debtor's learned hour. */
  learnedTime: boolean;
  covers: StepCover[];
}

export interface PlannedSkip {
  accountId: string;
  invoiceId: string;
  stepId: string;
  stepDay: number;
  reason: "missed-grace";
  daysLate: number;
}

export interface AccountPlan {
  sends: PlannedSend[];
  skips: PlannedSkip[];
}

const EMPTY: AccountPlan = { sends: [], skips: [] };

const minuteOf = (hhmm: string | undefined): number =>
  hhmm ? Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)) : 0;

/** Steps of a sequence in date order, with their minute of day, computed once per policy. */
export interface CompiledSequence {
  name: string;
  learned: boolean;
  steps: Array<{ step: PolicyStep; minute: number }>;
}

export function compileSequences(policy: PolicyDocument): Map<string, CompiledSequence> {
  const out = new Map<string, CompiledSequence>();
  for (const [name, seq] of Object.entries(policy.sequences)) {
    const steps = [...seq.steps]
      .sort((a, b) => a.offsetDays - b.offsetDays)
      .map((step) => ({ step, minute: minuteOf(step.time ?? policy.defaultTime ?? "10:00") }));
    out.set(name, { name, learned: seq.sendTime === "learned", steps });
  }
  return out;
}

export function sequenceFor(policy: PolicyDocument, account: Pick<Account, "segment">): string {
  return (account.segment !== undefined ? policy.segments[account.segment] : undefined) ?? policy.defaultSequence;
}

function conditionsHold(step: PolicyStep, account: Account, invoice: Invoice, today: number, due: number): boolean {
  if (invoice.directDebit && step.offsetDays < 0) return false;
  const c = step.conditions;
  if (!c) return true;
  if (c.minAmountDue !== undefined && invoice.amountDue < c.minAmountDue) return false;
  if (c.minDaysOverdue !== undefined && today - due < c.minDaysOverdue) return false;
  if (c.segments && !(account.segment !== undefined && c.segments.includes(account.segment))) return false;
  if (c.tags && !c.tags.some((t) => account.tags.includes(t))) return false;
  return true;
}

/** The first day reminders may run again after a pause, or undefined when not paused; null while paused. */
function resumeDay(account: Account, today: number, promiseGraceDays: number): number | undefined | null {
  if (!account.pausedUntil) return undefined;
  // A promise to pay ("promise", "promise to pay by SMS <id>" from inbound) gets the grace days.
  const promise = account.pauseReason !== undefined && /^promise/i.test(account.pauseReason);
  const end = dayNumber(account.pausedUntil) + (promise ? promiseGraceDays : 0);
  return today <= end ? null : end + 1;
}

const SMS_ONLY: ChannelOptions = { emailEnabled: false, stopAlsoStopsEmail: false };

/** The account's sequence, or undefined when it gets nothing on any day (opted out, no reminders, no phone, a sequence without steps). */
function plannable(
  account: Account,
  s: PlanSettings,
  sequences: Map<string, CompiledSequence>,
): CompiledSequence | undefined {
  if (account.noReminders || !reachable(account, s.channels ?? SMS_ONLY)) return undefined;
  const seq = sequences.get(sequenceFor(s.policy, account));
  return seq !== undefined && seq.steps.length > 0 ? seq : undefined;
}

/** False when the account gets nothing on any day, whatever the date. */
export function mayPlan(account: Account, s: PlanSettings, sequences: Map<string, CompiledSequence>): boolean {
  return plannable(account, s, sequences) !== undefined;
}

type Due = { invoice: Invoice; step: PolicyStep; stepDay: number; minute: number; learned: boolean };

export function planAccount(
  account: Account,
  invoices: readonly Invoice[],
  today: number,
  minute: number,
  s: PlanSettings,
  sequences: Map<string, CompiledSequence>,
  memory: StepMemoryView,
): AccountPlan {
  const seq = plannable(account, s, sequences);
  if (!seq) return EMPTY;
  const resume = resumeDay(account, today, s.promiseGraceDays);
  if (resume === null) return EMPTY;
  const seqName = seq.name;
  const learner = seq.learned ? s.sendTime : undefined;
  // The account's time for the last step minute asked: steps of a sequence mostly share one time.
  let askedFor = -1;
  let asked: { minute: number; learned: boolean } | undefined;
  const timeOf = learner
    ? (stepMinute: number): { minute: number; learned: boolean } | undefined => {
        if (stepMinute !== askedFor) {
          askedFor = stepMinute;
          asked = learner.minuteFor(account.id, stepMinute);
        }
        return asked;
      }
    : undefined;
  const lastMessage = memory.lastMessageDay(account.id);
  if (s.consolidate && lastMessage !== undefined && lastMessage >= today) return EMPTY;

  let due: Due[] | undefined;
  let skips: PlannedSkip[] | undefined;
  for (let n = 0; n < invoices.length; n++) {
    const invoice = invoices[n]!;
    if (invoice.status !== "open" || invoice.amountDue <= 0 || invoice.noReminders) continue;
    const dueDay = dayNumber(invoice.dueDate);
    // Looked up only once a step has come (an invoice before its first step needs none).
    let mem: InvoiceSteps | undefined | null = null;
    // The candidate in locals, not an object: 100,000 invoices per evaluation.
    let step: PolicyStep | undefined;
    let stepDay = 0;
    let at = 0;
    let learned = false;
    for (let k = seq.steps.length - 1; k >= 0; k--) {
      const entry = seq.steps[k]!;
      const day = dueDay + entry.step.offsetDays;
      if (day > today) continue;
      // Asked only for a step that has come: a lookup of the learner per invoice and step would cost at 100,000 invoices.
      const time = timeOf?.(entry.minute);
      const stepMinute = time ? time.minute : entry.minute;
      if (day === today && minute < stepMinute) continue;
      if (mem === null) mem = memory.invoice(invoice.id);
      if (mem && (day <= mem.lastDay || mem.steps[entry.step.id])) break;
      if (!conditionsHold(entry.step, account, invoice, today, dueDay)) continue;
      step = entry.step;
      stepDay = day;
      at = stepMinute;
      learned = time?.learned ?? false;
      break;
    }
    if (!step) continue;
    let firstPossible = stepDay;
    if (resume !== undefined) firstPossible = Math.max(firstPossible, resume);
    if (invoice.resumedOn) firstPossible = Math.max(firstPossible, dayNumber(invoice.resumedOn));
    if (s.consolidate && lastMessage !== undefined) firstPossible = Math.max(firstPossible, lastMessage + 1);
    // On the first day it may go (after a pause or a deferral too), a step waits for its time of day.
    if (firstPossible === today && minute < at) continue;
    const late = today - firstPossible;
    if (late > s.graceDays) {
      const skip: PlannedSkip = {
        accountId: account.id,
        invoiceId: invoice.id,
        stepId: step.id,
        stepDay,
        reason: "missed-grace",
        daysLate: late,
      };
      // Created with their first element: an empty array's first push reserves room for 17.
      if (skips) skips.push(skip);
      else skips = [skip];
      continue;
    }
    const d: Due = { invoice, step, stepDay, minute: at, learned };
    if (due) due.push(d);
    else due = [d];
  }
  if (!due) return skips ? { sends: [], skips } : EMPTY;

  const sends: PlannedSend[] = [];
  const date = fromDayNumber(today);
  const single = (d: Due): PlannedSend => ({
    accountId: account.id,
    invoices: [d.invoice],
    step: d.step,
    sequence: seqName,
    templateId: d.step.template,
    consolidated: false,
    currency: d.invoice.currency,
    day: today,
    date,
    minute: d.minute,
    learnedTime: d.learned,
    covers: [{ invoiceId: d.invoice.id, stepId: d.step.id, stepDay: d.stepDay }],
  });
  if (!s.consolidate) {
    for (const d of due) sends.push(single(d));
    return { sends, skips: skips ?? [] };
  }
  // One message per currency: amounts in different currencies cannot be added up.
  const byCurrency = new Map<string, Due[]>();
  for (const d of due) {
    const l = byCurrency.get(d.invoice.currency);
    if (l) l.push(d);
    else byCurrency.set(d.invoice.currency, [d]);
  }
  for (const [currency, group] of byCurrency) {
    if (group.length === 1) {
      sends.push(single(group[0]!));
      continue;
    }
    group.sort((a, b) =>
      a.invoice.dueDate < b.invoice.dueDate
        ? -1
        : a.invoice.dueDate > b.invoice.dueDate
          ? 1
          : a.invoice.id < b.invoice.id
            ? -1
            : 1,
    );
    const lead = group.reduce((m, d) => (d.step.offsetDays > m.step.offsetDays ? d : m), group[0]!);
    sends.push({
      accountId: account.id,
      invoices: group.map((d) => d.invoice),
      step: lead.step,
      sequence: seqName,
      templateId: lead.step.consolidatedTemplate ?? lead.step.template,
      consolidated: true,
      currency,
      day: today,
      date,
      minute: lead.minute,
      learnedTime: lead.learned,
      covers: group.map((d) => ({ invoiceId: d.invoice.id, stepId: d.step.id, stepDay: d.stepDay })),
    });
  }
  return { sends, skips: skips ?? [] };
}
