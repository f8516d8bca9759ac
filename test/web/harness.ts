/**
 * The whole appliance for the browser tests: createApp() (src/app.ts) on the modem simulator,
 * with its real HTTP server (buildServer: auth plugin, web panel, REST API) on a loopback port.
 *
 * Should createApp() fail to start (the composition root is shared work in progress), the
 * same services are assembled from their pieces behind the auth and web plugins alone, and
 * the harness says so on stderr, so that a reader of the test output knows which was run.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { validateConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { systemClock, type Clock } from "../../src/core/clock.js";
import type { DemoClockInfo } from "../../src/demo/demo-clock.js";
import { EventBus } from "../../src/core/bus.js";
import { createLogger, LogRing } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import { createModem, ModemSimulator } from "../../src/modem/index.js";
import { Ledger } from "../../src/ledger/index.js";
import { Outbox } from "../../src/outbox/index.js";
import { Inbound } from "../../src/inbound/index.js";
import { DunningEngine } from "../../src/dunning/index.js";
import { Reports } from "../../src/dunning/reports/index.js";
import { inboundReplyFacts, outboxMessageFacts } from "../../src/app-facts.js";
import { CronScheduler } from "../../src/system/scheduler.js";
import { SystemClockTrust } from "../../src/system/clock-trust.js";
import { AuthService } from "../../src/auth/index.js";
import { authPlugin } from "../../src/http/auth/index.js";
import { webPlugin, type WebServices } from "../../src/http/web/index.js";
import type { Service } from "../../src/core/lifecycle.js";
import { Desk } from "../../src/desk/desk.js";
import { DeskBook } from "../../src/desk/desk-book.js";
import { SuppressionList } from "../../src/consent/index.js";

export const ADMIN_PASSWORD = "admin password 123";

export interface Appliance {
  url: string;
  services: WebServices & { config: Config };
  simulator: ModemSimulator;
  /** Every simulated modem of the pool, in the order of `modems:` (the first is `simulator`). */
  simulators: ModemSimulator[];
  auth: AuthService;
  via: "createApp" | "pieces";
  stop(): Promise<void>;
}

async function fromApp(
  config: Config,
  simulator: ModemSimulator,
  logRing: LogRing,
  more: ModemSimulator[] = [],
  options: Pick<ApplianceOptions, "clock" | "demoClock"> = {},
) {
  const { createApp } = await import("../../src/app.js");
  const app = await createApp(config, {
    ...options,
    simulator,
    ...(more.length > 0 ? { simulators: more } : {}),
    logRing,
    logger: createLogger({ level: "info", pretty: false, ring: logRing, destination: { write: () => true } }),
    mqtt: false,
  });
  try {
    await app.start();
  } catch (e) {
    await app.stop().catch(() => {});
    throw e;
  }
  if (!app.httpUrl) throw new Error("createApp() started without an HTTP address");
  return {
    services: app.services as unknown as WebServices & { config: Config },
    url: app.httpUrl,
    auth: app.services.auth,
    stop: () => app.stop(),
  };
}

async function fromPieces(config: Config, simulator: ModemSimulator, logRing: LogRing) {
  const clock = systemClock;
  const logger = createLogger({ level: "info", pretty: false, ring: logRing, destination: { write: () => true } });
  const bus = new EventBus<DomainEvents>();
  const dataDir = config.gateway.dataDir;
  const modem = createModem({
    port: "sim",
    baudRate: 115200,
    profile: config.modem.profile,
    healthIntervalMs: 60_000,
    clock,
    logger,
    simulator,
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
  });
  const clockTrust = new SystemClockTrust({ clock, logger, override: true, toleranceMs: 60_000, recheckMs: 3_600_000 });
  const dunning = await DunningEngine.open({
    ledger,
    outbox,
    clock,
    bus,
    logger,
    config: config.dunning,
    gateway: config.gateway,
    costPerPart: config.outbox.costPerPart,
    scheduler: new CronScheduler(clock, logger),
    clockTrust,
  });
  modem.onInbound((pdu, raw) => inbound.handlePart(pdu, raw));
  modem.onStatusReport((report) => outbox.onStatusReport(report));
  modem.onHealth((health) => bus.emit("modem.health", health));
  const order: Service[] = [modem, outbox, inbound, dunning];
  for (const s of order) await s.start();
  const reports = new Reports({
    ledger,
    stepRecords: () => dunning.stepRecords(),
    messages: outboxMessageFacts(outbox),
    replies: inboundReplyFacts(inbound),
    clock,
    settings: () => ({ timeZone: g.defaultTimeZone, costPerPart: config.outbox.costPerPart }),
  });
  const deskBook = await DeskBook.open({ dataDir, bus, clock, logger });
  const consent = await SuppressionList.open({ dataDir, clock, bus, logger, region: g.defaultRegion });
  const desk = new Desk({
    ledger,
    outbox,
    inbound,
    stepRecords: () => dunning.stepRecords(),
    book: deskBook,
    consent,
    clock,
    timeZone: () => g.defaultTimeZone,
  });
  const services = {
    config,
    clock,
    bus,
    logger,
    logRing,
    ledger,
    dunning,
    reports,
    outbox,
    inbound,
    modem,
    desk,
    version: "test",
    startedAt: clock.now(),
  };
  return {
    services: services as unknown as WebServices & { config: Config },
    stop: async () => {
      for (const s of [...order].reverse()) await s.stop().catch(() => {});
      await deskBook.close();
    },
  };
}

