import { AtPriority, type AtCommand } from "../command.js";
import { fields, valueOf } from "./lines.js";

export type Registration = "home" | "roaming" | "searching" | "denied" | "unregistered" | "unknown";

/** <stat> of TS 27.007 7.2 → our names. */
export function registrationOf(stat: number): Registration {
  switch (stat) {
    case 1:
      return "home";
    case 5:
      return "roaming";
    case 2:
      return "searching";
    case 3:
      return "denied";
    case 0:
      return "unregistered";
    default:
      return "unknown";
  }
}

/** AT+CREG? (or +CGREG/+CEREG on LTE-only modems): "+CREG: <n>,<stat>[,...]". */
export function cregQuery(
  timeoutMs: number,
  priority = AtPriority.Health,
  which: "CREG" | "CGREG" | "CEREG" = "CREG",
): AtCommand<Registration> {
  const prefix = `+${which}:`;
  return {
    name: which,
    text: `AT+${which}?`,
    responsePrefixes: [prefix],
    timeoutMs,
    priority,
    retryable: true,
    parse: (lines) => {
      // The reply is "<n>,<stat>[,...]"; a URC of the same name that slipped in has <stat> first
      // and one field fewer, so take the first line with at least two fields.
      const replies = lines.filter((l) => l.startsWith(prefix)).map((l) => fields(l.slice(prefix.length)));
      const reply = replies.find((f) => f.length >= 2) ?? fields(valueOf(lines, prefix, `AT+${which}?`));
      return registrationOf(Number(reply[1] ?? -1));
    },
  };
}

/** AT+CREG=1 (or +CGREG/+CEREG): registration changes arrive as URCs, so a lost network is seen at once. */
export function cregEnable(timeoutMs: number, which: "CREG" | "CGREG" | "CEREG" = "CREG"): AtCommand<void> {
  return {
    name: `${which}=`,
    text: `AT+${which}=1`,
    responsePrefixes: [],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: true,
    parse: () => undefined,
  };
}
