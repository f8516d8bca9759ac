/**
 * The one seam between a text and the parts it travels in. Preview, forecast and cost (dunning)
 * and the outbox (part count at enqueue, PDUs at send) call these two functions with the same
 * inputs: the text, the recipient's locale (national shift tables for tr, es, pt) and the
 * modem's codec settings. So a reminder is counted, previewed and sent in the same encoding,
 * with the same number of parts, split at the same characters (docs/sms-codec.md).
 */
import { segmentText } from "./segment.js";
import { encodeSubmit } from "./pdu/submit.js";
import type { Encoding, SubmitPart } from "./types.js";
import type { Gsm7Charset } from "./alphabet/charset.js";

/** The modem settings that change how a text is split (config modem.transliterate, modem.concatReference). */
export interface CodecSettings {
  transliterate: boolean;
  concatReference: 8 | 16;
}

export const DEFAULT_CODEC: CodecSettings = { transliterate: true, concatReference: 8 };

export interface MeasuredText {
  /** The text as it will be sent, after transliteration. */
  text: string;
  encoding: Encoding;
  parts: number;
  /** Septets (gsm7, escapes count 2), UCS-2 code units or octets of the whole text. */
  units: number;
  /** The text of each part, in order: where the parts are cut. */
  partTexts: string[];
  /** National language tables used ("turkish", "spanish", "portuguese"). */
  shift?: { locking?: string; single?: string };
}

/** Where each part's text ends: the characters are walked with the same unit counts the packer used. */
function cutText(
  text: string,
  partUnits: readonly number[],
  encoding: Encoding,
  charset: Gsm7Charset | undefined,
): string[] {
  const out: string[] = [];
  let part = 0;
  let used = 0;
  let current = "";
  for (const ch of text) {
    const size = encoding === "gsm7" ? (charset?.septetsOf(ch)?.length ?? 1) : encoding === "ucs2" ? ch.length : 1;
    if (used + size > (partUnits[part] ?? Infinity) && part < partUnits.length - 1) {
      out.push(current);
      part++;
      used = 0;
      current = "";
    }
    used += size;
    current += ch;
  }
  out.push(current);
  return out;
}

function localeOption(locale: string | undefined): { locale?: string } {
  return locale ? { locale } : {};
}

/** How a text will travel to a recipient with this locale. Throws TextUnencodable past 255 parts. */
export function measureText(
  text: string,
  locale: string | undefined,
  codec: CodecSettings = DEFAULT_CODEC,
): MeasuredText {
  const seg = segmentText(text, { transliterate: codec.transliterate, ...localeOption(locale) }, codec.concatReference);
  const a = seg.analysis;
  return {
    text: a.text,
    encoding: a.encoding,
    parts: a.parts,
    units: a.units,
    partTexts: cutText(
      a.text,
      seg.parts.map((p) => p.length),
      a.encoding,
      seg.charset,
    ),
    ...(a.shift ? { shift: a.shift } : {}),
  };
}

export interface SendAddressing {
  to: string;
  smsc?: string;
  statusReport: boolean;
  validityMinutes: number;
  concatReference: number;
}

/** The PDUs of a text for a recipient with this locale: the parts measureText counted, no more, no fewer. */
export function encodeForSend(
  text: string,
  locale: string | undefined,
  codec: CodecSettings,
  to: SendAddressing,
): SubmitPart[] {
  return encodeSubmit(text, {
    to: to.to,
    ...(to.smsc ? { smsc: to.smsc } : {}),
    statusReport: to.statusReport,
    validityMinutes: to.validityMinutes,
    concatReference: to.concatReference,
    referenceBits: codec.concatReference,
    transliterate: codec.transliterate,
    ...localeOption(locale),
  }).parts;
}
