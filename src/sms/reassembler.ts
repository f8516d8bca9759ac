/**
 * Joins the parts of concatenated messages (TS 23.040 9.2.3.24.1) by sender and reference, in any
 * order; a repeated part is ignored; after `timeoutMs` what arrived is handed out marked incomplete.
 */
import type { Concat, DeliverPdu, Encoding, InboundText } from "./types.js";

interface Pending {
  from: string;
  concat: Concat;
  firstReceivedAt: number;
  parts: Map<number, DeliverPdu>;
}

export class Reassembler {
  private readonly timeoutMs: number;
  private readonly pending = new Map<string, Pending>();
  /** Keys completed recently, so that a late repeat of a part does not start a ghost message. */
  private readonly completed = new Map<string, number>();

  constructor(opts: { timeoutMs: number }) {
    this.timeoutMs = opts.timeoutMs;
  }

  /** Messages still waiting for parts. */
  get size(): number {
    return this.pending.size;
  }

  push(part: DeliverPdu, receivedAt: number): InboundText | undefined {
    const c = part.concat;
    if (!c || c.count === 1) {
      return {
        from: part.from,
        text: part.text,
        encoding: part.encoding,
        timestamp: part.timestamp,
        receivedAt,
        parts: 1,
        partsReceived: 1,
        incomplete: false,
        ...(c ? { concatReference: c.reference } : {}),
      };
    }
    // The count and reference width belong to the key: a different message may reuse a reference.
    const key = `${part.from}\u0000${c.bits}:${c.reference}:${c.count}`;
    const done = this.completed.get(key);
    if (done !== undefined && receivedAt - done < this.timeoutMs) return undefined;
    let p = this.pending.get(key);
    if (!p) {
      p = { from: part.from, concat: c, firstReceivedAt: receivedAt, parts: new Map() };
      this.pending.set(key, p);
    }
    if (p.parts.has(c.index)) return undefined;
    p.parts.set(c.index, part);
    if (p.parts.size < c.count) return undefined;
    this.pending.delete(key);
    this.completed.set(key, receivedAt);
    return this.join(p, false);
  }

  expire(now: number): InboundText[] {
    const out: InboundText[] = [];
    for (const [key, p] of this.pending) {
      if (now - p.firstReceivedAt >= this.timeoutMs) {
        this.pending.delete(key);
        out.push(this.join(p, true));
      }
    }
    for (const [key, at] of this.completed) if (now - at >= this.timeoutMs) this.completed.delete(key);
    return out;
  }

  private join(p: Pending, incomplete: boolean): InboundText {
    const ordered = [...p.parts.values()].sort((a, b) => a.concat!.index - b.concat!.index);
    const first = ordered[0]!;
    // Mixed encodings across parts are legal; report the widest one used.
    const encoding: Encoding = ordered.some((x) => x.encoding === "ucs2") ? "ucs2" : first.encoding;
    return {
      from: p.from,
      text: ordered.map((x) => x.text).join(""),
      encoding,
      timestamp: Math.min(...ordered.map((x) => x.timestamp)),
      receivedAt: p.firstReceivedAt,
      parts: p.concat.count,
      partsReceived: ordered.length,
      incomplete,
      concatReference: p.concat.reference,
    };
  }
}
