/**
 * The MQTT topic map (Zigbee2MQTT lib/types/api.ts): every topic under
 * <baseTopic>/<gatewayId>/, its direction and its payload schema. The bridge, the webhooks
 * and docs/mqtt.md all read this one table.
 */
import type { TSchema } from "@sinclair/typebox";
import {
  AccountUpsert,
  BridgeResponse,
  CancelRequest,
  GatewayStatus,
  InvoiceUpsert,
  OptOutChange,
  PaymentRecord,
  SendRequest,
} from "./payloads.js";
import { EVENT_NAMES, EVENT_TABLE, type EventEntry, type EventName } from "./events.js";

export interface InTopic {
  topic: string;
  schema: TSchema;
  batch: boolean;
  description: string;
}

export const IN_TOPICS = {
  accounts: {
    topic: "accounts/upsert",
    schema: AccountUpsert,
    batch: true,
    description: "Create or update accounts (a later version wins).",
  },
  invoices: {
    topic: "invoices/upsert",
    schema: InvoiceUpsert,
    batch: true,
    description: "Create or update invoices (a later version wins).",
  },
  payments: {
    topic: "payments/record",
    schema: PaymentRecord,
    batch: true,
    description: "Record payments (the same id twice is stored once).",
  },
  send: {
    topic: "send",
    schema: SendRequest,
    batch: false,
    description: "Queue one SMS (the id is the idempotency key).",
  },
  optout: {
    topic: "optout",
    schema: OptOutChange,
    batch: false,
    description: "Opt an account or a number out of (or back into) SMS.",
  },
} as const satisfies Record<string, InTopic>;

/** request/<what> → response/<what>. */
export const REQUESTS = [
  "status",
  "account",
  "balance",
  "message",
  "cancel",
  "forecast",
  "modem",
  "suppression",
] as const;
export type RequestName = (typeof REQUESTS)[number];
export { CancelRequest };

/** Domain event → topic (relative to <base>/<id>/), from EVENT_TABLE. Events without a topic are not published. */
export function eventTopic(event: string, payload: unknown): string | undefined {
  const entry = (EVENT_TABLE as Record<string, EventEntry>)[event];
  if (!entry?.topic) return undefined;
  // "keyword/<keyword>": the level comes from the payload, and must be a safe topic level.
  let safe = true;
  const topic = entry.topic.replace(/<(\w+)>/g, (_m, field: string) => {
    const v = (payload as Record<string, unknown> | null)?.[field];
    if (typeof v !== "string" || !isSafeTopicLevel(v)) safe = false;
    return String(v);
  });
  return safe ? topic : undefined;
}

export const OUT_TOPICS: Array<{
  topic: string;
  event?: EventName;
  retained?: boolean;
  schema: TSchema;
  description: string;
}> = [
  {
    topic: "status",
    retained: true,
    schema: GatewayStatus,
    description:
      "Retained: online/offline (also the last will), each modem's figures (state, signal, operator, credit, parts, rotation), queue depth, version. Published again when a modem's health, rotation or credit changes.",
  },
  ...EVENT_NAMES.flatMap((event) => {
    const e: EventEntry = EVENT_TABLE[event];
    return e.topic ? [{ topic: e.topic, event, schema: e.schema, description: e.description }] : [];
  }),
  { topic: "response/<what>", schema: BridgeResponse, description: "The answer to request/<what>." },
];

/** Topic segments the gateway id and base topic may not contain (MQTT wildcards, separators). */
export function isSafeTopicLevel(s: string): boolean {
  return (
    s.length > 0 && !s.includes("+") && !s.includes("#") && !s.includes("/") && !s.includes(String.fromCharCode(0))
  );
}
