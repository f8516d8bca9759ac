/**
 * The MQTT topic map (Zigbee2MQTT lib/types/api.ts): every topic under
 * <baseTopic>/<gatewayId>/, its direction and its payload schema. The bridge, the webhooks
 * and docs/mqtt.md all read this one table.
 */
import type { TSchema } from "@sinclair/typebox";
import { AccountUpsert, BridgeResponse, CancelRequest, GatewayStatus, InvoiceUpsert, OptOutChange, PaymentRecord, SendRequest } from "./payloads.js";
import type { DomainEvents } from "./events.js";

export interface InTopic {
  topic: string;
  schema: TSchema;
  batch: boolean;
  description: string;
}

export const IN_TOPICS = {
  accounts: { topic: "accounts/upsert", schema: AccountUpsert, batch: true, description: "Create or update accounts (a later version wins)." },
  invoices: { topic: "invoices/upsert", schema: InvoiceUpsert, batch: true, description: "Create or update invoices (a later version wins)." },
  payments: { topic: "payments/record", schema: PaymentRecord, batch: true, description: "Record payments (the same id twice is stored once)." },
  send: { topic: "send", schema: SendRequest, batch: false, description: "Queue one SMS (the id is the idempotency key)." },
  optout: { topic: "optout", schema: OptOutChange, batch: false, description: "Opt an account or a number out of (or back into) SMS." },
} as const satisfies Record<string, InTopic>;

/** request/<what> → response/<what>. */
export const REQUESTS = ["status", "account", "balance", "message", "cancel", "forecast", "modem", "suppression"] as const;
export type RequestName = (typeof REQUESTS)[number];
export { CancelRequest };

/** Domain event → topic (relative to <base>/<id>/). Events not listed are not published. */
export function eventTopic(event: string, payload: unknown): string | undefined {
  switch (event) {
    case "message.state":
      return "message/state";
    case "inbound.received":
      return "inbound";
    case "keyword.action":
      return `keyword/${(payload as DomainEvents["keyword.action"]).keyword}`;
    case "account.optout":
      return "account/optout";
    case "account.mark":
      return "account/mark";
    case "message.refused":
      return "message/refused";
    case "consent.changed":
      return "consent/changed";
    case "input.error":
      return "error";
    default:
      return undefined;
  }
}

export const OUT_TOPICS: Array<{ topic: string; event?: keyof DomainEvents & string; retained?: boolean; schema?: TSchema; description: string }> = [
  { topic: "status", retained: true, schema: GatewayStatus, description: "Retained: online/offline (also the last will), modem health, queue depth, version." },
  { topic: "message/state", event: "message.state", description: "A message changed state: queued, sending, submitted, delivered, failed, expired, cancelled." },
  { topic: "inbound", event: "inbound.received", description: "An SMS was received (reassembled)." },
  { topic: "keyword/<kind>", event: "keyword.action", description: "A debtor's keyword was acted on: balance, stop, start, help, paid, promise, dispute, unknown." },
  { topic: "account/optout", event: "account.optout", description: "An account opted out or back in." },
  { topic: "message/refused", event: "message.refused", description: "A send was refused because the number opted out (at admission, or before a part: the message is then cancelled too)." },
  { topic: "consent/changed", event: "consent.changed", description: "A number was put on the suppression list (STOP, staff, API) or taken off it (START, staff)." },
  { topic: "account/mark", event: "account.mark", description: "A dunning step marked an account for disconnection or hand-off." },
  { topic: "error", event: "input.error", description: "A payload was refused: topic, field and reason." },
  { topic: "response/<what>", schema: BridgeResponse, description: "The answer to request/<what>." },
];

/** Topic segments the gateway id and base topic may not contain (MQTT wildcards, separators). */
export function isSafeTopicLevel(s: string): boolean {
  return s.length > 0 && !s.includes("+") && !s.includes("#") && !s.includes("/") && !s.includes(String.fromCharCode(0));
}
