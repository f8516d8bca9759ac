import { AtPriority, type AtCommand } from "../command.js";

/** AT+CMGD=<index> (TS 27.005 3.5.4): deletes one stored message, only after its handler stored it. */
export function cmgd(index: number, timeoutMs: number): AtCommand<void> {
  return {
    name: "CMGD",
    text: `AT+CMGD=${index}`,
    responsePrefixes: [],
    timeoutMs,
    priority: AtPriority.Inbound,
    retryable: true,
    parse: () => undefined,
  };
}
