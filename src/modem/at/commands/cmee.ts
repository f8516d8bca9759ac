import { AtPriority, type AtCommand } from "../command.js";

/** AT+CMEE=1: numeric +CME ERROR codes (TS 27.007 9.1), which result-codes.ts maps. */
export function cmee(mode: 0 | 1 | 2, timeoutMs: number): AtCommand<void> {
  return {
    name: "CMEE",
    text: `AT+CMEE=${mode}`,
    responsePrefixes: [],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: true,
    parse: () => undefined,
  };
}
