/**
 * The outbox's one seam to the SMS codec (src/sms): part counts at enqueue, PDUs at send.
 * Encoding is deterministic for the same text and options, so a message resumed after a
 * crash re-encodes to the same parts and keeps its concatenation reference.
 */
import { analyzeText, encodeSubmit } from "../sms/index.js";
import type { Encoding } from "../sms/types.js";
export type { StatusReportPdu } from "../sms/types.js";

export interface PreparedText {
  encoding: Encoding;
  parts: number;
}

export interface EncodedPart {
  index: number;
  count: number;
  pdu: string;
  tpduLength: number;
}

export interface EncodeOptions {
  to: string;
  smsc?: string;
  statusReport: boolean;
  validityMinutes: number;
  concatReference: number;
  referenceBits: 8 | 16;
  transliterate: boolean;
}

export function prepareText(text: string, opts: { transliterate: boolean }): PreparedText {
  const a = analyzeText(text, { transliterate: opts.transliterate });
  return { encoding: a.encoding, parts: a.parts };
}

export function encodeParts(text: string, opts: EncodeOptions): EncodedPart[] {
  return encodeSubmit(text, {
    to: opts.to,
    ...(opts.smsc ? { smsc: opts.smsc } : {}),
    statusReport: opts.statusReport,
    validityMinutes: opts.validityMinutes,
    concatReference: opts.concatReference,
    referenceBits: opts.referenceBits,
    transliterate: opts.transliterate,
  }).parts;
}
