/**
 * What a keyword handler is given and what it answers. Handlers change the ledger and say
 * which replies to send; the responder applies the security rules (unknown numbers, rate
 * limits), enqueues the replies and publishes the events, so no handler can bypass them.
 */
import { recipientContext } from "../../outbox/recipient-context.js";
import type { Account } from "../../ledger/types.js";
import type { KeywordKind } from "../../api/events.js";
import type { InboundLedger } from "../ports.js";
import type { ReplyTexts } from "../replies.js";
import type { InboundRecord } from "../types.js";

export interface KeywordSettings {
  companyName: string;
  defaultLocale: string;
  defaultTimeZone: string;
  paidPauseDays: number;
  promiseMaxDays: number;
  stopConfirmation: boolean;
  unknownKeywordHelp: boolean;
}

export interface KeywordContext {
  record: InboundRecord;
  /** The words after the keyword, as the debtor wrote them. */
  rest: string;
  /** The sender in E.164; undefined for an alphanumeric sender (which cannot be answered). */
  number: string | undefined;
  /** Accounts that have this exact number on file (already verified by the responder). */
  accounts: Account[];
  ledger: InboundLedger;
  settings: KeywordSettings;
  texts: ReplyTexts;
  now: number;
}

export interface ReplyDraft {
  text: string;
  /** Distinguishes several replies to one message in the idempotency key. */
  purpose: string;
  /** The outbox gives up after this (a STOP confirmation later than 5 minutes is not sent). */
  expiresAt?: number;
  /** The STOP confirmation alone: it may reach the number that STOP just suppressed. */
  consentExemption?: "stop-confirmation";
}

export interface KeywordOutcome {
  /** One line for the staff inbox; never a balance. */
  summary: string;
  replies: ReplyDraft[];
  /** Accounts the action applied to (a subset of the number's accounts). */
  accountIds: string[];
  promiseDate?: string;
  invoiceIds?: string[];
  /** Free text for the event (DISPUTE, unknown). */
  text?: string;
  optOut?: { accountIds: string[]; optedOut: boolean };
  possibleOptOut?: boolean;
}

export interface KeywordDefinition {
  kind: KeywordKind;
  /** Words that start a message; the rest is the keyword's argument. Multi-word allowed ("OPT OUT"). */
  aliases: string[];
  /** Words that count only when they are the whole message ("END", "CANCEL": "end of month I pay" is no opt-out). */
  aloneOnly?: string[];
  /** Also recognised anywhere in a short message ("what is my balance?"). */
  anywhereInShort?: boolean;
  /** One typo allowed in aliases of six letters or more (BALNACE). */
  fuzzy?: boolean;
  /** Runs only for numbers on file, except where `forUnknownNumbers` says otherwise. */
  forUnknownNumbers?: boolean;
  /**
   * Changes an account (PAID, PROMISE, DISPUTE): from a number on file for no account it is
   * recorded as unverified for staff and changes nothing.
   */
  changesAccount?: boolean;
  handle(ctx: KeywordContext): Promise<KeywordOutcome>;
}

/** Locale and zone of an account, with the gateway's defaults. */
export function accountLocale(account: Account | undefined, settings: KeywordSettings): string {
  return account?.locale || settings.defaultLocale;
}

/** The rule every message follows (src/outbox/recipient-context.ts): the account's zone, its number's country's, the gateway's. */
export function accountZone(account: Account | undefined, settings: KeywordSettings): string {
  if (!account) return settings.defaultTimeZone;
  return recipientContext(account.phones[0] ?? "", account, { timeZone: settings.defaultTimeZone }).timeZone;
}

/** When a text names one of the number's accounts (by id or its last four characters), only that one. */
export function accountsNamedIn(text: string, accounts: Account[]): Account[] {
  const upper = text.toUpperCase();
  const named = accounts.filter((a) => upper.includes(a.id.toUpperCase()));
  if (named.length > 0) return named;
  const byTail = accounts.filter(
    (a) =>
      a.id.length > 4 &&
      new RegExp(`(?<![A-Z0-9])\\**${escapeRegExp(a.id.slice(-4).toUpperCase())}(?![A-Z0-9])`).test(upper),
  );
  return byTail.length > 0 ? byTail : accounts;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
