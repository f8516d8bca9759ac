/**
 * The order in which the SMS lanes take waiting work, and that order kept between picks
 * (docs/outbox.md, "Sending"). With thousands queued, a walk of the hot set per part cost more
 * than the part's own write (1.1-1.3 ms of a 2 ms gap at 2,000 queued: property reads on
 * messages of many shapes are slow), so the order is built once and used until work may have
 * joined or moved up: a message entered, was changed while waiting, or a batch became
 * pickable (`changed`, `noteChange`). It is also rebuilt when used up, and at least once a
 * second whatever happened; between rebuilds an entry is checked before it is used.
 */
import type { Millis } from "../core/types.js";
import { Priority, type OutboxMessage } from "./types.js";

/** However the waiting work changed, the order is rebuilt from the hot set this often. */
const REORDER_EVERY_MS = 1000;

/** Waiting for its next part: queued, or `sending` between two parts. */
export function waitsForNextPart(m: OutboxMessage): boolean {
  return m.state === "queued" || (m.state === "sending" && m.sendingPart === undefined);
}

export interface WaitingSource {
  /** The hot set. */
  values(): Iterable<OutboxMessage>;
  /** m is the hot set's current record and may be picked (not a batch whose write is under way). */
  pickable(m: OutboxMessage): boolean;
  /** Sending order within a priority: age, then arrival. */
  compareAge(a: OutboxMessage, b: OutboxMessage): number;
  now(): Millis;
}

interface Kept {
  epoch: number;
  builtAt: Millis;
  list: OutboxMessage[];
  head: number;
}

export class WaitingOrder {
  private kept: Kept | undefined;
  private epoch = 0;

  constructor(private readonly src: WaitingSource) {}

  /**
   * Keyword replies first, then a message whose receiver is reassembling (between parts), then
   * by priority, then by age.
   */
  compare(a: OutboxMessage, b: OutboxMessage): number {
    const replyA = a.priority === Priority.reply;
    if (replyA !== (b.priority === Priority.reply)) return replyA ? -1 : 1;
    const begunA = a.state === "sending";
    if (begunA !== (b.state === "sending")) return begunA ? -1 : 1;
    return a.priority - b.priority || this.src.compareAge(a, b);
  }

  /** Work may have joined (a message entered, a batch became pickable). */
  changed(): void {
    this.epoch++;
  }

  /** m changed: if it waits now, it may have joined the waiting work or moved up in it. */
  noteChange(m: OutboxMessage): void {
    if (waitsForNextPart(m)) this.epoch++;
  }

  /** The first waiting SMS (each lane asks once per part). */
  first(): OutboxMessage | undefined {
    const o = this.current();
    while (o.head < o.list.length && !this.waiting(o.list[o.head]!)) o.head++;
    if (o.head < o.list.length) return o.list[o.head];
    if (o.list.length === 0) return undefined;
    // Used up: look once more at the whole set before saying there is nothing.
    this.kept = undefined;
    return this.current().list[0];
  }

  /** Every waiting SMS, in order (a pick whose first choice may not go yet). */
  inOrder(): OutboxMessage[] {
    const o = this.current();
    return o.list.slice(o.head).filter((m) => this.waiting(m));
  }

  /** A keyword reply waits and may go now (replies come first: only they are looked at). */
  replyDue(now: Millis): boolean {
    const o = this.current();
    for (let i = o.head; i < o.list.length; i++) {
      const c = o.list[i]!;
      if (c.priority !== Priority.reply) return false;
      if (this.waiting(c) && Math.max(c.notBefore ?? 0, c.nextAttemptAt ?? 0) <= now) return true;
    }
    return false;
  }

  private waiting(m: OutboxMessage): boolean {
    return waitsForNextPart(m) && m.channel !== "email" && this.src.pickable(m);
  }

  private current(): Kept {
    const now = this.src.now();
    const o = this.kept;
    if (o && o.epoch === this.epoch && now >= o.builtAt && now - o.builtAt < REORDER_EVERY_MS) return o;
    const list: OutboxMessage[] = [];
    for (const m of this.src.values()) if (this.waiting(m)) list.push(m);
    list.sort((a, b) => this.compare(a, b));
    this.kept = { epoch: this.epoch, builtAt: now, list, head: 0 };
    return this.kept;
  }
}
