/**
 * The idempotency memory of the engine: which step was enqueued (or deliberately skipped) for
 * which invoice, and when each account last got a reminder. Small and separate from the
 * ledger (which is never rewritten for it). A step recorded here is never enqueued again,
 * whatever the policy becomes: a step with the same id is done, and a step whose date is not
 * later than the last one done is behind the sequence (docs/policy.md).
 *
 * Sends are written as `pending` and flushed before the outbox sees them; at start, pending
 * ones are settled against the outbox by their idempotency key. So a crash between the two
 * stores neither loses a reminder nor sends one twice, even across midnight.
 *
 * The document is three keyed collections (invoices, accounts, records), and every change
 * names the records it touched, so that a journalling store (src/store/record-document.ts)
 * appends just those: the bytes written per reminder stay small and do not grow with the
 * number of steps already recorded (a whole-file rewrite was ~15 MB at 40,000 records).
 */
import type { DocumentStore } from "../ledger/ports.js";

export interface InvoiceSteps {
  /** stepId -> what happened. */
  steps: Record<string, "sent" | "skipped">;
  /** Day number of the latest step date done (sent or skipped). */
  lastDay: number;
}

export interface StepCover {
  invoiceId: string;
  stepId: string;
  stepDay: number;
}

export interface StepRecord {
  key: string;
  accountId: string;
  invoiceIds: string[];
  stepId: string;
  /** The local date it was decided on. */
  date: string;
  at: number;
  policyVersion: number;
  /** Sum of the amounts due at decision time, minor units. */
  amountDue: number;
  currency: string;
  state: "pending" | "enqueued" | "skipped" | "cancelled";
  reason?: string;
  messageId?: string;
  /** Planned for the debtor's learned hour rather than the step's time (the send-time report). */
  learnedTime?: boolean;
  covers: StepCover[];
}

export interface StepMemoryDocument {
  schema: 2;
  invoices: Record<string, InvoiceSteps>;
  /** accountId -> day number of the last reminder enqueued. */
  accounts: Record<string, number>;
  /** key -> record, in the order they were made. */
  records: Record<string, StepRecord>;
}

/** The collections of the document, for a store that journals record by record. */
export const STEP_MEMORY_COLLECTIONS = ["invoices", "accounts", "records"] as const;

/** The first format kept the records as one array; read once and rewritten keyed. */
interface LegacyStepMemoryDocument {
  schema: 1;
  records: StepRecord[];
}

/** "No step done yet": JSON has no -Infinity. */
export const NO_DAY = -1_000_000;

export const emptyStepMemory = (): StepMemoryDocument => ({ schema: 2, invoices: {}, accounts: {}, records: {} });

/** What the planner reads; the forecast lays an overlay over the real memory. */
export interface StepMemoryView {
  invoice(id: string): InvoiceSteps | undefined;
  lastMessageDay(accountId: string): number | undefined;
}

export class StepMemory implements StepMemoryView {
  private readonly byKey = new Map<string, StepRecord>();
  private readonly byInvoice = new Map<string, StepRecord[]>();
  private readonly byAccount = new Map<string, StepRecord[]>();

  constructor(private readonly doc: DocumentStore<StepMemoryDocument>) {
    // The first format (an array), or its import into a journal (keyed by array index): keyed anew.
    const records = (doc.data as StepMemoryDocument | LegacyStepMemoryDocument).records as
      Record<string, StepRecord> | StepRecord[];
    const entries = Object.entries(records);
    if (Array.isArray(records) || entries.some(([k, r]) => k !== r.key)) {
      const keyed: Record<string, StepRecord> = {};
      for (const [, r] of entries) keyed[r.key] = r;
      Object.assign(doc.data, { schema: 2, records: keyed });
      // Nothing touched by name: the next flush writes the whole document in the new shape.
      doc.markDirty();
    }
    for (const r of Object.values(doc.data.records)) this.index(r);
  }

  private index(r: StepRecord): void {
    this.byKey.set(r.key, r);
    for (const id of r.invoiceIds) push(this.byInvoice, id, r);
    push(this.byAccount, r.accountId, r);
  }

  private unindex(r: StepRecord): void {
    this.byKey.delete(r.key);
    for (const id of r.invoiceIds) remove(this.byInvoice, id, r);
    remove(this.byAccount, r.accountId, r);
  }

  private touch(collection: (typeof STEP_MEMORY_COLLECTIONS)[number], id: string): void {
    this.doc.touch?.(collection, id);
  }

  invoice(id: string): InvoiceSteps | undefined {
    return this.doc.data.invoices[id];
  }

  lastMessageDay(accountId: string): number | undefined {
    return this.doc.data.accounts[accountId];
  }

  record(key: string): StepRecord | undefined {
    return this.byKey.get(key);
  }

  records(): readonly StepRecord[] {
    return [...this.byKey.values()];
  }

