import { DuegateError, ErrorCode } from "../../../core/errors.js";

/** The value part of the first line with `prefix` ("+CSQ: 20,99" → "20,99"); throws when absent. */
export function valueOf(lines: readonly string[], prefix: string, command: string): string {
  const line = lines.find((l) => l.startsWith(prefix));
  if (line === undefined)
    throw new DuegateError(ErrorCode.ModemParse, `reply to ${command} has no ${prefix} line`, {
      command,
      lines: lines.length,
    });
  return line.slice(prefix.length).trim();
}

/** Splits "a,\"b,c\",d" into ["a", "b,c", "d"] (quoted fields keep their commas). */
export function fields(value: string): string[] {
  const out: string[] = [];
  const re = /\s*("([^"]*)"|[^,]*)\s*(,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) {
    out.push(m[2] ?? m[1] ?? "");
    if (m[3] === "" || m.index === re.lastIndex) break;
  }
  return out;
}

export const quote = (s: string): string => `"${s.replace(/"/g, "")}"`;
