/**
 * USSD answers (3GPP TS 27.007 7.15 +CUSD: <m>,<str>,<dcs>) and the prepaid credit in them.
 * The string comes in the TE character set: plain text for the default alphabet (DCS 15 or
 * 0x0F-like GSM-7 groups), UTF-16BE as hex for UCS-2 (DCS 72 = 0x48 and others of TS 23.038
 * group 0100 with alphabet bits 10), and with some Huawei sticks GSM-7 packed as hex.
 */
import { unpackSeptets } from "../../sms/pdu/septets.js";
import { DEFAULT_CHARSET } from "../../sms/alphabet/charset.js";

export interface UssdAnswer {
  /** <m>: 0 no further action, 1 further action required, 2 terminated by the network, 4 not supported. */
  status: number;
  text: string;
  dcs: number;
}

/** TS 23.038 section 5 (CBS data coding): UCS-2 when the alphabet bits say so. */
function isUcs2(dcs: number): boolean {
  if (dcs === 72 || dcs === 0x11) return true;
  const group = dcs >> 4;
  return (group === 0x4 || group === 0x5 || group === 0x6 || group === 0x7 || group === 0x9) && (dcs & 0x0c) === 0x08;
}

const HEX = /^(?:[0-9A-Fa-f]{2})+$/;

export function decodeUssd(str: string, dcs: number): string {
  if (isUcs2(dcs) && HEX.test(str) && str.length % 4 === 0) return Buffer.from(str, "hex").swap16().toString("utf16le");
  // Huawei: the default alphabet, packed, as hex. Plain answers ("Credit 5.00") are not all hex.
  if (HEX.test(str) && str.length >= 4) {
    const octets = Uint8Array.from(Buffer.from(str, "hex"));
    const septets = unpackSeptets(octets, Math.floor((octets.length * 8) / 7), 0);
    const text = septets
      .map((s) => DEFAULT_CHARSET.base[s] ?? "?")
      .join("")
      .replace(/[\r\n@]+$/, "");
    if (/[A-Za-z]{3}/.test(text)) return text;
  }
  return str;
}

/** +CUSD: 0,"Your credit is 12.34 EUR",15 */
export function parseCusd(line: string): UssdAnswer | undefined {
  const m = /^\+CUSD:\s*(\d+)(?:\s*,\s*"((?:[^"]|"")*)"\s*(?:,\s*(\d+))?)?/.exec(line);
  if (!m) return undefined;
  const dcs = m[3] === undefined ? 15 : Number(m[3]);
  return { status: Number(m[1]), dcs, text: m[2] === undefined ? "" : decodeUssd(m[2], dcs) };
}

/**
 * The credit in an operator's answer, in minor units: the first amount with a decimal part
 * ("12.34", "12,34", "-0.50"), else the first whole number after a word like credit or
 * balance. Undefined when the answer holds none (an error text, a menu).
 */
export function creditOf(text: string): number | undefined {
  const m = /(-?\d{1,7})[.,](\d{2})(?!\d)/.exec(text);
  if (m) return Number(m[1]) * 100 + (m[1]!.startsWith("-") ? -1 : 1) * Number(m[2]);
  const w = /(?:credit|balance|guthaben|saldo|solde|crédito)\D{0,20}?(-?\d{1,7})(?!\d)/i.exec(text);
  if (w) return Number(w[1]) * 100;
  return undefined;
}
