import { AtPriority, type AtCommand } from "../command.js";
import { fields, quote, valueOf } from "./lines.js";

export interface StorageUse {
  /** mem1: where reading and deleting happen. */
  storage: string;
  used: number;
  total: number;
}

/** AT+CPMS="mem1"[,"mem2","mem3"] (TS 27.005 3.2.2): selects storages; answers use of each. */
export function cpmsSelect(
  mems: readonly string[],
  timeoutMs: number,
  priority = AtPriority.Control,
): AtCommand<StorageUse> {
  return {
    name: "CPMS",
    text: `AT+CPMS=${mems.map(quote).join(",")}`,
    responsePrefixes: ["+CPMS:"],
    timeoutMs,
    priority,
    retryable: true,
    parse: (lines) => {
      const f = fields(valueOf(lines, "+CPMS:", "AT+CPMS="));
      return { storage: mems[0]!, used: Number(f[0]), total: Number(f[1]) };
    },
  };
}

/** AT+CPMS? → "+CPMS: "SM",3,30,"SM",3,30,"SM",3,30": the read storage's use. */
export function cpmsQuery(timeoutMs: number, priority = AtPriority.Health): AtCommand<StorageUse> {
  return {
    name: "CPMS",
    text: "AT+CPMS?",
    responsePrefixes: ["+CPMS:"],
    timeoutMs,
    priority,
    retryable: true,
    parse: (lines) => {
      const f = fields(valueOf(lines, "+CPMS:", "AT+CPMS?"));
      return { storage: f[0] ?? "", used: Number(f[1]), total: Number(f[2]) };
    },
  };
}
