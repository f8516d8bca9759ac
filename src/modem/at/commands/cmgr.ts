import { DuegateError, ErrorCode } from "../../../core/errors.js";
import { AtPriority, type AtCommand } from "../command.js";
import { fields } from "./lines.js";

/** AT+CMGR=<index> (TS 27.005 3.4.3, PDU mode): "+CMGR: <stat>,[<alpha>],<length>" then the PDU. Undefined when the slot is empty. */
export function cmgr(index: number, timeoutMs: number): AtCommand<{ stat: number; pdu: string } | undefined> {
  return {
    name: "CMGR",
    text: `AT+CMGR=${index}`,
    responsePrefixes: ["+CMGR:"],
    acceptsBareLines: true,
    timeoutMs,
    priority: AtPriority.Inbound,
    retryable: true,
    parse: (lines) => {
      const at = lines.findIndex((l) => l.startsWith("+CMGR:"));
      if (at < 0) return undefined; // some modems answer a bare OK for an empty slot
      const pdu = lines[at + 1];
      if (pdu === undefined || !/^[0-9A-Fa-f]+$/.test(pdu))
        throw new DuegateError(ErrorCode.ModemParse, `+CMGR for index ${index} has no PDU line`, {
          command: "CMGR",
          index,
        });
      return { stat: Number(fields(lines[at]!.slice(6))[0]), pdu };
    },
  };
}
