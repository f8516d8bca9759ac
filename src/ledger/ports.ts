/**
 * The narrow seams the ledger and the dunning engine need from other subsystems.
 * Each is satisfied by the owning subsystem's class (src/store, src/outbox, src/inbound)
 * through the composition root; tests pass the in-memory versions below.
 */
import type { Millis } from "../core/types.js";
import type { MessageState } from "../core/message-states.js";
import { MemoryDocument, memoryStorage, type DocumentStore } from "../store/index.js";

/** A document kept on disk: the store's one shape (src/store/storage.ts), re-exported for the domain. */
export { MemoryDocument, type DocumentStore };

/** Opens (or creates with defaults) the named document in the data directory. */
export type OpenDocument = <T>(name: string, defaults: T) => Promise<DocumentStore<T>>;

/** In-memory documents by name, reopened with the same data (a "restart" in tests): memoryStorage()'s documents. */
export function memoryDocuments(): OpenDocument & { docs: Map<string, MemoryDocument<unknown>> } {
  const memory = memoryStorage();
  const open = <T>(name: string, defaults: T): Promise<DocumentStore<T>> => memory.document(name, defaults);
  return Object.assign(open, { docs: memory.docs });
}

/**
 * A message the outbox has finished or is working on, as the reports need it. The outbox's
 * own history (src/outbox, src/store History) is the outbox's own; this is all dunning
 * reads from it. The composition root adapts the outbox history to it (src/compose/).
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
