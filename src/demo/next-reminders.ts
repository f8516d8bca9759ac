import type { PolicyDocument } from "../dunning/policy-schema.js";
import type { PlannedReminder } from "../dunning/forecast.js";
import { dayNumber, instantOf, localNow } from "../core/calendar.js";

/** The next batch of reminders the forward calendar holds: how many, at what local time, on which day. */
export interface NextBatch {
  count: number;
  /** "09:00": the step's time of day in the customers' own time zones. */
  time: string;
  /** "today", "tomorrow" or "on 2026-12-09" (the customers' local date). */
  when: string;
  at: number;
}

interface Placed {
  at: number;
  date: string;
  time: string;
  day: number;
  today: number;
}

/**
 * Groups the calendar's entries by step time and local day and returns the earliest group still
 * to come. Entries of a moment already passed are not "next": they go with the evaluation in
 * progress. Customers in other zones at the same local time count together ("14 at 09:00
 * tomorrow" means 09:00 on each customer's clock).
 */
export function nextBatch(
  entries: readonly PlannedReminder[],
  policy: PolicyDocument,
  zoneOf: (accountId: string) => string,
  now: number,
): NextBatch | undefined {
  const placed: Placed[] = [];
  for (const e of entries) {
    const step = policy.sequences[e.sequence]?.steps.find((s) => s.id === e.step);
    const time = step?.time ?? policy.defaultTime ?? "10:00";
    const zone = zoneOf(e.accountId);
    const at = instantOf(e.date, Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)), zone);
    if (at <= now) continue;
    placed.push({ at, date: e.date, time, day: dayNumber(e.date), today: localNow(now, zone).day });
  }
  if (placed.length === 0) return undefined;
  const first = placed.reduce((m, p) => (p.at < m.at ? p : m));
  const ahead = first.day - first.today;
  const group = placed.filter((p) => p.time === first.time && p.day - p.today === ahead);
  return {
    count: group.length,
    time: first.time,
    when: ahead === 0 ? "today" : ahead === 1 ? "tomorrow" : `on ${first.date}`,
    at: first.at,
  };
}
