/**
 * The ledger: accounts, invoices and payments as the accounting server told them, kept in
 * one cold document that changes only when accounting (or a debtor's reply) changes what is
 * owed; never because an SMS changed state. Lookups by account and by phone number are
 * indexed in memory, built once at open.
 */
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/bus.js";
import type { Logger } from "../core/log.js";
import type { DomainEvents } from "../api/events.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { shortHash } from "../core/ids.js";
import { isLocalDate, localNow } from "../core/calendar.js";
import type { DocumentStore, OpenDocument } from "./ports.js";
import { defaultJournalOptions, type LedgerJournalOptions } from "./record-documents.js";
import { storeOf, type DocumentStorage, type StoreSource } from "../store/index.js";
import { intern } from "./intern.js";
import { e164OrUndefined } from "../core/phone.js";
import {
  validateAccount,
  validateInvoice,
  validatePayment,
  type LedgerDefaults,
  type NormalisedInvoice,
} from "./validate.js";
import {
  CONSENT_LOG_MAX,
  type Account,
  type AccountBalance,
  type AccountInput,
  type ConsentChange,
  type ErasureCounts,
  type Invoice,
  type InvoiceInput,
  type Payment,
  type PaymentInput,
  type StopReason,
  type UpsertReport,
} from "./types.js";
import { emptyDocument, stopFor, type LedgerDocument } from "./document.js";

export type { LedgerDocument };

/** The top-level keys of the ledger document that hold records (one log entry per changed record). */
const LEDGER_COLLECTIONS = ["accounts", "invoices", "payments", "tombstones"] as const;

export interface LedgerOptions extends StoreSource<DocumentStorage> {
  clock: Clock;
  bus: EventBus<DomainEvents>;
  logger: Logger;
  defaults: LedgerDefaults;
  /** Tests: the document from memoryDocuments() instead of the store's record log in <dataDir>/ledger. */
  openDocument?: OpenDocument;
  /** When that log is compacted (Config["storage"]); defaults suit 100,000 invoices on a Pi. */
  journal?: LedgerJournalOptions;
  /**
   * The suppression list (src/consent): an account stored with a number on it (a new account,
   * or a number new to the account) is opted out, so that a STOP from a number outlives the
   * accounts it was on file for and holds for those added later.
   */
  consent?: { has(number: string): boolean };
}

const emptyReport = (received: number): UpsertReport => ({
  received,
  applied: [],
  unchanged: [],
  stale: [],
  refused: [],
});

export class Ledger {
  private readonly byAccount = new Map<string, Invoice[]>();
  private readonly byPhone = new Map<string, string[]>();
  private readonly paymentsByAccount = new Map<string, Payment[]>();

  private constructor(
    private readonly doc: DocumentStore<LedgerDocument>,
    private readonly opts: LedgerOptions,
  ) {
    for (const a of Object.values(doc.data.accounts)) this.indexPhones(a, []);
    for (const i of Object.values(doc.data.invoices)) listIn(this.byAccount, i.accountId).push(i);
    for (const p of Object.values(doc.data.payments)) listIn(this.paymentsByAccount, p.accountId).push(p);
  }

  static async open(opts: LedgerOptions): Promise<Ledger> {
    const doc = opts.openDocument
      ? await opts.openDocument<LedgerDocument>("ledger.json", emptyDocument())
      : await storeOf(opts, opts.clock, opts.logger).recordDocument("ledger", emptyDocument(), {
          logger: opts.logger,
          collections: LEDGER_COLLECTIONS,
          importLegacyJson: true,
          coalesceMs: 2000,
          ...(opts.journal ?? defaultJournalOptions),
        });
    if (doc.data.schema !== 1)
      throw new DuegateError(ErrorCode.StoreCorrupt, `ledger.json has schema ${String(doc.data.schema)}, expected 1`, {
        file: "ledger",
        ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
      });
    return new Ledger(doc, opts);
  }

  async close(): Promise<void> {
    await this.doc.flush();
    await this.doc.close();
  }

  /** Today in the gateway's zone: the day a payment or a release is recorded on. */
  private today(): string {
    const now = this.opts.clock.now();
    if (!this.todayCache || now - this.todayCache.at >= 60_000 || now < this.todayCache.at)
      this.todayCache = { at: now - (now % 60_000), date: localNow(now, this.opts.defaults.timeZone).date };
    return this.todayCache.date;
  }
  private todayCache: { at: number; date: string } | undefined;

