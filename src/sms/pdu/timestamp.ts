/**
 * TP-SCTS / TP-DT / absolute TP-VP (TS 23.040 9.2.3.11): seven swapped-BCD octets
 * YY MM DD hh mm ss TZ, local time of the SMSC, TZ in quarters of an hour with its sign in bit 3.
 */
import type { OctetReader } from "./octets.js";

function swapped(b: number, r: OctetReader, at: number, what: string): number {
  const lo = b & 0x0f;
  const hi = b >> 4;
  if (lo > 9 || hi > 9) throw r.malformed(`${what} octet 0x${b.toString(16).padStart(2, "0")} is no BCD pair`, at);
  return lo * 10 + hi;
}

/** Reads seven octets; returns ms since epoch (UTC). */
export function readTimestamp(r: OctetReader, what: string): number {
  const start = r.pos;
  const o = r.bytes(7, what);
  const [yy, mo, dd, hh, mi, ss] = [0, 1, 2, 3, 4, 5].map((i) => swapped(o[i]!, r, start + i, what)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59) {
    throw r.malformed(`${what} ${yy}-${mo}-${dd} ${hh}:${mi}:${ss} is no valid date and time`, start);
  }
  const tzOctet = o[6]!;
  const quarters = (tzOctet & 0x07) * 10 + (tzOctet >> 4);
  const sign = tzOctet & 0x08 ? -1 : 1;
  // Two-digit years: 90-99 are the 1990s (the oldest SMSC clocks), the rest 2000-2089.
  const local = Date.UTC(yy >= 90 ? 1900 + yy : 2000 + yy, mo - 1, dd, hh, mi, ss);
  return local - sign * quarters * 15 * 60_000;
}

function bcd(n: number): number {
  return ((n % 10) << 4) | (Math.floor(n / 10) % 10);
}

/** Encodes in UTC (TZ 00), which is what an SMSC in any zone may legitimately send. */
export function encodeTimestamp(ms: number): number[] {
  const d = new Date(ms);
  return [
    bcd(d.getUTCFullYear() % 100),
    bcd(d.getUTCMonth() + 1),
    bcd(d.getUTCDate()),
    bcd(d.getUTCHours()),
    bcd(d.getUTCMinutes()),
    bcd(d.getUTCSeconds()),
    0x00,
  ];
}
