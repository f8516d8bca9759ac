/** In-memory stand-ins for the outbox and the clock trust, and a world that wires them to a real ledger and engine. */
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import { DuegateError, ErrorCode, isDuegateError } from "../../src/core/errors.js";
import type { DomainEvents } from "../../src/api/events.js";
import type {
  EnqueueOutcome,
  EnqueueRequest,
  EnqueueResult,
  OutboxMessage,
  OutboxPort,
  MessageState,
} from "../../src/outbox/types.js";
import { Ledger } from "../../src/ledger/ledger.js";
import type { AccountInput, InvoiceInput } from "../../src/ledger/types.js";
import { memoryDocuments, type OpenDocument } from "../../src/ledger/ports.js";
import { localNow } from "../../src/core/calendar.js";
import { DunningEngine, type DunningConfig } from "../../src/dunning/engine.js";
import { CronScheduler } from "../../src/system/scheduler.js";
import { SystemClockTrust } from "../../src/system/clock-trust.js";

export interface Enqueued {
  date: string;
  at: number;
  key: string;
  to: string;
  text: string;
  accountId: string;
  invoiceIds: string[];
  step: string;
}

export class FakeOutbox implements OutboxPort {
  readonly messages = new Map<string, OutboxMessage>();
  readonly log: Enqueued[] = [];
  failNext: Error | undefined;
  constructor(
    private readonly clock: ManualClock,
    private readonly zone = "Europe/Berlin",
  ) {}

  async enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    if (!/^\+\d{7,15}$/.test(req.to)) throw new DuegateError(ErrorCode.InvalidNumber, "not a number", {});
    const existing = [...this.messages.values()].find((m) => m.idempotencyKey === req.idempotencyKey);
    if (existing) return { status: "duplicate", message: existing };
    const id = `m${this.messages.size + 1}`;
    const now = this.clock.now();
    const message: OutboxMessage = {
      id,
      idempotencyKey: req.idempotencyKey,
      to: req.to as OutboxMessage["to"],
      text: req.text,
      encoding: "gsm7",
      partCount: 1,
      priority: req.priority,
      origin: req.origin,
      ...(req.expiresAt ? { expiresAt: req.expiresAt } : {}),
      timeZones: req.timeZones ?? [],
      limitClass: req.limitClass ?? "reminder",
      state: "queued",
      attempts: [],
      parts: [],
      createdAt: now,
      history: [{ state: "queued", at: now }],
    };
    this.messages.set(id, message);
    const o = req.origin.kind === "dunning" ? req.origin : undefined;
    this.log.push({
      date: localNow(now, this.zone).date,
      at: now,
      key: req.idempotencyKey,
      to: req.to,
      text: req.text,
      accountId: o?.accountId ?? "",
      invoiceIds: o?.invoiceIds ?? [],
      step: o?.step ?? "",
    });
    return { status: "queued", message };
  }

  /** Sizes of the batches asked for (enqueueMany). */
  readonly batches: number[] = [];

  /** As the real one: failNext refuses the first request if it is an InvalidNumber, else fails the whole batch (a store error). */
  async enqueueMany(reqs: readonly EnqueueRequest[]): Promise<EnqueueOutcome[]> {
    this.batches.push(reqs.length);
    if (this.failNext && !isDuegateError(this.failNext, ErrorCode.InvalidNumber)) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    const out: EnqueueOutcome[] = [];
    for (const req of reqs) {
      try {
        out.push(await this.enqueue(req));
      } catch (e) {
        if (!(e instanceof DuegateError)) throw e;
        out.push({ status: "refused", error: e });
      }
    }
    return out;
  }

  async cancel(
    sel: { id: string } | { idempotencyKey: string } | { invoiceId: string } | { accountId: string },
    reason: string,
  ): Promise<{ cancelled: string[]; notCancellable: Array<{ id: string; state: MessageState }> }> {
    const cancelled: string[] = [];
    const notCancellable: Array<{ id: string; state: MessageState }> = [];
    for (const m of this.messages.values()) {
      const o = m.origin.kind === "dunning" ? m.origin : undefined;
      const hit =
        "id" in sel
          ? m.id === sel.id
          : "idempotencyKey" in sel
            ? m.idempotencyKey === sel.idempotencyKey
            : "invoiceId" in sel
              ? !!o?.invoiceIds.includes(sel.invoiceId)
              : o?.accountId === sel.accountId;
      if (!hit) continue;
      if (m.state === "queued") {
        m.state = "cancelled";
        m.history.push({ state: "cancelled", at: this.clock.now(), reason });
        cancelled.push(m.id);
      } else notCancellable.push({ id: m.id, state: m.state });
    }
    return { cancelled, notCancellable };
  }

  get(id: string): OutboxMessage | undefined {
    return this.messages.get(id);
  }

  byIdempotencyKey(key: string): OutboxMessage | undefined {
    return [...this.messages.values()].find((m) => m.idempotencyKey === key);
  }

  /** Pretend the modem sent everything queued (so it can no longer be cancelled). */
  sendAll(): void {
    for (const m of this.messages.values()) if (m.state === "queued") m.state = "submitted";
  }
}

