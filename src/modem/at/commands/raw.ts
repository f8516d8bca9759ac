import { AtPriority, type AtCommand } from "../command.js";

/**
 * A command given as text: a profile's init lines and the web panel's console (allow-listed
 * by the driver). Returns every information line.
 */
export function raw(text: string, timeoutMs: number, priority = AtPriority.Control): AtCommand<string[]> {
  return {
    name: text.replace(/^AT/i, "").replace(/[=?].*$/, "") || "AT",
    text,
    responsePrefixes: [],
    acceptsBareLines: true,
    timeoutMs,
    priority,
    retryable: true,
    parse: (lines) => [...lines],
  };
}
