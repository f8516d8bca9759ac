/**
 * The domain services in dependency order, and the seams between them: modem ↔ outbox ↔
 * inbound, consent before everything that sends or stores accounts. Each reads its own copy of
 * its section: a setting changed later reaches it through its applySettings().
 */
import { ModemRoster } from "../service/modems.js";
import type { Service } from "../core/lifecycle.js";
import type { Config } from "../config/schema.js";
import { CreditMonitor, createModemPool, laneOf, PoolHotPlug, type ModemSimulator } from "../modem/index.js";
import { Outbox, type OutboxDeps } from "../outbox/index.js";
import { Ledger } from "../ledger/index.js";
import { SuppressionList } from "../consent/index.js";
import { DunningEngine } from "../dunning/index.js";
import type { EngineEmail } from "../dunning/engine.js";
import { Inbound, type InboundConfig } from "../inbound/index.js";
import { CronScheduler } from "../system/scheduler.js";
import { SystemClockTrust } from "../system/clock-trust.js";
import type { AppContext } from "./context.js";
import { readsKeys, target, type SettingsTarget } from "./live-settings.js";

/** Inbound's view of the configuration: its section, the gateway's identity and defaults, dunning.paidPauseDays. */
export const inboundConfig = (c: Config): InboundConfig =>
  structuredClone({ ...c.inbound, ...c.gateway, dunning: c.dunning });

export interface DomainOptions {
  /** Simulators for the simulated modems, in order (tests and the demo drive them). */
  simulators: ModemSimulator[];
  /** The e-mail lane of the outbox (src/compose/email.ts); absent when email.enabled is off. */
  email?: OutboxDeps["email"];
  /** What the engine needs of e-mail: on or off, and the unsubscribe links. */
  engineEmail: EngineEmail;
}

