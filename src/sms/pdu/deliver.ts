/** SMS-DELIVER (TS 23.040 9.2.2.1): decode what the modem reads, and encode for the simulator and tests. */
import { segmentText } from "../segment.js";
import type { Concat, DeliverPdu, Encoding } from "../types.js";
import { encodeAddress, encodeSmsc, readAddress } from "./address.js";
import { octetsToHex, type OctetReader } from "./octets.js";
import { encodeTimestamp, readTimestamp } from "./timestamp.js";
import { buildHeader, dcsOf, encodeUserData, encodingOfDcs, readUserData } from "./user-data.js";

const MMS_NO_MORE = 0x04; // TP-MMS = 1: no more messages waiting (9.2.3.2)
const SRI = 0x20;
const UDHI = 0x40;

export interface DeliverOptions {
  from: string;
  timestamp: number;
  concatReference?: number;
  encoding?: Encoding;
  /** Extensions: the SMSC to put in front (default none: 00), locale for shift tables, 16-bit references. */
  smsc?: string;
  locale?: string;
  referenceBits?: 8 | 16;
  /** Default false here: a simulated sender's text should arrive exactly as typed. */
  transliterate?: boolean;
}

export function encodeDeliver(text: string, opts: DeliverOptions): string[] {
  const bits = opts.referenceBits ?? 8;
  const seg = segmentText(
    text,
    { encoding: opts.encoding, locale: opts.locale, transliterate: opts.transliterate ?? false },
    bits,
  );
  const smsc = octetsToHex(encodeSmsc(opts.smsc));
  const oa = encodeAddress(opts.from);
  const scts = encodeTimestamp(opts.timestamp);
  const count = seg.parts.length;
  const reference = (opts.concatReference ?? 0) & (bits === 16 ? 0xffff : 0xff);
  return seg.parts.map((units, i) => {
    const concat: Concat | undefined = count > 1 ? { reference, count, index: i + 1, bits } : undefined;
    const header = buildHeader({ concat, charset: seg.charset });
    const tpdu = [MMS_NO_MORE | (header.length ? UDHI : 0), ...oa, 0x00, dcsOf(seg.analysis.encoding), ...scts];
    tpdu.push(...encodeUserData(seg.analysis.encoding, units, header));
    return smsc + octetsToHex(tpdu);
  });
}

export function readDeliver(r: OctetReader, smsc: string | undefined): DeliverPdu {
  const first = r.byte("first octet");
  const from = readAddress(r, "TP-OA");
  const pid = r.byte("TP-PID");
  const dcsAt = r.pos;
  const dcs = r.byte("TP-DCS");
  const encoding = encodingOfDcs(dcs, r, dcsAt);
  const timestamp = readTimestamp(r, "TP-SCTS");
  const { text, udh } = readUserData(r, encoding, (first & UDHI) !== 0);
  const pdu: DeliverPdu = {
    type: "deliver",
    from,
    timestamp,
    encoding,
    text,
    pid,
    dcs,
    statusReportIndication: (first & SRI) !== 0,
  };
  if (smsc) pdu.smsc = smsc;
  if (udh) pdu.udh = udh;
  if (udh?.concat) pdu.concat = udh.concat;
  return pdu;
}
