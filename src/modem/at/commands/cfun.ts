import { AtPriority, type AtCommand } from "../command.js";

/** The profile's reset command, e.g. AT+CFUN=1,1 (TS 27.007 8.2: full functionality with reset). Many modems re-enumerate on USB after it. */
export function reset(line: string, timeoutMs: number): AtCommand<void> {
  return {
    name: "RESET",
    text: line,
    responsePrefixes: [],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: false,
    parse: () => undefined,
  };
}
