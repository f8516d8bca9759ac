/**
 * From SMS parts to whole messages. A part is acknowledged (the modem deletes it from the
 * SIM) only once it is on disk: a lone part of a multipart message in the hot file's
 * pending list, a whole message in the history. Nothing here is changed until the caller
 * says the write succeeded (commit*), so a failed write leaves the SMS on the SIM to be
 * read again, not half-remembered (docs/reliability.md).
 */
import type { Clock } from "../core/clock.js";
import { Reassembler, type DeliverPdu, type InboundText } from "../sms/index.js";
import { inboundId, partKey, sameMessage } from "./dedup.js";
import type { InboundState, PendingPart } from "./state.js";

export interface AssembledMessage {
  id: string;
  text: InboundText;
  partKeys: string[];
  /** The modem (SIM) its parts came in on. */
  modemId?: string;
}

export type IntakeResult =
  { kind: "duplicate" } | { kind: "waiting"; part: PendingPart } | { kind: "complete"; message: AssembledMessage };

export class PartIntake {
  private reassembler!: Reassembler;
  /** Part key → when seen; rebuilt from the history at start (dedupDays). */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly state: InboundState,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {
    this.rebuild();
  }

  /** A part key found in the history: remembered, and dropped from pending if it waited there. */
  remember(key: string, at: number): void {
    this.seen.set(key, at);
  }

  /** After the history was read: pending parts of messages already stored are stale. */
  dropStored(): void {
    const before = this.state.pending.length;
    this.state.pending = this.state.pending.filter((p) => !this.seen.has(p.key));
    if (this.state.pending.length !== before) this.rebuild();
  }

  accept(pdu: DeliverPdu, modemId?: string): IntakeResult {
    const key = partKey(pdu);
    if (this.seen.has(key) || this.state.pending.some((p) => p.key === key)) return { kind: "duplicate" };
    const now = this.clock.now();
    const part: PendingPart = { key, pdu, receivedAt: now, ...(modemId !== undefined ? { modemId } : {}) };
    const whole = this.reassembler.push(pdu, now);
    if (!whole) return { kind: "waiting", part };
    const siblings = pdu.concat && whole.parts > 1 ? this.state.pending.filter((p) => sameMessage(p.pdu, pdu)) : [];
    const keys = [...siblings.map((p) => p.key), key];
    const via = modemId ?? siblings.find((p) => p.modemId !== undefined)?.modemId;
    return {
      kind: "complete",
      message: { id: inboundId(keys), text: whole, partKeys: keys, ...(via !== undefined ? { modemId: via } : {}) },
    };
  }

  /** Multipart messages whose other parts never came, handed out with what arrived. */
  expire(): AssembledMessage[] {
    const out: AssembledMessage[] = [];
    for (const text of this.reassembler.expire(this.clock.now())) {
      const parts = this.state.pending.filter(
        (p) =>
          p.pdu.from === text.from &&
          p.pdu.concat?.reference === text.concatReference &&
          p.pdu.concat?.count === text.parts,
      );
      const keys = parts.map((p) => p.key);
      const via = parts.find((p) => p.modemId !== undefined)?.modemId;
      if (keys.length > 0)
        out.push({ id: inboundId(keys), text, partKeys: keys, ...(via !== undefined ? { modemId: via } : {}) });
    }
    return out;
  }

  commitWaiting(part: PendingPart): void {
    this.state.pending.push(part);
  }

  uncommitWaiting(part: PendingPart): void {
    this.state.pending = this.state.pending.filter((p) => p !== part);
    this.rebuild();
  }

  /** Marks the parts seen (a second reading is dropped at once); returns the pending parts it released. */
  commitComplete(message: AssembledMessage): PendingPart[] {
    const keys = new Set(message.partKeys);
    const released = this.state.pending.filter((p) => keys.has(p.key));
    this.state.pending = this.state.pending.filter((p) => !keys.has(p.key));
    const now = this.clock.now();
    for (const k of keys) this.seen.set(k, now);
    return released;
  }

  /** The message could not be stored: as if its last part never came. */
  uncommitComplete(message: AssembledMessage, released: PendingPart[]): void {
    for (const k of message.partKeys) this.seen.delete(k);
    this.state.pending.push(...released);
    this.rebuild();
  }

  /** A write failed: forget what the reassembler was told since the last commit. */
  rollback(): void {
    this.rebuild();
  }

  prune(windowMs: number): void {
    const now = this.clock.now();
    for (const [key, at] of this.seen) if (now - at > windowMs) this.seen.delete(key);
  }

  private rebuild(): void {
    this.reassembler = new Reassembler({ timeoutMs: this.timeoutMs });
    // Parts that waited across a restart go back in with their original arrival times.
    for (const p of [...this.state.pending].sort((a, b) => a.receivedAt - b.receivedAt))
      this.reassembler.push(p.pdu, p.receivedAt);
  }
}
