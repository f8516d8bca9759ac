/** Calendar days in the gateway's time zone, for "today" counters and per-day charts. */
import { DateTime } from "luxon";

export function dayOf(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISODate() ?? "1970-01-01";
}

/** The last `n` days up to and including today, oldest first. */
export function lastDays(now: number, n: number, zone: string): string[] {
  const today = DateTime.fromMillis(now, { zone }).startOf("day");
  return Array.from({ length: n }, (_, i) => today.minus({ days: n - 1 - i }).toISODate() ?? "");
}

export function startOfDay(now: number, daysBack: number, zone: string): number {
  return DateTime.fromMillis(now, { zone }).startOf("day").minus({ days: daysBack }).toMillis();
}

/** Whole days from `from` to `to` (YYYY-MM-DD); positive when `to` is later. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The first and last millisecond of a date in the zone (a filter "until 2026-03-01" includes its evening). */
export function dayBounds(date: string, zone: string): { start: number; end: number } {
  const d = DateTime.fromISO(date, { zone });
  return { start: d.startOf("day").toMillis(), end: d.endOf("day").toMillis() };
}
