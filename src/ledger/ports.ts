/**
 * The narrow seams the ledger and the dunning engine need from other subsystems.
 * Each is satisfied by the owning subsystem's class (src/store, src/outbox, src/inbound)
 * through the composition root; tests pass the in-memory versions below.
 */
import type { Millis } from "../core/types.js";
import type { MessageState } from "../core/message-states.js";

/** A JSON document kept on disk (src/store JsonStore satisfies it). */
export interface DocumentStore<T> {
  readonly data: T;
  /**
   * Names one changed (or deleted) record of a collection, or with no id a changed top-level
   * field, so that a journalling store writes only those (src/store RecordDocument). Stores
   * that rewrite the whole document ignore it.
   */
  touch?(collection: string, id?: string): void;
  /** Coalesced write. */
  markDirty(): void;
  /** Durable now: before anything is acknowledged. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Opens (or creates with defaults) the named document in the data directory. */
export type OpenDocument = <T>(name: string, defaults: T) => Promise<DocumentStore<T>>;

/** A store that keeps everything in memory: tests and the benchmark. */
export class MemoryDocument<T> implements DocumentStore<T> {
  flushes = 0;
  dirty = false;
  constructor(readonly data: T) {}
  markDirty(): void {
    this.dirty = true;
  }
  async flush(): Promise<void> {
    this.flushes++;
    this.dirty = false;
  }
  async close(): Promise<void> {}
}

/** In-memory documents by name, reopened with the same data (a "restart" in tests). */
export function memoryDocuments(): OpenDocument & { docs: Map<string, MemoryDocument<unknown>> } {
  const docs = new Map<string, MemoryDocument<unknown>>();
  const open = async <T>(name: string, defaults: T): Promise<DocumentStore<T>> => {
    const existing = docs.get(name);
    if (existing) return existing as MemoryDocument<T>;
    const doc = new MemoryDocument<T>(structuredClone(defaults));
    docs.set(name, doc as MemoryDocument<unknown>);
    return doc;
  };
  return Object.assign(open, { docs });
}

/**
 * A message the outbox has finished or is working on, as the reports need it. The outbox's
 * own history (src/outbox, src/store History) is the outbox's own; this is all dunning
 * reads from it. The lead adapts Outbox history to it in src/app.ts.
 */
export interface SentMessageFact {
  id: string;
  idempotencyKey: string;
  /** E.164 (an address for an e-mail); only in the evidence export, never logged. */
  to: string;
  /** sms or email (docs/email.md); absent: sms. */
  channel?: "sms" | "email";
  /** An e-mail's subject. */
  subject?: string;
  text: string;
  state: MessageState;
  parts: number;
  encoding: string;
  createdAt: Millis;
  submittedAt?: Millis;
  deliveredAt?: Millis;
  failureReason?: string;
  accountId?: string;
  invoiceIds?: string[];
  step?: string;
  /** Delivery reports per part: receipt evidence (the proof that a reminder reached the debtor). */
  reports?: Array<{ index: number; reference?: number; status?: string; statusText?: string; at?: Millis }>;
}

export interface MessageFacts {
  /** Messages created in [from, to), optionally for one account. */
  messages(q: { from?: Millis; to?: Millis; accountId?: string }): AsyncIterable<SentMessageFact>;
}

/** An inbound SMS matched to an account. */
export interface ReplyFact {
  id: string;
  from: string;
  text: string;
  receivedAt: Millis;
  keyword?: string;
}

export interface ReplyFacts {
  replies(q: { accountId: string; from?: Millis; to?: Millis }): AsyncIterable<ReplyFact>;
}
