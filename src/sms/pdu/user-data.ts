/**
 * TP-UDL, TP-UD and the user data header (TS 23.040 9.2.3.16, 9.2.3.24): concatenation IEs 0x00
 * (8-bit reference) and 0x08 (16-bit), national language shifts 0x24 (single) and 0x25 (locking).
 */
import { charsetFor, type Gsm7Charset } from "../alphabet/charset.js";
import type { Concat, Encoding, InformationElement, UserDataHeader } from "../types.js";
import { octetsToHex, type OctetReader } from "./octets.js";
import { packSeptets, unpackSeptets } from "./septets.js";

export const IEI_CONCAT_8 = 0x00;
export const IEI_CONCAT_16 = 0x08;
export const IEI_SINGLE_SHIFT = 0x24;
export const IEI_LOCKING_SHIFT = 0x25;

export interface OutgoingHeader {
  concat?: Concat;
  charset?: Gsm7Charset;
}

/** UDH octets including the UDHL octet, or [] when nothing needs a header. */
export function buildHeader(h: OutgoingHeader): number[] {
  const ies: number[] = [];
  if (h.concat) {
    const { reference, count, index, bits } = h.concat;
    if (bits === 16) ies.push(IEI_CONCAT_16, 4, (reference >> 8) & 0xff, reference & 0xff, count, index);
    else ies.push(IEI_CONCAT_8, 3, reference & 0xff, count, index);
  }
  if (h.charset?.locking) ies.push(IEI_LOCKING_SHIFT, 1, h.charset.locking.id);
  if (h.charset?.single) ies.push(IEI_SINGLE_SHIFT, 1, h.charset.single.id);
  return ies.length ? [ies.length, ...ies] : [];
}

/** TP-UDL followed by TP-UD for one part's units. */
export function encodeUserData(encoding: Encoding, units: number[], header: number[]): number[] {
  if (encoding === "gsm7") {
    const headerBits = header.length * 8;
    const fill = (7 - (headerBits % 7)) % 7;
    const headerSeptets = (headerBits + fill) / 7;
    return [headerSeptets + units.length, ...header, ...packSeptets(units, fill)];
  }
  const body: number[] = [];
  if (encoding === "ucs2") for (const u of units) body.push(u >> 8, u & 0xff);
  else body.push(...units);
  return [header.length + body.length, ...header, ...body];
}

function parseHeader(h: Uint8Array, r: OctetReader, start: number): UserDataHeader {
  const udh: UserDataHeader = { elements: [] };
  let i = 0;
  while (i < h.length) {
    const iei = h[i]!;
    const len = h[i + 1];
    if (len === undefined || i + 2 + len > h.length) {
      throw r.malformed(
        `user data header element 0x${iei.toString(16).padStart(2, "0")} overruns the header`,
        start + 1 + i,
      );
    }
    const data = h.subarray(i + 2, i + 2 + len);
    udh.elements.push({ iei, data: octetsToHex(data) } satisfies InformationElement);
    // 9.2.3.24.1: a concatenation IE with count 0 or an index outside 1..count is ignored.
    if (iei === IEI_CONCAT_8 && len === 3 && data[1]! > 0 && data[2]! > 0 && data[2]! <= data[1]!) {
      udh.concat = { reference: data[0]!, count: data[1]!, index: data[2]!, bits: 8 };
    } else if (iei === IEI_CONCAT_16 && len === 4 && data[2]! > 0 && data[3]! > 0 && data[3]! <= data[2]!) {
      udh.concat = { reference: (data[0]! << 8) | data[1]!, count: data[2]!, index: data[3]!, bits: 16 };
    } else if (iei === IEI_SINGLE_SHIFT && len === 1) {
      udh.singleShift = data[0]!;
    } else if (iei === IEI_LOCKING_SHIFT && len === 1) {
      udh.lockingShift = data[0]!;
    }
    i += 2 + len;
  }
  return udh;
}

function latin1(octets: Uint8Array): string {
  let s = "";
  for (const o of octets) s += String.fromCharCode(o);
  return s;
}

function ucs2(octets: Uint8Array, r: OctetReader, start: number): string {
  if (octets.length % 2 !== 0)
    throw r.malformed(`UCS-2 user data has an odd number of octets (${octets.length})`, start);
  let s = "";
  for (let i = 0; i < octets.length; i += 2) s += String.fromCharCode((octets[i]! << 8) | octets[i + 1]!);
  return s;
}

/** Reads TP-UDL and TP-UD. */
export function readUserData(
  r: OctetReader,
  encoding: Encoding,
  udhi: boolean,
): { text: string; udh?: UserDataHeader } {
  const udlAt = r.pos;
  const udl = r.byte("TP-UDL");
  const start = r.pos;
  if (encoding === "gsm7") {
    if (udl > 160) throw r.malformed(`TP-UDL ${udl} exceeds 160 septets`, udlAt);
    const ud = r.bytes(Math.ceil((udl * 7) / 8), `user data (${udl} septets)`);
    let udh: UserDataHeader | undefined;
    let headerSeptets = 0;
    if (udhi) {
      const udhl = ud[0] ?? 0;
      if (udl === 0 || udhl + 1 > ud.length)
        throw r.malformed(`user data header length ${udhl} overruns the user data`, start);
      udh = parseHeader(ud.subarray(1, 1 + udhl), r, start);
      headerSeptets = Math.ceil(((udhl + 1) * 8) / 7);
      if (headerSeptets > udl)
        throw r.malformed(`user data header (${headerSeptets} septets) is longer than TP-UDL ${udl}`, start);
    }
    const septets = unpackSeptets(ud, udl, 0).slice(headerSeptets);
    return { text: charsetFor(udh?.lockingShift, udh?.singleShift).decode(septets), udh };
  }
  if (udl > 140) throw r.malformed(`TP-UDL ${udl} exceeds 140 octets`, udlAt);
  const ud = r.bytes(udl, `user data (${udl} octets)`);
  let body = ud;
  let udh: UserDataHeader | undefined;
  if (udhi) {
    const udhl = ud[0] ?? 0;
    if (udl === 0 || udhl + 1 > ud.length)
      throw r.malformed(`user data header length ${udhl} overruns the user data`, start);
    udh = parseHeader(ud.subarray(1, 1 + udhl), r, start);
    body = ud.subarray(1 + udhl);
  }
  return { text: encoding === "ucs2" ? ucs2(body, r, start) : latin1(body), udh };
}

/** TP-DCS → alphabet (TS 23.038 4). Reserved codings are read as the default alphabet, as 4 says. */
export function encodingOfDcs(dcs: number, r: OctetReader, at: number): Encoding {
  const group = dcs >> 4;
  if (group <= 0x7) {
    if (dcs & 0x20) throw r.unsupported(`TP-DCS 0x${dcs.toString(16).padStart(2, "0")} announces compressed text`, at);
    const alphabet = (dcs >> 2) & 0x03;
    return alphabet === 1 ? "8bit" : alphabet === 2 ? "ucs2" : "gsm7";
  }
  if (group === 0xe) return "ucs2";
  if (group === 0xf) return dcs & 0x04 ? "8bit" : "gsm7";
  return "gsm7";
}

export function dcsOf(encoding: Encoding): number {
  return encoding === "ucs2" ? 0x08 : encoding === "8bit" ? 0x04 : 0x00;
}
