/**
 * The inbound SMS of one account for the evidence export, from the history files
 * (history/inbound-<day>.jsonl): each SMS once (the same SMS read twice has the same id),
 * with the keyword its action found. Streamed line by line; only the account's SMS are kept.
 */
import type { HistoryLog } from "./ports.js";
import type { InboundHistoryEntry, InboundRecord } from "./types.js";

const DAY = 86_400_000;

export interface ReplyRange {
  accountId: string;
  /** receivedAt >= from (ms). */
  from?: number;
  /** receivedAt < to (ms). */
  to?: number;
}

export async function readReplies(
  history: Pick<HistoryLog<InboundHistoryEntry>, "read">,
  q: ReplyRange,
): Promise<InboundRecord[]> {
  const found = new Map<string, InboundRecord>();
  // Lines are dated by their append: the handled line may follow its SMS across midnight.
  const bounds = {
    ...(q.from !== undefined ? { from: q.from - DAY } : {}),
    ...(q.to !== undefined ? { to: q.to + DAY } : {}),
  };
  for await (const e of history.read(bounds)) {
    if (e.kind === "received") {
      const r = e.record;
      if (
        !r.accountIds.includes(q.accountId) ||
        (q.from !== undefined && r.receivedAt < q.from) ||
        (q.to !== undefined && r.receivedAt >= q.to)
      )
        continue;
      const before = found.get(r.id);
      found.set(r.id, { ...r, ...(before?.action ? { action: before.action, keyword: before.action.keyword } : {}) });
    } else if (e.kind === "handled") {
      const r = found.get(e.id);
      if (r) Object.assign(r, { action: e.action, keyword: e.action.keyword });
    }
  }
  return [...found.values()].sort((a, b) => a.receivedAt - b.receivedAt);
}
