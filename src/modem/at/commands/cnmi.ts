import { AtPriority, type AtCommand } from "../command.js";

/**
 * AT+CNMI (TS 27.005 3.4.1): how new messages and status reports are indicated. The line comes
 * from the profile, tried in order (ModemManager's fallback chain): mt=1 stores SMS and sends
 * +CMTI; ds=1 routes reports as +CDS, ds=2 stores them and sends +CDSI.
 */
export function cnmi(line: string, timeoutMs: number): AtCommand<{ reportsStored: boolean }> {
  const ds = Number(line.replace(/^AT\+CNMI=/i, "").split(",")[3] ?? 0);
  return {
    name: "CNMI",
    text: line,
    responsePrefixes: [],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: true,
    parse: () => ({ reportsStored: ds === 2 }),
  };
}
