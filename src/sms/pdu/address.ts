/**
 * Addresses: TP-OA/TP-DA/TP-RA (TS 23.040 9.1.2.5, length in semi-octets) and the SMSC address
 * (TS 24.011 8.2.5.1, length in octets). Semi-octets are swapped BCD with F as filler.
 */
import { DEFAULT_CHARSET } from "../alphabet/charset.js";
import { type OctetReader } from "./octets.js";
import { packSeptets, unpackSeptets } from "./septets.js";

const BCD = "0123456789*#abc";
const TON_INTERNATIONAL = 0x91; // ext bit, international, ISDN/E.164
const TON_UNKNOWN = 0x81; // ext bit, unknown, ISDN/E.164

function digitsOf(number: string): { digits: string; toa: number } {
  const trimmed = number.trim();
  const international = trimmed.startsWith("+") || trimmed.startsWith("00");
  const digits = trimmed.replace(/^(\+|00)/, "").replace(/[^0-9*#abc]/g, "");
  return { digits, toa: international ? TON_INTERNATIONAL : TON_UNKNOWN };
}

function bcd(digits: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const lo = BCD.indexOf(digits[i]!);
    const hi = i + 1 < digits.length ? BCD.indexOf(digits[i + 1]!) : 0xf;
    out.push((hi << 4) | lo);
  }
  return out;
}

const TON_ALPHANUMERIC = 0xd0; // ext bit, alphanumeric (TS 23.040 9.1.2.5), numbering plan unknown

/** True for what the SMS address field can carry as digits: +, digits, and nothing else but spacing. */
export function isDialable(number: string): boolean {
  return /^\+?[0-9]{1,20}$/.test(number.trim().replace(/[\s()-]/g, ""));
}

/**
 * TP-DA/OA/RA octets: <number of digits> <type of address> <semi-octets>. A sender with letters
 * ("BANK") is encoded alphanumeric, GSM-7 packed, up to 11 characters, as SMSCs deliver them.
 */
export function encodeAddress(number: string): number[] {
  if (/[^0-9+*#\s()-]/.test(number)) {
    const septets: number[] = [];
    for (const ch of number.slice(0, 11))
      septets.push(...(DEFAULT_CHARSET.septetsOf(ch) ?? DEFAULT_CHARSET.septetsOf("?")!));
    const packed = packSeptets(septets, 0);
    return [Math.ceil((septets.length * 7) / 4), TON_ALPHANUMERIC, ...packed];
  }
  const { digits, toa } = digitsOf(number);
  return [digits.length, toa, ...bcd(digits)];
}

/** SMSC octets: <octets that follow> <type of address> <semi-octets>; "" or absent → 00 (the SIM's). */
export function encodeSmsc(number: string | undefined): number[] {
  if (!number || !number.trim()) return [0];
  const { digits, toa } = digitsOf(number);
  const body = bcd(digits);
  return [body.length + 1, toa, ...body];
}

function decodeSemiOctets(octets: Uint8Array, digits: number, r: OctetReader, start: number): string {
  let out = "";
  for (let i = 0; i < digits; i++) {
    const b = octets[i >> 1]!;
    const nibble = i % 2 === 0 ? b & 0x0f : b >> 4;
    if (nibble === 0xf) break; // filler; some SMSCs count it in the length
    const ch = BCD[nibble];
    if (ch === undefined) throw r.malformed(`address digit 0x${nibble.toString(16)} is no BCD digit`, start + (i >> 1));
    out += ch;
  }
  return out;
}

function withType(digits: string, toa: number): string {
  return (toa & 0x70) === 0x10 && digits.length > 0 ? `+${digits}` : digits;
}

export function readAddress(r: OctetReader, what: string): string {
  const start = r.pos;
  const length = r.byte(`${what} length`);
  const toa = r.byte(`${what} type`);
  if (length > 20 * 2) throw r.malformed(`${what} length ${length} exceeds the 20 octets an address may have`, start);
  const octets = r.bytes(Math.ceil(length / 2), what);
  if ((toa & 0x70) === 0x50) {
    // Alphanumeric (TS 23.040 9.1.2.5): GSM-7 packed, length counts semi-octets.
    return DEFAULT_CHARSET.decode(unpackSeptets(octets, Math.floor((length * 4) / 7), 0));
  }
  return withType(decodeSemiOctets(octets, length, r, start + 2), toa);
}

export function readSmsc(r: OctetReader): string | undefined {
  const start = r.pos;
  const length = r.byte("SMSC length");
  if (length === 0) return undefined;
  if (length > 12) throw r.malformed(`SMSC length ${length} exceeds 12 octets`, start);
  const toa = r.byte("SMSC type");
  const octets = r.bytes(length - 1, "SMSC address");
  return withType(decodeSemiOctets(octets, (length - 1) * 2, r, start + 2), toa);
}
