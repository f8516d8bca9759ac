/**
 * A GSM-7 character set: a base table (default alphabet or a national locking shift table) plus an
 * extension table (default extension or a national single shift table), TS 23.038 6.2.1.
 */
import { DEFAULT_ALPHABET, DEFAULT_EXTENSION, ESCAPE, type SeptetTable } from "./gsm7.js";
import { languageById, type NationalLanguage } from "./shift-tables.js";

export class Gsm7Charset {
  private readonly codes = new Map<string, readonly number[]>();

  constructor(
    readonly base: SeptetTable,
    readonly extension: SeptetTable,
    readonly locking?: NationalLanguage,
    readonly single?: NationalLanguage,
  ) {
    // Extension first, so that a character in both tables takes the one-septet base code.
    extension.forEach((ch, code) => {
      if (ch) this.codes.set(ch, [ESCAPE, code]);
    });
    base.forEach((ch, code) => {
      if (ch) this.codes.set(ch, [code]);
    });
  }

  has(ch: string): boolean {
    return this.codes.has(ch);
  }

  /** Septets of one character (one code point), or undefined if this set lacks it. */
  septetsOf(ch: string): readonly number[] | undefined {
    return this.codes.get(ch);
  }

  /** Number of UDH octets the shift IEs cost (3 each: IEI, length, language id), TS 23.040 9.2.3.24.15/16. */
  get headerOctets(): number {
    return (this.locking ? 3 : 0) + (this.single ? 3 : 0);
  }

  /**
   * Septets → text. An escape followed by a code the extension lacks shows the base character, and a
   * trailing escape is dropped (TS 23.038 6.2.1.1: "display the character of the main table").
   */
  decode(septets: ArrayLike<number>): string {
    let out = "";
    for (let i = 0; i < septets.length; i++) {
      const s = septets[i]! & 0x7f;
      if (s === ESCAPE) {
        i++;
        if (i >= septets.length) break;
        const next = septets[i]! & 0x7f;
        out += this.extension[next] || (next === ESCAPE ? " " : this.base[next]) || "";
        continue;
      }
      out += this.base[s] ?? "";
    }
    return out;
  }
}

export const DEFAULT_CHARSET = new Gsm7Charset(DEFAULT_ALPHABET, DEFAULT_EXTENSION);

/** The charset a received UDH announces; unknown language ids fall back to the default tables. */
export function charsetFor(lockingId?: number, singleId?: number): Gsm7Charset {
  if (lockingId === undefined && singleId === undefined) return DEFAULT_CHARSET;
  const locking = lockingId === undefined ? undefined : languageById(lockingId);
  const single = singleId === undefined ? undefined : languageById(singleId);
  return new Gsm7Charset(
    locking?.locking ?? DEFAULT_ALPHABET,
    single?.single ?? DEFAULT_EXTENSION,
    locking?.locking ? locking : undefined,
    single,
  );
}

const CANDIDATES = new Map<number, Gsm7Charset[]>();

/** The charsets worth trying for a language: single shift, locking shift, both (TS 23.038 6.2.1.2). */
export function candidateCharsets(language: NationalLanguage | undefined): readonly Gsm7Charset[] {
  if (!language) return [DEFAULT_CHARSET];
  const cached = CANDIDATES.get(language.id);
  if (cached) return cached;
  const out = [DEFAULT_CHARSET];
  out.push(new Gsm7Charset(DEFAULT_ALPHABET, language.single, undefined, language));
  if (language.locking) {
    out.push(new Gsm7Charset(language.locking, DEFAULT_EXTENSION, language, undefined));
    out.push(new Gsm7Charset(language.locking, language.single, language, language));
  }
  CANDIDATES.set(language.id, out);
  return out;
}
