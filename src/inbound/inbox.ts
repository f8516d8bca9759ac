/**
 * The staff inbox: recent inbound messages with the action taken, newest first, rebuilt
 * from the history files at start. Bounded (inbound.inboxMemory); older messages stay in
 * the history files and are read with Inbound.search().
 */
import type { InboundAction, InboundHistoryEntry, InboundRecord, InboxFilter, ReplyOutcome } from "./types.js";

export function matchesFilter(r: InboundRecord, f: InboxFilter, from: string | undefined): boolean {
  if (from !== undefined && r.from !== from) return false;
  if (
    f.accountId !== undefined &&
    !r.accountIds.includes(f.accountId) &&
    !(r.action?.accountIds ?? []).includes(f.accountId)
  )
    return false;
  if (f.keyword !== undefined && r.keyword !== f.keyword) return false;
  if (f.since !== undefined && r.receivedAt < f.since) return false;
  if (f.until !== undefined && r.receivedAt >= f.until) return false;
  if (f.needsStaff && !needsStaff(r)) return false;
  return true;
}

/** Unknown text, disputes, possible opt-outs, unverified claims, and anything not handled yet. */
export function needsStaff(r: InboundRecord): boolean {
  return (
    !r.action ||
    r.keyword === "unknown" ||
    r.keyword === "dispute" ||
    r.action.possibleOptOut === true ||
    r.action.unverified === true
  );
}

export class Inbox {
  private readonly byId = new Map<string, InboundRecord>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): InboundRecord | undefined {
    return this.byId.get(id);
  }

  /** Applies one history line; the same line twice (a crash between append and flush) changes nothing. */
  apply(entry: InboundHistoryEntry): void {
    if (entry.kind === "received") {
      if (!this.byId.has(entry.record.id)) this.add({ ...entry.record });
    } else if (entry.kind === "handled") {
      const r = this.byId.get(entry.id);
      if (r) this.setAction(r, entry.action);
    } else if (entry.id) {
      const r = this.byId.get(entry.id);
      if (r?.action && !r.action.replies.some((x) => x.outboxId !== undefined && x.outboxId === entry.reply.outboxId))
        r.action.replies.push(entry.reply);
    }
  }

  add(record: InboundRecord): void {
    this.byId.set(record.id, record);
    // Map keeps insertion order: the first keys are the oldest.
    while (this.byId.size > this.capacity) this.byId.delete(this.byId.keys().next().value as string);
  }

  setAction(record: InboundRecord, action: InboundAction): void {
    record.keyword = action.keyword;
    record.action = action;
  }

  addReply(id: string, reply: ReplyOutcome): void {
    this.byId.get(id)?.action?.replies.push(reply);
  }

  list(f: InboxFilter, from: string | undefined): { total: number; items: InboundRecord[] } {
    const all = [...this.byId.values()]
      .filter((r) => matchesFilter(r, f, from))
      .sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? -1 : 1));
    const offset = Math.max(0, f.offset ?? 0);
    const limit = Math.min(500, Math.max(1, f.limit ?? 50));
    return { total: all.length, items: all.slice(offset, offset + limit) };
  }
}
