/**
 * The date after PROMISE. Numeric forms are read strictly first (25/06, 25.06., 25.06.2026,
 * 25-06-26, 2026-06-25): day first, except month first for US English ("06/25"), because a
 * misread date pauses reminders on the wrong day. Words ("june 25", "25. Juni", "friday",
 * "vendredi", "tomorrow") go to chrono-node, the account's language first.
 */
import * as chrono from "chrono-node";
import { addDays } from "../core/calendar.js";

export type PromiseDateResult =
  | { ok: true; date: string }
  | { ok: false; reason: "unreadable" }
  | { ok: false; reason: "past" | "too-far"; date: string };

export interface PromiseDateOptions {
  /** Today in the account's zone, YYYY-MM-DD. */
  today: string;
  /** BCP 47 locale of the account. */
  locale: string;
  /** The latest acceptable date is today + maxDays. */
  maxDays: number;
}

const ISO = /(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)/;
const DMY = /(?<![\d./-])(\d{1,2})([./-])(\d{1,2})(?:\2(\d{4}|\d{2}))?(?![\d/-])/;

function ymd(y: number, m: number, d: number): string | undefined {
  if (m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined; // 31/02
  return t.toISOString().slice(0, 10);
}

function monthFirst(locale: string): boolean {
  return /^en-US$/i.test(locale);
}

/** undefined: no numeric date in the text; null: one that is not a real date. */
function numericDate(text: string, opts: PromiseDateOptions): string | undefined | null {
  const iso = ISO.exec(text);
  if (iso) return ymd(Number(iso[1]), Number(iso[2]), Number(iso[3])) ?? null;
  const m = DMY.exec(text);
  if (!m) return undefined;
  let [a, b] = [Number(m[1]), Number(m[3])];
  if (m[2] === "/" && monthFirst(opts.locale)) [a, b] = [b, a];
  const todayYear = Number(opts.today.slice(0, 4));
  if (m[4]) {
    const year = m[4].length === 2 ? 2000 + Number(m[4]) : Number(m[4]);
    return ymd(year, b, a) ?? null;
  }
  // No year: the next such date from today on (25/06 written in December means next June).
  const thisYear = ymd(todayYear, b, a);
  if (thisYear && thisYear >= opts.today) return thisYear;
  return ymd(todayYear + 1, b, a) ?? (thisYear === undefined ? null : thisYear);
}

const PARSERS: Record<string, chrono.Chrono> = {
  en: chrono.casual,
  de: chrono.de.casual,
  fr: chrono.fr.casual,
  es: chrono.es.casual,
  it: chrono.it.casual,
  nl: chrono.nl.casual,
  pt: chrono.pt.casual,
  sv: chrono.sv.casual,
};

function wordDate(text: string, opts: PromiseDateOptions): string | undefined {
  const [y, m, d] = opts.today.split("-").map(Number) as [number, number, number];
  // chrono reads the reference in the process's local zone; noon of the account's today keeps the day right.
  const ref = new Date(y, m - 1, d, 12, 0, 0);
  const lang = opts.locale.slice(0, 2).toLowerCase();
  const order = [PARSERS[lang], ...Object.values(PARSERS)].filter((p): p is chrono.Chrono => p !== undefined);
  for (const parser of new Set(order)) {
    const found = parser.parse(text, ref, { forwardDate: true })[0];
    if (!found) continue;
    const c = found.start;
    const date = ymd(c.get("year") ?? y, c.get("month") ?? m, c.get("day") ?? d);
    if (date) return date;
  }
  return undefined;
}

export function parsePromiseDate(text: string, opts: PromiseDateOptions): PromiseDateResult {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, reason: "unreadable" };
  const numeric = numericDate(trimmed, opts);
  const date = numeric === undefined ? wordDate(trimmed, opts) : (numeric ?? undefined);
  if (!date) return { ok: false, reason: "unreadable" };
  if (date < opts.today) return { ok: false, reason: "past", date };
  if (date > addDays(opts.today, opts.maxDays)) return { ok: false, reason: "too-far", date };
  return { ok: true, date };
}
