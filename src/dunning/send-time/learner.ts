/**
 * The send-time learner for one debtor: a histogram of the 24 local hours of what happened
 * to their reminders, and the hour it points at. Pure (no I/O, no clock): the memory
 * (memory.ts) feeds it events as they arrive and stores the record it returns.
 *
 * Evidence per local hour h:
 * - a reminder that reached the network at h is a trial at h; it is a success when the
 *   debtor paid or replied within `responseDays`, a failure when that time passed in silence;
 * - a reply or a payment arriving at h is a success at h as well: the debtor was there then.
 * The score of h is the mean of a Beta posterior, (successes + a) / (trials + a + b), so an
 * hour never tried scores the prior mean a / (a + b), an hour that failed scores below it and
 * one that worked above it. The best hour is the highest score inside the send window, ties
 * going to the hour nearest the step's own time: with no evidence, that is the step's time,
 * and after failures there the neighbouring hours are tried next (a greedy search that needs
 * no randomness, so the forecast shows the hour that will be used).
 */

export const HOURS = 24;

/** One debtor's learned state; arrays are indexed by local hour 0-23. */
export interface SendTimeRecord {
  /** Reminders that reached the network, per hour of their sending. */
  sent: number[];
  /** Of those, the ones followed by a payment or a reply within the response time. */
  worked: number[];
  /** Replies and payments, per hour of their arrival. */
  acted: number[];
  /** Kinds of acts counted in `acted`, for the explanation. */
  replies: number;
  payments: number;
  /** Reminders still inside their response time: when they were sent, at which hour, and the outbox message. */
  open: Array<{ at: number; hour: number; id?: string }>;
  /** Local day numbers of replies (the latest REPLY_DAYS_KEPT), for the group report. */
  replyDays: number[];
  /** Local day number of an opt-out, for the group report. */
  optOutDay?: number;
}

/** Enough reply days for a report period of a year at one reply a week. */
export const REPLY_DAYS_KEPT = 60;

export interface LearnerSettings {
  /** Reminders whose outcome is known before the learned hour is used. */
  minReminders: number;
  /** Days after a reminder within which a payment or reply counts as its success. */
  responseDays: number;
  /** Beta prior: pseudo-successes and pseudo-failures of every hour. */
  priorSuccesses: number;
  priorFailures: number;
}

export const DEFAULT_LEARNER: LearnerSettings = {
  minReminders: 3,
  responseDays: 3,
  priorSuccesses: 1,
  priorFailures: 1,
};

/** Local hours [first, last] a reminder may go at (from the outbox's send window). */
export interface HourWindow {
  first: number;
  last: number;
}

export const emptyRecord = (): SendTimeRecord => ({
  sent: zeros(),
  worked: zeros(),
  acted: zeros(),
  replies: 0,
  payments: 0,
  open: [],
  replyDays: [],
});

function zeros(): number[] {
  return new Array<number>(HOURS).fill(0);
}

const DAY_MS = 86_400_000;

/** Reminders whose response time is over, counted as failures; returns whether anything changed. */
export function expire(r: SendTimeRecord, now: number, s: LearnerSettings): boolean {
  const before = r.open.length;
  r.open = r.open.filter((o) => now - o.at <= s.responseDays * DAY_MS);
  // Failures are implicit: sent without worked. Nothing else to count.
  return r.open.length !== before;
}

/** A reminder reached the network at local `hour`; the same message told twice (a resend after a restart) counts once. */
export function reminderSent(
  r: SendTimeRecord,
  at: number,
  hour: number,
  s: LearnerSettings,
  messageId?: string,
): void {
  expire(r, at, s);
  if (messageId !== undefined && r.open.some((o) => o.id === messageId)) return;
  r.sent[hour]!++;
  r.open.push(messageId !== undefined ? { at, hour, id: messageId } : { at, hour });
}

/** The debtor paid or replied at local `hour`: every reminder still open worked. */
export function debtorActed(
  r: SendTimeRecord,
  kind: "reply" | "payment",
  at: number,
  hour: number,
  day: number,
  s: LearnerSettings,
): void {
  expire(r, at, s);
  for (const o of r.open) r.worked[o.hour]!++;
  r.open = [];
  r.acted[hour]!++;
  if (kind === "reply") {
    r.replies++;
    r.replyDays.push(day);
    if (r.replyDays.length > REPLY_DAYS_KEPT) r.replyDays.splice(0, r.replyDays.length - REPLY_DAYS_KEPT);
  } else r.payments++;
}

