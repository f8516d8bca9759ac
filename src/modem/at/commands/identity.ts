import { AtPriority, type AtCommand } from "../command.js";

/** ATI, AT+CGMI, AT+CGMM, AT+CGMR, AT+CIMI, AT+CGSN: bare text lines (V.250 6.1.3, TS 27.007 5). */
function textQuery(name: string, text: string, timeoutMs: number): AtCommand<string> {
  return {
    name,
    text,
    responsePrefixes: [`+${name}:`],
    acceptsBareLines: true,
    timeoutMs,
    priority: AtPriority.Control,
    retryable: true,
    parse: (lines) =>
      lines
        .map((l) => l.replace(new RegExp(`^\\+${name}:\\s*`), ""))
        .join(" ")
        .trim(),
  };
}

export const ati = (t: number) => textQuery("ATI", "ATI", t);
export const cgmi = (t: number) => textQuery("CGMI", "AT+CGMI", t);
export const cgmm = (t: number) => textQuery("CGMM", "AT+CGMM", t);
export const cgmr = (t: number) => textQuery("CGMR", "AT+CGMR", t);
/** IMSI: personal data; doctor masks it. */
export const cimi = (t: number) => textQuery("CIMI", "AT+CIMI", t);
