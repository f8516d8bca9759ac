/**
 * Keys that recognise the same SMS read twice: after a restart before its delete from the
 * SIM went through, or stored twice by the modem (gammu #217, #378, #527). Sender, service
 * centre time stamp (TP-SCTS, 3GPP TS 23.040 9.2.3.11), concatenation reference and part
 * (9.2.3.24.1) and a hash of the text: two real messages never share all four, so identical
 * texts sent twice are both handled (capcom6 #394).
 */
import { shortHash } from "../core/ids.js";
import type { DeliverPdu } from "../sms/index.js";

export function partKey(pdu: DeliverPdu): string {
  const concat = pdu.concat ? `${pdu.concat.reference}.${pdu.concat.count}.${pdu.concat.index}` : "-";
  return `${pdu.from}|${pdu.timestamp}|${concat}|${shortHash(pdu.text)}`;
}

/** The message's id from the keys of its parts: the same for every reading, whatever order the parts came in. */
export function inboundId(partKeys: readonly string[]): string {
  return `in_${shortHash([...partKeys].sort().join("\n"))}`;
}

/** Parts that belong to one concatenated message (same sender, reference and count). */
export function sameMessage(a: DeliverPdu, b: DeliverPdu): boolean {
  return a.from === b.from && a.concat?.reference === b.concat?.reference && a.concat?.count === b.concat?.count;
}