  private changed(
    kind: "account" | "invoice" | "payment" | "erasure",
    id: string,
    accountId: string,
    stop?: StopReason,
    invoiceIds?: string[],
  ): void {
    this.opts.bus.emit("ledger.changed", {
      kind,
      id,
      accountId,
      at: this.opts.clock.now(),
      ...(stop ? { stop, invoiceIds: invoiceIds ?? [] } : {}),
    });
  }

  private indexPhones(a: Account, previous: string[]): void {
    for (const p of previous) {
      const ids = this.byPhone.get(p)?.filter((id) => id !== a.id) ?? [];
      if (ids.length) this.byPhone.set(p, ids);
      else this.byPhone.delete(p);
    }
    for (const p of a.phones) {
      const ids = this.byPhone.get(p) ?? [];
      if (!ids.includes(a.id)) ids.push(a.id);
      this.byPhone.set(p, ids);
    }
  }

  async upsertAccounts(input: readonly AccountInput[]): Promise<UpsertReport> {
    const report = emptyReport(input.length);
    const optedOutNow: Array<{ accountId: string; number: string }> = [];
    const { data } = this.doc;
    input.forEach((raw, index) => {
      const r = validateAccount(raw, index, this.opts.defaults);
      if (!r.ok) return void report.refused.push(...r.refused);
      const v = r.value;
      const prev = own(data.accounts, v.id);
      const tomb = prev ? undefined : data.erased.accounts > 0 ? data.tombstones[shortHash(v.id)] : undefined;
      if (!prev && tomb !== undefined && v.version <= tomb) return void report.stale.push(v.id);
      if (prev && v.version < prev.version) return void report.stale.push(v.id);
      if (prev && v.version === prev.version) return void report.unchanged.push(v.id);
      const suppressed = this.suppressedNewNumber(v.phones, prev?.phones);
      // An explicit literal, never a spread: V8 gives spread copies a map of their own each
      // (CloneObjectIC turns megamorphic), which costs ~400 bytes per record at 150,000 records.
      const next: Account = {
        id: v.id,
        version: v.version,
        name: v.name,
        phones: v.phones,
        emails: v.emails,
        channel: v.channel,
        locale: intern(v.locale),
        timeZone: intern(v.timeZone),
        currency: intern(v.currency),
        segment: intern(v.segment),
        tags: v.tags.map(intern),
        optedOut: suppressed !== undefined || (prev?.optedOut ?? false),
        optOutSource: suppressed !== undefined ? "suppression-list" : prev?.optOutSource,
        emailOptedOut: prev?.emailOptedOut,
        emailOptOutSource: prev?.emailOptOutSource,
        consentLog: prev?.consentLog,
        noReminders: v.noReminders,
        pausedUntil: prev?.pausedUntil,
        pauseReason: prev?.pauseReason,
        notes: v.notes,
        updatedAt: this.opts.clock.now(),
      };
      data.accounts[v.id] = next;
      this.doc.touch?.("accounts", v.id);
      this.indexPhones(next, prev?.phones ?? []);
      report.applied.push(v.id);
      this.changed(
        "account",
        v.id,
        v.id,
        suppressed !== undefined && !prev?.optedOut
          ? "opted-out"
          : next.noReminders && !prev?.noReminders
            ? "no-reminders"
            : undefined,
      );
      if (suppressed !== undefined && !prev?.optedOut) optedOutNow.push({ accountId: v.id, number: suppressed });
    });
    const result = await this.commit(report);
    // Published once durable, like setOptOut's.
    const at = this.opts.clock.now();
    for (const o of optedOutNow)
      this.opts.bus.emit("account.optout", {
        accountId: o.accountId,
        number: o.number,
        optedOut: true,
        source: "suppression-list",
        at,
      });
    return result;
  }

  /** The first of `phones` that is on the suppression list and was not on the account before. */
  private suppressedNewNumber(phones: readonly string[], before: readonly string[] | undefined): string | undefined {
    const consent = this.opts.consent;
    if (!consent) return undefined;
    return phones.find((p) => !before?.includes(p) && consent.has(p));
  }

