/** SMS-SUBMIT (TS 23.040 9.2.2.2): encode one PDU per part, and decode one read back from the SIM. */
import { DuegateError, ErrorCode } from "../../core/errors.js";
import { segmentText } from "../segment.js";
import type { Concat, SubmitOptions, SubmitPart, SubmitPdu, TextAnalysis } from "../types.js";
import { encodeAddress, encodeSmsc, isDialable, readAddress } from "./address.js";
import { octetsToHex, type OctetReader } from "./octets.js";
import { readTimestamp } from "./timestamp.js";
import { buildHeader, dcsOf, encodeUserData, encodingOfDcs, readUserData } from "./user-data.js";
import { decodeRelativeValidity, encodeRelativeValidity } from "./validity.js";

const MTI_SUBMIT = 0x01;
const VPF_RELATIVE = 0x10; // bits 4..3 = 10
const SRR = 0x20;
const UDHI = 0x40;

export function encodeSubmit(text: string, opts: SubmitOptions): { analysis: TextAnalysis; parts: SubmitPart[] } {
  if (!isDialable(opts.to)) {
    throw new DuegateError(
      ErrorCode.InvalidNumber,
      "the destination is no dialable number (up to 20 digits, optionally with a leading +)",
      {
        field: "to",
      },
    );
  }
  if (opts.smsc && !isDialable(opts.smsc)) {
    throw new DuegateError(ErrorCode.InvalidNumber, `the SMSC "${opts.smsc}" is no dialable number`, { field: "smsc" });
  }
  const bits = opts.referenceBits ?? 8;
  const seg = segmentText(text, opts, bits);
  const smsc = encodeSmsc(opts.smsc);
  const da = encodeAddress(opts.to);
  const count = seg.parts.length;
  const reference = opts.concatReference & (bits === 16 ? 0xffff : 0xff);
  const parts = seg.parts.map((units, i): SubmitPart => {
    const concat: Concat | undefined = count > 1 ? { reference, count, index: i + 1, bits } : undefined;
    const header = buildHeader({ concat, charset: seg.charset });
    const validity = opts.validityMinutes !== undefined && opts.validityMinutes > 0;
    const first =
      MTI_SUBMIT | (validity ? VPF_RELATIVE : 0) | (opts.statusReport ? SRR : 0) | (header.length ? UDHI : 0);
    // TP-MR 00: the modem assigns the message reference and returns it in +CMGS.
    const tpdu = [first, 0x00, ...da, 0x00, dcsOf(seg.analysis.encoding)];
    if (validity) tpdu.push(encodeRelativeValidity(opts.validityMinutes!));
    tpdu.push(...encodeUserData(seg.analysis.encoding, units, header));
    return { index: i + 1, count, pdu: octetsToHex(smsc) + octetsToHex(tpdu), tpduLength: tpdu.length };
  });
  return { analysis: seg.analysis, parts };
}

export function readSubmit(r: OctetReader, smsc: string | undefined): SubmitPdu {
  const first = r.byte("first octet");
  const reference = r.byte("TP-MR");
  const to = readAddress(r, "TP-DA");
  const pid = r.byte("TP-PID");
  const dcsAt = r.pos;
  const dcs = r.byte("TP-DCS");
  const encoding = encodingOfDcs(dcs, r, dcsAt);
  let validity: SubmitPdu["validity"];
  const vpf = (first >> 3) & 0x03;
  if (vpf === 2) validity = { minutes: decodeRelativeValidity(r.byte("TP-VP")) };
  else if (vpf === 3) validity = { until: readTimestamp(r, "TP-VP") };
  else if (vpf === 1) r.bytes(7, "TP-VP (enhanced)"); // enhanced format (9.2.3.12.3): skipped, not reported
  const { text, udh } = readUserData(r, encoding, (first & UDHI) !== 0);
  const pdu: SubmitPdu = { type: "submit", to, reference, encoding, text, statusReport: (first & SRR) !== 0, pid, dcs };
  if (smsc) pdu.smsc = smsc;
  if (validity) pdu.validity = validity;
  if (udh) pdu.udh = udh;
  if (udh?.concat) pdu.concat = udh.concat;
  return pdu;
}
