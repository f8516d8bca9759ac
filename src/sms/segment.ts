/**
 * Text → parts: the cheapest encoding that carries the text exactly, and its segmentation.
 * Part sizes follow from TS 23.040 9.2.3.24 (UDH inside the 140-octet user data) and TS 23.038 6.1.2.1
 * (septets after a UDH start at the next septet boundary): 160/153 septets, 70/67 UCS-2 units,
 * 140/134 octets; each national shift IE costs 3 more octets.
 */
import { DuegateError, ErrorCode } from "../core/errors.js";
import { candidateCharsets, type Gsm7Charset } from "./alphabet/charset.js";
import { languageForLocale } from "./alphabet/shift-tables.js";
import { TRANSLITERATIONS, transliterate } from "./alphabet/transliterate.js";
import type { Encoding, TextAnalysis, TextOptions } from "./types.js";

export const USER_DATA_OCTETS = 140;
/** The concatenation IE's count field is one octet. */
export const MAX_PARTS = 255;

export interface Segmentation {
  analysis: TextAnalysis;
  /** Per part: septets (gsm7), UCS-2 code units (ucs2) or octets (8bit). */
  parts: number[][];
  charset?: Gsm7Charset;
}

/** Capacity in units of one part's user data, given the UDH octets it carries (0 = no UDH). */
export function capacity(encoding: Encoding, udhOctets: number): number {
  const udh = udhOctets > 0 ? udhOctets + 1 : 0; // + the UDHL octet
  if (encoding === "gsm7") return 160 - Math.ceil((udh * 8) / 7);
  if (encoding === "ucs2") return Math.floor((USER_DATA_OCTETS - udh) / 2);
  return USER_DATA_OCTETS - udh;
}

export function concatIeOctets(bits: 8 | 16): number {
  return bits === 16 ? 6 : 5;
}

/** Characters as groups of units that must stay in one part (escape + code, surrogate pairs). */
type Groups = number[][];

function gsm7Groups(text: string, cs: Gsm7Charset): Groups | undefined {
  const groups: Groups = [];
  for (const ch of text) {
    const s = cs.septetsOf(ch);
    if (!s) return undefined;
    groups.push(s as number[]);
  }
  return groups;
}

function ucs2Groups(text: string): Groups {
  const groups: Groups = [];
  for (const ch of text) {
    groups.push(ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [ch.charCodeAt(0)]);
  }
  return groups;
}

function octetGroups(text: string): Groups | undefined {
  const groups: Groups = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) return undefined;
    groups.push([c]);
  }
  return groups;
}

function unitCount(groups: Groups): number {
  let n = 0;
  for (const g of groups) n += g.length;
  return n;
}

function pack(groups: Groups, cap: number): number[][] {
  const parts: number[][] = [[]];
  for (const g of groups) {
    let cur = parts[parts.length - 1]!;
    if (cur.length + g.length > cap) {
      cur = [];
      parts.push(cur);
    }
    for (const u of g) cur.push(u);
  }
  return parts;
}

interface Candidate {
  encoding: Encoding;
  text: string;
  groups: Groups;
  headerOctets: number;
  charset?: Gsm7Charset;
  changed: boolean;
}

function segmentCandidate(c: Candidate, refBits: 8 | 16): { parts: number[][]; perPart: number; units: number } {
  const units = unitCount(c.groups);
  const single = capacity(c.encoding, c.headerOctets);
  if (units <= single) return { parts: pack(c.groups, single), perPart: single, units };
  const multi = capacity(c.encoding, c.headerOctets + concatIeOctets(refBits));
  return { parts: pack(c.groups, multi), perPart: multi, units };
}

/** Every character any GSM-7 candidate could carry, per language: rules out GSM-7 in one pass. */
const REACHABLE = new Map<number, Set<string>>();

function reachable(charsets: readonly Gsm7Charset[], languageId: number): Set<string> {
  let set = REACHABLE.get(languageId);
  if (!set) {
    set = new Set(Object.keys(TRANSLITERATIONS));
    for (const cs of charsets) for (const table of [cs.base, cs.extension]) for (const ch of table) if (ch) set.add(ch);
    REACHABLE.set(languageId, set);
  }
  return set;
}

