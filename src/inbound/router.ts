/**
 * Which keyword a message is. Tolerant of case, accents, punctuation and spacing
 * ("  Stöp!! ", "opt-out", "Saldo?"), with leading courtesy words skipped ("please stop").
 * Aliases come from the keyword files plus inbound.aliases and inbound.localeAliases.
 * An alias claimed by two keywords is a configuration error, reported at start.
 */
import type { KeywordKind } from "../api/events.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { KEYWORDS, unknownKeyword, type KeywordDefinition } from "./keywords/index.js";
import { normalizeText, withinOneEdit, words } from "./normalize.js";

export interface KeywordMatch {
  keyword: KeywordDefinition;
  /** The text after the keyword, as written. */
  rest: string;
  /** How it matched, for tests and the log. */
  how: "start" | "alone" | "anywhere" | "typo" | "none";
}

const COURTESY = new Set([
  "PLEASE",
  "PLS",
  "PLZ",
  "BITTE",
  "HI",
  "HELLO",
  "HALLO",
  "HEY",
  "DEAR",
  "OK",
  "OKAY",
  "THANKS",
  "DANKE",
  "MERCI",
  "SVP",
  "POR",
  "FAVOR",
  "GRACIAS",
]);
const SHORT_MESSAGE_WORDS = 6;

interface Alias {
  tokens: string[];
  keyword: KeywordDefinition;
  alone: boolean;
}

export class KeywordRouter {
  private readonly aliases: Alias[] = [];

  constructor(
    extra: { aliases?: Record<string, string[]>; localeAliases?: Record<string, Record<string, string[]>> } = {},
  ) {
    const owner = new Map<string, KeywordKind>();
    const add = (keyword: KeywordDefinition, raw: string, alone: boolean, where: string): void => {
      const folded = normalizeText(raw);
      if (!folded)
        throw new DuegateError(
          ErrorCode.ConfigInvalid,
          `inbound alias "${raw}" for ${keyword.kind} has no letters or digits`,
          { where },
        );
      const prior = owner.get(folded);
      if (prior && prior !== keyword.kind)
        throw new DuegateError(
          ErrorCode.ConfigInvalid,
          `inbound alias "${raw}" is claimed by both ${prior} and ${keyword.kind}`,
          { where },
        );
      if (prior) return;
      owner.set(folded, keyword.kind);
      this.aliases.push({ tokens: folded.split(" "), keyword, alone });
    };
    for (const k of KEYWORDS) {
      for (const a of k.aliases) add(k, a, false, `keywords/${k.kind}`);
      for (const a of k.aloneOnly ?? []) add(k, a, true, `keywords/${k.kind}`);
    }
    const byKind = new Map(KEYWORDS.map((k) => [k.kind as string, k]));
    const addConfigured = (map: Record<string, string[]>, where: string): void => {
      for (const [kind, list] of Object.entries(map)) {
        const keyword = byKind.get(kind.toLowerCase());
        if (!keyword)
          throw new DuegateError(
            ErrorCode.ConfigInvalid,
            `${where}: "${kind}" is no keyword (one of ${[...byKind.keys()].join(", ")})`,
            { where },
          );
        for (const a of list) add(keyword, a, false, where);
      }
    };
    addConfigured(extra.aliases ?? {}, "inbound.aliases");
    for (const [locale, map] of Object.entries(extra.localeAliases ?? {}))
      addConfigured(map, `inbound.localeAliases.${locale}`);
    // Longest first, so "STOP ALL" wins over "STOP" and "OPT OUT" is seen whole.
    this.aliases.sort((a, b) => b.tokens.length - a.tokens.length);
  }

  route(text: string): KeywordMatch {
    const nfc = text.normalize("NFC");
    const all = words(nfc);
    let skip = 0;
    while (skip < all.length - 1 && COURTESY.has(all[skip]!.word)) skip++;
    const ws = all.slice(skip);
    const tokens = ws.map((w) => w.word);
    const meaningful = tokens.filter((t) => !COURTESY.has(t));
    const restAfter = (n: number): string => nfc.slice(ws[n - 1]!.end).replace(/^[\s\p{P}]+/u, "");

    for (const alias of this.aliases) {
      const n = alias.tokens.length;
      if (tokens.length < n || !alias.tokens.every((t, i) => tokens[i] === t)) continue;
      if (alias.alone && meaningful.length !== n) continue;
      return { keyword: alias.keyword, rest: restAfter(n), how: alias.alone ? "alone" : "start" };
    }
    // One typo in a long single-word alias at the start: BALNACE, PROMSIE.
    const first = tokens[0];
    if (first && first.length >= 5) {
      for (const alias of this.aliases) {
        const [word] = alias.tokens;
        if (alias.tokens.length === 1 && alias.keyword.fuzzy && word!.length >= 6 && withinOneEdit(first, word!))
          return { keyword: alias.keyword, rest: restAfter(1), how: "typo" };
      }
    }
    // "What is my balance?": harmless keywords anywhere in a short message.
    if (tokens.length <= SHORT_MESSAGE_WORDS) {
      for (const alias of this.aliases) {
        if (!alias.keyword.anywhereInShort || alias.alone || alias.tokens.length !== 1) continue;
        const at = tokens.indexOf(alias.tokens[0]!);
        if (at > 0) return { keyword: alias.keyword, rest: restAfter(at + 1), how: "anywhere" };
      }
    }
    return { keyword: unknownKeyword, rest: nfc.trim(), how: "none" };
  }
}
