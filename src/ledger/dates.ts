/**
 * Calendar dates without time ("YYYY-MM-DD"), as the accounting server sends due dates.
 * Arithmetic goes through day numbers (days since 1970-01-01 in UTC), so that no time zone
 * or DST shift can move a due date.
 */
import type { LocalDate } from "../core/types.js";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export function isLocalDate(s: unknown): s is LocalDate {
  if (typeof s !== "string") return false;
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Days since the epoch; the string must be a valid date (checked at the edge). */
export function dayNumber(date: LocalDate): number {
  return Math.floor(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY);
}

export function fromDayNumber(day: number): LocalDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** b - a in days. */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return dayNumber(b) - dayNumber(a);
}

export interface LocalNow {
  date: LocalDate;
  day: number;
  /** Minutes since local midnight. */
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock date and minute in a zone at an instant. */
export function localNow(at: number, timeZone: string): LocalNow {
  const parts = formatterFor(timeZone).formatToParts(new Date(at));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? "00";
  const date = `${get("year")}-${get("month")}-${get("day")}`;
  return { date, day: dayNumber(date), minute: Number(get("hour")) * 60 + Number(get("minute")) };
}

/** The instant a local wall-clock time occurs in a zone (first occurrence; DST gap moves forward). */
export function instantOf(date: LocalDate, minute: number, timeZone: string): number {
  const guess = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), 0, minute);
  let t = guess;
  for (let i = 0; i < 3; i++) {
    const l = localNow(t, timeZone);
    const diff = (dayNumber(date) - l.day) * 1440 + (minute - l.minute);
    if (diff === 0) break;
    t += diff * 60_000;
  }
  return t;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