  async upsertInvoices(input: readonly InvoiceInput[]): Promise<UpsertReport> {
    const report = emptyReport(input.length);
    const { data } = this.doc;
    input.forEach((raw, index) => {
      const r = validateInvoice(raw, index, this.opts.defaults);
      if (!r.ok) return void report.refused.push(...r.refused);
      const v = r.value;
      if (!own(data.accounts, v.accountId))
        return void report.refused.push({
          index,
          id: v.id,
          field: "accountId",
          code: "unknown_account",
          reason: `account ${v.accountId} is unknown: send the account before its invoices`,
        });
      const prev = own(data.invoices, v.id);
      if (prev && v.version < prev.version) return void report.stale.push(v.id);
      if (prev && v.version === prev.version) return void report.unchanged.push(v.id);
      const next = this.mergeInvoice(prev, v);
      if (prev && prev.accountId !== next.accountId) {
        const old = listIn(this.byAccount, prev.accountId);
        old.splice(old.indexOf(prev), 1);
      }
      data.invoices[v.id] = next;
      this.doc.touch?.("invoices", v.id);
      const list = listIn(this.byAccount, next.accountId);
      const at = prev ? list.indexOf(prev) : -1;
      if (at >= 0) list[at] = next;
      else list.push(next);
      report.applied.push(v.id);
      this.changed("invoice", v.id, next.accountId, stopFor(prev, next), [v.id]);
    });
    return this.commit(report);
  }

  private mergeInvoice(prev: Invoice | undefined, v: NormalisedInvoice): Invoice {
    // Explicit literal, not a spread (see upsertAccounts).
    const next: Invoice = {
      id: v.id,
      version: v.version,
      // The account's own id string, not a copy per invoice.
      accountId: own(this.doc.data.accounts, v.accountId)?.id ?? v.accountId,
      number: v.number,
      amount: v.amount,
      amountDue: v.amountDue,
      currency: intern(v.currency),
      issueDate: intern(v.issueDate),
      dueDate: intern(v.dueDate),
      status: v.status,
      paymentLink: v.paymentLink,
      directDebit: v.directDebit,
      noReminders: v.noReminders,
      externalRefs: v.externalRefs,
      paidOn: v.status === "paid" ? (prev?.paidOn ?? this.today()) : undefined,
      disputeText: prev?.disputeText && v.status === "disputed" ? prev.disputeText : undefined,
      resumedOn: prev?.status === "disputed" && v.status === "open" ? this.today() : prev?.resumedOn,
      updatedAt: this.opts.clock.now(),
    };
    return next;
  }

  async recordPayments(input: readonly PaymentInput[]): Promise<UpsertReport> {
    const report = emptyReport(input.length);
    const { data } = this.doc;
    input.forEach((raw, index) => {
      const r = validatePayment(raw, index);
      if (!r.ok) return void report.refused.push(...r.refused);
      const v = r.value;
      if (own(data.payments, v.id)) return void report.unchanged.push(v.id);
      const invoice = v.invoiceId ? own(data.invoices, v.invoiceId) : undefined;
      if (v.invoiceId && !invoice)
        return void report.refused.push({
          index,
          id: v.id,
          field: "invoiceId",
          code: "unknown_invoice",
          reason: `invoice ${v.invoiceId} is unknown`,
        });
      const accountId = invoice?.accountId ?? v.accountId!;
      const account = own(data.accounts, accountId);
      if (!account)
        return void report.refused.push({
          index,
          id: v.id,
          field: "accountId",
          code: "unknown_account",
          reason: `account ${accountId} is unknown`,
        });
      if (invoice && v.accountId && v.accountId !== invoice.accountId)
        return void report.refused.push({
          index,
          id: v.id,
          field: "accountId",
          code: "mismatch",
          reason: `invoice ${invoice.id} belongs to another account`,
        });
      const currency = v.currency ?? invoice?.currency ?? account.currency;
      if (invoice && currency !== invoice.currency)
        return void report.refused.push({
          index,
          id: v.id,
          field: "currency",
          code: "mismatch",
          reason: `payment in ${currency} for an invoice in ${invoice.currency}`,
        });
      const payment: Payment = {
        id: v.id,
        accountId,
        ...(v.invoiceId ? { invoiceId: v.invoiceId } : {}),
        amount: v.amount,
        currency,
        date: v.date,
        receivedAt: this.opts.clock.now(),
      };
      data.payments[v.id] = payment;
      this.doc.touch?.("payments", v.id);
      listIn(this.paymentsByAccount, accountId).push(payment);
      // Without an invoice the payment settles the oldest open invoices first (the usual allocation rule).
      const targets = invoice
        ? [invoice]
        : this.invoicesOf(accountId)
            .filter((i) => i.status === "open" && i.currency === currency && i.amountDue > 0)
            .sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
      let left = v.amount;
      const paid: string[] = [];
      for (const inv of targets) {
        if (left <= 0) break;
        const applied = Math.min(left, inv.amountDue);
        inv.amountDue -= applied;
        this.doc.touch?.("invoices", inv.id);
        left -= applied;
        if (inv.amountDue === 0 && (inv.status === "open" || inv.status === "disputed")) {
          inv.status = "paid";
          inv.paidOn = v.date;
          paid.push(inv.id);
        }
      }
      report.applied.push(v.id);
      this.changed("payment", v.id, accountId, paid.length ? "paid" : undefined, paid);
    });
    return this.commit(report);
  }

