/**
 * One copy of the strings that repeat across records (dates, currencies, locales, zones,
 * segments, tags): JSON.parse makes a new string for each occurrence, and at 100,000
 * invoices the copies alone cost some 10 MB of a Raspberry Pi's memory.
 */
const table = new Map<string, string>();
const LIMIT = 50_000;

export function intern<T extends string | undefined>(s: T): T {
  if (s === undefined) return s;
  const hit = table.get(s);
  if (hit !== undefined) return hit as T;
  // Flatten once (a rope from a template literal would keep its parts alive).
  const flat = (s as string).length > 0 ? (JSON.parse(JSON.stringify(s)) as string) : (s as string);
  if (table.size < LIMIT) table.set(flat, flat);
  return flat as T;
}
