/**
 * Unsolicited result codes (TS 27.005 3.4.1, TS 27.007 7.2, vendor manuals). The channel
 * routes every line that matches here, and that the command in flight did not ask for, to
 * the URC stream, so a +CMTI in the middle of a +CMGS response never ends up in it.
 */
export type Urc =
  | { type: "cmti"; storage: string; index: number }
  /** +CDS: <length> followed by the PDU line (routed status report, CNMI ds=1). */
  | { type: "cds"; length: number; pdu: string }
  | { type: "cdsi"; storage: string; index: number }
  /** +CMT: routed SMS-DELIVER (CNMI mt=2); we ask for storage, but some modems route anyway. */
  | { type: "cmt"; length: number; pdu: string }
  | { type: "creg"; stat: number; source: "CREG" | "CGREG" | "CEREG" }
  | { type: "ring" }
  | { type: "vendor"; name: string; text: string };

/** URCs whose PDU comes on the next line. */
export const TWO_LINE_URCS = ["+CDS:", "+CMT:"] as const;

const VENDOR = [
  /^\^[A-Z]+:?/,
  /^\+QIND:/,
  /^\+CUSD:/,
  /^\+CLIP:/,
  /^\+CRING:/,
  /^\+CPIN:/,
  /^\+CFUN:/,
  /^\+PACSP\d?/,
  /^\+CIEV:/,
  /^\+QUSIM:/,
  /^\+CPSI:/,
  /^\+STIN:/,
  /^Call Ready$/,
  /^SMS Ready$/,
  /^RDY$/,
  /^NORMAL POWER DOWN$/,
  /^UNDER-VOLTAGE/,
  /^OVER-VOLTAGE/,
];

/** The prefix a URC line starts with, or undefined when the line is no URC. */
export function urcPrefix(line: string): string | undefined {
  const known = /^(\+CMTI:|\+CDSI:|\+CDS:|\+CMT:|\+CREG:|\+CGREG:|\+CEREG:|RING$)/.exec(line);
  if (known) return known[1];
  for (const re of VENDOR) {
    const m = re.exec(line);
    if (m) return m[0];
  }
  return undefined;
}

/** Parses a one-line URC (two-line ones are assembled by the channel with parseTwoLine). */
export function parseUrc(line: string): Urc {
  let m = /^\+(CMTI|CDSI):\s*"([^"]*)",\s*(\d+)/.exec(line);
  if (m) return { type: m[1] === "CMTI" ? "cmti" : "cdsi", storage: m[2]!, index: Number(m[3]) };
  // +CREG: <stat>[,<lac>,<ci>...]: one value first, unlike the response to AT+CREG? (<n>,<stat>).
  m = /^\+(CREG|CGREG|CEREG):\s*(\d+)/.exec(line);
  if (m) return { type: "creg", stat: Number(m[2]), source: m[1] as "CREG" | "CGREG" | "CEREG" };
  if (line === "RING") return { type: "ring" };
  const name = (urcPrefix(line) ?? line).replace(/:$/, "");
  return { type: "vendor", name, text: line };
}

export function parseTwoLine(header: string, pdu: string): Urc {
  const length = Number.parseInt(header.replace(/^\+(CDS|CMT):\s*(?:"[^"]*",)?\s*/, ""), 10);
  return header.startsWith("+CDS:") ? { type: "cds", length, pdu } : { type: "cmt", length, pdu };
}
