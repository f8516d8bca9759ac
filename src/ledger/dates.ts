/**
 * Calendar dates without time ("YYYY-MM-DD"), as the accounting server sends due dates.
 * Arithmetic goes through day numbers (days since 1970-01-01 in UTC), so that no time zone
 * or DST shift can move a due date.
 */
import type { LocalDate } from "../core/types.js";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLocalDate(s: unknown): s is LocalDate {
  if (typeof s !== "string" || !DATE.test(s)) return false;
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (m < 1 || m > 12 || d < 1) return false;
  const y = Number(s.slice(0, 4));
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/**
 * Days since the epoch; the string must be a valid date (checked at the edge). Plain
 * arithmetic (days from civil, H. Hinnant) instead of Date.UTC: the planner calls it for every
 * invoice on every evaluation.
 */
export function dayNumber(date: LocalDate): number {
  let y = (date.charCodeAt(0) - 48) * 1000 + (date.charCodeAt(1) - 48) * 100 + (date.charCodeAt(2) - 48) * 10 + (date.charCodeAt(3) - 48);
  const m = (date.charCodeAt(5) - 48) * 10 + (date.charCodeAt(6) - 48);
  const d = (date.charCodeAt(8) - 48) * 10 + (date.charCodeAt(9) - 48);
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

export function fromDayNumber(day: number): LocalDate {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, "0")}-${pad2(m)}-${pad2(d)}`;
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

const knownZones = new Map<string, boolean>();

/** Whether Intl knows the zone; remembered, since building a DateTimeFormat costs ~50 us. */
export function isTimeZone(tz: string): boolean {
  let ok = knownZones.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    if (knownZones.size < 1000) knownZones.set(tz, ok);
  }
  return ok;
}
