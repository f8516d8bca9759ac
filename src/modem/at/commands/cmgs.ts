import { DuegateError, ErrorCode } from "../../../core/errors.js";
import { AtPriority, type AtCommand } from "../command.js";
import { valueOf } from "./lines.js";

/**
 * AT+CMGS=<length> (TS 27.005 3.5.1, PDU mode): <length> counts the TPDU octets without the
 * SMSC part; the PDU follows the "> " prompt and ends with Ctrl-Z. Answers "+CMGS: <mr>",
 * the TP-Message-Reference (TS 23.040 9.2.3.6) that status reports carry. Never retried by
 * the channel: a timeout after the body may mean it was sent (the outbox settles that).
 */
export function cmgs(part: { pdu: string; tpduLength: number }, timeoutMs: number): AtCommand<{ reference: number }> {
  return {
    name: "CMGS",
    text: `AT+CMGS=${part.tpduLength}`,
    body: part.pdu.toUpperCase(),
    responsePrefixes: ["+CMGS:"],
    timeoutMs,
    priority: AtPriority.Send,
    retryable: false,
    parse: (lines) => {
      const reference = Number.parseInt(valueOf(lines, "+CMGS:", "AT+CMGS"), 10);
      if (!(reference >= 0 && reference <= 255))
        throw new DuegateError(ErrorCode.ModemParse, `+CMGS gave no message reference`, { command: "CMGS" });
      return { reference };
    },
  };
}
