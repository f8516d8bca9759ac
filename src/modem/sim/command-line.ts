/** A command line as the simulated modem sees it: "AT+CMGS=23" → { name: "+CMGS", op: "set", args: "23" }. */
export interface SimCommand {
  line: string;
  name: string;
  op: "exec" | "set" | "query" | "test";
  args: string;
  /** Comma-separated arguments, quotes removed. */
  list: string[];
}

export function parseCommandLine(line: string): SimCommand | undefined {
  const text = line.trim();
  if (!/^AT/i.test(text)) return undefined;
  const rest = text.slice(2);
  const ext = /^([+^][A-Za-z0-9]+)(=\?|\?|=)?(.*)$/.exec(rest);
  if (ext) {
    const op = ext[2] === "=?" ? "test" : ext[2] === "?" ? "query" : ext[2] === "=" ? "set" : "exec";
    const args = ext[3] ?? "";
    return {
      line: text,
      name: ext[1]!.toUpperCase(),
      op,
      args,
      list: args.length ? args.split(",").map((a) => a.trim().replace(/^"|"$/g, "")) : [],
    };
  }
  const basic = /^([A-Za-z&]?)(\d*)$/.exec(rest);
  if (basic)
    return {
      line: text,
      name: basic[1]!.toUpperCase(),
      op: "exec",
      args: basic[2] ?? "",
      list: basic[2] ? [basic[2]] : [],
    };
  return { line: text, name: rest.toUpperCase(), op: "exec", args: "", list: [] };
}