/** Two debtors: one due in ten days (the calendar fills), one 40 days overdue (aging). */
async function seedLedger(services: unknown): Promise<void> {
  const ledger = (services as { ledger: Ledger }).ledger;
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await ledger.upsertAccounts([
    { id: "ACC-100", version: 1, name: "Maria Muster", phones: ["+4917611111111"], locale: "de" },
    { id: "ACC-200", version: 1, name: "John Late", phones: ["+4917622222222"], locale: "en" },
  ]);
  await ledger.upsertInvoices([
    {
      id: "INV-1",
      version: 1,
      accountId: "ACC-100",
      number: "R-2026-001",
      amount: 4990,
      currency: "EUR",
      issueDate: day(-20),
      dueDate: day(10),
    },
    {
      id: "INV-2",
      version: 1,
      accountId: "ACC-200",
      number: "R-2026-002",
      amount: 12000,
      currency: "EUR",
      issueDate: day(-70),
      dueDate: day(-40),
    },
  ]);
}

/** What a browser test may change about the appliance. */
export interface ApplianceOptions {
  /** A `modems:` list (a pool); each `port: sim` entry gets one of `simulators`, in order. */
  modems?: unknown[];
  simulators?: ModemSimulator[];
  /** More configuration, merged over the harness's own at the top level of each section. */
  config?: Record<string, Record<string, unknown>>;
  /** The demo's own clock (src/demo/demo-clock.ts). */
  clock?: Clock;
  demoClock?: DemoClockInfo;
}

export async function startAppliance(opts: ApplianceOptions = {}): Promise<Appliance> {
  const dataDir = mkdtempSync(join(tmpdir(), "duegate-web-"));
  const extra = opts.config ?? {};
  const config = validateConfig({
    ...extra,
    gateway: { dataDir, defaultRegion: "DE", defaultTimeZone: "Europe/Berlin", ...extra.gateway },
    modem: { port: "sim", ...extra.modem },
    ...(opts.modems ? { modems: opts.modems } : {}),
    http: { adminPassword: ADMIN_PASSWORD, listen: "127.0.0.1:0", ...extra.http },
    mqtt: { mode: "off", ...extra.mqtt },
  });
  const [simulator, ...more] = opts.simulators?.length
    ? opts.simulators
    : [new ModemSimulator({ sendLatencyMs: 30, deliveryReportDelayMs: 200 })];
  const simulators = [simulator!, ...more];
  const logRing = new LogRing(2000);
  try {
    const app = await fromApp(config, simulator!, logRing, more, { clock: opts.clock, demoClock: opts.demoClock });
    await seedLedger(app.services);
    return {
      url: app.url,
      services: app.services,
      simulator: simulator!,
      simulators,
      auth: app.auth,
      via: "createApp",
      stop: app.stop,
    };
  } catch (e) {
    console.warn(
      `[web harness] createApp() did not start (${e instanceof Error ? e.message : String(e)}); assembling the services from their pieces`,
    );
  }
  if (opts.modems) throw new Error("a modem pool needs createApp(); the pieces run one modem");
  const built = await fromPieces(config, simulator!, logRing);
  await seedLedger(built.services);
  const logger = createLogger({ level: "warn", pretty: false, destination: { write: () => true } });
  const auth = await AuthService.open({ dataDir, logger, clock: systemClock, adminPassword: ADMIN_PASSWORD });
  const app: FastifyInstance = Fastify();
  await app.register(authPlugin, { auth, secureCookies: false });
  await app.register(webPlugin, { services: built.services });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    services: built.services,
    simulator: simulator!,
    simulators,
    auth,
    via: "pieces",
    async stop() {
      await app.close();
      await auth.close();
      await built.stop();
    },
  };
}
