/**
 * Messages by creation time for the reports and the evidence export: the active set and the
 * history files (history/outbox-<day>.jsonl), each message once, in its latest record.
 *
 * Streamed: the day files are read line by line, and only the files that can hold a message
 * of the period are opened. A history line is appended when a message finishes, on or after
 * its creation, so a period starting at `from` starts at the file of that day; it ends
 * LIFETIME_MS after `to` (a message created before `to` may finish later). The same id can be
 * appended twice (a crash between the append and the removal from the active set, or a failed
 * message retried and finished again): a first pass counts the lines of each id of the
 * period, the second yields each id at its last line. Only ids are held in memory.
 */
import type { Millis } from "../core/types.js";
import type { OutboxMessage } from "./types.js";
import type { Queue } from "./queue.js";

/** How long after its creation a message may still finish and be appended (past periods only). */
export const LIFETIME_MS = 35 * 86_400_000;

export interface MessageRange {
  /** createdAt >= from (ms). */
  from?: Millis;
  /** createdAt < to (ms). */
  to?: Millis;
  accountId?: string;
}

/** The accounts a message was for (a keyword reply may answer several). */
export function accountsOf(m: OutboxMessage): readonly string[] {
  const o = m.origin;
  if (o.kind === "dunning") return [o.accountId];
  if (o.kind === "keyword-reply") return o.accountIds;
  if (o.kind === "api" && o.accountId !== undefined) return [o.accountId];
  return [];
}

export async function* readMessages(
  q: Pick<Queue, "activeMessages" | "readHistory">,
  range: MessageRange,
): AsyncIterable<OutboxMessage> {
  const wanted = (m: OutboxMessage): boolean =>
    (range.from === undefined || m.createdAt >= range.from) &&
    (range.to === undefined || m.createdAt < range.to) &&
    (range.accountId === undefined || accountsOf(m).includes(range.accountId));
  // The active record is the current one: its older history lines (a crash) are left out.
  const active = new Set<string>();
  const current: OutboxMessage[] = [];
  for (const m of q.activeMessages()) {
    active.add(m.id);
    if (wanted(m)) current.push(structuredClone(m));
  }
  yield* current;
  const read = () =>
    q.readHistory({
      ...(range.from !== undefined ? { from: range.from } : {}),
      ...(range.to !== undefined ? { to: range.to + LIFETIME_MS } : {}),
      filter: (m) => !active.has(m.id) && wanted(m),
    });
  const lines = new Map<string, number>();
  for await (const m of read()) lines.set(m.id, (lines.get(m.id) ?? 0) + 1);
  if (lines.size === 0) return;
  for await (const m of read()) {
    const left = lines.get(m.id);
    if (left === undefined) continue; // appended after the first pass
    if (left > 1) lines.set(m.id, left - 1);
    else {
      lines.delete(m.id);
      yield m;
    }
  }
}