  private async commit(report: UpsertReport): Promise<UpsertReport> {
    if (report.applied.length > 0) {
      this.doc.markDirty();
      await this.doc.flush();
    }
    if (report.refused.length > 0)
      this.opts.logger.warn({ refused: report.refused.length, received: report.received }, "ledger refused records");
    return report;
  }

  /** Erasure request: personal data goes, anonymous counts stay. */
  async eraseAccount(id: string): Promise<boolean> {
    const { data } = this.doc;
    const account = own(data.accounts, id);
    if (!account) return false;
    const invoices = this.byAccount.get(id) ?? [];
    const payments = this.paymentsByAccount.get(id) ?? [];
    for (const i of invoices) delete data.invoices[i.id];
    for (const p of payments) delete data.payments[p.id];
    // Deletes reach the store as such: it then compacts so that no file keeps the old values.
    for (const i of invoices) this.doc.touch?.("invoices", i.id);
    for (const p of payments) this.doc.touch?.("payments", p.id);
    this.doc.touch?.("accounts", id);
    this.doc.touch?.("tombstones", shortHash(id));
    this.doc.touch?.("erased");
    this.indexPhones({ ...account, phones: [] }, account.phones);
    delete data.accounts[id];
    this.byAccount.delete(id);
    this.paymentsByAccount.delete(id);
    data.tombstones[shortHash(id)] = account.version;
    data.erased.accounts++;
    data.erased.invoices += invoices.length;
    data.erased.payments += payments.length;
    this.doc.markDirty();
    await this.doc.flush();
    this.opts.logger.info({ invoices: invoices.length, payments: payments.length }, "account erased on request");
    this.changed(
      "erasure",
      shortHash(id),
      id,
      "erased",
      invoices.map((i) => i.id),
    );
    return true;
  }

  /** STOP/START from a number (all its accounts) or a panel/API action on one account; returns the accounts changed. */
  async setOptOut(
    sel: { accountId: string } | { number: string },
    optedOut: boolean,
    source: "sms" | "mqtt" | "http" | "panel",
  ): Promise<string[]> {
    const ids =
      "accountId" in sel
        ? own(this.doc.data.accounts, sel.accountId)
          ? [sel.accountId]
          : []
        : this.accountsByNumber(sel.number).map((a) => a.id);
    const changed: string[] = [];
    for (const id of ids) {
      const a = own(this.doc.data.accounts, id)!;
      if (a.optedOut === optedOut) continue;
      a.optedOut = optedOut;
      a.optOutSource = source;
      a.consentLog = appendConsent(a.consentLog, {
        at: this.opts.clock.now(),
        channel: "sms",
        optedOut,
        source,
        ...("number" in sel ? { number: sel.number } : {}),
      });
      this.doc.touch?.("accounts", id);
      changed.push(id);
    }
    if (changed.length) {
      this.doc.markDirty();
      await this.doc.flush();
      const at = this.opts.clock.now();
      for (const id of changed) {
        this.changed("account", id, id, optedOut ? "opted-out" : undefined);
        this.opts.bus.emit("account.optout", {
          accountId: id,
          ...("number" in sel ? { number: sel.number } : {}),
          optedOut,
          source,
          at,
        });
      }
    }
    return changed;
  }

