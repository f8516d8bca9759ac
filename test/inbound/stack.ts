/**
 * The real thing, wired as src/app.ts does: simulator → modem → inbound → outbox → modem,
 * with the real Ledger (in-memory document), Outbox and Inbound on files in a temporary
 * directory. Used by flow.test.ts and bench/inbound.ts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DomainEvents } from "../../src/api/events.js";
import { EventBus } from "../../src/core/bus.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { validateConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { Inbound } from "../../src/inbound/index.js";
import { Ledger, memoryDocuments } from "../../src/ledger/index.js";
import { createModem, ModemSimulator, type Modem } from "../../src/modem/index.js";
import { Outbox } from "../../src/outbox/index.js";

export interface Stack {
  dir: string;
  config: Config;
  bus: EventBus<DomainEvents>;
  sim: ModemSimulator;
  modem: Modem;
  ledger: Ledger;
  outbox: Outbox;
  inbound: Inbound;
  stop(): Promise<void>;
}

/** Numbers of the debtors on file: +49 176 1000 0000, +49 176 1000 0001, ... */
export const debtorNumber = (i: number): string => `+4917610${String(i).padStart(6, "0")}`;

/** `pty`: the modem talks to the simulator through socat and serialport's native binding (a real tty). */
export async function startStack(opts: { debtors: number; sendLatencyMs?: number; pty?: boolean }): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), "duegate-inbound-flow-"));
  const config = validateConfig({
    gateway: { companyName: "Acme Alarm", supportContact: "+49 30 1234567" },
    // The outbox's own pacing is for a real SIM; here the simulator is the limit.
    outbox: {
      sendWindow: { start: "00:00", end: "23:59" },
      limits: { perMinute: 100_000, perSimPerDay: 100_000, perSimPerMonth: 1_000_000, perRecipientPerWeek: 100 },
    },
    storage: { flushIntervalMs: 50 },
  });
  const bus = new EventBus<DomainEvents>();
  const logger = silentLogger();
  const clock = systemClock;
  const sim = new ModemSimulator({
    sendLatencyMs: opts.sendLatencyMs ?? 5,
    deliveryReportDelayMs: 20,
    storageSize: 30,
  });
  const pty = opts.pty ? await sim.servePty() : undefined;
  const modem = createModem({
    port: pty?.path ?? "sim",
    baudRate: 115200,
    profile: "generic",
    healthIntervalMs: 60_000,
    clock,
    logger,
    ...(pty ? {} : { simulator: sim }),
    timeouts: {
      command: pty ? 1000 : 300,
      read: 1000,
      send: 2000,
      network: 500,
      registrationMs: 400,
      resetSettleMs: 200,
    },
    recovery: { backoffBaseMs: 20, backoffMaxMs: 200, resetAfter: 3, powerCycleAfter: 6 },
    registrationPollMs: 20,
  });
  const ledger = await Ledger.open({
    dataDir: dir,
    clock,
    bus,
    logger,
    defaults: { region: "DE", locale: "en-GB", currency: "EUR", timeZone: "Europe/Berlin" },
    openDocument: memoryDocuments(),
  });
  const accounts = Array.from({ length: opts.debtors }, (_, i) => ({
    id: `ACC-${String(100000 + i)}`,
    version: 1,
    name: `Debtor ${i}`,
    phones: [debtorNumber(i)],
    locale: i % 2 ? "de-DE" : "en-GB",
  }));
  await ledger.upsertAccounts(accounts);
  await ledger.upsertInvoices(
    accounts.map((a, i) => ({
      id: `INV-${i}`,
      version: 1,
      accountId: a.id,
      amount: 10_000 + i,
      issueDate: "2026-01-01",
      dueDate: "2026-02-01",
    })),
  );
  const outbox = await Outbox.open({
    dataDir: dir,
    clock,
    bus,
    logger,
    config: config.outbox,
    storage: config.storage,
    modemConfig: config.modem,
    gateway: config.gateway,
    sender: modem,
  });
  const inbound = await Inbound.open({
    dataDir: dir,
    clock,
    bus,
    logger,
    config: { ...config.inbound, ...config.gateway, dunning: config.dunning },
    ledger,
    outbox,
    storage: config.storage,
    onNoReply: () => outbox.releaseReplyHold(),
  });
  modem.onInboundPending(() => outbox.holdForReply());
  modem.onInbound((pdu, raw) => inbound.handlePart(pdu, raw));
  modem.onStatusReport((r) => outbox.onStatusReport(r));
  await modem.start();
  await outbox.start();
  await inbound.start();
  if (modem.ready) await modem.inboxIdle();
  return {
    dir,
    config,
    bus,
    sim,
    modem,
    ledger,
    outbox,
    inbound,
    async stop() {
      await inbound.stop();
      await outbox.stop();
      await modem.stop();
      await pty?.close();
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until pred() holds; fails naming `what` after ms. */
export async function waitFor(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
