import { AtPriority, type AtCommand } from "../command.js";
import { fields } from "./lines.js";

export interface StoredPdu {
  index: number;
  /** 0 received unread, 1 received read, 2 stored unsent, 3 stored sent (TS 27.005 3.1). */
  stat: number;
  pdu: string;
}

/** AT+CMGL=4 (all, PDU mode; TS 27.005 3.4.2): "+CMGL: <index>,<stat>,[<alpha>],<length>" + PDU per message. */
export function cmgl(timeoutMs: number, stat = 4): AtCommand<StoredPdu[]> {
  return {
    name: "CMGL",
    text: `AT+CMGL=${stat}`,
    responsePrefixes: ["+CMGL:"],
    acceptsBareLines: true,
    timeoutMs,
    priority: AtPriority.Inbound,
    retryable: true,
    parse: (lines) => {
      const out: StoredPdu[] = [];
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (!line.startsWith("+CMGL:")) continue;
        const next = lines[i + 1];
        if (next === undefined || !/^[0-9A-Fa-f]+$/.test(next)) continue;
        const f = fields(line.slice(6));
        out.push({ index: Number(f[0]), stat: Number(f[1]), pdu: next });
        i++;
      }
      return out;
    },
  };
}