  /**
   * The e-mail unsubscribe (the signed link in every reminder mail, the panel, the API): stops
   * e-mail only, SMS go on. Recorded in the account's consent log; returns whether it changed.
   */
  async setEmailOptOut(
    accountId: string,
    optedOut: boolean,
    source: "email-link" | "panel" | "http" | "mqtt",
  ): Promise<boolean> {
    const a = own(this.doc.data.accounts, accountId);
    if (!a) throw new DuegateError(ErrorCode.NotFound, `account ${accountId} is unknown`, { accountId });
    if ((a.emailOptedOut ?? false) === optedOut) return false;
    a.emailOptedOut = optedOut;
    a.emailOptOutSource = source;
    a.consentLog = appendConsent(a.consentLog, { at: this.opts.clock.now(), channel: "email", optedOut, source });
    this.doc.touch?.("accounts", accountId);
    this.doc.markDirty();
    await this.doc.flush();
    this.changed("account", accountId, accountId, optedOut ? "email-opted-out" : undefined);
    return true;
  }

  /** Promise to pay or PAID claim: no reminders for the account up to `until` (the engine adds the promise grace). */
  async pauseAccount(accountId: string, until: string | undefined, reason: string): Promise<void> {
    const a = own(this.doc.data.accounts, accountId);
    if (!a) throw new DuegateError(ErrorCode.NotFound, `account ${accountId} is unknown`, { accountId });
    if (until !== undefined && !isLocalDate(until))
      throw new DuegateError(ErrorCode.Validation, `pause date must be YYYY-MM-DD, got ${until}`, { field: "until" });
    if (until === undefined) {
      // Assigned, not deleted: a delete turns the object into a slow dictionary.
      a.pausedUntil = undefined;
      a.pauseReason = undefined;
    } else {
      a.pausedUntil = until;
      a.pauseReason = reason;
    }
    this.doc.touch?.("accounts", accountId);
    this.doc.markDirty();
    await this.doc.flush();
    this.changed("account", accountId, accountId, until ? "paused" : undefined);
  }

  /** DISPUTE: one invoice, or every open invoice of the account when none is named. */
  async disputeInvoice(invoiceId: string | undefined, accountId: string, text: string): Promise<string[]> {
    if (!own(this.doc.data.accounts, accountId))
      throw new DuegateError(ErrorCode.NotFound, `account ${accountId} is unknown`, { accountId });
    const targets = invoiceId
      ? [own(this.doc.data.invoices, invoiceId)].filter((i): i is Invoice => i?.accountId === accountId)
      : this.invoicesOf(accountId).filter((i) => i.status === "open");
    if (invoiceId && targets.length === 0)
      throw new DuegateError(ErrorCode.NotFound, `invoice ${invoiceId} is not one of account ${accountId}`, {
        invoiceId,
        accountId,
      });
    for (const i of targets) {
      i.status = "disputed";
      i.disputeText = text.slice(0, 500);
      this.doc.touch?.("invoices", i.id);
    }
    if (targets.length) {
      this.doc.markDirty();
      await this.doc.flush();
      this.changed(
        "invoice",
        targets[0]!.id,
        accountId,
        "disputed",
        targets.map((i) => i.id),
      );
    }
    return targets.map((i) => i.id);
  }

  /** Staff released a dispute: the invoice is dunned again, missed steps get grace from today. */
  async releaseDispute(invoiceId: string): Promise<void> {
    const i = own(this.doc.data.invoices, invoiceId);
    if (!i || i.status !== "disputed")
      throw new DuegateError(ErrorCode.NotFound, `invoice ${invoiceId} is not disputed`, { invoiceId });
    i.status = i.amountDue > 0 ? "open" : "paid";
    i.resumedOn = this.today();
    this.doc.touch?.("invoices", invoiceId);
    this.doc.markDirty();
    await this.doc.flush();
    this.changed("invoice", invoiceId, i.accountId);
  }

  account(id: string): Account | undefined {
    return own(this.doc.data.accounts, id);
  }

  invoice(id: string): Invoice | undefined {
    return own(this.doc.data.invoices, id);
  }

