/**
 * Dates and account numbers as a debtor reads them, in the account's locale (money: src/core/money.ts).
 * Intl puts narrow no-break spaces in some locales (fr-FR "12,50 €"); they are not in the
 * GSM 7-bit alphabet (3GPP TS 23.038 6.2.1) and would turn the whole reply into UCS-2,
 * so they become plain spaces.
 */
const ODD_SPACES = /[\u00a0\u2009\u202f]/g;

export function gsmSafe(text: string): string {
  return text
    .replace(ODD_SPACES, " ")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2013|\u2014/g, "-");
}

function safeLocale(locale: string | undefined, fallback: string): string {
  try {
    return Intl.getCanonicalLocales(locale || fallback)[0] ?? fallback;
  } catch {
    return fallback;
  }
}

/** "2026-06-25" in the account's locale ("25.06.2026", "25 Jun 2026"); the date has no zone. */
export function formatLocalDate(ymd: string, locale: string | undefined, fallbackLocale = "en-GB"): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return gsmSafe(
    new Intl.DateTimeFormat(safeLocale(locale, fallbackLocale), { dateStyle: "medium", timeZone: "UTC" }).format(at),
  );
}

/** An account number as a reply may show it: only the last four characters, "***4711". */
export function maskAccountId(id: string): string {
  const tail = id.length > 4 ? id.slice(-4) : id.slice(-1);
  return `***${tail}`;
}
