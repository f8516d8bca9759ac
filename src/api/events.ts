/**
 * The domain events: one map, emitted on the bus and forwarded by the MQTT publisher,
 * the webhooks and the web panel's live feed. Payloads are plain JSON: they are also the
 * wire format (docs/mqtt.md documents each as a topic).
 */
export interface MessageStateEvent {
  id: string;
  idempotencyKey: string;
  state: "queued" | "sending" | "submitted" | "delivered" | "failed" | "expired" | "cancelled";
  to: string;
  origin: { kind: string; accountId?: string; invoiceIds?: string[]; step?: string };
  parts: number;
  references?: number[];
  reason?: string;
  at: number;
}

export interface InboundEvent {
  id: string;
  from: string;
  text: string;
  receivedAt: number;
  accountIds: string[];
  incomplete: boolean;
  keyword?: string;
}

export type KeywordKind = "balance" | "stop" | "start" | "help" | "paid" | "promise" | "dispute" | "unknown";

export interface KeywordEvent {
  inboundId: string;
  keyword: KeywordKind;
  from: string;
  accountIds: string[];
  /** PROMISE: the promised date, YYYY-MM-DD. */
  promiseDate?: string;
  /** DISPUTE / unknown: the debtor's words. */
  text?: string;
  at: number;
}

export interface OptOutEvent {
  accountId: string;
  number?: string;
  optedOut: boolean;
  source: "sms" | "mqtt" | "http" | "panel";
  at: number;
}

export interface AccountMarkEvent {
  accountId: string;
  mark: "disconnect" | "handoff";
  step: string;
  invoiceIds: string[];
  at: number;
}

export interface ModemHealthEvent {
  state: "starting" | "ready" | "degraded" | "recovering" | "offline";
  signal?: { rssi: number; bars: number; dbm?: number };
  registration?: "home" | "roaming" | "searching" | "denied" | "unregistered" | "unknown";
  operator?: string;
  simState?: string;
  model?: string;
  lastError?: string;
  /** SMS storage use of the read memory (AT+CPMS?); added by the modem subsystem. */
  storage?: { used: number; total: number };
  at: number;
}

export interface LedgerChangedEvent {
  kind: "account" | "invoice" | "payment" | "erasure";
  id: string;
  accountId: string;
  at: number;
  /** Set when the change must stop reminders at once (dunning cancels queued ones). */
  stop?: "paid" | "void" | "disputed" | "opted-out" | "email-opted-out" | "paused" | "no-reminders" | "erased";
  /** The invoices concerned by `stop` (empty = the whole account). */
  invoiceIds?: string[];
}

export interface InputErrorEvent {
  /** "mqtt" | "http" | "modem" | "config" */
  source: string;
  /** The topic, route or AT line where it was seen. */
  where: string;
  field?: string;
  code: string;
  message: string;
  at: number;
}

export interface DomainEvents {
  [event: string]: unknown;
  "ledger.changed": LedgerChangedEvent;
  "message.state": MessageStateEvent;
  "inbound.received": InboundEvent;
  "keyword.action": KeywordEvent;
  "account.optout": OptOutEvent;
  "account.mark": AccountMarkEvent;
  "modem.health": ModemHealthEvent;
  "input.error": InputErrorEvent;
}
