/**
 * Reads a log stream for what must never be in it: a phone number in any usual spelling
 * (E.164, national, with spaces), a balance amount however formatted, a configured secret.
 * A finding names what was found and the line it was in, cut short.
 */
export interface ScanTargets {
  numbers: string[];
  /** Minor units (cents): 739137 is looked for as 7391.37, 7,391.37, 7.391,37 and a bare 739137. */
  amounts: number[];
  secrets: string[];
}

export interface Finding {
  kind: "number" | "amount" | "secret";
  what: string;
  line: string;
}

/** The national significant number: "+4915112340001" -> "15112340001" (country code off, trunk 0 off). */
function significant(e164: string): string {
  const digits = e164.replace(/\D/g, "");
  // Two-digit country codes cover the suites' numbers (+49, +43, +44); enough for a test scan.
  return digits.length > 10 ? digits.slice(2) : digits.replace(/^0/, "");
}

function amountForms(minor: number): RegExp[] {
  const major = Math.floor(minor / 100);
  const cents = String(minor % 100).padStart(2, "0");
  const grouped = (sep: string) => String(major).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const forms = [
    `${major}.${cents}`,
    `${grouped(",")}.${cents}`,
    `${grouped(".")},${cents}`,
    `${major},${cents}`,
    `${grouped(" ")},${cents}`,
    `${grouped("\u00a0")},${cents}`,
  ];
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [...new Set(forms)]
    .map((f) => new RegExp(`(?<![\\d.,])${esc(f)}(?![\\d])`))
    .concat(new RegExp(`(?<![\\d.])${minor}(?![\\d])`));
}

export function scanLogs(text: string, t: ScanTargets): Finding[] {
  const findings: Finding[] = [];
  const lines = text.split("\n");
  const numberDigits = t.numbers.map((n) => ({ n, sig: significant(n) }));
  const amounts = t.amounts.map((m) => ({ m, forms: amountForms(m) }));
  // A secret of digits only (a SIM PIN) is looked for as a number of its own: "8642" inside the
  // millisecond timestamp 1767608642113 that every line carries is not the PIN.
  const secrets = t.secrets
    .filter((s) => s)
    .map((s) => ({ s, re: /^\d+$/.test(s) ? new RegExp(`(?<!\\d)${s}(?!\\d)`) : undefined }));
  for (const line of lines) {
    if (!line) continue;
    const short = line.length > 300 ? line.slice(0, 300) + "…" : line;
    // digit runs with the separators people write inside numbers, compared as digits
    const runs = (line.match(/\+?\d[\d \-()./]{6,24}\d/g) ?? []).map((r) => r.replace(/\D/g, ""));
    for (const { n, sig } of numberDigits) {
      if (line.includes(sig) || runs.some((r) => r.includes(sig)))
        findings.push({ kind: "number", what: n, line: short });
    }
    for (const { m, forms } of amounts)
      if (forms.some((f) => f.test(line))) findings.push({ kind: "amount", what: String(m), line: short });
    for (const { s, re } of secrets)
      if (re ? re.test(line) : line.includes(s))
        findings.push({ kind: "secret", what: s.slice(0, 3) + "…", line: short.replaceAll(s, "<SECRET>") });
  }
  return findings;
}
