import { AtPriority, type AtCommand } from "../command.js";
import { fields, valueOf } from "./lines.js";

export interface Signal {
  /** 0..31, 99 = not known (TS 27.007 8.5). */
  rssi: number;
  bars: number;
  dbm?: number;
}

export function signalOf(rssi: number): Signal {
  if (!(rssi >= 0 && rssi <= 31)) return { rssi: 99, bars: 0 };
  const dbm = -113 + 2 * rssi;
  const bars = rssi >= 20 ? 4 : rssi >= 15 ? 3 : rssi >= 10 ? 2 : rssi >= 2 ? 1 : 0;
  return { rssi, bars, dbm };
}

export function csq(timeoutMs: number, priority = AtPriority.Health): AtCommand<Signal> {
  return {
    name: "CSQ",
    text: "AT+CSQ",
    responsePrefixes: ["+CSQ:"],
    timeoutMs,
    priority,
    retryable: true,
    parse: (lines) => signalOf(Number(fields(valueOf(lines, "+CSQ:", "AT+CSQ"))[0])),
  };
}
