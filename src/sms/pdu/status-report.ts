/** SMS-STATUS-REPORT (TS 23.040 9.2.2.3). */
import { statusOutcome } from "../status.js";
import type { StatusReportPdu } from "../types.js";
import { encodeAddress, readAddress } from "./address.js";
import { octetsToHex, type OctetReader } from "./octets.js";
import { encodeTimestamp, readTimestamp } from "./timestamp.js";

const MTI_STATUS_REPORT = 0x02;
const MMS_NO_MORE = 0x04;

export interface StatusReportInput {
  reference: number;
  recipient: string;
  status: number;
  scts: number;
  discharge: number;
}

/** With "00" (no SMSC) in front, as +CMGR shows it; +CDS lines carry the same TPDU. */
export function encodeStatusReport(s: StatusReportInput): string {
  const tpdu = [
    MTI_STATUS_REPORT | MMS_NO_MORE,
    s.reference & 0xff,
    ...encodeAddress(s.recipient),
    ...encodeTimestamp(s.scts),
    ...encodeTimestamp(s.discharge),
    s.status & 0xff,
  ];
  return "00" + octetsToHex(tpdu);
}

export function readStatusReport(r: OctetReader, smsc: string | undefined): StatusReportPdu {
  r.byte("first octet");
  const reference = r.byte("TP-MR");
  const recipient = readAddress(r, "TP-RA");
  const scts = readTimestamp(r, "TP-SCTS");
  const discharge = readTimestamp(r, "TP-DT");
  const status = r.byte("TP-ST");
  // TP-PI and what follows (9.2.2.3) are optional and carry nothing the gateway uses.
  const pdu: StatusReportPdu = {
    type: "status-report",
    reference,
    recipient,
    scts,
    discharge,
    status,
    outcome: statusOutcome(status),
  };
  if (smsc) pdu.smsc = smsc;
  return pdu;
}
