import { AtPriority, type AtCommand } from "../command.js";

/** AT+CMGF=0: PDU mode (TS 27.005 3.2.3). duegate never uses text mode: it cannot carry UDH or UCS-2 reliably. */
export function cmgfPdu(timeoutMs: number): AtCommand<void> {
  return {
    name: "CMGF",
    text: "AT+CMGF=0",
    responsePrefixes: [],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: true,
    parse: () => undefined,
  };
}
