/**
 * Look-alikes that word processors and spreadsheets insert, mapped to GSM-7 characters, so that one
 * curly quote does not push a reminder into UCS-2 at two to three times the parts. Applied only when
 * the whole text then fits GSM-7 (see segment.ts); otherwise the text goes out unchanged in UCS-2.
 * Letters are never changed (no accent stripping): only typography that has a GSM-7 twin.
 */
export const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  "\u2018": "'", // ‘ left single quotation mark
  "\u2019": "'", // ’ right single quotation mark / typographic apostrophe
  "\u201a": "'", // ‚ single low-9 quotation mark
  "\u201b": "'", // ‛ single high-reversed-9 quotation mark
  "\u2032": "'", // ′ prime
  "\u00b4": "'", // ´ acute accent
  "\u0060": "'", // ` grave accent (not in the default alphabet)
  "\u201c": '"', // “ left double quotation mark
  "\u201d": '"', // ” right double quotation mark
  "\u201e": '"', // „ double low-9 quotation mark
  "\u201f": '"', // ‟ double high-reversed-9 quotation mark
  "\u2033": '"', // ″ double prime
  "\u00ab": '"', // « left-pointing double angle quotation mark
  "\u00bb": '"', // » right-pointing double angle quotation mark
  "\u2039": "'", // ‹
  "\u203a": "'", // ›
  "\u2010": "-", // ‐ hyphen
  "\u2011": "-", // ‑ non-breaking hyphen
  "\u2012": "-", // ‒ figure dash
  "\u2013": "-", // – en dash
  "\u2014": "-", // — em dash
  "\u2015": "-", // ― horizontal bar
  "\u2212": "-", // − minus sign
  "\u00ad": "", // soft hyphen: invisible
  "\u00a0": " ", // no-break space
  "\u2007": " ", // figure space
  "\u202f": " ", // narrow no-break space (French thousands separator)
  "\u2002": " ", // en space
  "\u2003": " ", // em space
  "\u2009": " ", // thin space
  "\u200a": " ", // hair space
  "\u200b": "", // zero-width space
  "\u2060": "", // word joiner
  "\ufeff": "", // byte order mark / zero-width no-break space
  "\u2026": "...", // … horizontal ellipsis
  "\u2022": "-", // • bullet
  "\u00b7": ".", // · middle dot
  "\u2024": ".", // ․ one dot leader
  "\u00d7": "x", // × multiplication sign
  "\u2044": "/", // ⁄ fraction slash
  "\t": " ", // tab: no GSM-7 code
  "\u2028": "\n", // line separator
  "\u2029": "\n", // paragraph separator
};

const KEYS = Object.keys(TRANSLITERATIONS);
const PATTERN = new RegExp(KEYS.map((k) => k.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&")).join("|"), "gu");

/**
 * Replaces look-alikes. `keep` says which characters the chosen alphabet already carries: those are
 * never replaced (the Portuguese locking shift table carries "`", so "`" stays "`" there).
 */
export function transliterate(text: string, keep: (ch: string) => boolean = () => false): string {
  return text.replace(PATTERN, (m) => (keep(m) ? m : (TRANSLITERATIONS[m] ?? m)));
}
