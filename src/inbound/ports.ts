/**
 * The narrow seams inbound needs (docs/architecture.md, Layers): unit tests pass in-memory fakes,
 * src/app.ts passes the real Ledger, JsonStore and History. Every method named here exists
 * on the Ledger (src/ledger/index.ts) with the same name and shape.
 */
import type { Account, Invoice } from "../ledger/types.js";
import type { ConsentSource } from "../consent/types.js";

export interface AccountBalance {
  /** Minor units per ISO 4217 currency. */
  byCurrency: Record<string, number>;
  openInvoices: number;
  /** YYYY-MM-DD of the earliest open invoice. */
  earliestDue?: string;
}

/** Read side: who owns a number and what they owe. */
export interface LedgerQueries {
  /** Accounts with this E.164 number on file. */
  accountsByNumber(e164: string): Account[];
  balance(accountId: string): AccountBalance;
  invoicesOf(accountId: string): Invoice[];
}

/** Write side: what a debtor's answer changes. Each resolves when durable. */
export interface LedgerCommands {
  /** Returns the ids of the accounts changed; the ledger publishes account.optout for each of them. */
  setOptOut(sel: { accountId: string } | { number: string }, optedOut: boolean, source: "sms"): Promise<string[]>;
  /** No reminders for the account until `until` (YYYY-MM-DD, account's zone); dunning adds its grace. */
  pauseAccount(accountId: string, until: string, reason: string): Promise<void>;
  /** invoiceId undefined: the whole account is disputed. */
  disputeInvoice(invoiceId: string | undefined, accountId: string, text: string): Promise<unknown>;
}

export type InboundLedger = LedgerQueries & LedgerCommands;

/**
 * The suppression list (src/consent SuppressionList): STOP puts the sender's number on it
 * whether or not the number is on file, START takes that number off. Durable when resolved.
 */
export interface InboundConsent {
  has(number: string): boolean;
  add(number: string, source: ConsentSource): Promise<unknown>;
  remove(number: string, source: ConsentSource): Promise<unknown>;
}

/** The small hot file (src/store JsonStore satisfies it). */
export interface StateFile<T> {
  readonly data: T;
  markDirty(): void;
  /** Durable when resolved: called before handlePart resolves. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Append-only dated history (src/store History satisfies it). */
export interface HistoryLog<R> {
  append(record: R): Promise<void>;
  read(opts?: { from?: number; to?: number; filter?: (r: R) => boolean }): AsyncIterable<R>;
  /** Deletes what is older than the retention (optional: a test double may keep everything). */
  rotate?(): Promise<number>;
}
