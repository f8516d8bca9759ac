import { AtPriority, type AtCommand } from "../command.js";
import { fields, quote, valueOf } from "./lines.js";

/** AT+CSCA? (TS 27.005 3.3.1): the SMS centre stored on the SIM. */
export function cscaQuery(timeoutMs: number): AtCommand<string | undefined> {
  return {
    name: "CSCA",
    text: "AT+CSCA?",
    responsePrefixes: ["+CSCA:"],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: true,
    parse: (lines) => fields(valueOf(lines, "+CSCA:", "AT+CSCA?"))[0] || undefined,
  };
}

/** Sets the SMS centre from config (modem.smsc); type 145 = international (TS 24.008 10.5.4.7). */
export function cscaSet(number: string, timeoutMs: number): AtCommand<void> {
  return {
    name: "CSCA=",
    text: `AT+CSCA=${quote(number)},145`,
    responsePrefixes: [],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: true,
    parse: () => undefined,
  };
}
