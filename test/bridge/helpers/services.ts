/** GatewayServices for tests: the real Ledger on a temp dir, small fakes for the rest. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBus } from "../../../src/core/bus.js";
import { systemClock, type Clock } from "../../../src/core/clock.js";
import { createLogger, silentLogger } from "../../../src/core/log.js";
import type { DomainEvents } from "../../../src/api/events.js";
import { DuegateError, ErrorCode } from "../../../src/core/errors.js";
import { Ledger } from "../../../src/ledger/index.js";
import { SuppressionList } from "../../../src/consent/index.js";
import type { GatewayServices, OutboxCommands, OutboxStats } from "../../../src/service/index.js";
import type { EnqueueRequest, EnqueueResult, OutboxMessage } from "../../../src/outbox/types.js";
import type { E164 } from "../../../src/core/types.js";

export class FakeOutbox implements OutboxCommands, OutboxStats {
  readonly messages = new Map<string, OutboxMessage>();
  private n = 0;
  constructor(private readonly clock: Clock) {}

  async enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    const existing = [...this.messages.values()].find((m) => m.idempotencyKey === req.idempotencyKey);
    if (existing) return { status: "duplicate", message: existing };
    if (!/^\+\d{7,15}$/.test(req.to))
      throw new DuegateError(ErrorCode.InvalidNumber, `${req.to} is not a phone number`, { field: "to" });
    const m: OutboxMessage = {
      id: `msg_${++this.n}`,
      idempotencyKey: req.idempotencyKey,
      to: req.to as E164,
      text: req.text,
      encoding: "gsm7",
      partCount: 1,
      priority: req.priority,
      origin: req.origin,
      timeZones: [],
      limitClass: "reminder",
      state: "queued",
      attempts: [],
      parts: [],
      createdAt: this.clock.now(),
      history: [{ state: "queued", at: this.clock.now() }],
    };
    this.messages.set(m.id, m);
    return { status: "queued", message: m };
  }

  async cancel(
    selector: { id: string } | { idempotencyKey: string } | { invoiceId: string } | { accountId: string },
    _reason: string,
  ) {
    const hit = [...this.messages.values()].filter(
      (m) =>
        ("id" in selector && m.id === selector.id) ||
        ("idempotencyKey" in selector && m.idempotencyKey === selector.idempotencyKey),
    );
    for (const m of hit) m.state = "cancelled";
    return { cancelled: hit.map((m) => m.id), notCancellable: [] };
  }

  get(id: string) {
    return this.messages.get(id);
  }

  byIdempotencyKey(key: string) {
    return [...this.messages.values()].find((m) => m.idempotencyKey === key);
  }

  stats() {
    return { queued: [...this.messages.values()].filter((m) => m.state === "queued").length, sending: 0, submitted: 0 };
  }
}

export interface TestServices extends GatewayServices {
  ledger: Ledger;
  consent: SuppressionList;
  outbox: FakeOutbox;
  dataDir: string;
}

export async function testServices(dataDir = mkdtempSync(join(tmpdir(), "duegate-bridge-"))): Promise<TestServices> {
  const bus = new EventBus<DomainEvents>();
  const logger = process.env.DEBUG_SCENARIO ? createLogger({ level: "debug", pretty: false }) : silentLogger();
  const clock = systemClock;
  const consent = await SuppressionList.open({ dataDir, clock, bus, logger, region: "DE" });
  const ledger = await Ledger.open({
    dataDir,
    clock,
    bus,
    logger,
    consent,
    defaults: { region: "DE", locale: "de-DE", currency: "EUR", timeZone: "Europe/Berlin" },
  });
  return {
    clock,
    bus,
    logger,
    ledger,
    consent,
    dataDir,
    outbox: new FakeOutbox(clock),
    modem: { health: () => ({ state: "ready", signal: { rssi: 20, bars: 4 }, registration: "home", at: clock.now() }) },
    dunning: {
      forecast: (days: number) => [plannedReminder(days)],
      forecastPage: (days: number, opts: { offset?: number; limit?: number } = {}) => ({
        total: 1,
        offset: opts.offset ?? 0,
        items: [plannedReminder(days)],
      }),
    },
    version: "0.1.0-test",
    startedAt: clock.now(),
  };
}

export function account(i: number) {
  return { id: `A${i}`, version: 1, name: `Customer ${i}`, phones: [`+4917612${String(i).padStart(5, "0")}`] };
}

export function invoice(i: number, accounts: number) {
  return {
    id: `INV${i}`,
    version: 1,
    accountId: `A${i % accounts}`,
    amount: 1000 + i,
    issueDate: "2026-01-01",
    dueDate: "2026-02-01",
  };
}

/** A reminder as the dunning engine plans it (src/dunning/forecast.ts), `days` ahead. */
export function plannedReminder(days: number) {
  return {
    date: `2026-01-${String(days).padStart(2, "0")}`,
    time: "10:00",
    accountId: "ACC-1",
    invoiceIds: ["INV-1"],
    step: "overdue-7",
    sequence: "standard",
    template: "overdue",
    consolidated: false,
    amountDue: 1000,
    currency: "EUR",
  };
}
