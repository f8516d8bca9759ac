/**
 * The outbox's one seam to the SMS codec. Until src/sms/index.ts (analyzeText, encodeSubmit)
 * lands, this holds a minimal SMS-SUBMIT encoder of its own: GSM 7-bit default alphabet with
 * its extension table, else UCS-2; 8-bit concatenation IE; no national shift tables and no
 * transliteration. When the codec is there, only this file changes: the two functions below
 * become calls to it.
 * References: 3GPP TS 23.040 9.2.2.2 (SMS-SUBMIT), 9.2.3.24.1 (concatenation IE),
 * 9.2.3.12.1 (relative validity), TS 23.038 6.2.1 (default alphabet), 6.1.2.1.1 (fill bits).
 */
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
}

const BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const EXTENSION: Record<string, number> = { "\f": 0x0a, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2f, "[": 0x3c, "~": 0x3d, "]": 0x3e, "|": 0x40, "€": 0x65 };

/** Septet groups per character (an extension character is escape + code and never split), or undefined if not GSM-7. */
function gsm7Groups(text: string): number[][] | undefined {
  const out: number[][] = [];
  for (const ch of text) {
    const i = ch === "\u001b" ? -1 : BASIC.indexOf(ch);
    if (i >= 0) out.push([i]);
    else if (EXTENSION[ch] !== undefined) out.push([0x1b, EXTENSION[ch]]);
    else return undefined;
  }
  return out;
}

function ucs2Groups(text: string): number[][] {
  const out: number[][] = [];
  for (const ch of text) out.push(ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [ch.charCodeAt(0)]);
  return out;
}

function split(groups: number[][], single: number, multi: number): number[][] {
  const total = groups.reduce((n, g) => n + g.length, 0);
  if (total <= single) return [groups.flat()];
  const parts: number[][] = [];
  let cur: number[] = [];
  for (const g of groups) {
    if (cur.length + g.length > multi) {
      parts.push(cur);
      cur = [];
    }
    cur.push(...g);
  }
  parts.push(cur);
  return parts;
}

function segment(text: string): { encoding: Encoding; parts: number[][] } {
  const g = gsm7Groups(text);
  if (g) return { encoding: "gsm7", parts: split(g, 160, 153) };
  return { encoding: "ucs2", parts: split(ucs2Groups(text), 70, 67) };
}

export function prepareText(text: string): PreparedText {
  const s = segment(text);
  return { encoding: s.encoding, parts: s.parts.length };
}

const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, "0").toUpperCase();

function address(e164: string): string {
  const digits = e164.replace(/\D/g, "");
  const padded = digits.length % 2 ? digits + "F" : digits;
  let swapped = "";
  for (let i = 0; i < padded.length; i += 2) swapped += padded[i + 1]! + padded[i]!;
  return hex2(digits.length) + (e164.startsWith("+") ? "91" : "81") + swapped;
}

function smscField(smsc: string | undefined): string {
  if (!smsc) return "00";
  const a = address(smsc).slice(2); // type + digits, length counts octets here
  return hex2(a.length / 2) + a;
}

function validity(minutes: number): number {
  if (minutes <= 720) return Math.max(0, Math.ceil(minutes / 5) - 1);
  if (minutes <= 1440) return 143 + Math.ceil((minutes - 720) / 30);
  if (minutes <= 43200) return 166 + Math.ceil(minutes / 1440);
  return Math.min(255, 192 + Math.ceil(minutes / 10080));
}

/** Packs septets after `fillBits` zero bits (TS 23.038 6.1.2.1.1). */
function packSeptets(septets: number[], fillBits: number): string {
  const bytes: number[] = [];
  let acc = 0;
  let bits = fillBits;
  for (const s of septets) {
    acc |= (s & 0x7f) << bits;
    bits += 7;
    while (bits >= 8) {
      bytes.push(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) bytes.push(acc & 0xff);
  return bytes.map(hex2).join("");
}

export function encodeParts(text: string, opts: EncodeOptions): EncodedPart[] {
  const s = segment(text);
  const count = s.parts.length;
  return s.parts.map((units, i) => {
    const udh = count > 1 ? "050003" + hex2(opts.concatReference) + hex2(count) + hex2(i + 1) : "";
    let ud: string;
    let udl: number;
    if (s.encoding === "gsm7") {
      const headerSeptets = udh ? 7 : 0; // 6 octets = 48 bits, +1 fill bit
      ud = (udh ? udh : "") + packSeptets(units, udh ? 1 : 0).slice(0);
      udl = headerSeptets + units.length;
    } else {
      ud = udh + units.map((u) => u.toString(16).padStart(4, "0").toUpperCase()).join("");
      udl = udh.length / 2 + units.length * 2;
    }
    const first = 0x01 | 0x10 | (opts.statusReport ? 0x20 : 0) | (udh ? 0x40 : 0);
    const tpdu = hex2(first) + "00" + address(opts.to) + "00" + (s.encoding === "gsm7" ? "00" : "08") + hex2(validity(opts.validityMinutes)) + hex2(udl) + ud;
    return { index: i + 1, count, pdu: smscField(opts.smsc) + tpdu, tpduLength: tpdu.length / 2 };
  });
}
