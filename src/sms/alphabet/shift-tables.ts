/**
 * National language shift tables (3GPP TS 23.038 6.2.1.2, Annex A). Only the languages our
 * customers write in are here: Turkish (id 1), Spanish (id 2, single shift only) and Portuguese (id 3).
 * A locking shift table replaces the default alphabet; a single shift table replaces the extension table.
 * They are announced in the UDH with IE 0x25 (locking) and 0x24 (single), TS 23.040 9.2.3.24.15/16.
 */
import { DEFAULT_EXTENSION, septetTable, sparseSeptetTable, type SeptetTable } from "./gsm7.js";

export interface NationalLanguage {
  /** National language identifier of TS 23.038 6.2.1.2.4. */
  id: number;
  name: string;
  locking?: SeptetTable;
  single: SeptetTable;
}

// Single shift tables keep the default extension's characters at the same codes and add letters.
function single(add: Record<number, string>): SeptetTable {
  const base: Record<number, string> = {};
  DEFAULT_EXTENSION.forEach((c, i) => {
    if (c) base[i] = c;
  });
  return sparseSeptetTable({ ...base, ...add });
}

const NUL = "\u0000";

// A.3.1 Turkish National Language Locking Shift Table
const TURKISH_LOCKING = septetTable(
  `@£$¥€éùıòÇ\nĞğ\rÅåΔ_ΦΓΛΩΠΨΣΘΞ${NUL}ŞşßÉ !"#¤%&'()*+,-./0123456789:;<=>?` +
    "İABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§çabcdefghijklmnopqrstuvwxyzäöñüà",
);
// A.2.1 Turkish National Language Single Shift Table
const TURKISH_SINGLE = single({ 0x47: "Ğ", 0x49: "İ", 0x53: "Ş", 0x63: "ç", 0x67: "ğ", 0x69: "ı", 0x73: "ş" });

// A.2.2 Spanish National Language Single Shift Table (Spanish has no locking shift table)
const SPANISH_SINGLE = single({
  0x09: "ç",
  0x41: "Á",
  0x49: "Í",
  0x4f: "Ó",
  0x55: "Ú",
  0x61: "á",
  0x69: "í",
  0x6f: "ó",
  0x75: "ú",
});

// A.3.3 Portuguese National Language Locking Shift Table
const PORTUGUESE_LOCKING = septetTable(
  `@£$¥êéúíóç\nÔô\rÁáΔ_ªÇÀ∞^\\€Ó|${NUL}ÂâÊÉ !"#º%&'()*+,-./0123456789:;<=>?` +
    "ÍABCDEFGHIJKLMNOPQRSTUVWXYZÃÕÚÜ§~abcdefghijklmnopqrstuvwxyzãõ`üà",
);
// A.2.3 Portuguese National Language Single Shift Table
const PORTUGUESE_SINGLE = single({
  0x09: "ç",
  0x0b: "Ô",
  0x0c: "ô",
  0x0e: "Á",
  0x0f: "á",
  0x12: "Φ",
  0x13: "Γ",
  0x15: "Ω",
  0x16: "Π",
  0x17: "Ψ",
  0x18: "Σ",
  0x19: "Θ",
  0x1f: "Ê",
  0x41: "À",
  0x49: "Í",
  0x4f: "Ó",
  0x55: "Ú",
  0x5b: "Ã",
  0x5c: "Õ",
  0x61: "Â",
  0x69: "í",
  0x6f: "ó",
  0x75: "ú",
  0x7b: "ã",
  0x7c: "õ",
  0x7f: "â",
});

export const NATIONAL_LANGUAGES: readonly NationalLanguage[] = [
  { id: 1, name: "turkish", locking: TURKISH_LOCKING, single: TURKISH_SINGLE },
  { id: 2, name: "spanish", single: SPANISH_SINGLE },
  { id: 3, name: "portuguese", locking: PORTUGUESE_LOCKING, single: PORTUGUESE_SINGLE },
];

const BY_LOCALE: Record<string, number> = { tr: 1, es: 2, pt: 3 };

/** "pt-BR", "pt_PT", "tr" → the language for its primary subtag, or undefined. */
export function languageForLocale(locale: string | undefined): NationalLanguage | undefined {
  if (!locale) return undefined;
  const primary = locale.toLowerCase().split(/[-_]/)[0] ?? "";
  const id = BY_LOCALE[primary];
  return id === undefined ? undefined : languageById(id);
}

export function languageById(id: number): NationalLanguage | undefined {
  return NATIONAL_LANGUAGES.find((l) => l.id === id);
}