  pending(): StepRecord[] {
    return this.records().filter((r) => r.state === "pending");
  }

  /** Marks the steps done and remembers the record. */
  add(r: StepRecord, day: number): void {
    const { data } = this.doc;
    for (const c of r.covers) {
      const inv = (data.invoices[c.invoiceId] ??= { steps: {}, lastDay: NO_DAY });
      inv.steps[c.stepId] = r.state === "skipped" ? "skipped" : "sent";
      if (!(inv.lastDay >= c.stepDay)) inv.lastDay = c.stepDay;
      this.touch("invoices", c.invoiceId);
    }
    if (r.state !== "skipped") {
      data.accounts[r.accountId] = Math.max(data.accounts[r.accountId] ?? day, day);
      this.touch("accounts", r.accountId);
    }
    const existing = this.byKey.get(r.key);
    if (existing) Object.assign(existing, r);
    else {
      data.records[r.key] = r;
      this.index(r);
    }
    this.touch("records", r.key);
    this.doc.markDirty();
  }

  /** A step deliberately not sent (missed beyond grace): done for good, no record. */
  skip(invoiceId: string, stepId: string, stepDay: number): void {
    const inv = (this.doc.data.invoices[invoiceId] ??= { steps: {}, lastDay: NO_DAY });
    inv.steps[stepId] = "skipped";
    if (inv.lastDay < stepDay) inv.lastDay = stepDay;
    this.touch("invoices", invoiceId);
    this.doc.markDirty();
  }

  settle(key: string, state: "enqueued" | "cancelled", messageId?: string, reason?: string): void {
    const r = this.byKey.get(key);
    if (!r) return;
    r.state = state;
    if (messageId) r.messageId = messageId;
    if (reason) r.reason = reason;
    this.touch("records", key);
    this.doc.markDirty();
  }

  /**
   * The outbox did not take (or cancelled before sending) a message: its steps are undone for
   * the invoices named, so that the next evaluation plans them again (under a new key).
   */
  forget(key: string, invoiceIds: ReadonlySet<string>, reason: string): void {
    const r = this.byKey.get(key);
    if (!r) return;
    const { data } = this.doc;
    for (const c of r.covers) {
      if (!invoiceIds.has(c.invoiceId)) continue;
      const inv = data.invoices[c.invoiceId];
      if (!inv) continue;
      delete inv.steps[c.stepId];
      let last = NO_DAY;
      for (const other of this.byInvoice.get(c.invoiceId) ?? [])
        if (other !== r && other.state !== "cancelled")
          for (const oc of other.covers)
            if (oc.invoiceId === c.invoiceId && oc.stepDay > last && inv.steps[oc.stepId]) last = oc.stepDay;
      inv.lastDay = last;
      this.touch("invoices", c.invoiceId);
    }
    if (
      data.accounts[r.accountId] !== undefined &&
      !(this.byAccount.get(r.accountId) ?? []).some(
        (o) => o !== r && o.accountId === r.accountId && o.date === r.date && o.state === "enqueued",
      )
    ) {
      delete data.accounts[r.accountId];
      this.touch("accounts", r.accountId);
    }
    r.state = "cancelled";
    r.reason = reason;
    this.touch("records", key);
    this.doc.markDirty();
  }

  /** Records whose invoices include this one (to settle cancellations). */
  keysForInvoice(invoiceId: string): string[] {
    return (this.byInvoice.get(invoiceId) ?? []).map((r) => r.key);
  }

  hasAccount(accountId: string): boolean {
    return this.doc.data.accounts[accountId] !== undefined || this.byAccount.has(accountId);
  }

  /** Erasure: nothing about the account stays (a journalling store compacts the old lines away). */
  eraseAccount(accountId: string, invoiceIds: string[]): void {
    const { data } = this.doc;
    delete data.accounts[accountId];
    this.touch("accounts", accountId);
    for (const id of invoiceIds) {
      delete data.invoices[id];
      this.touch("invoices", id);
    }
    for (const r of [...(this.byAccount.get(accountId) ?? [])]) this.drop(r);
    this.doc.markDirty();
  }

  /** Drops records older than the retention (the per-step report reads them). */
  prune(beforeMs: number): number {
    let dropped = 0;
    for (const r of this.records()) {
      if (r.at >= beforeMs || r.state === "pending") continue;
      this.drop(r);
      dropped++;
    }
    if (dropped) this.doc.markDirty();
    return dropped;
  }

  private drop(r: StepRecord): void {
    delete this.doc.data.records[r.key];
    this.unindex(r);
    this.touch("records", r.key);
  }

  async flush(): Promise<void> {
    await this.doc.flush();
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function remove<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (!l) return;
  const i = l.indexOf(v);
  if (i >= 0) l.splice(i, 1);
  if (l.length === 0) m.delete(k);
}
