/**
 * The outbox's one seam to the SMS codec (src/sms/send-text.ts, shared with dunning's preview
 * and forecast): part counts at enqueue, PDUs at send, both for the recipient's locale.
 * Encoding is deterministic for the same text, locale and settings, so a message resumed after
 * a crash re-encodes to the same parts and keeps its concatenation reference.
 */
import { encodeForSend, measureText, type CodecSettings } from "../sms/index.js";
import type { Encoding } from "../sms/types.js";
export type { StatusReportPdu } from "../sms/types.js";
export type { CodecSettings } from "../sms/index.js";

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
}

export function prepareText(text: string, locale: string | undefined, codec: CodecSettings): PreparedText {
  const m = measureText(text, locale, codec);
  return { encoding: m.encoding, parts: m.parts };
}

export function encodeParts(
  text: string,
  locale: string | undefined,
  codec: CodecSettings,
  opts: EncodeOptions,
): EncodedPart[] {
  return encodeForSend(text, locale, codec, opts);
}
