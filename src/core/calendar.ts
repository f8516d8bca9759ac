/**
 * The one calendar of the gateway: dates without time ("YYYY-MM-DD", as the accounting server
 * sends due dates), the local date and minute of an instant in an IANA zone, the instant a local
 * time occurs, and whether a zone exists. Arithmetic goes through day numbers (days since
 * 1970-01-01), so that no time zone or DST shift can move a due date; zones go through Intl
 * (the ICU data Node ships), never through a fixed UTC offset.
 */
import type { LocalDate } from "./types.js";

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
  let y =
    (date.charCodeAt(0) - 48) * 1000 +
    (date.charCodeAt(1) - 48) * 100 +
    (date.charCodeAt(2) - 48) * 10 +
    (date.charCodeAt(3) - 48);
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
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
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

/** How far a zone's wall clock is ahead of UTC at an instant, in ms (minute precision). */
function offsetAt(at: number, timeZone: string): number {
  const l = localNow(at, timeZone);
  return l.day * 86_400_000 + l.minute * 60_000 - (at - (((at % 60_000) + 60_000) % 60_000));
}

/**
 * The instant a local wall-clock time occurs in a zone. A time that occurs twice (the hour the
 * clocks go back) gives its first occurrence; a time that does not occur (the hour skipped when
 * they go forward, or a skipped midnight) moves forward by the gap, as a wall clock would: 02:30
 * in Berlin on the spring change is 03:30. Assumes at most one offset change within a day either
 * side, which holds for every zone in the tz database since 1970.
 */
export function instantOf(date: LocalDate, minute: number, timeZone: string): number {
  const wall = dayNumber(date) * 86_400_000 + minute * 60_000;
  const before = offsetAt(wall - 86_400_000, timeZone);
  const after = offsetAt(wall + 86_400_000, timeZone);
  const day = dayNumber(date) + Math.floor(minute / 1440);
  const inDay = ((minute % 1440) + 1440) % 1440;
  const occurs = (t: number): boolean => {
    const l = localNow(t, timeZone);
    return l.day === day && l.minute === inDay;
  };
  const early = wall - Math.max(before, after);
  const late = wall - Math.min(before, after);
  if (occurs(early)) return early;
  if (occurs(late)) return late;
  // In the gap: the wall time read with the offset in force before the change.
  return wall - before;
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

/** The date (YYYY-MM-DD) in a zone at an instant; a zone Intl does not know is read as UTC. */
export function localDate(at: number, timeZone: string | undefined): LocalDate {
  return localNow(at, timeZone && isTimeZone(timeZone) ? timeZone : "UTC").date;
}

/** The last `n` dates in a zone up to and including the one of `at`, oldest first. */
export function lastDays(at: number, n: number, timeZone: string): LocalDate[] {
  const today = localNow(at, timeZone).day;
  return Array.from({ length: n }, (_, i) => fromDayNumber(today - (n - 1 - i)));
}

/** The first instant of a date in a zone (where midnight falls in a DST gap, the first instant after it). */
export function startOfDate(date: LocalDate, timeZone: string): number {
  return instantOf(date, 0, timeZone);
}

/** The first and last millisecond of a date in a zone: a filter "until 2026-03-01" includes its evening. */
export function dateBounds(date: LocalDate, timeZone: string): { start: number; end: number } {
  return { start: startOfDate(date, timeZone), end: startOfDate(addDays(date, 1), timeZone) - 1 };
}
