/** In-memory stand-ins for the ledger, the outbox and the files, and a builder for an Inbound under test. */
import { EventBus } from "../../src/core/bus.js";
import { ManualClock } from "../../src/core/clock.js";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import type { Account, Invoice } from "../../src/ledger/types.js";
import type {
  EnqueueOutcome,
  EnqueueRequest,
  EnqueueResult,
  OutboxMessage,
  OutboxPort,
} from "../../src/outbox/types.js";
import { decodePdu, encodeDeliver, type DeliverPdu, type Encoding } from "../../src/sms/index.js";
import { Inbound, type InboundConfig } from "../../src/inbound/index.js";
import type { AccountBalance, HistoryLog, InboundConsent, InboundLedger, StateFile } from "../../src/inbound/ports.js";
import type { InboundHistoryEntry } from "../../src/inbound/types.js";
import { emptyState, type InboundState } from "../../src/inbound/state.js";

export const START = Date.UTC(2026, 5, 10, 10, 0, 0); // Wednesday 10 June 2026, 12:00 in Berlin

export function account(id: string, phones: string[], extra: Partial<Account> = {}): Account {
  return {
    id,
    version: 1,
    name: `Name ${id}`,
    phones,
    locale: "en-GB",
    timeZone: "Europe/Berlin",
    currency: "EUR",
    tags: [],
    optedOut: false,
    noReminders: false,
    updatedAt: 0,
    ...extra,
  };
}

export function invoice(
  id: string,
  accountId: string,
  amountDue: number,
  dueDate: string,
  extra: Partial<Invoice> = {},
): Invoice {
  return {
    id,
    version: 1,
    accountId,
    number: `INV-${id}`,
    amount: amountDue,
    amountDue,
    currency: "EUR",
    issueDate: "2026-05-01",
    dueDate,
    status: "open",
    directDebit: false,
    noReminders: false,
    externalRefs: {},
    updatedAt: 0,
    ...extra,
  };
}

export class FakeLedger implements InboundLedger {
  accounts = new Map<string, Account>();
  invoices: Invoice[] = [];
  pauses: Array<{ accountId: string; until: string; reason: string }> = [];
  disputes: Array<{ invoiceId: string | undefined; accountId: string; text: string }> = [];
  optOuts: Array<{ sel: { accountId: string } | { number: string }; optedOut: boolean }> = [];
  failNext = 0;

  add(a: Account, ...inv: Invoice[]): this {
    this.accounts.set(a.id, a);
    this.invoices.push(...inv);
    return this;
  }
  accountsByNumber(e164: string): Account[] {
    return [...this.accounts.values()].filter((a) => a.phones.includes(e164));
  }
  invoicesOf(accountId: string): Invoice[] {
    return this.invoices.filter((i) => i.accountId === accountId);
  }
  balance(accountId: string): AccountBalance {
    const open = this.invoicesOf(accountId).filter((i) => i.status === "open" && i.amountDue > 0);
    const byCurrency: Record<string, number> = {};
    for (const i of open) byCurrency[i.currency] = (byCurrency[i.currency] ?? 0) + i.amountDue;
    const earliestDue = open.map((i) => i.dueDate).sort()[0];
    return { byCurrency, openInvoices: open.length, ...(earliestDue ? { earliestDue } : {}) };
  }
  async setOptOut(sel: { accountId: string } | { number: string }, optedOut: boolean): Promise<string[]> {
    this.maybeFail();
    this.optOuts.push({ sel, optedOut });
    const targets =
      "number" in sel
        ? this.accountsByNumber(sel.number)
        : [this.accounts.get(sel.accountId)].filter((a): a is Account => !!a);
    const changed = targets.filter((a) => a.optedOut !== optedOut);
    for (const a of changed) a.optedOut = optedOut;
    return changed.map((a) => a.id);
  }
  async pauseAccount(accountId: string, until: string, reason: string): Promise<void> {
    this.maybeFail();
    this.pauses.push({ accountId, until, reason });
    this.accounts.get(accountId)!.pausedUntil = until;
  }
  async disputeInvoice(invoiceId: string | undefined, accountId: string, text: string): Promise<string[]> {
    this.maybeFail();
    this.disputes.push({ invoiceId, accountId, text });
    return invoiceId ? [invoiceId] : [];
  }
  private maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext--;
      throw new DuegateError(ErrorCode.StoreWrite, "ledger file could not be written (test)");
    }
  }
}