/** Reminders whose outcome is known at `now` (worked, or their response time over). */
export function settledReminders(r: SendTimeRecord, now: number, s: LearnerSettings): number {
  let sent = 0;
  for (const n of r.sent) sent += n;
  for (const o of r.open) if (now - o.at <= s.responseDays * DAY_MS) sent--;
  return sent;
}

export function score(r: SendTimeRecord, hour: number, s: LearnerSettings): number {
  const successes = r.worked[hour]! + r.acted[hour]!;
  const trials = r.sent[hour]! + r.acted[hour]!;
  return (successes + s.priorSuccesses) / (trials + s.priorSuccesses + s.priorFailures);
}

/** The highest-scoring hour in the window, ties to the one nearest `preferred` (then the earlier). */
export function bestHour(r: SendTimeRecord, window: HourWindow, preferred: number, s: LearnerSettings): number {
  const pref = Math.min(Math.max(preferred, window.first), window.last);
  let best = pref;
  let bestScore = score(r, pref, s);
  for (let h = window.first; h <= window.last; h++) {
    const sc = score(r, h, s);
    const nearer = Math.abs(h - pref) < Math.abs(best - pref);
    if (sc > bestScore + 1e-12 || (Math.abs(sc - bestScore) <= 1e-12 && nearer)) {
      best = h;
      bestScore = sc;
    }
  }
  return best;
}

export type SendTimeGroup = "learning" | "holdout";

/** What the account page shows: the hour chosen and why. */
export interface SendTimeChoice {
  group: SendTimeGroup;
  /** Reminders with a known outcome, and how many are needed before the learned hour is used. */
  settled: number;
  minReminders: number;
  /** The learned hour is in use (learning group with enough history). */
  learned: boolean;
  /** The best hour by the evidence (shown in the holdout too, never used there). */
  bestHour: number;
  bestScore: number;
  reason: string;
  hours: Array<{ hour: number; sent: number; worked: number; acted: number; score: number }>;
}

const span = (h: number): string => `${String(h).padStart(2, "0")}:00-${String(h + 1).padStart(2, "0")}:00`;

/** One sentence a person can check against the histogram. */
export function explain(
  r: SendTimeRecord,
  best: number,
  settled: number,
  s: LearnerSettings,
  group: SendTimeGroup,
): string {
  if (group === "holdout")
    return `in the holdout group: always sent at the step's time, so that the effect of learning can be measured`;
  if (settled < s.minReminders)
    return `not enough history yet: ${settled} of ${s.minReminders} reminders with a known outcome; sent at the step's time`;
  const parts: string[] = [];
  const sent = r.sent[best]!;
  if (sent > 0)
    parts.push(
      `paid or replied within ${s.responseDays} days after ${r.worked[best]} of ${sent} reminders sent ${span(best)}`,
    );
  if (r.acted[best]! > 0)
    parts.push(`acted ${r.acted[best]} time${r.acted[best] === 1 ? "" : "s"} at ${span(best)} (replies and payments)`);
  const failedElsewhere = r.sent.reduce((n, c, h) => (h === best ? n : n + c - r.worked[h]!), 0);
  if (failedElsewhere > 0)
    parts.push(`${failedElsewhere} reminder${failedElsewhere === 1 ? "" : "s"} at other hours went unanswered`);
  if (parts.length === 0) return `no evidence for any hour yet: sent at the step's time`;
  return parts.join("; ");
}

export function choose(
  r: SendTimeRecord | undefined,
  now: number,
  window: HourWindow,
  stepHour: number,
  s: LearnerSettings,
  group: SendTimeGroup,
): SendTimeChoice {
  const rec = r ?? emptyRecord();
  const settled = settledReminders(rec, now, s);
  const best = bestHour(rec, window, stepHour, s);
  const hours = [];
  for (let h = window.first; h <= window.last; h++)
    hours.push({
      hour: h,
      sent: rec.sent[h]!,
      worked: rec.worked[h]!,
      acted: rec.acted[h]!,
      score: round(score(rec, h, s)),
    });
  return {
    group,
    settled,
    minReminders: s.minReminders,
    learned: group === "learning" && settled >= s.minReminders,
    bestHour: best,
    bestScore: round(score(rec, best, s)),
    reason: explain(rec, best, settled, s, group),
    hours,
  };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
