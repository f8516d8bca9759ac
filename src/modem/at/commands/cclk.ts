import { AtPriority, type AtCommand } from "../command.js";
import { valueOf } from "./lines.js";

/**
 * AT+CCLK? (TS 27.007 8.15): "yy/MM/dd,hh:mm:ss±zz", zz in quarter hours. Undefined when the
 * modem clock was never set by the network (NITZ): those modems report 2000-2004 or 1980.
 */
export function cclk(timeoutMs: number): AtCommand<number | undefined> {
  return {
    name: "CCLK",
    text: "AT+CCLK?",
    responsePrefixes: ["+CCLK:"],
    timeoutMs,
    priority: AtPriority.Health,
    retryable: true,
    parse: (lines) => {
      const m = /"?(\d{2})\/(\d{2})\/(\d{2}),(\d{2}):(\d{2}):(\d{2})([+-]\d{1,2})?"?/.exec(
        valueOf(lines, "+CCLK:", "AT+CCLK?"),
      );
      if (!m) return undefined;
      const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
      if (y < 20) return undefined;
      const offsetMin = Number(m[7] ?? 0) * 15;
      return Date.UTC(2000 + y, mo - 1, d, h, mi, s) - offsetMin * 60_000;
    },
  };
}
