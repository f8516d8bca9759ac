/**
 * +CMS ERROR and +CME ERROR codes → temporary or permanent, with a reason a technician can
 * read. "Permanent" means this message to this number will not go through however often it
 * is retried (the outbox fails it); "temporary" means the network, the SIM or the modem is
 * not able right now (the outbox retries with backoff; pain points 3 and 4).
 *
 * Sources: 3GPP TS 27.005 3.2.5 (<err> values), TS 24.011 Annex E-2 (RP-Cause, 0-127),
 * TS 23.040 9.2.3.22 (TP-Failure-Cause, 128-255), TS 27.007 9.2 (CME).
 */
export interface ResultCode {
  temporary: boolean;
  reason: string;
}

const T = (reason: string): ResultCode => ({ temporary: true, reason });
const P = (reason: string): ResultCode => ({ temporary: false, reason });

const CMS: Record<number, ResultCode> = {
  // TS 24.011 Annex E-2: RP-Cause values
  1: P("unassigned (unallocated) number"),
  8: P("operator determined barring"),
  10: P("call barred"),
  17: T("network failure"),
  21: P("short message transfer rejected"),
  22: T("memory capacity exceeded at the recipient"),
  27: T("destination out of service"),
  28: P("unidentified subscriber"),
  29: P("facility rejected"),
  30: P("unknown subscriber"),
  38: T("network out of order"),
  41: T("temporary failure"),
  42: T("congestion"),
  47: T("resources unavailable, unspecified"),
  50: P("requested facility not subscribed"),
  69: P("requested facility not implemented"),
  81: P("invalid short message transfer reference value"),
  95: P("invalid message, unspecified"),
  96: P("invalid mandatory information"),
  97: P("message type non-existent or not implemented"),
  98: P("message not compatible with short message protocol state"),
  99: P("information element non-existent or not implemented"),
  111: T("protocol error, unspecified"),
  127: T("interworking, unspecified"),
  // TS 23.040 9.2.3.22: TP-Failure-Cause
  128: P("telematic interworking not supported"),
  129: P("short message type 0 not supported"),
  130: P("cannot replace short message"),
  143: P("unspecified TP-PID error"),
  144: P("data coding scheme (alphabet) not supported"),
  145: P("message class not supported"),
  159: P("unspecified TP-DCS error"),
  160: P("command cannot be actioned"),
  161: P("command unsupported"),
  175: P("unspecified TP-Command error"),
  176: P("TPDU not supported"),
  192: T("SC busy"),
  193: P("no SC subscription"),
  194: T("SC system failure"),
  195: P("invalid SME address"),
  196: P("destination SME barred"),
  197: P("SM rejected: duplicate SM"),
  198: P("TP-VPF not supported"),
  199: P("TP-VP not supported"),
  208: T("SIM SMS storage full"),
  209: T("no SMS storage capability in SIM"),
  210: T("error in MS"),
  211: T("memory capacity exceeded"),
  212: T("SIM application toolkit busy"),
  213: T("SIM data download error"),
  255: T("unspecified error cause"),
  // TS 27.005 3.2.5: errors of the ME/TA
  300: T("ME failure"),
  301: T("SMS service of ME reserved"),
  302: T("operation not allowed"),
  303: P("operation not supported"),
  304: P("invalid PDU mode parameter"),
  305: P("invalid text mode parameter"),
  310: T("SIM not inserted"),
  311: T("SIM PIN required"),
  312: T("PH-SIM PIN required"),
  313: T("SIM failure"),
  314: T("SIM busy"),
  315: T("SIM wrong"),
  316: T("SIM PUK required"),
  317: T("SIM PIN2 required"),
  318: T("SIM PUK2 required"),
  320: T("memory failure"),
  321: P("invalid memory index"),
  322: T("memory full"),
  330: T("SMSC address unknown (set modem.smsc or AT+CSCA)"),
  331: T("no network service"),
  332: T("network timeout"),
  340: P("no +CNMA acknowledgement expected"),
  500: T("unknown error"),
};

/** Maps a +CMS ERROR code. Unknown codes are temporary: better a bounded retry than a lost reminder. */
export function cmsError(code: number): ResultCode {
  const known = CMS[code];
  if (known) return known;
  if (code >= 512) return T(`manufacturer specific error ${code}`);
  if (code < 128) return T(`network cause ${code} (TS 24.011 Annex E-2)`);
  if (code < 256) return T(`TP failure cause ${code} (TS 23.040 9.2.3.22)`);
  return T(`reserved error ${code}`);
}

const CME: Record<number, string> = {
  0: "phone failure",
  3: "operation not allowed",
  4: "operation not supported",
  10: "SIM not inserted",
  11: "SIM PIN required",
  12: "SIM PUK required",
  13: "SIM failure",
  14: "SIM busy",
  15: "SIM wrong",
  16: "incorrect password",
  17: "SIM PIN2 required",
  18: "SIM PUK2 required",
  20: "memory full",
  21: "invalid index",
  22: "not found",
  23: "memory failure",
  30: "no network service",
  31: "network timeout",
  32: "network not allowed, emergency calls only",
  100: "unknown",
};

export function cmeReason(code: number | undefined, text: string): string {
  return code === undefined ? text : (CME[code] ?? `CME error ${code}`);
}

/** CME codes that mean the SIM needs a PIN or PUK (TS 27.007 9.2.1). */
export const CME_SIM_LOCKED = new Set([11, 12, 17, 18]);
