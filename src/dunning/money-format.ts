/**
 * Amounts formatted for a locale and currency, as Intl.NumberFormat formats them, at a
 * fraction of its cost: an evaluation formats one or two amounts per reminder (12,000 a
 * morning), and Intl's format() costs some 8 us each on a Raspberry Pi class CPU.
 *
 * Per locale and currency the formatter is taken apart once (prefix, group and decimal
 * separators, suffix, from formatToParts) and the fast path is used only when it gives exactly
 * Intl's output for a set of probe amounts; locales whose grouping is not plain thousands (es
 * leaves 4-digit amounts ungrouped, en-IN groups in twos), negative amounts and non-Latin
 * digits go to Intl every time.
 */

/**
 * Intl puts NO-BREAK SPACE (U+00A0) or NARROW NO-BREAK SPACE (U+202F) between digits and
 * currency in de, fr and others. Neither is in the GSM 7-bit alphabet (3GPP TS 23.038 6.2.1):
 * one of them would turn the whole message into UCS-2 and double its parts. A plain space reads the same.
 */
export function plainSpaces(s: string): string {
  return s.replace(/[\u00a0\u202f\u2009]/g, " ");
}

interface Shape {
  prefix: string;
  group: string;
  decimal: string;
  suffix: string;
}

interface MoneyFormat {
  intl: Intl.NumberFormat;
  digits: number;
  scale: number;
  shape: Shape | undefined;
}

const formats = new Map<string, MoneyFormat>();

const PROBES = [0, 1, 9, 10, 99, 100, 101, 999, 1_000, 1_001, 9_999, 10_000, 12_345, 99_999, 100_000, 123_456, 999_999, 1_000_000, 1_234_567, 12_345_678, 123_456_789, 1_234_567_890, 98_765_432_109];

function shapeOf(intl: Intl.NumberFormat, digits: number): Shape | undefined {
  const parts = intl.formatToParts(1_234_567 + (digits > 0 ? 0.5 : 0));
  const first = parts.findIndex((p) => p.type === "integer");
  let last = -1;
  parts.forEach((p, i) => {
    if (p.type === "integer" || p.type === "fraction") last = i;
  });
  if (first < 0) return undefined;
  const join = (ps: Intl.NumberFormatPart[]): string => plainSpaces(ps.map((p) => p.value).join(""));
  return {
    prefix: join(parts.slice(0, first)),
    group: plainSpaces(parts.find((p) => p.type === "group")?.value ?? ""),
    decimal: plainSpaces(parts.find((p) => p.type === "decimal")?.value ?? ""),
    suffix: join(parts.slice(last + 1)),
  };
}

function fast(minor: number, f: MoneyFormat, shape: Shape): string {
  const whole = Math.floor(minor / f.scale);
  let int = String(whole);
  if (shape.group && int.length > 3) {
    let grouped = int.slice(0, ((int.length - 1) % 3) + 1);
    for (let i = grouped.length; i < int.length; i += 3) grouped += shape.group + int.slice(i, i + 3);
    int = grouped;
  }
  if (f.digits === 0) return shape.prefix + int + shape.suffix;
  const frac = String(minor - whole * f.scale).padStart(f.digits, "0");
  return shape.prefix + int + shape.decimal + frac + shape.suffix;
}

function viaIntl(minor: number, f: MoneyFormat): string {
  // Display only: the integer minor amount is scaled once for Intl, never used for arithmetic.
  return plainSpaces(f.intl.format(minor / f.scale));
}

function formatFor(locale: string, currency: string): MoneyFormat {
  const key = `${locale}|${currency}`;
  let f = formats.get(key);
  if (f) return f;
  let intl: Intl.NumberFormat;
  try {
    intl = new Intl.NumberFormat(locale, { style: "currency", currency });
  } catch {
    intl = new Intl.NumberFormat("en", { style: "currency", currency });
  }
  const digits = intl.resolvedOptions().maximumFractionDigits ?? 2;
  f = { intl, digits, scale: 10 ** digits, shape: undefined };
  const shape = digits <= 4 && intl.resolvedOptions().minimumFractionDigits === digits ? shapeOf(intl, digits) : undefined;
  if (shape && PROBES.every((p) => fast(p, f!, shape) === viaIntl(p, f!))) f.shape = shape;
  formats.set(key, f);
  return f;
}

export function formatMoney(minor: number, currency: string, locale: string): string {
  const f = formatFor(locale, currency);
  if (f.shape && Number.isSafeInteger(minor) && minor >= 0 && minor < 1e15) return fast(minor, f, f.shape);
  return viaIntl(minor, f);
}
