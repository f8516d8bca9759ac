/**
 * Text as the keyword router compares it: upper case, no accents, punctuation and runs of
 * spaces folded to one space. "  stöp!! " and "Stop." both become "STOP"; "opt-out" becomes
 * "OPT OUT". Letters with no decomposition (ß, Æ, Ø, Œ, Ł) are spelled out first.
 */
const SPELLED: Record<string, string> = {
  ß: "ss",
  ẞ: "SS",
  æ: "ae",
  Æ: "AE",
  ø: "o",
  Ø: "O",
  œ: "oe",
  Œ: "OE",
  ł: "l",
  Ł: "L",
  đ: "d",
  Đ: "D",
  ı: "i",
};

const WORD = /[\p{L}\p{N}]+/gu;

export function foldWord(word: string): string {
  return word
    .replace(/[ßẞæÆøØœŒłŁđĐı]/g, (c) => SPELLED[c] ?? c)
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toUpperCase();
}

/** The words of a text, folded, each with where it ends in the original text. */
export function words(text: string): Array<{ word: string; end: number }> {
  const out: Array<{ word: string; end: number }> = [];
  for (const m of text.normalize("NFC").matchAll(WORD))
    out.push({ word: foldWord(m[0]), end: (m.index ?? 0) + m[0].length });
  return out;
}

export function normalizeText(text: string): string {
  return words(text)
    .map((w) => w.word)
    .join(" ");
}

/** Damerau–Levenshtein distance, capped: only "is it at most 1" matters for typo tolerance. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff: number[] = [];
    for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
    if (diff.length === 1) return true;
    // one transposition of neighbours: BALNACE
    return diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  return short.slice(i) === long.slice(i + 1);
}
