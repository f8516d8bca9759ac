/**
 * The narrow slices of the domain the application layer works on (AppServices satisfies them
 * structurally); both adapters hand these to the functions of src/service/. Unit tests give
 * small fakes of exactly these.
 */
import type { AccountUpsert, InvoiceUpsert, PaymentRecord } from "../api/payloads.js";
import type { EventBus } from "../core/bus.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { DomainEvents, ModemFigures, ModemHealthEvent } from "../api/events.js";
import type { EnqueueRequest, EnqueueResult, ListFilter, OutboxMessage, OutboxPort } from "../outbox/types.js";
import type { WaitReason } from "../outbox/wait-reason.js";
import type { Account } from "../ledger/types.js";
import type { ConsentSource, SuppressionRecord, SuppressionResult } from "../consent/types.js";
import type { E164 } from "../core/types.js";

/** What the ledger answers to an upsert (src/ledger/types.ts UpsertReport). */
export interface LedgerUpsertReport {
  received: number;
  applied: string[];
  unchanged: string[];
  stale: string[];
  /** index: into the array given to the ledger; field: a path such as "phones[1]". */
  refused: ReadonlyArray<{ index: number; id?: string; field: string; code?: string; reason: string }>;
}

export interface LedgerCommands {
  /** Durable when resolved: the adapter acknowledges (PUBACK, 2xx) only after. */
  upsertAccounts(input: AccountUpsert[]): Promise<LedgerUpsertReport>;
  upsertInvoices(input: InvoiceUpsert[]): Promise<LedgerUpsertReport>;
  recordPayments(input: PaymentRecord[]): Promise<LedgerUpsertReport>;
  setOptOut(
    sel: { accountId: string } | { number: string },
    optedOut: boolean,
    source: "sms" | "mqtt" | "http" | "panel",
  ): Promise<string[]>;
}

export interface LedgerQueries {
  account(id: string): object | undefined;
  balance(accountId: string): { byCurrency: Record<string, number>; openInvoices: number; earliestDue?: string };
}

/** The suppression list (src/consent SuppressionList). */
export interface ConsentCommands {
  /** E.164 of any common form; throws InvalidNumber naming `field`. */
  normalise(number: string, field?: string): E164;
  has(number: string): boolean;
  get(number: string): SuppressionRecord | undefined;
  list(q: { search?: string; offset?: number; limit?: number }): { total: number; items: SuppressionRecord[] };
  add(number: string, source: ConsentSource, reason?: string): Promise<SuppressionResult>;
  remove(number: string, source: ConsentSource, reason?: string): Promise<SuppressionResult>;
}

export type OutboxCommands = Pick<OutboxPort, "enqueue" | "cancel" | "get" | "byIdempotencyKey">;
export type { EnqueueRequest, EnqueueResult };

/** The way a command came in. */
export type Source = "mqtt" | "http";

/** What the message list needs: the outbox's listing, and the ledger for the debtor's name. */
export interface MessageQueries {
  readonly clock: Clock;
  readonly ledger: { account(id: string): Account | undefined };
  readonly outbox: OutboxCommands & {
    list(filter: ListFilter): { total: number; items: OutboxMessage[] };
    /** Why a queued message waits (src/outbox/wait-reason.ts). */
    waitReason?(message: OutboxMessage, now: number): WaitReason | undefined;
  };
}

export interface OutboxStats {
  stats(): { queued: number; sending: number; submitted: number };
}

export interface ModemStatus {
  health(): ModemHealthEvent;
}

/** Each modem of the pool's figures (src/service/modems.ts ModemRoster). */
export interface ModemList {
  list(): ModemFigures[];
}

export interface DunningForecast {
  forecast(days: number): unknown[];
  forecastPage(
    days: number,
    opts?: { offset?: number; limit?: number; accountId?: string },
  ): { total: number; offset: number; items: unknown[] };
}

/** A durable, ordered log of events still to deliver (MQTT publisher, webhooks). */
export interface EventJournal<T> {
  /** Appends in order; durable soon after (coalesced), and at once on flush(). */
  append(item: T): number;
  /** Entries not yet acknowledged, oldest first, after `afterSeq`. */
  pending(afterSeq?: number, limit?: number): Array<{ seq: number; item: T }>;
  /** Marks one entry delivered; it will not come back after a restart. */
  ack(seq: number): void;
  readonly size: number;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface GatewayServices {
  readonly clock: Clock;
  readonly bus: EventBus<DomainEvents>;
  readonly logger: Logger;
  readonly ledger: LedgerCommands & LedgerQueries;
  readonly outbox: OutboxCommands & OutboxStats;
  readonly consent: ConsentCommands;
  readonly modem: ModemStatus;
  /** Per-modem figures for the retained status; absent in tests that give only the modem's health. */
  readonly modems?: ModemList;
  readonly dunning: DunningForecast;
  readonly version: string;
  readonly startedAt: number;
}

/** What the panel and API show of the embedded broker's logins (src/bridge/credentials.ts), never a password. */
export interface MqttCredentialsView {
  username: string;
  /** configured: mqtt.embedded.username/password (changed there); generated: rotatable here. */
  source: "configured" | "generated";
  createdAt?: number;
  rotatedAt?: number;
  readers: string[];
  /** How the accounting server reaches the broker. */
  listeners: { plain: { host: string; port: number }; tls?: { host: string; port: number; fingerprint256: string } };
}

/** The embedded broker's credentials for an admin: shown, and the accounting password rotated (returned once). */
export interface MqttCredentialsPort {
  /** Undefined when the embedded broker is not running (mode external or off). */
  view(): Promise<MqttCredentialsView | undefined>;
  rotate(): Promise<{ username: string; password: string }>;
}
