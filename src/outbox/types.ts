import type { E164, Millis } from "../core/types.js";
import type { DuegateError } from "../core/errors.js";

/** Keyword replies jump the queue, reminders come next, bulk sends last. Lower sends first. */
export const Priority = { reply: 0, direct: 1, reminder: 2, bulk: 3 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

export type Origin =
  | { kind: "dunning"; accountId: string; invoiceIds: string[]; step: string; policyVersion: number }
  | {
      kind: "keyword-reply";
      inboundId: string;
      keyword: string;
      accountIds: string[];
      /** The modem (SIM) the answered SMS came in on. */
      modemId?: string;
    }
  | { kind: "api"; requestedBy: string; accountId?: string }
  | { kind: "test"; requestedBy: string };

export type { MessageState } from "../core/message-states.js";
import type { MessageState } from "../core/message-states.js";

export interface Attempt {
  at: Millis;
  outcome: "submitted" | "temporary" | "permanent" | "in-doubt";
  reason?: string;
  code?: string;
}

export interface PartRef {
  index: number;
  /** TP-MR the modem answered with +CMGS; wraps at 256. */
  reference?: number;
  submittedAt?: Millis;
  status?: "pending" | "delivered" | "failed";
  statusText?: string;
  deliveredAt?: Millis;
}

/** The recipient field's type, for an e-mail address kept in it (OutboxMessage.to). */
export type E164Like = E164;

/** How a message travels: SMS through the modem, or e-mail through the SMTP relay (docs/email.md). */
export type Channel = "sms" | "email";

/** What an e-mail has beyond the plain text: the subject, the HTML part, the unsubscribe targets. */
export interface EmailContent {
  subject: string;
  /** Already rendered with HTML escaping (src/dunning/email-templates.ts). */
  html: string;
  /** The List-Unsubscribe header's targets (RFC 2369, RFC 8058 one-click for https). */
  unsubscribe?: { mailto?: string; https?: string };
}

export interface OutboxMessage extends OutboxMessageProgress {
  id: string;
  idempotencyKey: string;
  /** E.164 for SMS; for an e-mail the address (checked by src/core/email-address.ts), in the same field so that lists, limits and cancels treat both alike. */
  to: E164;
  /** Absent in records written before e-mail existed: sms. */
  channel?: Channel;
  /** For channel email only. */
  email?: EmailContent;
  text: string;
  /** "mime" for an e-mail (one part: the relay takes it whole). */
  encoding: "gsm7" | "ucs2" | "8bit" | "mime";
  partCount: number;
  priority: Priority;
  origin: Origin;
  /** Not before this instant (ms). */
  notBefore?: Millis;
  /** Given up (state expired) at this instant. */
  expiresAt?: Millis;
  /** IANA zones whose send windows must all be open (the recipient's zone; src/outbox/recipient-context.ts). */
  timeZones: string[];
  /** The recipient's BCP 47 locale: chooses the national shift tables the text is encoded with (absent: none). */
  locale?: string;
  /** Counts against the per-recipient limit apart from reminders. */
  limitClass: "reminder" | "reply";
  /** Kept with the message: the check before each part honours it as admission did. */
  consentExemption?: ConsentExemption;
  state: MessageState;
  attempts: Attempt[];
  parts: PartRef[];
  nextAttemptAt?: Millis;
  failureReason?: string;
  createdAt: Millis;
  /** Time of each state change. */
  history: Array<{ state: MessageState; at: Millis; reason?: string }>;
}

/**
 * The one message a suppressed number may still get: the confirmation of the STOP that put it
 * on the suppression list. The outbox checks it against that list (the STOP with this inbound
 * id must be recorded for the number), so the exemption cannot be claimed for anything else.
 */
export type ConsentExemption = { kind: "stop-confirmation"; inboundId: string };

export type ConsentVerdict = { ok: true } | { ok: false; reason: string };

/** Whether a number may be texted now (src/consent SuppressionList): asked at admission and again before each part. */
export interface ConsentCheck {
  verdict(to: E164, exemption?: ConsentExemption): ConsentVerdict;
}

export interface EnqueueRequest {
  idempotencyKey: string;
  /** Any common form; normalised to E.164 with the configured default region. For channel email: the address. */
  to: string;
  /** Default sms. An e-mail is refused (EmailNotConfigured) when the outbox has no e-mail lane. */
  channel?: Channel;
  /** Required for channel email: subject and HTML; `text` is the plain-text part. */
  email?: EmailContent;
  text: string;
  priority: Priority;
  origin: Origin;
  notBefore?: Millis;
  expiresAt?: Millis;
  timeZones?: string[];
  /** The recipient's BCP 47 locale; absent: taken from the account or the number's country (src/outbox/recipient-context.ts). */
  locale?: string;
  limitClass?: "reminder" | "reply";
  /** Only the STOP confirmation carries one (src/inbound/responder.ts). */
  consentExemption?: ConsentExemption;
}

export type EnqueueResult =
  { status: "queued"; message: OutboxMessage } | { status: "duplicate"; message: OutboxMessage };

/**
 * One request's answer in a batch (enqueueMany): what enqueue would have resolved with, or
 * the error enqueue would have thrown for that request alone (InvalidNumber, Validation).
 */
export type EnqueueOutcome = EnqueueResult | { status: "refused"; error: DuegateError };

/** What the domain may ask of the outbox (dunning, inbound, adapters). */
export interface OutboxPort {
  /** Durable when it resolves. Throws DuegateError(InvalidNumber) for a number that is not one. */
  enqueue(req: EnqueueRequest): Promise<EnqueueResult>;
  /**
   * Several requests admitted together: outcome i answers request i, each exactly as enqueue
   * would (a bad number refuses that request only; a known key is a duplicate, also within the
   * batch). The new messages are made durable together (group commit: a few fsyncs for the
   * batch, not some per message) and queue in the order given. Resolves only when all of them
   * are durable. Rejects (DuegateError StoreWrite) if the batch's write fails: then none of its
   * new messages is admitted (no outcome is acknowledged; a retry with the same keys is safe).
   */
  enqueueMany(reqs: readonly EnqueueRequest[]): Promise<EnqueueOutcome[]>;
  cancel(
    selector: CancelSelector,
    reason: string,
  ): Promise<{ cancelled: string[]; notCancellable: Array<{ id: string; state: MessageState }> }>;
  get(id: string): OutboxMessage | undefined;
  byIdempotencyKey(key: string): OutboxMessage | undefined;
}

/** Extensions of the model kept by the outbox itself (persisted with each message). */
export interface OutboxMessageProgress {
  /** Concatenation reference of a multipart message, fixed at its first part so that a resumed message keeps it. */
  concatReference?: number;
  /** Index (1-based) of the part handed to the modem whose outcome is not yet recorded: the in-doubt part after a crash. */
  sendingPart?: number;
  /** When it reached a final state (or left the hot set). */
  finishedAt?: Millis;
  /** Submitted, but not every part got a delivery report within deliveryReportWindowHours. */
  reportTimedOut?: boolean;
  /** The modem (SIM) its parts go through, fixed at its first part (docs/outbox.md, "Dispatch"). */
  modemId?: string;
  /**
   * A part that may or may not have left (the service stopped while it was at the modem, or
   * +CMGS did not answer), kept so that a delivery report for this recipient within the
   * report window can settle it (docs/outbox.md, "Parts in doubt").
   */
  inDoubt?: { part: number; at: Millis; modemId?: string };
}

export interface ListFilter {
  state?: MessageState | MessageState[];
  /** Any form; compared after normalisation. */
  number?: string;
  accountId?: string;
  invoiceId?: string;
  /** Where it came from: a dunning step, a keyword reply, the API, a test. */
  originKind?: Origin["kind"];
  /** A dunning step's id ("overdue-7"). */
  step?: string;
  /** createdAt within [since, until] (ms). */
  since?: Millis;
  until?: Millis;
  offset?: number;
  limit?: number;
}

export interface OutboxStats {
  queued: number;
  sending: number;
  submitted: number;
  deliveredToday: number;
  failedToday: number;
  sentToday: number;
  partsToday: number;
  partsThisMonth: number;
}

/** With channel, only that channel's messages (an SMS STOP cancels SMS, an e-mail unsubscribe e-mails). */
export type CancelSelector =
  { id: string } | { idempotencyKey: string } | { invoiceId: string } | { accountId: string; channel?: Channel };

export interface CancelResult {
  cancelled: string[];
  notCancellable: Array<{ id: string; state: MessageState }>;
}

/** What sends one part: the modem, or a pool of them. Resolves with the TP-MR. */
export interface PartSender {
  readonly ready: boolean;
  sendPart(part: { pdu: string; tpduLength: number }): Promise<{ reference: number }>;
}

/** One mail as the outbox hands it to the SMTP adapter. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** <id@domain>: derived from the message id and the gateway id, the same on every attempt. */
  messageId: string;
  headers: Record<string, string>;
}

/**
 * What sends one mail: the SMTP adapter (src/email/smtp-transport.ts), wired in src/compose/email.ts.
 * Rejects with DuegateError EmailTemporary (4xx, refused, timeout, TLS, auth: retried) or
 * EmailRejected (5xx for this mail: failed with the server's answer).
 */
export interface EmailTransport {
  send(mail: OutgoingMail): Promise<{ response: string }>;
}

/**
 * One SIM of the pool as the outbox sees it: what sends its parts, and the SIM's own budget,
 * price and routes (config modems[]).
 */
export interface SimLane {
  id: string;
  sender: PartSender;
  /** Price of one part through this SIM; the cheapest free SIM is used first. */
  costPerPart: number;
  /** Overrides of outbox.limits for this SIM. */
  limits?: { partsPerMinute?: number; partsPerDay?: number; partsPerMonth?: number };
  /** Destination prefixes this SIM is meant for (E.164, "+49"). */
  routes?: string[];
  /** This SIM's SMS centre, if it is not the one of modem.smsc. */
  smsc?: string;
}
