import type { Currency, LocalDate, Millis, Minor } from "../core/types.js";

/**
 * What is owed, as the accounting server told it. Every record carries a `version`
 * (the sender's, monotonically increasing per record, or its updatedAt in ms): an update
 * with a lower version than the stored one is ignored, so a late retry never wins.
 */
export interface Account {
  id: string;
  version: number;
  name: string;
  /** E.164 numbers on file; a balance is only ever sent to one of these. */
  phones: string[];
  /** BCP 47, "de-DE"; picks the template and the number and date formats. */
  locale: string;
  /** IANA zone, "Europe/Berlin"; send windows and due dates are read in it. */
  timeZone?: string;
  currency: Currency;
  segment?: string;
  tags: string[];
  optedOut: boolean;
  /** No reminders at all for this account (set by accounting). */
  noReminders: boolean;
  /** Reminders paused until this date (promise to pay, PAID claim). */
  pausedUntil?: LocalDate;
  notes?: string;
  updatedAt: Millis;
}

export type InvoiceStatus = "open" | "paid" | "void" | "disputed";

export interface Invoice {
  id: string;
  version: number;
  accountId: string;
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
  externalRefs: Record<string, string>;
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