function gsm7Candidates(text: string, opts: TextOptions): Candidate[] {
  const out: Candidate[] = [];
  const language = languageForLocale(opts.locale);
  const charsets = candidateCharsets(language);
  const known = reachable(charsets, language?.id ?? 0);
  for (const ch of text) if (!known.has(ch)) return out; // Cyrillic, emoji…: UCS-2 without trying each table
  for (const cs of charsets) {
    let t = text;
    let groups = gsm7Groups(t, cs);
    if (!groups && opts.transliterate !== false) {
      t = transliterate(text, (ch) => cs.has(ch));
      groups = gsm7Groups(t, cs);
    }
    if (!groups) continue;
    out.push({ encoding: "gsm7", text: t, groups, headerOctets: cs.headerOctets, charset: cs, changed: t !== text });
    // The default tables carrying the exact text in one SMS cannot be beaten: skip the shift tables.
    if (cs.headerOctets === 0 && t === text && unitCount(groups) <= capacity("gsm7", 0)) return out;
  }
  return out;
}

function unencodable(encoding: Encoding, text: string): DuegateError {
  return new DuegateError(ErrorCode.TextUnencodable, `the text has characters that ${encoding} cannot carry`, {
    encoding,
    length: text.length,
  });
}

/** Chooses the encoding and splits; throws TextUnencodable for a forced encoding that cannot carry the text. */
export function segmentText(text: string, opts: TextOptions = {}, refBits: 8 | 16 = 8): Segmentation {
  let candidates: Candidate[];
  if (opts.encoding === "ucs2") {
    candidates = [{ encoding: "ucs2", text, groups: ucs2Groups(text), headerOctets: 0, changed: false }];
  } else if (opts.encoding === "8bit") {
    const groups = octetGroups(text);
    if (!groups) throw unencodable("8bit", text);
    candidates = [{ encoding: "8bit", text, groups, headerOctets: 0, changed: false }];
  } else {
    candidates = gsm7Candidates(text, opts);
    if (candidates.length === 0) {
      if (opts.encoding === "gsm7") throw unencodable("gsm7", text);
      candidates = [{ encoding: "ucs2", text, groups: ucs2Groups(text), headerOctets: 0, changed: false }];
    }
  }
  let best: { c: Candidate; seg: ReturnType<typeof segmentCandidate> } | undefined;
  for (const c of candidates) {
    const seg = segmentCandidate(c, refBits);
    // Fewer parts wins; then the exact text over a transliterated one; then fewer header octets.
    if (
      !best ||
      seg.parts.length < best.seg.parts.length ||
      (seg.parts.length === best.seg.parts.length &&
        (Number(c.changed) < Number(best.c.changed) ||
          (c.changed === best.c.changed && c.headerOctets < best.c.headerOctets)))
    ) {
      best = { c, seg };
    }
  }
  const { c, seg } = best!;
  if (seg.parts.length > MAX_PARTS) {
    throw new DuegateError(
      ErrorCode.TextUnencodable,
      `the text needs ${seg.parts.length} parts; at most ${MAX_PARTS} fit a concatenation`,
      {
        parts: seg.parts.length,
      },
    );
  }
  const last = seg.parts[seg.parts.length - 1]!;
  const analysis: TextAnalysis = {
    encoding: c.encoding,
    text: c.text,
    parts: seg.parts.length,
    units: seg.units,
    perPart: seg.perPart,
    remainingInPart: seg.perPart - last.length,
  };
  if (c.charset?.locking || c.charset?.single) {
    analysis.shift = {};
    if (c.charset.locking) analysis.shift.locking = c.charset.locking.name;
    if (c.charset.single) analysis.shift.single = c.charset.single.name;
  }
  return { analysis, parts: seg.parts, charset: c.charset };
}

export function analyzeText(text: string, opts?: TextOptions): TextAnalysis {
  return segmentText(text, opts).analysis;
}
