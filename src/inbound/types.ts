import type { KeywordKind } from "../api/events.js";
import type { Encoding } from "../sms/index.js";

export type { KeywordKind };

/** What an automatic or staff reply became. */
export interface ReplyOutcome {
  by: "auto" | "staff";
  status: "queued" | "duplicate" | "rate-limited" | "not-sent" | "failed";
  outboxId?: string;
  /** Why it was not sent (rate limit, unknown number, alphanumeric sender, outbox error). */
  reason?: string;
  at: number;
}

/** What the keyword router did with one inbound message; shown in the staff inbox. */
export interface InboundAction {
  keyword: KeywordKind;
  /** One line for staff: "opted out 2 accounts", "paused until 2026-06-25". Never a balance. */
  summary: string;
  accountIds: string[];
  promiseDate?: string;
  invoiceIds?: string[];
  /** A STOP-like word inside text that was not a keyword: staff should look (12 CFR 1006.14(h)). */
  possibleOptOut?: boolean;
  /** PAID, PROMISE or DISPUTE from a number on file for no account: nothing changed, a person decides. */
  unverified?: boolean;
  replies: ReplyOutcome[];
  at: number;
}

/** One inbound SMS (all its parts) as the staff inbox shows it. */
export interface InboundRecord {
  /** "in_" + hash of the message key: the same SMS read twice has the same id. */
  id: string;
  /** E.164 when the sender is a phone number, else as received (alphanumeric senders). */
  from: string;
  text: string;
  encoding: Encoding;
  /** TP-SCTS of the (first) part, ms. */
  smscTimestamp: number;
  receivedAt: number;
  parts: number;
  partsReceived: number;
  incomplete: boolean;
  accountIds: string[];
  /** The modem (SIM) that received it (modems[].id); replies leave through it. */
  modemId?: string;
  keyword?: KeywordKind;
  action?: InboundAction;
}

/** Lines of the append-only inbound history (one JSON object each). */
export type InboundHistoryEntry =
  | { kind: "received"; record: Omit<InboundRecord, "action" | "keyword">; partKeys: string[] }
  | { kind: "handled"; id: string; action: InboundAction }
  | { kind: "staff-reply"; id?: string; to: string; reply: ReplyOutcome };

export interface InboxFilter {
  /** Sender, any common form; compared after normalisation. */
  from?: string;
  accountId?: string;
  keyword?: KeywordKind;
  /** receivedAt >= since (ms). */
  since?: number;
  /** receivedAt < until (ms). */
  until?: number;
  /** Only what needs a person: unknown text, disputes, possible opt-outs, unverified claims. */
  needsStaff?: boolean;
  offset?: number;
  limit?: number;
}
