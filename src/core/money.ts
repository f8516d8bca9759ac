/**
 * Money: an integer in minor units and an ISO 4217 code, never a float. How many minor units
 * make a major one depends on the currency (ISO 4217 exponent: JPY, KRW, ISK none; EUR, USD two;
 * BHD, KWD, TND three); Intl knows it, and this module asks Intl once per currency.
 *
 * Formatting is Intl.NumberFormat's output at a fraction of its cost: an evaluation formats one
 * or two amounts per reminder (12,000 a morning), and Intl's format() costs some 8 us each on a
 * Raspberry Pi class CPU. Per locale and currency the formatter is taken apart once (prefix,
 * group and decimal separators, suffix, from formatToParts) and the fast path is used only when
 * it gives exactly Intl's output for a set of probe amounts; locales whose grouping is not plain
 * thousands (es leaves 4-digit amounts ungrouped, en-IN groups in twos), negative amounts and
 * non-Latin digits go to Intl every time.
 */

const exponents = new Map<string, number>();

/** Minor units per major unit as a power of ten: 2 for EUR, 0 for JPY, 3 for KWD; 2 for a code Intl refuses. */
export function currencyExponent(currency: string): number {
  let e = exponents.get(currency);
  if (e === undefined) {
    e = currencyFormat("en", currency)?.resolvedOptions().maximumFractionDigits ?? 2;
    if (exponents.size < 1000) exponents.set(currency, e);
  }
  return e;
}

/**
 * Intl puts NO-BREAK SPACE (U+00A0), NARROW NO-BREAK SPACE (U+202F) or THIN SPACE between digits
 * and currency in de, fr and others, and MINUS SIGN (U+2212) before negative amounts in some.
 * None is in the GSM 7-bit alphabet (3GPP TS 23.038 6.2.1): one of them would turn the whole
 * message into UCS-2 and double its parts. A plain space and a hyphen read the same.
 */
export function plainSpaces(s: string): string {
  return s.replace(/[\u00a0\u202f\u2009]/g, " ").replace(/\u2212/g, "-");
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

const PROBES = [
  0, 1, 9, 10, 99, 100, 101, 999, 1_000, 1_001, 9_999, 10_000, 12_345, 99_999, 100_000, 123_456, 999_999, 1_000_000,
  1_234_567, 12_345_678, 123_456_789, 1_234_567_890, 98_765_432_109,
];

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

function viaIntl(minor: number, f: MoneyFormat, currency: string): string {
  // Display only: the integer minor amount is scaled once for Intl, never used for arithmetic.
  const text = plainSpaces(f.intl.format(minor / f.scale));
  return f.intl.resolvedOptions().style === "currency" ? text : `${text} ${currency}`;
}

function currencyFormat(locale: string, currency: string): Intl.NumberFormat | undefined {
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency });
  } catch {
    return undefined;
  }
}

function formatFor(locale: string, fallbackLocale: string, currency: string): MoneyFormat {
  const key = `${locale}|${fallbackLocale}|${currency}`;
  let f = formats.get(key);
  if (f) return f;
  // A locale Intl refuses falls back; a malformed currency code gives a plain number and the code.
  const intl =
    currencyFormat(locale, currency) ??
    currencyFormat(fallbackLocale, currency) ??
    currencyFormat("en", currency) ??
    new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const digits = intl.resolvedOptions().maximumFractionDigits ?? 2;
  f = { intl, digits, scale: 10 ** digits, shape: undefined };
  const shape =
    digits <= 4 && intl.resolvedOptions().minimumFractionDigits === digits ? shapeOf(intl, digits) : undefined;
  if (
    shape &&
    f.intl.resolvedOptions().style === "currency" &&
    PROBES.every((p) => fast(p, f!, shape) === viaIntl(p, f!, currency))
  )
    f.shape = shape;
  formats.set(key, f);
  return f;
}

/**
 * Minor units to a localised amount a debtor reads in an SMS: 12345 EUR in de-DE is "123,45 €",
 * 500 JPY is "¥500", 1234 BHD in en is "BHD 1.234". Without a locale (or with one Intl does not
 * know) the fallback locale is used.
 */
export function formatMoney(
  minor: number,
  currency: string,
  locale: string | undefined,
  fallbackLocale = "en",
): string {
  const f = formatFor(locale || fallbackLocale, fallbackLocale, currency);
  if (f.shape && Number.isSafeInteger(minor) && minor >= 0 && minor < 1e15) return fast(minor, f, f.shape);
  return viaIntl(minor, f, currency);
}
