/**
 * The account reads both the REST API and the panel use: the list with each account's
 * balance, and one account with everything staff look at (invoices, aging, messages,
 * replies, desk marks, numbers on the suppression list).
 */
import { DuegateError, ErrorCode } from "../core/errors.js";
import { localDate } from "../core/calendar.js";
import { agingOf, type AgingRow } from "../dunning/reports/index.js";
import type { Account, AccountBalance, Invoice } from "../ledger/types.js";
import type { ListFilter, OutboxMessage } from "../outbox/types.js";
import type { InboundRecord, InboxFilter } from "../inbound/types.js";
import type { AccountMark } from "../desk/desk-book.js";
import type { SuppressionRecord } from "../consent/types.js";
import type { Clock } from "../core/clock.js";

export interface AccountReader {
  readonly clock: Clock;
  readonly ledger: {
    account(id: string): Account | undefined;
    invoicesOf(accountId: string): Invoice[];
    balance(accountId: string): AccountBalance;
    listAccounts(q: { search?: string; offset?: number; limit?: number }): { total: number; items: Account[] };
  };
  readonly outbox: { list(filter: ListFilter): { total: number; items: OutboxMessage[] } };
  readonly inbound: { list(filter: InboxFilter): { total: number; items: InboundRecord[] } };
  readonly consent: { recordsOf(numbers: readonly string[]): SuppressionRecord[] };
  /** The collections desk; without it an account has no marks. */
  readonly desk?: { marks(accountId: string): AccountMark[] };
}

export type AccountWithBalance = Account & { balance: AccountBalance };

export function listAccounts(
  s: Pick<AccountReader, "ledger">,
  q: { search?: string; offset?: number; limit?: number },
): { total: number; items: AccountWithBalance[] } {
  const page = s.ledger.listAccounts(q);
  return { total: page.total, items: page.items.map((a) => ({ ...a, balance: s.ledger.balance(a.id) })) };
}

/** Messages and replies of one account shown at most (the account's page; the message list pages through all). */
const ACCOUNT_HISTORY_LIMIT = 500;

export interface AccountView {
  account: Account;
  balance: AccountBalance;
  invoices: Invoice[];
  aging: AgingRow[];
  messages: OutboxMessage[];
  replies: InboundRecord[];
  marks: AccountMark[];
  /** Its numbers on the suppression list: no SMS goes to them even if the account is opted in. */
  suppressed: string[];
}

export function accountView(s: AccountReader, id: string, timeZone: string): AccountView {
  const account = s.ledger.account(id);
  if (!account) throw new DuegateError(ErrorCode.NotFound, `account ${id} is unknown`, { field: "/id" });
  const invoices = s.ledger.invoicesOf(id);
  return {
    account,
    balance: s.ledger.balance(id),
    invoices,
    aging: agingOf(invoices, localDate(s.clock.now(), timeZone)),
    messages: s.outbox.list({ accountId: id, limit: ACCOUNT_HISTORY_LIMIT }).items,
    replies: s.inbound.list({ accountId: id, limit: ACCOUNT_HISTORY_LIMIT }).items,
    marks: s.desk?.marks(id) ?? [],
    suppressed: s.consent
      .recordsOf(account.phones)
      .filter((r) => r.suppressed)
      .map((r) => r.number),
  };
}