export const baseConfig = (over: Partial<DunningConfig> = {}): DunningConfig => ({
  evaluateCron: "0 0 * * * *",
  graceDays: 2,
  consolidate: true,
  requireTrustedClock: true,
  appendOptOutLine: true,
  paidPauseDays: 5,
  promiseGraceDays: 2,
  changeDebounceMs: 2000,
  networkTimeToleranceSeconds: 120,
  clockRecheckSeconds: 30,
  recordRetentionDays: 400,
  ...over,
});

export interface World {
  clock: ManualClock;
  bus: EventBus<DomainEvents>;
  ledger: Ledger;
  outbox: FakeOutbox;
  engine: DunningEngine;
  docs: OpenDocument & { docs: Map<string, unknown> };
  trust: SystemClockTrust;
  events: Array<{ event: string; payload: unknown }>;
}

/** Berlin midnight of a date, as epoch ms (the tests' local zone). */
export function berlin(date: string, hh = 0, mm = 0): number {
  const guess = Date.parse(`${date}T${String(hh).padStart(2, "0")}:${String(mm).padStart(2, "0")}:00Z`);
  const l = localNow(guess, "Europe/Berlin");
  return guess - ((l.minute - (hh * 60 + mm) + 1440 * 3) % 1440) * 60_000;
}

export async function makeWorld(
  opts: {
    start: number;
    config?: Partial<DunningConfig>;
    trusted?: boolean;
    docs?: World["docs"];
    clock?: ManualClock;
    outbox?: FakeOutbox;
    policy?: unknown;
  } = { start: 0 },
): Promise<World> {
  const clock = opts.clock ?? new ManualClock(opts.start);
  const bus = new EventBus<DomainEvents>();
  const events: World["events"] = [];
  bus.onAny("test", (event, payload) => void events.push({ event, payload }));
  const logger = silentLogger();
  const docs = opts.docs ?? memoryDocuments();
  const ledger = await Ledger.open({
    dataDir: "/nonexistent",
    clock,
    bus,
    logger,
    defaults: { region: "DE", locale: "en-GB", currency: "EUR", timeZone: "Europe/Berlin" },
    openDocument: docs,
  });
  const outbox = opts.outbox ?? new FakeOutbox(clock);
  let trusted = opts.trusted ?? true;
  const trust = new SystemClockTrust({
    clock,
    logger,
    override: false,
    toleranceMs: 120_000,
    recheckMs: 30_000,
    ntpSynchronized: async () => trusted,
  });
  const config = baseConfig(opts.config);
  if (opts.policy !== undefined) config.policy = opts.policy;
  const engine = await DunningEngine.open({
    ledger,
    outbox,
    clock,
    bus,
    logger,
    config,
    gateway: {
      companyName: "Nordlicht Alarm GmbH",
      ownNumber: "+4915100000000",
      defaultTimeZone: "Europe/Berlin",
      dataDir: "/nonexistent",
    },
    costPerPart: 0.09,
    scheduler: new CronScheduler(clock, logger),
    clockTrust: trust,
    openDocument: docs,
  });
  Object.defineProperty(trust, "setTrusted", { value: (v: boolean) => (trusted = v) });
  return { clock, bus, ledger, outbox, engine, docs, trust, events };
}

export function account(id: string, over: Partial<AccountInput> = {}): AccountInput {
  return {
    id,
    version: 1,
    name: `Kim ${id}`,
    phones: [`+49170${String(1_000_000 + Number(id.replace(/\D/g, "") || 0)).slice(-7)}`],
    locale: "en-GB",
    timeZone: "Europe/Berlin",
    ...over,
  };
}

export function invoice(
  id: string,
  accountId: string,
  dueDate: string,
  over: Partial<InvoiceInput> = {},
): InvoiceInput {
  return { id, version: 1, accountId, number: `RE-${id}`, amount: 12_900, issueDate: "2026-01-01", dueDate, ...over };
}
