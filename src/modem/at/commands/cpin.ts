import { AtPriority, type AtCommand } from "../command.js";
import { quote, valueOf } from "./lines.js";

/** SIM state from AT+CPIN? (TS 27.007 8.3): "READY", "SIM PIN", "SIM PUK", ... */
export function cpinQuery(timeoutMs: number): AtCommand<string> {
  return {
    name: "CPIN",
    text: "AT+CPIN?",
    responsePrefixes: ["+CPIN:"],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: true,
    parse: (lines) => valueOf(lines, "+CPIN:", "AT+CPIN?"),
  };
}

/** Enters the PIN. Never logged: the channel logs the command name only for this one. */
export function cpinEnter(pin: string, timeoutMs: number): AtCommand<void> {
  return {
    name: "CPIN=",
    text: `AT+CPIN=${quote(pin)}`,
    responsePrefixes: [],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: false,
    sensitive: true,
    parse: () => undefined,
  };
}