export class FakeOutbox implements OutboxPort {
  readonly messages: OutboxMessage[] = [];
  readonly cancels: Array<{ selector: unknown; reason: string }> = [];
  constructor(private readonly clock: ManualClock) {}
  async enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    const existing = this.byIdempotencyKey(req.idempotencyKey);
    if (existing) return { status: "duplicate", message: existing };
    const now = this.clock.now();
    const message: OutboxMessage = {
      id: `m${this.messages.length + 1}`,
      idempotencyKey: req.idempotencyKey,
      to: req.to as OutboxMessage["to"],
      text: req.text,
      encoding: "gsm7",
      partCount: 1,
      priority: req.priority,
      origin: req.origin,
      timeZones: req.timeZones ?? [],
      limitClass: req.limitClass ?? "reminder",
      state: "queued",
      attempts: [],
      parts: [],
      createdAt: now,
      history: [{ state: "queued", at: now }],
      ...(req.expiresAt !== undefined ? { expiresAt: req.expiresAt } : {}),
      ...(req.consentExemption ? { consentExemption: req.consentExemption } : {}),
    };
    this.messages.push(message);
    return { status: "queued", message };
  }
  async enqueueMany(reqs: readonly EnqueueRequest[]): Promise<EnqueueOutcome[]> {
    const out: EnqueueOutcome[] = [];
    for (const req of reqs) out.push(await this.enqueue(req));
    return out;
  }
  async cancel(
    selector: { id: string } | { idempotencyKey: string } | { invoiceId: string } | { accountId: string },
    reason: string,
  ) {
    this.cancels.push({ selector, reason });
    return { cancelled: [], notCancellable: [] };
  }
  get(id: string) {
    return this.messages.find((m) => m.id === id);
  }
  byIdempotencyKey(key: string) {
    return this.messages.find((m) => m.idempotencyKey === key);
  }
  to(number: string): OutboxMessage[] {
    return this.messages.filter((m) => m.to === number);
  }
}

/** A hot file that keeps what was flushed: `restart()` hands the last flushed copy to a new Inbound. */
export class MemoryState implements StateFile<InboundState> {
  data: InboundState = emptyState();
  flushed: string = JSON.stringify(emptyState());
  flushes = 0;
  failFlush = 0;
  markDirty(): void {}
  async flush(): Promise<void> {
    if (this.failFlush > 0) {
      this.failFlush--;
      throw new Error("disk full (test)");
    }
    this.flushes++;
    this.flushed = JSON.stringify(this.data);
  }
  async close(): Promise<void> {}
  /** What a new process would read after a crash. */
  afterCrash(): MemoryState {
    const s = new MemoryState();
    s.data = JSON.parse(this.flushed) as InboundState;
    s.flushed = this.flushed;
    return s;
  }
}

export class MemoryHistory implements HistoryLog<InboundHistoryEntry> {
  readonly lines: Array<{ at: number; record: InboundHistoryEntry }> = [];
  failAppend = 0;
  constructor(private readonly clock: ManualClock) {}
  async append(record: InboundHistoryEntry): Promise<void> {
    if (this.failAppend > 0) {
      this.failAppend--;
      throw new Error("disk full (test)");
    }
    this.lines.push({ at: this.clock.now(), record: structuredClone(record) });
  }
  async *read(
    opts: { from?: number; to?: number; filter?: (r: InboundHistoryEntry) => boolean } = {},
  ): AsyncIterable<InboundHistoryEntry> {
    for (const l of this.lines) {
      if (opts.from !== undefined && l.at < opts.from) continue;
      if (opts.to !== undefined && l.at > opts.to) continue;
      if (opts.filter && !opts.filter(l.record)) continue;
      yield structuredClone(l.record);
    }
  }
  received(): number {
    return this.lines.filter((l) => l.record.kind === "received").length;
  }
}

