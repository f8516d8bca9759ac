/**
 * The composition root (Zigbee2MQTT lib/controller.ts): the builders of src/compose/ make the
 * subsystems in dependency order; this file wires them, starts them and stops them in reverse.
 */
import { resolve } from "node:path";
import { systemClock, type Clock } from "./core/clock.js";
import type { DemoClockInfo } from "./demo/demo-clock.js";
import { EventBus } from "./core/bus.js";
import { LogRing, type Logger } from "./core/log.js";
import type { DomainEvents } from "./api/events.js";
import type { Config } from "./config/schema.js";
import { SettingsOverlay } from "./config/overlay.js";
import type { AppServices, ReconfigureResult } from "./app-services.js";
import { VERSION } from "./version.js";
import { acquireInstanceLock } from "./system/instance-lock.js";
import { prepareDataDir } from "./system/data-dir.js";
import { listPorts, type ModemSimulator } from "./modem/index.js";
import { AuthService } from "./auth/index.js";
import type { MqttBridge } from "./bridge/bridge.js";
import { createMetrics, type Metrics } from "./metrics/index.js";
import { LiveConfig, type AppContext } from "./compose/context.js";
import { appLogger } from "./compose/logger.js";
import { buildDomain, domainSettings } from "./compose/domain.js";
import { buildEmail } from "./compose/email.js";
import { buildDesk } from "./compose/desk.js";
import { buildMqtt } from "./compose/mqtt.js";
import { buildWebhooks } from "./compose/webhooks.js";
import { buildHttp } from "./compose/http.js";
import { liveSettings } from "./compose/live-settings.js";
import { buildPoolEntries } from "./compose/pool-entries.js";
import { lifecycle } from "./compose/lifecycle.js";
import { announceStart, dataStore, reloadConfigFile } from "./compose/start-and-reload.js";

export interface AppOptions {
  clock?: Clock;
  /** The demo's own clock (`--clock`, `--fast`), shown in the panel's header. */
  demoClock?: DemoClockInfo;
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
  /** SIGHUP: the policy and templates in the config file take effect; the rest needs a restart. */
  reload(): Promise<void>;
  /** Settings changed in the web panel: validated, saved to <dataDir>/settings.yaml, in force where no restart is needed. */
  reconfigure(change: Record<string, unknown>, by?: string): Promise<ReconfigureResult>;
}

export type { ReconfigureResult, PanelSettingsPort } from "./app-services.js";

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const logRing = options.logRing ?? new LogRing();
  const logger = options.logger ?? appLogger(config, logRing);
  const dataDir = resolve(config.gateway.dataDir);
  prepareDataDir(dataDir); // created 0700, or refused when other users can read it
  const lock = acquireInstanceLock(dataDir);
  const bus = new EventBus<DomainEvents>(({ event, owner, error }) =>
    logger.error({ event, owner, err: error }, "event listener failed"),
  );
  const live = new LiveConfig(config);
  const store = dataStore(config, dataDir, clock, logger);
  const ctx: AppContext = { clock, logger, bus, dataDir, store, live };

  const email = buildEmail(ctx);
  const simulators = [...(options.simulator ? [options.simulator] : []), ...(options.simulators ?? [])];
  const d = await buildDomain(ctx, { simulators, engineEmail: email.engine, ...(email.lane && { email: email.lane }) });
  const office = await buildDesk(ctx, d);
  const auth = await AuthService.open({
    store,
    logger: logger.child({ sub: "auth" }),
    clock,
    ...(config.http.adminPassword ? { adminPassword: config.http.adminPassword } : {}),
  });
  const mqtt = await buildMqtt(ctx, { enabled: options.mqtt !== false, services: () => services });
  const settings = liveSettings({
    live,
    overlay: SettingsOverlay.open(dataDir, logger.child({ sub: "settings" })),
    targets: [...domainSettings(d), mqtt.settings, ...(email.settings ? [email.settings] : [])],
    logger,
  });
  const poolEntries = buildPoolEntries(ctx, d, settings);
  const { modem, consent, ledger, outbox, inbound, dunning } = d;
  const services: AppServices = {
    ...{
      modem,
      modems: d.modems,
      poolEntries,
      serialPorts: listPorts,
      consent,
      ledger,
      outbox,
      inbound,
      dunning,
      auth,
      settings,
      clock,
      bus,
      logger,
      logRing,
    },
    ...(options.demoClock ? { demoClock: options.demoClock } : {}),
    ...{ reports: office.reports, desk: office.desk, email: email.port(ledger), mqttCredentials: mqtt.credentials },
    get config() {
      return live.current;
    },
    ...(options.configFile ? { configFile: options.configFile } : {}),
    version: VERSION,
    startedAt: clock.now(),
  };
  const metrics = createMetrics(services);
  const webhooks = buildWebhooks(ctx);
  const http = options.http === false ? undefined : buildHttp(ctx, { services, auth, metrics });
  // Start order: the modem first (the outbox sends through it), the domain, then the adapters that take work.
  const run = lifecycle({
    order: [
      modem,
      outbox,
      d.credit,
      inbound,
      dunning,
      webhooks.dispatcher,
      mqtt.service,
      ...(http ? [http.service] : []),
    ],
    stopTogether: [outbox, modem],
    close: [
      () => metrics.stop(),
      email.close,
      mqtt.close,
      webhooks.close,
      () => ledger.close(),
      () => consent.close(),
      office.close,
      () => auth.close(),
      () => lock.release(),
    ],
    logger,
  });

  return {
    services,
    metrics,
    get httpUrl() {
      return http?.url;
    },
    get httpsFingerprint() {
      return http?.fingerprint;
    },
    get redirectUrl() {
      return http?.redirectUrl;
    },
    get mqtt() {
      return mqtt.bridge;
    },
    reconfigure: (change, by = "panel") => settings.update(change, by),
    async start() {
      await run.start();
      announceStart(ctx, d);
    },
    stop: run.stop,
    reload: () => reloadConfigFile(ctx, d, options.configFile),
  };
}
