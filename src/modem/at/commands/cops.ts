import { AtPriority, type AtCommand } from "../command.js";
import { fields, valueOf } from "./lines.js";

/** AT+COPS? (TS 27.007 7.3): the operator name, or undefined when not registered ("+COPS: 0"). */
export function copsQuery(timeoutMs: number, priority = AtPriority.Health): AtCommand<string | undefined> {
  return {
    name: "COPS",
    text: "AT+COPS?",
    responsePrefixes: ["+COPS:"],
    timeoutMs,
    priority,
    retryable: true,
    parse: (lines) => fields(valueOf(lines, "+COPS:", "AT+COPS?"))[2] || undefined,
  };
}