export function inboundConfig(over: Partial<InboundConfig> = {}): InboundConfig {
  return {
    aliases: {},
    localeAliases: {},
    unknownNumberReply: "",
    unknownKeywordHelp: false,
    reassemblyTimeoutMinutes: 60,
    replyLimitPerHour: 5,
    replyLimitTotalPerHour: 120,
    stopConfirmation: true,
    promiseMaxDays: 60,
    dedupDays: 7,
    inboxMemory: 10000,
    replyTexts: {},
    companyName: "Acme Alarm",
    supportContact: "+49 30 1234567",
    defaultRegion: "DE",
    defaultTimeZone: "Europe/Berlin",
    defaultLocale: "en-GB",
    dunning: { paidPauseDays: 5 },
    ...over,
  };
}

export interface Rig {
  inbound: Inbound;
  clock: ManualClock;
  bus: EventBus<DomainEvents>;
  ledger: FakeLedger;
  outbox: FakeOutbox;
  state: MemoryState;
  history: MemoryHistory;
  events: Array<{ event: string; payload: unknown }>;
  /** Delivers an SMS (all its parts) the way the modem would. */
  receive(
    from: string,
    text: string,
    opts?: { encoding?: Encoding; timestamp?: number; concatReference?: number },
  ): Promise<void>;
}

export async function rig(
  opts: {
    config?: Partial<InboundConfig>;
    ledger?: FakeLedger;
    clock?: ManualClock;
    state?: MemoryState;
    history?: MemoryHistory;
    outbox?: FakeOutbox;
    onNoReply?: () => void;
    consent?: InboundConsent;
  } = {},
): Promise<Rig> {
  const clock = opts.clock ?? new ManualClock(START);
  const bus = new EventBus<DomainEvents>();
  const events: Array<{ event: string; payload: unknown }> = [];
  bus.onAny("test", (event, payload) => void events.push({ event, payload }));
  const ledger = opts.ledger ?? new FakeLedger();
  const outbox = opts.outbox ?? new FakeOutbox(clock);
  const state = opts.state ?? new MemoryState();
  const history = opts.history ?? new MemoryHistory(clock);
  const inbound = await Inbound.open({
    dataDir: "/nonexistent",
    clock,
    bus,
    logger: silentLogger(),
    config: inboundConfig(opts.config),
    ledger,
    outbox,
    files: { state, history },
    ...(opts.onNoReply ? { onNoReply: opts.onNoReply } : {}),
    ...(opts.consent ? { consent: opts.consent } : {}),
  });
  await inbound.start();
  let ref = 1;
  return {
    inbound,
    clock,
    bus,
    ledger,
    outbox,
    state,
    history,
    events,
    async receive(from, text, o = {}) {
      for (const pdu of pdus(from, text, {
        timestamp: o.timestamp ?? clock.now(),
        concatReference: o.concatReference ?? ref++ % 256,
        ...(o.encoding ? { encoding: o.encoding } : {}),
      }))
        await inbound.handlePart(pdu, { hex: "" });
      await inbound.idle();
    },
  };
}

/** The parts of an SMS as the modem decodes them (the real codec, both ways). */
export function pdus(
  from: string,
  text: string,
  o: { timestamp: number; concatReference?: number; encoding?: Encoding },
): DeliverPdu[] {
  return encodeDeliver(text, {
    from,
    timestamp: o.timestamp,
    concatReference: o.concatReference ?? 1,
    ...(o.encoding ? { encoding: o.encoding } : {}),
  }).map((hex) => decodePdu(hex) as DeliverPdu);
}

export const ALICE = "+4917612345678";
export const BOB = "+4915112345678";
export const STRANGER = "+4916099887766";
