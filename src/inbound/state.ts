/**
 * The small hot file of inbound (inbound.json). Most durability comes from the append-only
 * history (one line per SMS, group-committed): the keys of parts already seen and the
 * messages whose action was not yet done are rebuilt from it at start. The hot file holds
 * only what has no history line yet — parts of a multipart SMS waiting for the rest, which
 * the modem has already deleted from the SIM — and the reply counters, so a restart does
 * not reset the rate limit. Pruned on every write: its size does not grow with traffic.
 */
import type { DeliverPdu } from "../sms/index.js";

export interface PendingPart {
  key: string;
  pdu: DeliverPdu;
  receivedAt: number;
  /** The modem (SIM) it came in on. */
  modemId?: string;
}

export interface InboundState {
  version: 1;
  /** Parts of multipart messages still waiting for the rest. */
  pending: PendingPart[];
  /** Number (or "*" for all) → times of automatic replies in the last hour. */
  replies: Record<string, number[]>;
  /** Number → when its STOP was confirmed: at most one confirmation until START. */
  stopConfirmed: Record<string, number>;
}

export function emptyState(): InboundState {
  return { version: 1, pending: [], replies: {}, stopConfirmed: {} };
}

/** Fills what an older or damaged file lacks, in place, so a partial file never crashes the start. */
export function repairState(data: InboundState): InboundState {
  const isMap = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v);
  data.version = 1;
  if (!Array.isArray(data.pending)) data.pending = [];
  data.pending = data.pending.filter(
    (p) =>
      p && typeof p.key === "string" && p.pdu && typeof p.pdu.from === "string" && typeof p.receivedAt === "number",
  );
  if (!isMap(data.replies)) data.replies = {};
  if (!isMap(data.stopConfirmed)) data.stopConfirmed = {};
  return data;
}
