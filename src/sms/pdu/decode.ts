/** Hex PDU → DeliverPdu | SubmitPdu | StatusReportPdu, by TP-MTI (TS 23.040 9.2.3.1). */
import { DuegateError, ErrorCode, isDuegateError } from "../../core/errors.js";
import type { DecodedPdu } from "../types.js";
import { readSmsc } from "./address.js";
import { readDeliver } from "./deliver.js";
import { hexToOctets, OctetReader } from "./octets.js";
import { readStatusReport } from "./status-report.js";
import { readSubmit } from "./submit.js";

export interface DecodeOptions {
  /** The PDU starts with the SMSC address, as +CMGR/+CMGL/+CMT show it. Default true; +CDS lines: false on some modems. */
  smscPrefix?: boolean;
}

export function decodePdu(hex: string, opts: DecodeOptions = {}): DecodedPdu {
  try {
    const r = new OctetReader(hexToOctets(hex));
    const smsc = opts.smscPrefix === false ? undefined : readSmsc(r);
    const firstAt = r.pos;
    const first = r.octets[firstAt];
    if (first === undefined) throw r.truncated("first octet", 1);
    // The MTI seen from the phone's side: what a modem stores or reports is one of these three.
    switch (first & 0x03) {
      case 0x00:
        return readDeliver(r, smsc);
      case 0x01:
        return readSubmit(r, smsc);
      case 0x02:
        return readStatusReport(r, smsc);
      default:
        throw r.unsupported(`TP-MTI 3 (reserved) in first octet 0x${first.toString(16).padStart(2, "0")}`, firstAt);
    }
  } catch (e) {
    if (isDuegateError(e)) throw e;
    // A bug of ours must still reach the caller as the typed error the contract promises.
    throw new DuegateError(ErrorCode.PduMalformed, `the PDU could not be decoded: ${String(e)}`, {}, { cause: e });
  }
}
