/**
 * The composition root (Zigbee2MQTT lib/controller.ts): the only file that imports every
 * subsystem. It builds them in dependency order, wires the seams (modem ↔ outbox ↔ inbound,
 * bus → adapters), starts them, and stops them in the reverse order.
 */
import { resolve } from "node:path";
import { systemClock, type Clock } from "./core/clock.js";
import { EventBus } from "./core/bus.js";
import { createLogger, LogRing, type Logger } from "./core/log.js";
import { DuegateError, ErrorCode, errorMessage, isDuegateError } from "./core/errors.js";
import type { DomainEvents } from "./api/events.js";
import type { Config } from "./config/schema.js";
import type { AppServices } from "./app-services.js";
import type { Service } from "./core/lifecycle.js";
import { VERSION } from "./version.js";
import { loadConfig } from "./config/load.js";
import { acquireInstanceLock } from "./system/instance-lock.js";
import { prepareDataDir } from "./system/data-dir.js";
import { securityChecks } from "./system/security-warnings.js";
import { CreditMonitor, createModemPool, laneOf, PoolHotPlug, type ModemSimulator } from "./modem/index.js";
import { SmtpTransport } from "./email/smtp-transport.js";
import { UnsubscribeTokens, loadUnsubscribeSecret, unsubscribeLinks } from "./email/unsubscribe.js";
import type { EmailPort } from "./http/ports.js";
import { newId } from "./core/ids.js";
import { Outbox } from "./outbox/index.js";
import { Ledger } from "./ledger/index.js";
import { SuppressionList } from "./consent/index.js";
import { DunningEngine } from "./dunning/index.js";
import { Desk } from "./desk/desk.js";
import { DeskBook } from "./desk/desk-book.js";
import { Reports } from "./dunning/reports/index.js";
import { inboundReplyFacts, outboxMessageFacts } from "./app-facts.js";
import { Inbound, type InboundConfig } from "./inbound/index.js";
import { CronScheduler } from "./system/scheduler.js";
import { AuthService } from "./auth/index.js";
import { buildServer } from "./http/server.js";
import { registerMetricsRoute } from "./http/metrics-route.js";
import { listenOn } from "./http/listen.js";
import { MqttBridge } from "./bridge/bridge.js";
import { BrokerUsers, type StoredBrokerUsers } from "./bridge/credentials.js";
import { SecretFile } from "./store/secret-file.js";
import { FileJournal } from "./store/event-journal.js";
import { WebhookDispatcher } from "./http/webhooks/dispatcher.js";
import type { OutgoingEvent } from "./bridge/publisher.js";
import { createMetrics, type Metrics } from "./metrics/index.js";
import { parseListen } from "./cli/options.js";
import { httpsEnabled } from "./http/tls-policy.js";
import { startHttpsRedirect } from "./http/https-redirect.js";
import { ensureTlsIdentity, type TlsIdentity } from "./system/tls-certificate.js";
import type { FastifyInstance } from "fastify";
import { SystemClockTrust } from "./system/clock-trust.js";
import { getPath, SettingsOverlay } from "./config/overlay.js";
import type { ReconfigureResult, PanelSettingsPort, MqttCredentialsPort } from "./app-services.js";

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  logRing?: LogRing;
  configFile?: string;
  /** A simulator to use when modem.port is "sim" (tests and the demo drive it). */
  simulator?: ModemSimulator;
  /** Simulators for the simulated modems of a `modems:` pool, in order (tests drive them); the first may also be `simulator`. */
  simulators?: ModemSimulator[];
  /** Skip the HTTP server or the MQTT bridge (unit-level integration tests). */
  http?: boolean;
  mqtt?: boolean;
}

export interface App {
  readonly services: AppServices;
  /** http(s)://host:port of the API and panel once started (port 0 resolved). */
  readonly httpUrl: string | undefined;
  /** SHA-256 fingerprint of the panel's certificate when it serves HTTPS (clients pin it). */
  readonly httpsFingerprint: string | undefined;
  /** http://host:port of the plain listener that only redirects to HTTPS (http.redirectFrom), once started. */
  readonly redirectUrl: string | undefined;
  readonly mqtt: MqttBridge | undefined;
  readonly metrics: Metrics;
  start(): Promise<void>;
  stop(): Promise<void>;
  reload(): Promise<void>;
  /**
   * Settings changed in the web panel (keys: src/config/overlay.ts PANEL_SETTINGS): validated,
   * saved to <dataDir>/settings.yaml, and put in force where that needs no restart.
   */
  reconfigure(change: Record<string, unknown>, by?: string): Promise<ReconfigureResult>;
}

