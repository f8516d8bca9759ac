/** TP-Status of an SMS-STATUS-REPORT (3GPP TS 23.040 9.2.3.15) → what it means for the sender. */
import type { DeliveryOutcome } from "./types.js";

const TEXTS: Record<number, string> = {
  0x00: "received by the recipient",
  0x01: "forwarded by the SMSC to the recipient, delivery not confirmed",
  0x02: "replaced by the SMSC",
  0x20: "congestion; the SMSC is still trying",
  0x21: "recipient busy; the SMSC is still trying",
  0x22: "no response from the recipient; the SMSC is still trying",
  0x23: "service rejected; the SMSC is still trying",
  0x24: "quality of service not available; the SMSC is still trying",
  0x25: "error in the recipient's phone; the SMSC is still trying",
  0x40: "remote procedure error",
  0x41: "incompatible destination",
  0x42: "connection rejected by the recipient",
  0x43: "number not obtainable",
  0x44: "quality of service not available",
  0x45: "no interworking available",
  0x46: "validity period expired",
  0x47: "deleted by the sender",
  0x48: "deleted by the SMSC administration",
  0x49: "the message does not exist",
  0x60: "congestion; the SMSC gave up",
  0x61: "recipient busy; the SMSC gave up",
  0x62: "no response from the recipient; the SMSC gave up",
  0x63: "service rejected; the SMSC gave up",
  0x64: "quality of service not available; the SMSC gave up",
  0x65: "error in the recipient's phone; the SMSC gave up",
};

function hex(status: number): string {
  return `0x${status.toString(16).padStart(2, "0")}`;
}

export function statusOutcome(status: number): DeliveryOutcome {
  const known = TEXTS[status];
  // In each block of 32 codes the upper 16 are SMSC-specific, the unlisted lower ones reserved.
  const specific = (status & 0x10) !== 0;
  const note = (range: string): string =>
    known ?? `${range} (${specific ? "SMSC-specific" : "reserved"} ${hex(status)})`;
  if (status <= 0x1f) return { final: true, delivered: true, temporary: false, text: note("delivered") };
  if (status <= 0x3f)
    return { final: false, delivered: false, temporary: true, text: note("temporary error; the SMSC is still trying") };
  if (status <= 0x5f) return { final: true, delivered: false, temporary: false, text: note("permanent error") };
  if (status <= 0x7f)
    return { final: true, delivered: false, temporary: true, text: note("temporary error; the SMSC gave up") };
  // 0x80-0xFF are reserved; 9.2.3.15 gives no meaning, so treat as a failure the SMSC will not retry.
  return { final: true, delivered: false, temporary: false, text: `reserved status ${hex(status)}` };
}