  accountsByNumber(number: string): Account[] {
    // Stored numbers passed the strict rule; a number that fails it can be no account's.
    const e164 = e164OrUndefined(number, this.opts.defaults.region);
    if (!e164) return [];
    return (this.byPhone.get(e164) ?? [])
      .map((id) => own(this.doc.data.accounts, id))
      .filter((a): a is Account => a !== undefined);
  }

  invoicesOf(accountId: string): Invoice[] {
    return this.byAccount.get(accountId) ?? [];
  }

  paymentsOf(accountId: string): Payment[] {
    return this.paymentsByAccount.get(accountId) ?? [];
  }

  /** Every account with its invoices, for the engine and the reports (no copy). */
  *accountsWithInvoices(): IterableIterator<[Account, Invoice[]]> {
    for (const [id, invoices] of this.byAccount) {
      const a = own(this.doc.data.accounts, id);
      if (a && invoices.length) yield [a, invoices];
    }
  }

  /** The same walk without a generator and a tuple per account (the engine visits 50,000 per evaluation). */
  forEachAccountWithInvoices(visit: (account: Account, invoices: Invoice[]) => void): void {
    const { accounts } = this.doc.data;
    this.byAccount.forEach((invoices, id) => invoices.length && accounts[id] && visit(accounts[id], invoices));
  }

  /** Every account, invoices or not (no copy). */
  forEachAccount(visit: (account: Account) => void): void {
    for (const a of Object.values(this.doc.data.accounts)) visit(a);
  }

  allPayments(): Iterable<Payment> {
    return Object.values(this.doc.data.payments);
  }

  balance(accountId: string): AccountBalance {
    const byCurrency: Record<string, number> = {};
    let openInvoices = 0;
    let earliestDue: string | undefined;
    for (const i of this.invoicesOf(accountId)) {
      if (i.amountDue <= 0 || i.status === "void" || i.status === "paid") continue;
      byCurrency[i.currency] = (byCurrency[i.currency] ?? 0) + i.amountDue;
      openInvoices++;
      if (!earliestDue || i.dueDate < earliestDue) earliestDue = i.dueDate;
    }
    return { byCurrency, openInvoices, ...(earliestDue ? { earliestDue } : {}) };
  }

  listAccounts(q: { search?: string; offset?: number; limit?: number }): { total: number; items: Account[] } {
    const needle = q.search?.trim().toLowerCase();
    const digits = needle?.replace(/\D/g, "");
    const all = Object.values(this.doc.data.accounts);
    const hits = needle
      ? all.filter(
          (a) =>
            a.id.toLowerCase().includes(needle) ||
            a.name.toLowerCase().includes(needle) ||
            (digits && digits.length >= 4 ? a.phones.some((p) => p.includes(digits)) : false),
        )
      : all;
    const offset = Math.max(0, q.offset ?? 0);
    const limit = Math.min(500, Math.max(1, q.limit ?? 50));
    return { total: hits.length, items: hits.slice(offset, offset + limit) };
  }

  stats(): { accounts: number; invoices: number; openInvoices: number; payments: number; erased: ErasureCounts } {
    let openInvoices = 0;
    for (const i of Object.values(this.doc.data.invoices)) if (i.status === "open") openInvoices++;
    return {
      accounts: Object.keys(this.doc.data.accounts).length,
      invoices: Object.keys(this.doc.data.invoices).length,
      openInvoices,
      payments: Object.keys(this.doc.data.payments).length,
      erased: { ...this.doc.data.erased },
    };
  }
}

function listIn<T>(m: Map<string, T[]>, key: string): T[] {
  let l = m.get(key);
  if (!l) m.set(key, (l = []));
  return l;
}

function appendConsent(log: ConsentChange[] | undefined, change: ConsentChange): ConsentChange[] {
  const next = [...(log ?? []), change];
  return next.length > CONSENT_LOG_MAX ? next.slice(next.length - CONSENT_LOG_MAX) : next;
}

/**
 * A record by id, own properties only: an id such as "toString" or "constructor" names no
 * record, never a method of Object.prototype (the collections are plain JSON objects).
 */
function own<T>(records: Record<string, T>, id: string): T | undefined {
  return Object.hasOwn(records, id) ? records[id] : undefined;
}
