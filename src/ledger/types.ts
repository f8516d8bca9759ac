import type { Currency, LocalDate, Millis, Minor } from "../core/types.js";

/**
 * What is owed, as the accounting server told it. Every record carries a `version`
 * (the sender's, monotonically increasing per record, or its updatedAt in ms): an update
 * with a lower version than the stored one is ignored, so a late retry never wins, and an
 * equal version is a no-op, so a republished batch changes nothing.
 */
export interface Account {
  id: string;
  version: number;
  name: string;
  /** E.164 numbers on file; a balance is only ever sent to one of these. May be empty when emails is not. */
  phones: string[];
  /** E-mail addresses on file (src/core/email-address.ts); reminders by e-mail go to the first. */
  emails?: string[];
  /** How the account wants its reminders (docs/email.md, "Channels"); absent (records stored before e-mail): "sms". */
  channel?: ChannelPreference;
  /** BCP 47, "de-DE"; picks the template and the number and date formats. */
  locale: string;
  /** IANA zone, "Europe/Berlin"; send windows and due dates are read in it. */
  timeZone?: string;
  currency: Currency;
  segment?: string;
  tags: string[];
  optedOut: boolean;
  /** Who changed the opt-out state last ("sms", "mqtt", "http", "panel"). */
  optOutSource?: string;
  /** Unsubscribed from e-mail (the link in every reminder mail, or the panel): no more e-mail, SMS unaffected. */
  emailOptedOut?: boolean;
  /** Who changed the e-mail opt-out state last ("email-link", "panel", "http", "sms" when STOP also stops e-mail). */
  emailOptOutSource?: string;
  /** Every opt-out and opt-in, per channel, newest last (the evidence export shows them; at most CONSENT_LOG_MAX). */
  consentLog?: ConsentChange[];
  /** No reminders at all for this account (set by accounting). */
  noReminders: boolean;
  /** Reminders paused until this date (promise to pay, PAID claim). */
  pausedUntil?: LocalDate;
  pauseReason?: string;
  notes?: string;
  updatedAt: Millis;
}

/** sms-then-email: SMS, and the same reminder by e-mail when the SMS failed permanently. */
export const CHANNEL_PREFERENCES = ["sms", "email", "both", "sms-then-email"] as const;
export type ChannelPreference = (typeof CHANNEL_PREFERENCES)[number];

/** One opt-out or opt-in: which channel it stops, who asked, when. */
export interface ConsentChange {
  at: Millis;
  channel: "sms" | "email";
  optedOut: boolean;
  source: string;
  /** Set when the change was made for a number (STOP, START, a number suppressed or lifted): the suppression list has its record. */
  number?: string;
}

/** Kept per account: enough for any dispute about consent, bounded against a flapping client. */
export const CONSENT_LOG_MAX = 100;

export type InvoiceStatus = "open" | "paid" | "void" | "disputed";

export interface Invoice {
  id: string;
  version: number;
  accountId: string;
  /** The number the debtor sees ("RE-2026-0042"); the id when accounting sends none. */
  number: string;
  amount: Minor;
  amountDue: Minor;
  currency: Currency;
  issueDate: LocalDate;
  dueDate: LocalDate;
  status: InvoiceStatus;
  paymentLink?: string;
  /** Paid by direct debit: the reminders before the due date are skipped. */
  directDebit: boolean;
  noReminders: boolean;
  externalRefs?: Record<string, string>;
  /** The day it became paid (amountDue reached 0): on-time rate, DSO, step effectiveness. */
  paidOn?: LocalDate;
  /** The debtor's words when disputed (DISPUTE reply or panel). */
  disputeText?: string;
  /** The day a dispute was released: the grace period of missed steps counts from here. */
  resumedOn?: LocalDate;
  updatedAt: Millis;
}

export interface Payment {
  id: string;
  accountId: string;
  invoiceId?: string;
  amount: Minor;
  currency: Currency;
  date: LocalDate;
  receivedAt: Millis;
}

/** What the accounting server sends (MQTT/HTTP): the wire schemas, checked at the edge. */
export type {
  AccountUpsert as AccountInput,
  InvoiceUpsert as InvoiceInput,
  PaymentRecord as PaymentInput,
} from "../api/payloads.js";

/** Why one record of a batch was refused; returned to the sender (MQTT response, HTTP 207/400). */
export interface RefusedRecord {
  index: number;
  id?: string;
  /** JSON path inside the record: "phones[1]", "dueDate". */
  field: string;
  code: string;
  reason: string;
}

export interface UpsertReport {
  received: number;
  /** Ids stored or changed. */
  applied: string[];
  /** Same version as stored: nothing to do (a republished batch). */
  unchanged: string[];
  /** Older than the stored version: ignored. */
  stale: string[];
  refused: RefusedRecord[];
}

export interface AccountBalance {
  byCurrency: Record<string, Minor>;
  openInvoices: number;
  earliestDue?: LocalDate;
}

/** Anonymous counts kept after erasure requests (GDPR Art. 17 vs. the need to count). */
export interface ErasureCounts {
  accounts: number;
  invoices: number;
  payments: number;
}

/** Why reminders must stop at once for a change (the engine cancels queued messages). */
export type StopReason =
  "paid" | "void" | "disputed" | "opted-out" | "email-opted-out" | "paused" | "no-reminders" | "erased";
