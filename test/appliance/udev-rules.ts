/**
 * A structural check of a udev rules file, for machines without `udevadm verify`
 * (systemd < 254, e.g. Debian 12): every line is KEY[{attr}] OP "value" pairs separated by
 * commas, keys are known, match operators are used only on match keys, every rule assigns
 * something, and every GOTO has its LABEL. It follows udev(7).
 */
const MATCH_ONLY = new Set([
  "ACTION",
  "DEVPATH",
  "KERNEL",
  "KERNELS",
  "SUBSYSTEM",
  "SUBSYSTEMS",
  "DRIVER",
  "DRIVERS",
  "ATTRS",
  "TAGS",
  "TEST",
  "PROGRAM",
  "RESULT",
  "CONST",
  "SYSCTL",
]);
const ASSIGN_ONLY = new Set([
  "SYMLINK",
  "OWNER",
  "GROUP",
  "MODE",
  "SECLABEL",
  "RUN",
  "LABEL",
  "GOTO",
  "IMPORT",
  "OPTIONS",
  "NAME",
  "TAG",
]);
const BOTH = new Set(["ENV", "ATTR", "TAG", "NAME", "SYMLINK", "SYSCTL"]);
const WITH_ATTR = new Set(["ATTR", "ATTRS", "ENV", "TEST", "IMPORT", "RUN", "SECLABEL", "SYSCTL", "CONST"]);
const PAIR = /^([A-Z]+)(\{([^}]+)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"$/;

export interface RuleProblem {
  line: number;
  message: string;
}

function splitPairs(text: string): string[] | undefined {
  const pairs: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      pairs.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (quoted) return undefined;
  if (cur.trim()) pairs.push(cur.trim());
  return pairs;
}

export function lintUdevRules(text: string): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const labels = new Set<string>();
  const gotos: Array<{ line: number; label: string }> = [];
  // Continuation lines end in a backslash.
  const lines = text.replace(/\\\n/g, " ").split("\n");
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (!text || text.startsWith("#")) return;
    const pairs = splitPairs(text);
    if (!pairs) return problems.push({ line, message: "unbalanced quotes" });
    let assigns = 0;
    for (const p of pairs) {
      const m = PAIR.exec(p);
      if (!m) {
        problems.push({ line, message: `not KEY OP "value": ${p}` });
        continue;
      }
      const [, key, , attr, op, value] = m as unknown as [
        string,
        string,
        string | undefined,
        string | undefined,
        string,
        string,
      ];
      const known = MATCH_ONLY.has(key) || ASSIGN_ONLY.has(key) || BOTH.has(key);
      if (!known) problems.push({ line, message: `unknown key ${key}` });
      if (attr !== undefined && !WITH_ATTR.has(key)) problems.push({ line, message: `${key} takes no {attribute}` });
      if (attr === undefined && (key === "ENV" || key === "ATTR" || key === "ATTRS"))
        problems.push({ line, message: `${key} needs {attribute}` });
      const isMatch = op === "==" || op === "!=";
      if (isMatch && ASSIGN_ONLY.has(key) && !BOTH.has(key))
        problems.push({ line, message: `${key} cannot be matched` });
      if (!isMatch && MATCH_ONLY.has(key) && !BOTH.has(key))
        problems.push({ line, message: `${key} cannot be assigned` });
      if (!isMatch) assigns++;
      if (key === "LABEL") labels.add(value);
      if (key === "GOTO") gotos.push({ line, label: value });
      if (
        key === "OPTIONS" &&
        !/^(link_priority=-?\d+|string_escape=(none|replace)|static_node=.+|watch|nowatch|db_persist|log_level=.+)$/.test(
          value,
        )
      )
        problems.push({ line, message: `unknown OPTIONS ${value}` });
    }
    if (assigns === 0) problems.push({ line, message: "rule assigns nothing" });
  });
  for (const g of gotos)
    if (!labels.has(g.label)) problems.push({ line: g.line, message: `GOTO ${g.label} has no LABEL` });
  return problems;
}
