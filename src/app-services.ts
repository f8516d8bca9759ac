/**
 * What the adapters (MQTT bridge, HTTP API, web panel, metrics) are given: the running
 * domain services. Built by src/app.ts, the composition root. Adapters import types from
 * here and never construct a domain service themselves.
 */
import type { Clock } from "./core/clock.js";
import type { DemoClockInfo } from "./demo/demo-clock.js";
import type { EventBus } from "./core/bus.js";
import type { Logger, LogRing } from "./core/log.js";
import type { DomainEvents } from "./api/events.js";
import type { Config } from "./config/schema.js";
import type { Ledger } from "./ledger/index.js";
import type { SuppressionList } from "./consent/index.js";
import type { DunningEngine } from "./dunning/index.js";
import type { Reports } from "./dunning/reports/index.js";
import type { Desk } from "./desk/desk.js";
import type { Outbox } from "./outbox/index.js";
import type { Inbound } from "./inbound/index.js";
import type { Modem, PortInfo } from "./modem/index.js";
import type { ModemRoster } from "./service/modems.js";
import type { PoolEntries } from "./service/pool-entries.js";
import type { AuthService } from "./auth/index.js";
import type { FieldProblem, SettingsView } from "./config/overlay.js";
import type { EmailPort } from "./http/ports.js";
import type { MqttCredentialsPort } from "./service/ports.js";
import type { ServerServices } from "./http/server.js";

export type ReconfigureResult =
  { ok: true; changed: string[]; restartRequired: string[] } | { ok: false; problems: FieldProblem[] };

/** Settings edited in the web panel (src/http/web/ports.ts PanelSettings; src/config/overlay.ts). */
export interface PanelSettingsPort {
  view(): SettingsView;
  update(change: Record<string, unknown>, by: string): Promise<ReconfigureResult>;
}

export type { MqttCredentialsView, MqttCredentialsPort } from "./service/ports.js";

export interface AppServices {
  readonly config: Config;
  readonly configFile?: string;
  readonly clock: Clock;
  /** Set only by `duegate demo --clock/--fast`: the panel shows the demo's time (src/demo/demo-clock.ts). */
  readonly demoClock?: DemoClockInfo;
  readonly bus: EventBus<DomainEvents>;
  readonly logger: Logger;
  readonly logRing: LogRing;
  readonly ledger: Ledger;
  /** The suppression list: numbers that opted out, enforced by the outbox for every send (src/consent). */
  readonly consent: SuppressionList;
  readonly dunning: DunningEngine;
  /** Aging, on-time rate, DSO, step effectiveness, parts and cost, evidence (src/dunning/reports). */
  readonly reports: Reports;
  /** The collections clerk's commands and queries: the Today page, handled replies, promises, marks (src/desk). */
  readonly desk: Desk;
  readonly outbox: Outbox;
  readonly inbound: Inbound;
  readonly modem: Modem;
  /** Each modem of the pool: figures, doctor and console by id (panel, REST, MQTT status). */
  readonly modems: ModemRoster;
  /** The `modems:` list edited from the panel: add, change, remove one modem, live (src/service/pool-entries.ts). */
  readonly poolEntries: PoolEntries;
  /** The serial ports the system sees, for choosing modem.port (nothing is opened). */
  readonly serialPorts: () => Promise<PortInfo[]>;
  readonly auth: AuthService;
  readonly settings: PanelSettingsPort;
  /** The unsubscribe link's check and effect, and the relay test (src/http/routes/email.ts). */
  readonly email: EmailPort;
  readonly mqttCredentials: MqttCredentialsPort;
  readonly version: string;
  readonly startedAt: number;
}

// The running services must fit what the HTTP server asks for (src/http/server.ts ServerServices).
type AppFits = AppServices extends ServerServices ? true : never;
export const appFitsServer: AppFits = true;
