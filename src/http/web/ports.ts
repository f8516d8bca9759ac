/**
 * What the web panel's own routes use of the running services: a narrow view that
 * AppServices (src/app-services.ts) satisfies, so that tests can pass only these and the
 * panel does not depend on more of each subsystem than it shows.
 */
import type { Clock } from "../../core/clock.js";
import type { EventBus } from "../../core/bus.js";
import type { LogRing } from "../../core/log.js";
import type { DomainEvents, ModemHealthEvent } from "../../api/events.js";
import type {
  CancelResult,
  CancelSelector,
  EnqueueRequest,
  EnqueueResult,
  ListFilter,
  OutboxMessage,
  OutboxStats,
} from "../../outbox/types.js";
import type { InboundRecord, InboxFilter, ReplyOutcome } from "../../inbound/types.js";
import type { Account, Invoice } from "../../ledger/types.js";
import type { PolicyDocument } from "../../dunning/policy-schema.js";
import type { PlannedReminder } from "../../dunning/forecast.js";
import type { PreviewRequest, TemplatePreview } from "../../dunning/preview.js";
import type { FieldProblem, SettingsView } from "../../config/overlay.js";
import type { ReportsPort } from "../ports.js";
import type { Desk } from "../../desk/desk.js";
import type { WaitReason } from "../../outbox/wait-reason.js";
import type { SuppressionRecord } from "../../consent/types.js";

export interface PanelOutbox {
  stats(): OutboxStats;
  list(filter: ListFilter): { total: number; items: OutboxMessage[] };
  get(id: string): OutboxMessage | undefined;
  enqueue(req: EnqueueRequest): Promise<EnqueueResult>;
  cancel(selector: CancelSelector, reason: string): Promise<CancelResult>;
  retry(id: string): Promise<OutboxMessage>;
  /** Why a queued message waits (src/outbox/wait-reason.ts). */
  waitReason?(message: OutboxMessage, now: number): WaitReason | undefined;
}

export interface PanelInbound {
  list(filter: InboxFilter): { total: number; items: InboundRecord[] };
  reply(to: string, text: string, opts: { inboundId?: string; by?: string }): Promise<ReplyOutcome>;
}

export interface PanelLedger {
  listAccounts(q: { search?: string; offset?: number; limit?: number }): { total: number; items: Account[] };
  account(id: string): Account | undefined;
  invoicesOf(accountId: string): Invoice[];
  setOptOut(sel: { accountId: string }, optedOut: boolean, source: "panel"): Promise<string[]>;
}

export interface PanelDunning {
  /** The reminders planned for the next days: the same plan the engine acts on. */
  forecast(days: number, opts?: { render?: boolean; accountId?: string }): PlannedReminder[];
  forecastPage(
    days: number,
    opts?: { offset?: number; limit?: number },
  ): { total: number; offset: number; items: PlannedReminder[] };
  policy(): PolicyDocument;
  /** Validates (DuegateError PolicyInvalid/TemplateInvalid with the path) and saves a new version. */
  setPolicy(policy: unknown, savedBy?: string): Promise<unknown>;
  preview(req: PreviewRequest): TemplatePreview;
}

/** One check of the modem doctor (src/modem/driver/diagnose.ts), as the panel shows it. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

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

/** The settings the panel may change (src/config/overlay.ts; app.ts provides it). */
export interface PanelSettings {
  view(): SettingsView;
  /** Validated against the config schema; refused changes come back as problems per key. */
  update(
    change: Record<string, unknown>,
    by: string,
  ): Promise<{ ok: true; changed: string[]; restartRequired: string[] } | { ok: false; problems: FieldProblem[] }>;
}

/** The suppression list, as the account page shows it (src/consent). */
export interface PanelConsent {
  recordsOf(numbers: readonly string[]): SuppressionRecord[];
}

export interface WebServices {
  readonly clock: Clock;
  readonly consent?: PanelConsent;
  readonly bus: EventBus<DomainEvents>;
  readonly logRing: LogRing;
  readonly modem?: PanelModem;
  /** The serial ports the system sees (the modem adapter lists them; the composition root passes the function). */
  readonly serialPorts?: () => Promise<SerialPortInfo[]>;
  readonly outbox?: PanelOutbox;
  readonly inbound?: PanelInbound;
  readonly ledger?: PanelLedger;
  readonly dunning?: PanelDunning;
  /** Aging, on-time rate and the rest (src/dunning/reports); the Reports page reads them from the REST API. */
  readonly reports?: ReportsPort;
  /** For the settings page (secrets are left out before it is shown) and cost estimates. */
  readonly config?: unknown;
  readonly version?: string;
  readonly startedAt?: number;
  /** The collections desk (src/desk): names and handled state in the inbox, marks on the account page. */
  readonly desk?: Pick<Desk, "inbox" | "handled" | "marks">;
  /** Editable settings; absent when the panel runs without the composition root (read-only then). */
  readonly settings?: PanelSettings;
}