export async function buildDomain(ctx: AppContext, o: DomainOptions) {
  const { clock, bus, logger, dataDir, store } = ctx;
  const config = ctx.live.current;
  // One driver per modem (config modems:, or the single modem: section as a pool of one).
  const modem = createModemPool({ config, clock, logger: logger.child({ sub: "modem" }), simulators: o.simulators });
  const lanes = modem.members.map((m) => laneOf(m, config.outbox.costPerPart));

  // Consent before everything that sends or stores accounts: the ledger, the outbox and inbound all ask it.
  const consent = await SuppressionList.open({
    store,
    clock,
    bus,
    logger: logger.child({ sub: "consent" }),
    region: config.gateway.defaultRegion,
    coalesceMs: config.storage.flushIntervalMs,
  });
  const ledger = await Ledger.open({
    store,
    clock,
    bus,
    consent,
    logger: logger.child({ sub: "ledger" }),
    defaults: {
      region: config.gateway.defaultRegion,
      locale: config.gateway.defaultLocale,
      currency: config.gateway.defaultCurrency,
      timeZone: config.gateway.defaultTimeZone,
    },
  });
  const outbox = await Outbox.open({
    store,
    clock,
    bus,
    logger: logger.child({ sub: "outbox" }),
    // Its own copy: Outbox.applySettings updates it for the queue and the sender.
    config: structuredClone(config.outbox),
    storage: config.storage,
    modemConfig: config.modem,
    gateway: config.gateway,
    sender: modem,
    recipients: { account: (id) => ledger.account(id), accountsByNumber: (n) => ledger.accountsByNumber(n) },
    ...(o.email ? { email: o.email } : {}),
    consent,
    ...(config.modems.length > 0 ? { lanes } : {}),
  });
  // Hot plug: a modem unplugged or plugged in, or added or removed by a reload, without a restart.
  const hotPlug = new PoolHotPlug({
    pool: modem,
    lanes: outbox,
    bus,
    clock,
    logger: logger.child({ sub: "modem" }),
    defaultCostPerPart: () => ctx.live.current.outbox.costPerPart,
    listed: config.modems.length > 0,
    // The simulators left after the first members took theirs (tests add simulated modems by a reload).
    simulators: o.simulators.slice(modem.members.filter((m) => m.spec.port === "sim").length),
  });
  const inbound = await Inbound.open({
    store,
    clock,
    bus,
    logger: logger.child({ sub: "inbound" }),
    config: inboundConfig(config),
    ledger,
    outbox,
    consent,
    storage: config.storage,
    onNoReply: () => outbox.releaseReplyHold(),
  });
  // A keyword reply goes before the next reminder part: the outbox holds while an SMS is read and answered.
  modem.onInboundPending((modemId) => outbox.holdForReply(modemId));
  const dunningLogger = logger.child({ sub: "dunning" });
  const dunning = await DunningEngine.open({
    store,
    ledger,
    outbox,
    clock,
    bus,
    logger: dunningLogger,
    config: structuredClone(config.dunning),
    gateway: { ...config.gateway, dataDir },
    costPerPart: config.outbox.costPerPart,
    // The same settings the outbox encodes with: preview and send cannot disagree on the codec.
    codec: config.modem,
    // Learned send hours stay inside the window the outbox sends in, as the panel changes it.
    sendWindow: () => ctx.live.current.outbox.sendWindow,
    scheduler: new CronScheduler(clock, dunningLogger),
    clockTrust: new SystemClockTrust({
      clock,
      logger: dunningLogger,
      override: !config.dunning.requireTrustedClock,
      toleranceMs: config.dunning.networkTimeToleranceSeconds * 1000,
      recheckMs: config.dunning.clockRecheckSeconds * 1000,
      networkTime: () => modem.networkTime(),
    }),
    email: o.engineEmail,
  });

  modem.onInbound((pdu, raw) => {
    // The reply leaves through the SIM the debtor wrote to (docs/outbox.md, "Dispatch").
    outbox.noteInbound(pdu.from, raw.modemId);
    return inbound.handlePart(pdu, raw);
  });
  modem.onStatusReport((report, via) => outbox.onStatusReport(report, via));
  modem.onHealth((health) => bus.emit("modem.health", health));
  // Prepaid credit per SIM by USSD (modems[].balance): a SIM with none left is not used.
  const monitor = new CreditMonitor(modem.members, {
    clock,
    logger: logger.child({ sub: "modem" }),
    onCredit: (c) => {
      outbox.setSimCredit(c.modemId, c.credit);
      bus.emit("modem.credit", c);
    },
  });
  const credit: Service = { name: "credit", start: async () => monitor.start(), stop: async () => monitor.stop() };
  // Each modem's figures, read alike by REST, the dashboard and the MQTT status.
  // The pool's members as they are at each look: a modem added or removed live is shown at once.
  const modems = new ModemRoster({
    get members() {
      return modem.members;
    },
    outbox,
    credits: monitor,
    clock,
  });
  return { modem, consent, ledger, outbox, inbound, dunning, credit, modems, hotPlug };
}

export type Domain = Awaited<ReturnType<typeof buildDomain>>;

/** The domain's side of a settings change (src/compose/live-settings.ts): each service's typed applySettings. */
export function domainSettings(d: Domain): SettingsTarget[] {
  return [
    target("outbox", readsKeys("outbox."), (next) =>
      d.outbox.applySettings({
        sendWindow: next.outbox.sendWindow,
        limits: next.outbox.limits,
        retry: next.outbox.retry,
      }),
    ),
    // The engine renders company name and number and plans with the dunning options.
    target("dunning", readsKeys("dunning.", "gateway."), (next) =>
      d.dunning.applySettings({ config: structuredClone(next.dunning), gateway: next.gateway }),
    ),
    // Between two messages: an SMS already taken is answered with the rules it started with.
    target(
      "inbound",
      readsKeys(
        "inbound.",
        "dunning.paidPauseDays",
        "gateway.companyName",
        "gateway.supportContact",
        "gateway.defaultLocale",
        "gateway.defaultTimeZone",
      ),
      (next) => d.inbound.applySettings(inboundConfig(next)),
      (next) => Inbound.check(inboundConfig(next)),
    ),
  ];
}
