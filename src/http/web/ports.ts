/**
 * What the web panel's own routes (static files, the live feed, the dashboard, modem and settings
 * data) use of the running services: a narrow view that
 * AppServices (src/app-services.ts) satisfies, so that tests can pass only these and the
 * panel does not depend on more of each subsystem than it shows.
 */
import type { Clock } from "../../core/clock.js";
import type { EventBus } from "../../core/bus.js";
import type { DomainEvents, ModemHealthEvent } from "../../api/events.js";
import type { ListFilter, OutboxMessage, OutboxStats } from "../../outbox/types.js";
import type { InboundRecord, InboxFilter } from "../../inbound/types.js";
import type { FieldProblem, SettingsView } from "../../config/overlay.js";
import type { ReportsPort } from "../ports.js";
import type { ModemsPort } from "../routes/modems.js";
import type { PoolEntriesPort } from "../routes/pool-entries.js";

export interface PanelOutbox {
  stats(): OutboxStats;
  list(filter: ListFilter): { total: number; items: OutboxMessage[] };
}

export interface PanelInbound {
  list(filter: InboxFilter): { total: number; items: InboundRecord[] };
}

export type { DoctorCheck } from "../../api/events.js";
import type { DoctorCheck } from "../../api/events.js";

/** A serial port the system sees (src/modem/transport/ports.ts). */
export interface SerialPortInfo {
  path: string;
  byId?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
}

export interface PanelModem {
  health(): ModemHealthEvent;
  console?(command: string): Promise<string[]>;
  /** The doctor's checks on the running modem (src/modem/driver/diagnose.ts). */
  diagnose?(): Promise<{ checks: DoctorCheck[] }>;
}

/** The settings the panel may change (src/config/overlay.ts; src/compose/live-settings.ts provides it). */
export interface PanelSettings {
  view(): SettingsView;
  /** Validated against the config schema; refused changes come back as problems per key. */
  update(
    change: Record<string, unknown>,
    by: string,
  ): Promise<{ ok: true; changed: string[]; restartRequired: string[] } | { ok: false; problems: FieldProblem[] }>;
}

export interface WebServices {
  readonly clock: Clock;
  /** The demo's own clock (src/demo/demo-clock.ts); absent on an appliance, whose header then shows no time. */
  readonly demoClock?: { mode: "shifted" | "time-lapse"; speed: number };
  readonly bus: EventBus<DomainEvents>;
  readonly modem?: PanelModem;
  /** Each modem of the pool: figures, doctor and console by id (src/service/modems.ts). */
  readonly modems?: ModemsPort;
  /** The `modems:` list edited modem by modem (src/service/pool-entries.ts); absent: read-only. */
  readonly poolEntries?: PoolEntriesPort;
  /** The serial ports the system sees (the modem adapter lists them; the composition root passes the function). */
  readonly serialPorts?: () => Promise<SerialPortInfo[]>;
  readonly outbox?: PanelOutbox;
  readonly inbound?: PanelInbound;
  /** Aging, on-time rate and the rest (src/dunning/reports); the Reports page reads them from the REST API. */
  readonly reports?: ReportsPort;
  /** For the settings page (secrets are left out before it is shown) and cost estimates. */
  readonly config?: unknown;
  readonly version?: string;
  readonly startedAt?: number;
  /** Editable settings; absent when the panel runs without the composition root (read-only then). */
  readonly settings?: PanelSettings;
}
