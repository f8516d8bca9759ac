/**
 * The modem-to-disk path of the appliance (modem, ledger, outbox, inbound) wired as
 * src/app.ts wires it, but with modem timeouts short enough for a fault suite to run in CI:
 * createApp() takes the generic profile's timeouts (send 60 s), and a suite that waited
 * for those would take an hour. The figures say which timeouts were in force.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import { EventBus } from "../../../src/core/bus.js";
import { systemClock, type Clock } from "../../../src/core/clock.js";
import { silentLogger, type Logger } from "../../../src/core/log.js";
import type { DomainEvents } from "../../../src/api/events.js";
import { createModem, ModemSimulator, type Modem, type ModemOptions } from "../../../src/modem/index.js";
import { Ledger } from "../../../src/ledger/index.js";
import { Outbox } from "../../../src/outbox/index.js";
import { Inbound } from "../../../src/inbound/index.js";
import { reliabilityConfig } from "./appliance.js";

/** Command 600 ms, send 3 s: a hang is noticed in seconds, not in the profile's minute. */
export const SHORT_TIMEOUTS: Pick<ModemOptions, "timeouts" | "recovery" | "registrationPollMs"> = {
  timeouts: { command: 600, read: 2000, send: 3000, network: 1000, registrationMs: 400, resetSettleMs: 200 },
  recovery: { backoffBaseMs: 50, backoffMaxMs: 500, resetAfter: 3, powerCycleAfter: 6 },
  registrationPollMs: 50,
};

export interface Pieces {
  config: Config;
  sim: ModemSimulator;
  modem: Modem;
  ledger: Ledger;
  outbox: Outbox;
  inbound: Inbound;
  bus: EventBus<DomainEvents>;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startPieces(
  opts: {
    config?: Record<string, unknown>;
    sim?: ModemSimulator;
    clock?: Clock;
    logger?: Logger;
    modem?: Partial<ModemOptions>;
  } = {},
): Promise<Pieces> {
  const dataDir = mkdtempSync(join(tmpdir(), "duegate-rel-pieces-"));
  const config = validateConfig(reliabilityConfig(dataDir, opts.config ?? {}));
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger();
  const bus = new EventBus<DomainEvents>();
  const sim = opts.sim ?? new ModemSimulator({ sendLatencyMs: 20, deliveryReportDelayMs: 100, clock });
  const modem = createModem({
    port: "sim",
    baudRate: 115200,
    profile: "generic",
    healthIntervalMs: 1000,
    clock,
    logger,
    simulator: sim,
    ...SHORT_TIMEOUTS,
    ...opts.modem,
  });
  const g = config.gateway;
  const ledger = await Ledger.open({
    dataDir,
    clock,
    bus,
    logger,
    defaults: {
      region: g.defaultRegion,
      locale: g.defaultLocale,
      currency: g.defaultCurrency,
      timeZone: g.defaultTimeZone,
    },
  });
  const outbox = await Outbox.open({
    dataDir,
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
    dataDir,
    clock,
    bus,
    logger,
    config: { ...config.inbound, ...config.gateway, dunning: config.dunning },
    ledger,
    outbox,
    storage: config.storage,
  });
  modem.onInbound((pdu, raw) => inbound.handlePart(pdu, raw));
  modem.onStatusReport((r) => outbox.onStatusReport(r));
  modem.onHealth((h) => bus.emit("modem.health", h));
  await modem.start();
  await outbox.start();
  await inbound.start();
  return {
    config,
    sim,
    modem,
    ledger,
    outbox,
    inbound,
    bus,
    dataDir,
    async stop() {
      await inbound.stop();
      await outbox.stop();
      await modem.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