export type { ReconfigureResult, PanelSettingsPort } from "./app-services.js";

/**
 * Keys that wait for the next start. No key the panel edits today (src/config/overlay.ts) is
 * among them: these two size what inbound builds at open (the reassembler holding the parts of
 * multipart SMS already read, the bounded staff inbox), and stay listed so that the answer is
 * honest should they become editable.
 */
const RESTART_KEYS = /^inbound\.(reassemblyTimeoutMinutes|inboxMemory)$/;
/** Keys inbound's keyword rules are built from (Inbound.reconfigure): router, reply texts, limits, options. */
const INBOUND_KEYS =
  /^(inbound\.|dunning\.paidPauseDays$|gateway\.(companyName|supportContact|defaultLocale|defaultTimeZone)$)/;

/** Inbound's view of the configuration: its section, the gateway's identity and defaults, dunning.paidPauseDays. */
const inboundConfig = (c: Config): InboundConfig => ({ ...c.inbound, ...c.gateway, dunning: c.dunning });

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const logRing = options.logRing ?? new LogRing();
  const logger =
    options.logger ??
    createLogger({
      level: config.log.level,
      ...(config.log.pretty !== undefined ? { pretty: config.log.pretty } : {}),
      ring: logRing,
    });
  const dataDir = resolve(config.gateway.dataDir);
  // Created 0700, or refused when other users can read it (src/system/data-dir.ts).
  prepareDataDir(dataDir);
  const lock = acquireInstanceLock(dataDir);

  const bus = new EventBus<DomainEvents>(({ event, owner, error }) =>
    logger.error({ event, owner, err: error }, "event listener failed"),
  );

  // One driver per modem (config modems:, or the single modem: section as a pool of one).
  const modem = createModemPool({
    config,
    clock,
    logger: logger.child({ sub: "modem" }),
    simulators: [...(options.simulator ? [options.simulator] : []), ...(options.simulators ?? [])],
  });
  const lanes = modem.members.map((m) => laneOf(m, config.outbox.costPerPart));

  // Consent before everything that sends or stores accounts: the ledger, the outbox and inbound all ask it.
  const consent = await SuppressionList.open({
    dataDir,
    clock,
    bus,
    logger: logger.child({ sub: "consent" }),
    region: config.gateway.defaultRegion,
    coalesceMs: config.storage.flushIntervalMs,
  });
  const ledger = await Ledger.open({
    dataDir,
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
  // E-mail through the company's relay (docs/email.md): only when switched on.
  const smtp = config.email.enabled ? new SmtpTransport(config.email, config.gateway.companyName) : undefined;
  const unsubscribeTokens = new UnsubscribeTokens(() => loadUnsubscribeSecret(dataDir, config.email.unsubscribeSecret));
  const outbox = await Outbox.open({
    dataDir,
    clock,
    bus,
    logger: logger.child({ sub: "outbox" }),
    config: config.outbox,
    storage: config.storage,
    modemConfig: config.modem,
    gateway: config.gateway,
    sender: modem,
    recipients: { account: (id) => ledger.account(id), accountsByNumber: (n) => ledger.accountsByNumber(n) },
    ...(smtp
      ? {
          email: {
            transport: smtp,
            settings: {
              ratePerMinute: config.email.ratePerMinute,
              messageIdDomain: config.email.from.split("@")[1] ?? "localhost",
              gatewayId: config.gateway.id,
            },
          },
        }
      : {}),
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
    defaultCostPerPart: () => config.outbox.costPerPart,
    listed: config.modems.length > 0,
    // The simulators left after the first members took theirs (tests add simulated modems by a reload).
    simulators: [...(options.simulator ? [options.simulator] : []), ...(options.simulators ?? [])].slice(
      modem.members.filter((m) => m.spec.port === "sim").length,
    ),
  });
  const inbound = await Inbound.open({
    dataDir,
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
  const clockTrust = new SystemClockTrust({
    clock,
    logger: dunningLogger,
    override: !config.dunning.requireTrustedClock,
    toleranceMs: config.dunning.networkTimeToleranceSeconds * 1000,
    recheckMs: config.dunning.clockRecheckSeconds * 1000,
    networkTime: () => modem.networkTime(),
  });
  // Kept to update in place: the engine reads company name and number on every render.
  const dunningGateway = { ...config.gateway, dataDir };
  let sendWindow = config.outbox.sendWindow;
  const dunning = await DunningEngine.open({
    ledger,
    outbox,
    clock,
    bus,
    logger: dunningLogger,
    config: config.dunning,
    gateway: dunningGateway,
    costPerPart: config.outbox.costPerPart,
    // The same object the outbox encodes with: preview and send cannot disagree on the codec settings.
    codec: config.modem,
    // Learned send hours stay inside the window the outbox sends in, as the panel changes it.
    sendWindow: () => sendWindow,
    scheduler: new CronScheduler(clock, dunningLogger),
    clockTrust,
    email: {
      emailEnabled: smtp !== undefined,
      stopAlsoStopsEmail: config.email.stopAlsoStopsEmail,
      unsubscribe: (accountId) => unsubscribeLinks(unsubscribeTokens, accountId, config.email),
    },
  });

  modem.onInbound((pdu, raw) => {
    // The reply leaves through the SIM the debtor wrote to (docs/outbox.md, "Dispatch").
    outbox.noteInbound(pdu.from, raw.modemId);
    return inbound.handlePart(pdu, raw);
  });
  modem.onStatusReport((report, via) => outbox.onStatusReport(report, via));
  modem.onHealth((health) => bus.emit("modem.health", health));
  // Prepaid credit per SIM by USSD (modems[].balance): a SIM with none left is not used.
  const credit = new CreditMonitor(modem.members, {
    clock,
    logger: logger.child({ sub: "modem" }),
    onCredit: (c) => {
      outbox.setSimCredit(c.modemId, c.credit);
      bus.emit("modem.credit", c);
    },
  });
  const creditService: Service = { name: "credit", start: async () => credit.start(), stop: async () => credit.stop() };

  const auth = await AuthService.open({
    dataDir,
    logger: logger.child({ sub: "auth" }),
    clock,
    ...(config.http.adminPassword ? { adminPassword: config.http.adminPassword } : {}),
  });
  const overlay = SettingsOverlay.open(dataDir, logger.child({ sub: "settings" }));
  let reconfigure: App["reconfigure"] = () => Promise.reject(new Error("not ready"));
  const settings: PanelSettingsPort = {
    view: () => overlay.view(config),
    update: (change, by) => reconfigure(change, by),
  };
  // The reports read the outbox's and inbound's history through the ledger's ports (src/app-facts.ts).
  const reports = new Reports({
    ledger,
    stepRecords: () => dunning.stepRecords(),
    sendTime: { report: (p, withinDays) => dunning.sendTimeReport(p, withinDays), of: (id) => dunning.sendTimeOf(id) },
    messages: outboxMessageFacts(outbox),
    replies: inboundReplyFacts(inbound),
    consent,
    clock,
    settings: () => ({ timeZone: config.gateway.defaultTimeZone, costPerPart: config.outbox.costPerPart }),
  });
  const email: EmailPort = {
    verifyUnsubscribe: (token) => unsubscribeTokens.verify(token),
    unsubscribe: (accountId) => ledger.setEmailOptOut(accountId, true, "email-link"),
    // A transport of its own, from the settings as they are now: the test works before e-mail is switched on.
    sendTestMail: async (to) => {
      const t = new SmtpTransport(config.email, config.gateway.companyName);
      const messageId = `<test-${newId("mail")}.${config.gateway.id}@${config.email.from.split("@")[1] ?? "localhost"}>`;
      try {
        const r = await t.send({
          to,
          subject: `${config.gateway.companyName || "duegate"}: test mail`,
          text: "This is a test mail from the duegate gateway: the SMTP relay settings work.",
          html: "",
          messageId,
          headers: {},
        });
        return { response: r.response, messageId };
      } finally {
        t.close();
      }
    },
  };
  // The desk book listens from the start: a mark or an opt-out made before the panel opens is kept.
  const deskBook = await DeskBook.open({
    dataDir,
    bus,
    clock,
    logger: logger.child({ sub: "desk" }),
    coalesceMs: config.storage.flushIntervalMs,
  });
  const desk = new Desk({
    ledger,
    outbox,
    inbound,
    stepRecords: () => dunning.stepRecords(),
    book: deskBook,
    clock,
    timeZone: () => config.gateway.defaultTimeZone,
  });
  // The embedded broker's users outlive a bridge restarted by a settings change; made at the first embedded start.
  const usersFile = new SecretFile<StoredBrokerUsers>(resolve(dataDir, "mqtt", "users.json"));
  let brokerUsers: Promise<BrokerUsers> | undefined;
  const openBrokerUsers = (): Promise<BrokerUsers> =>
    (brokerUsers ??= BrokerUsers.open({
      file: usersFile,
      config: config.mqtt.embedded,
      clock,
      logger: logger.child({ sub: "mqtt" }),
      where: usersFile.path,
    }));
  const brokerTlsIdentity = () =>
    ensureTlsIdentity({
      dataDir,
      ...(config.mqtt.embedded.tls.certFile ? { certFile: config.mqtt.embedded.tls.certFile } : {}),
      ...(config.mqtt.embedded.tls.keyFile ? { keyFile: config.mqtt.embedded.tls.keyFile } : {}),
    });
  let mqtt: MqttBridge | undefined;
  const mqttCredentials: MqttCredentialsPort = {
    view: async () => {
      const broker = mqtt?.embeddedBroker;
      if (config.mqtt.mode !== "embedded" || !broker || !brokerUsers) return undefined;
      const e = config.mqtt.embedded;
      const tls = mqtt?.tlsFingerprint;
      return {
        ...(await brokerUsers).view(),
        listeners: {
          plain: { host: e.host, port: broker.port },
          ...(tls ? { tls: { host: e.tls.host, port: broker.tlsPort, fingerprint256: tls } } : {}),
        },
      };
    },
    rotate: async () => {
      if (config.mqtt.mode !== "embedded")
        throw new DuegateError(
          ErrorCode.Validation,
          "the embedded MQTT broker is not in use (mqtt.mode is not embedded)",
          { field: "mqtt.mode" },
        );
      return (await openBrokerUsers()).rotate();
    },
  };
  const services: AppServices = {
    desk,
    settings,
    reports,
    email,
    mqttCredentials,
    config,
    ...(options.configFile ? { configFile: options.configFile } : {}),
    clock,
    bus,
    logger,
    logRing,
    ledger,
    consent,
    dunning,
    outbox,
    inbound,
    modem,
    auth,
    version: VERSION,
    startedAt: clock.now(),
  };
  const metrics = createMetrics(services);

  const journal =
    options.mqtt !== false
      ? await FileJournal.open<OutgoingEvent>(resolve(dataDir, "mqtt-outgoing.jsonl"), {
          clock,
          logger: logger.child({ sub: "mqtt" }),
          maxItems: config.mqtt.journalMaxEvents,
        })
      : undefined;
  const bridgeFor = async (): Promise<MqttBridge | undefined> =>
    journal && config.mqtt.mode !== "off"
      ? new MqttBridge({
          services,
          config,
          journal,
          tlsIdentity: brokerTlsIdentity,
          ...(config.mqtt.mode === "embedded" ? { brokerUsers: await openBrokerUsers() } : {}),
        })
      : undefined;

  const webhookJournals: Array<{ close(): Promise<void> }> = [];
  const webhooks = new WebhookDispatcher({
    bus,
    clock,
    logger: logger.child({ sub: "webhooks" }),
    gatewayId: config.gateway.id,
    targets: config.http.webhooks,
    openJournal: async (i) => {
      const j = await FileJournal.open<never>(resolve(dataDir, `webhook-${i}.jsonl`), {
        clock,
        logger: logger.child({ sub: "webhooks" }),
      });
      webhookJournals.push(j);
      return j;
    },
    timeoutMs: config.http.webhookTimeoutMs,
    maxBackoffMs: config.http.webhookMaxBackoffMs,
    maxAgeMs: config.http.webhookMaxAgeHours * 3_600_000,
  });

  let server: FastifyInstance | undefined;
  let httpUrl: string | undefined;
  let tlsIdentity: TlsIdentity | undefined;
  let redirect: { close(): Promise<void> } | undefined;
  let redirectUrl: string | undefined;
  const http: Service | undefined =
    options.http === false
      ? undefined
      : {
          name: "http",
          async start() {
            const { host, port } = parseListen(config.http.listen);
            const https = httpsEnabled(config.http);
            if (https) {
              try {
                tlsIdentity = await ensureTlsIdentity({
                  dataDir,
                  ...(config.http.certFile ? { certFile: config.http.certFile } : {}),
                  ...(config.http.keyFile ? { keyFile: config.http.keyFile } : {}),
                });
              } catch (e) {
                throw new DuegateError(
                  ErrorCode.ConfigInvalid,
                  `HTTPS certificate (http.certFile, http.keyFile): ${errorMessage(e)}`,
                  { key: "http.certFile" },
                );
              }
            }
            server = await buildServer(services, {
              auth,
              ...(tlsIdentity ? { https: { cert: tlsIdentity.cert, key: tlsIdentity.key } } : {}),
            });
            registerMetricsRoute(server, metrics, () => config.http.metricsAccess);
            const bound = await listenOn(server, host, port);
            httpUrl = `${https ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${bound}`;
            if (tlsIdentity) {
              logger.info(
                {
                  url: httpUrl,
                  certificate: tlsIdentity.source,
                  certPath: tlsIdentity.certPath,
                  fingerprint256: tlsIdentity.fingerprint256,
                  notAfter: tlsIdentity.notAfter.toISOString(),
                },
                "web panel and API listening over HTTPS",
              );
            } else logger.info({ url: httpUrl }, "web panel and API listening");
            if (config.http.redirectFrom) {
              if (!https)
                throw new DuegateError(
                  ErrorCode.ConfigInvalid,
                  `http.redirectFrom is set (${config.http.redirectFrom}) but the panel serves plain HTTP (http.tls: ${config.http.tls} on ${config.http.listen}): there is no HTTPS to redirect to`,
                  { key: "http.redirectFrom" },
                );
              const from = parseListen(config.http.redirectFrom);
              const started = await startHttpsRedirect({ host: from.host, port: from.port, httpsPort: bound });
              redirect = started;
              redirectUrl = `http://${from.host.includes(":") ? `[${from.host}]` : from.host}:${started.port}`;
              logger.info({ url: redirectUrl, to: httpUrl }, "plain HTTP listener redirecting to HTTPS");
            }
          },
          async stop() {
            await redirect?.close();
            await server?.close();
          },
        };

  // Start order: the modem first (the outbox sends through it), the domain, then the adapters
  // that take work; stop runs backwards, so intake ends before the sender and the modem.
  const started: Service[] = [];
  // The bridge is looked up when it starts and stops: reconfigure() may replace it.
  const mqttService: Service = {
    name: "mqtt",
    start: async () => {
      mqtt = await bridgeFor();
      await mqtt?.start();
    },
    stop: async () => mqtt?.stop(),
  };
  const order: Service[] = [
    modem,
    outbox,
    creditService,
    inbound,
    dunning,
    webhooks,
    mqttService,
    ...(http ? [http] : []),
  ];

  /** Puts a validated change in force in the running services; returns the keys that wait for a restart. */
  const apply = async (next: Config, changed: string[]): Promise<string[]> => {
    const touched = (prefix: string) => changed.some((k) => k.startsWith(prefix));
    // The config object is shared (services.config, the engine's deps): its sections are updated in place.
    if (touched("outbox.")) {
      outbox.updateConfig({ sendWindow: next.outbox.sendWindow, limits: next.outbox.limits, retry: next.outbox.retry });
      sendWindow = next.outbox.sendWindow;
    }
    for (const key of changed.filter((k) => !k.startsWith("outbox."))) {
      const [section, ...rest] = key.split(".");
      const target = (config as unknown as Record<string, Record<string, unknown>>)[section!]!;
      target[rest.join(".")] = getPath(next, key);
      if (section === "gateway") (dunningGateway as Record<string, unknown>)[rest.join(".")] = getPath(next, key);
    }
    // Between two messages: an SMS already taken is answered with the rules it started with.
    if (changed.some((k) => INBOUND_KEYS.test(k))) inbound.reconfigure(inboundConfig(config));
    if (touched("mqtt.") && journal && started.includes(mqttService)) {
      // The broker link, topics and last will are built at start: a new bridge with the new settings.
      await mqtt?.stop();
      mqtt = await bridgeFor();
      await mqtt?.start();
      logger.info({ mode: config.mqtt.mode }, "MQTT settings changed in the panel; bridge restarted");
    }
    return changed.filter((k) => RESTART_KEYS.test(k));
  };
  let changing: Promise<unknown> = Promise.resolve();
  reconfigure = (change, by = "panel") => {
    // One change at a time: each plans on top of the one before.
    const run = changing.then(async (): Promise<ReconfigureResult> => {
      const plan = overlay.plan(config, change);
      if (!plan.ok) return plan;
      // What the schema cannot see (an alias claimed by two keywords) is refused before it is saved:
      // saved, it would stop the next start.
      if (plan.changed.some((k) => INBOUND_KEYS.test(k))) {
        try {
          Inbound.check(inboundConfig(plan.config));
        } catch (e) {
          if (!isDuegateError(e, ErrorCode.ConfigInvalid)) throw e;
          const where = typeof e.context.where === "string" ? e.context.where : "";
          const field =
            plan.changed.find((k) => where === k || where.startsWith(`${k}.`)) ??
            plan.changed.find((k) => k.startsWith("inbound.")) ??
            "";
          return { ok: false, problems: [{ field, message: e.message }] };
        }
      }
      await overlay.save(plan.overlay);
      const restartRequired = await apply(plan.config, plan.changed);
      logger.info({ keys: plan.changed, by, restartRequired }, "settings changed in the web panel");
      return { ok: true, changed: plan.changed, restartRequired };
    });
    changing = run.catch(() => undefined);
    return run;
  };

  // Once: a failed start has stopped everything already, and the caller's stop() that follows must not close twice.
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => (stopping ??= stopEverything());

  async function stopEverything(): Promise<void> {
    metrics.stop();
    for (const s of started.reverse()) {
      try {
        // The outbox waits for the part at the modem; the modem bounds that wait by
        // modem.stopGraceMs and then cuts it short, so the two stop together (modem.stop is idempotent).
        if (s === outbox && started.includes(modem)) await Promise.all([outbox.stop(), modem.stop()]);
        else await s.stop();
      } catch (e) {
        logger.error({ service: s.name, err: errorMessage(e) }, "stop failed");
      }
    }
    started.length = 0;
    smtp?.close();
    await journal?.close();
    for (const j of webhookJournals) await j.close();
    await ledger.close();
    await consent.close();
    await deskBook.close();
    await auth.close();
    lock.release();
  }

  return {
    services,
    get httpUrl() {
      return httpUrl;
    },
    get httpsFingerprint() {
      return tlsIdentity?.fingerprint256;
    },
    get redirectUrl() {
      return redirectUrl;
    },
    get mqtt() {
      return mqtt;
    },
    metrics,
    reconfigure: (change, by) => reconfigure(change, by),
    async start() {
      for (const s of order) {
        try {
          await s.start();
        } catch (e) {
          // Never half-started (sending SMS with no API, or holding the data lock for nothing):
          // what has started stops, in reverse, and the caller gets the reason.
          logger.error({ service: s.name, err: errorMessage(e) }, "start failed; stopping what has started");
          await stopAll();
          throw e;
        }
        started.push(s);
      }
      logger.info(
        {
          version: VERSION,
          dataDir,
          modem: modem.members
            .map((m) => (m.spec.port === "sim" ? `${m.id}: simulator` : `${m.id}: ${m.spec.port}`))
            .join(", "),
        },
        "duegate started",
      );
      // Said loudly at every start, as `duegate doctor` says it (src/system/security-warnings.ts).
      for (const c of securityChecks(config, dataDir))
        if (!c.ok) logger.warn({ check: c.name, fix: c.hint }, `unsafe: ${c.detail}`);
    },
    stop: stopAll,
    async reload() {
      // SIGHUP: the policy and templates in the config file take effect without a restart.
      // The rest of the config (ports, broker) needs a restart and is not re-read here.
      if (!options.configFile) return;
      const { config: fresh } = loadConfig({ file: options.configFile });
      // Modems added to or removed from the modems: list start or stop with their lanes.
      await hotPlug.apply(fresh);
      if (fresh.dunning.policy !== undefined) {
        const version = await dunning.setPolicy(fresh.dunning.policy, "reload");
        logger.info({ version: version.version }, "policy reloaded from the config file");
      } else logger.info("the config file has no dunning.policy; the policy in force stays");
    },
  };
}
