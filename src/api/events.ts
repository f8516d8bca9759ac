/**
 * The domain events: one schema each, emitted on the bus and forwarded by the MQTT publisher,
 * the webhooks and the web panel's live feed. Payloads are plain JSON: they are also the wire
 * format. EVENT_TABLE says which topic each goes out on; src/api/topics.ts, docs/mqtt.md
 * (npm run docs:api) and the panel's live feed (/contract.js) all read it.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { MESSAGE_STATES } from "../core/message-states.js";

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const At = Type.Integer({ description: "When it happened (ms since the epoch)." });

export const MessageStateEvent = Type.Object(
  {
    id: Type.String(),
    idempotencyKey: Type.String(),
    state: literals(MESSAGE_STATES),
    to: Type.String(),
    origin: Type.Object({
      kind: Type.String(),
      accountId: Type.Optional(Type.String()),
      invoiceIds: Type.Optional(Type.Array(Type.String())),
      step: Type.Optional(Type.String()),
    }),
    parts: Type.Integer(),
    references: Type.Optional(Type.Array(Type.Integer())),
    reason: Type.Optional(Type.String()),
    at: At,
  },
  { title: "Message state" },
);
export type MessageStateEvent = Static<typeof MessageStateEvent>;

export const InboundEvent = Type.Object(
  {
    id: Type.String(),
    from: Type.String(),
    text: Type.String(),
    receivedAt: Type.Integer(),
    accountIds: Type.Array(Type.String()),
    incomplete: Type.Boolean(),
    keyword: Type.Optional(Type.String()),
    modemId: Type.Optional(Type.String({ description: "The modem (SIM) that received it." })),
  },
  { title: "Inbound SMS" },
);
export type InboundEvent = Static<typeof InboundEvent>;

export const KEYWORD_KINDS = ["balance", "stop", "start", "help", "paid", "promise", "dispute", "unknown"] as const;
export type KeywordKind = (typeof KEYWORD_KINDS)[number];

export const KeywordEvent = Type.Object(
  {
    inboundId: Type.String(),
    keyword: literals(KEYWORD_KINDS),
    from: Type.String(),
    accountIds: Type.Array(Type.String()),
    promiseDate: Type.Optional(Type.String({ description: "PROMISE: the promised date, YYYY-MM-DD." })),
    text: Type.Optional(Type.String({ description: "DISPUTE / unknown: the debtor's words." })),
    unverified: Type.Optional(
      Type.Boolean({
        description: "PAID, PROMISE or DISPUTE from a number on file for no account: nothing was changed.",
      }),
    ),
    at: At,
  },
  { title: "Keyword action" },
);
export type KeywordEvent = Static<typeof KeywordEvent>;

export const OptOutEvent = Type.Object(
  {
    accountId: Type.String(),
    number: Type.Optional(Type.String()),
    optedOut: Type.Boolean(),
    source: literals(["sms", "mqtt", "http", "panel", "suppression-list"] as const),
    at: At,
  },
  {
    title: "Opt-out",
    description: "source suppression-list: an account was stored with a number that had opted out before.",
  },
);
export type OptOutEvent = Static<typeof OptOutEvent>;

export const ConsentChangedEvent = Type.Object(
  {
    number: Type.String(),
    suppressed: Type.Boolean(),
    source: Type.Union([
      Type.Object({
        kind: Type.Literal("sms"),
        inboundId: Type.String(),
        keyword: literals(["stop", "start"] as const),
      }),
      Type.Object({ kind: Type.Literal("panel"), user: Type.String() }),
      Type.Object({ kind: Type.Literal("api"), via: literals(["http", "mqtt"] as const), by: Type.String() }),
      Type.Object({ kind: Type.Literal("import"), by: Type.String() }),
    ]),
    reason: Type.Optional(Type.String()),
    at: At,
  },
  { title: "Consent changed", description: "A number was put on the suppression list or taken off it (src/consent)." },
);
export type ConsentChangedEvent = Static<typeof ConsentChangedEvent>;

export const MessageRefusedEvent = Type.Object(
  {
    idempotencyKey: Type.String(),
    id: Type.Optional(Type.String()),
    to: Type.String(),
    origin: Type.Object({
      kind: Type.String(),
      accountId: Type.Optional(Type.String()),
      invoiceIds: Type.Optional(Type.Array(Type.String())),
      step: Type.Optional(Type.String()),
    }),
    reason: Type.String({ description: "opted out: ..." }),
    stage: literals(["admission", "before-send"] as const),
    at: At,
  },
  {
    title: "Message refused",
    description:
      "The outbox refused a send because the number opted out: at admission (no message id) or before a part (the message is cancelled too).",
  },
);
export type MessageRefusedEvent = Static<typeof MessageRefusedEvent>;

export const AccountMarkEvent = Type.Object(
  {
    accountId: Type.String(),
    mark: literals(["disconnect", "handoff"] as const),
    step: Type.String(),
    invoiceIds: Type.Array(Type.String()),
    at: At,
  },
  { title: "Account mark", description: "A policy step asked for disconnection or hand-off to collection." },
);
export type AccountMarkEvent = Static<typeof AccountMarkEvent>;

export const ModemHealthEvent = Type.Object(
  {
    modemId: Type.Optional(Type.String({ description: "Which modem of the pool (modems[].id)." })),
    state: literals(["starting", "ready", "degraded", "recovering", "offline"] as const),
    signal: Type.Optional(Type.Object({ rssi: Type.Number(), bars: Type.Number(), dbm: Type.Optional(Type.Number()) })),
    registration: Type.Optional(
      literals(["home", "roaming", "searching", "denied", "unregistered", "unknown"] as const),
    ),
    operator: Type.Optional(Type.String()),
    simState: Type.Optional(Type.String()),
    model: Type.Optional(Type.String()),
    lastError: Type.Optional(Type.String()),
    storage: Type.Optional(
      Type.Object(
        { used: Type.Number(), total: Type.Number() },
        { description: "SMS storage use of the read memory (AT+CPMS?); added by the modem subsystem." },
      ),
    ),
    at: At,
  },
  { title: "Modem health" },
);
export type ModemHealthEvent = Static<typeof ModemHealthEvent>;

export const LedgerChangedEvent = Type.Object(
  {
    kind: literals(["account", "invoice", "payment", "erasure"] as const),
    id: Type.String(),
    accountId: Type.String(),
    at: At,
    stop: Type.Optional(
      literals([
        "paid",
        "void",
        "disputed",
        "opted-out",
        "email-opted-out",
        "paused",
        "no-reminders",
        "erased",
      ] as const),
    ),
    invoiceIds: Type.Optional(
      Type.Array(Type.String(), { description: "The invoices concerned by stop (empty = the whole account)." }),
    ),
  },
  { title: "Ledger changed" },
);
export type LedgerChangedEvent = Static<typeof LedgerChangedEvent>;

export const InputErrorEvent = Type.Object(
  {
    source: Type.String({ description: "mqtt, http, modem or config." }),
    where: Type.String({ description: "The topic, route or AT line where it was seen." }),
    field: Type.Optional(Type.String()),
    code: Type.String(),
    message: Type.String(),
    at: At,
  },
  { title: "Input error" },
);
export type InputErrorEvent = Static<typeof InputErrorEvent>;

export const ModemRotationEvent = Type.Object(
  {
    modemId: Type.String(),
    inRotation: Type.Boolean(),
    reason: Type.String({ description: "Why it left (the failure that decided it), or what brought it back." }),
    retryAt: Type.Optional(Type.Integer({ description: "When it is tried again (out of rotation only)." })),
    at: At,
  },
  {
    title: "SIM rotation",
    description: "A SIM of the modem pool left or rejoined the rotation (docs/outbox.md, Failover).",
  },
);
export type ModemRotationEvent = Static<typeof ModemRotationEvent>;

export const ModemPresenceEvent = Type.Object(
  {
    modemId: Type.String(),
    port: Type.String({ description: "The modem's configured device path." }),
    present: Type.Boolean({ description: "true: the device appeared and its driver starts; false: it went away." }),
    at: At,
  },
  {
    title: "Modem plugged in or unplugged",
    description:
      "A modem of the pool was plugged in or unplugged while the service ran (docs/modems.md, Hot plug); an unplugged one is out of rotation with the reason `unplugged`.",
  },
);
export type ModemPresenceEvent = Static<typeof ModemPresenceEvent>;

export const ModemCreditEvent = Type.Object(
  {
    modemId: Type.String(),
    credit: Type.Optional(
      Type.Integer({ description: "Minor units; absent when the operator's answer held no amount." }),
    ),
    text: Type.String(),
    low: Type.Boolean(),
    at: At,
  },
  { title: "SIM credit", description: "A pooled SIM's prepaid credit, read by USSD (modems[].balance)." },
);
export type ModemCreditEvent = Static<typeof ModemCreditEvent>;

/** One check of the modem doctor (src/modem/driver/diagnose.ts runs them), as the CLI, the API and the panel show it. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
  /** The signal check's reading, so that the panel draws it as everywhere else (bars and dBm). */
  signal?: { rssi: number; bars: number; dbm?: number };
}

/**
 * One modem of the pool as the panel, the REST API (/api/v1/modems) and the retained MQTT
 * status show it: its health, its SIM's counts against its limits, its cost, its prepaid
 * credit and whether the outbox uses it (src/service/modems.ts builds it).
 */
export const ModemFigures = Type.Object(
  {
    id: Type.String({ description: 'The modem\'s id in modems[] ("modem" for the single modem of modem:).' }),
    port: Type.String({ description: "Its port: a device path, tcp://host:port or sim." }),
    profile: Type.String({ description: "Its profile (firmware-config/profiles)." }),
    number: Type.Optional(Type.String({ description: "The SIM's own number, when configured or simulated." })),
    health: ModemHealthEvent,
    inRotation: Type.Boolean({ description: "The outbox sends through it now." }),
    reason: Type.Optional(Type.String({ description: "Why it is out of rotation." })),
    retryAt: Type.Optional(Type.Integer({ description: "Out of rotation until then (ms since the epoch)." })),
    partsToday: Type.Integer(),
    partsThisMonth: Type.Integer(),
    limits: Type.Object(
      { perDay: Type.Integer(), perMonth: Type.Integer(), perMinute: Type.Integer() },
      { description: "Its part limits (modems[].limits, else outbox.limits)." },
    ),
    costPerPart: Type.Number({ description: "Price of one part through this SIM, in the default currency." }),
    cost: Type.Object(
      { today: Type.Number(), thisMonth: Type.Number() },
      { description: "Parts times costPerPart, in the default currency." },
    ),
    credit: Type.Optional(
      Type.Object(
        {
          amount: Type.Optional(
            Type.Integer({ description: "Minor units; absent when the operator's answer held no amount." }),
          ),
          text: Type.String({ description: "The operator's answer." }),
          low: Type.Boolean(),
          at: Type.Integer({ description: "When it was read (ms since the epoch)." }),
        },
        { description: "The last prepaid credit reading (modems[].balance)." },
      ),
    ),
  },
  { title: "Modem figures" },
);
export type ModemFigures = Static<typeof ModemFigures>;

export interface EventEntry {
  schema: TSchema;
  /** The MQTT topic under <base>/<id>/; "<field>" is filled from the payload. None: not published. */
  topic?: string;
  description: string;
}

/** Every domain event: its payload schema and where it goes out. */
export const EVENT_TABLE = {
  "message.state": {
    schema: MessageStateEvent,
    topic: "message/state",
    description: `A message changed state: ${MESSAGE_STATES.join(", ")}.`,
  },
  "inbound.received": { schema: InboundEvent, topic: "inbound", description: "An SMS was received (reassembled)." },
  "keyword.action": {
    schema: KeywordEvent,
    topic: "keyword/<keyword>",
    description: `A debtor's keyword was acted on: ${KEYWORD_KINDS.join(", ")}.`,
  },
  "account.optout": { schema: OptOutEvent, topic: "account/optout", description: "An account opted out or back in." },
  "account.mark": {
    schema: AccountMarkEvent,
    topic: "account/mark",
    description: "A dunning step marked an account for disconnection or hand-off.",
  },
  "message.refused": {
    schema: MessageRefusedEvent,
    topic: "message/refused",
    description:
      "A send was refused because the number opted out (at admission, or before a part: the message is then cancelled too).",
  },
  "consent.changed": {
    schema: ConsentChangedEvent,
    topic: "consent/changed",
    description: "A number was put on the suppression list (STOP, staff, API) or taken off it (START, staff).",
  },
  "input.error": {
    schema: InputErrorEvent,
    topic: "error",
    description: "A payload was refused: topic, field and reason.",
  },
  "modem.rotation": {
    schema: ModemRotationEvent,
    topic: "modem/rotation",
    description: "A SIM of the modem pool left the rotation (with the reason and when it is tried again) or came back.",
  },
  "modem.presence": {
    schema: ModemPresenceEvent,
    topic: "modem/presence",
    description: "A modem of the pool was plugged in or unplugged (its device path appeared or went away).",
  },
  "modem.credit": {
    schema: ModemCreditEvent,
    topic: "modem/credit",
    description: "A pooled SIM's prepaid credit was read (USSD); low when under its threshold.",
  },
  // Not published on a topic of its own: its content goes out in the retained status.
  "modem.health": {
    schema: ModemHealthEvent,
    description: "The modem's health changed (panel, webhooks; MQTT: in status).",
  },
  // Not published: an import of 100,000 invoices would be 100,000 messages.
  "ledger.changed": { schema: LedgerChangedEvent, description: "The ledger changed (panel, webhooks)." },
} as const satisfies Record<string, EventEntry>;

export type EventName = keyof typeof EVENT_TABLE;
export const EVENT_NAMES = Object.keys(EVENT_TABLE) as EventName[];

/** The bus's event map: each payload type is its schema's (the check below keeps them one). */
export interface DomainEvents {
  [event: string]: unknown;
  "ledger.changed": LedgerChangedEvent;
  "message.state": MessageStateEvent;
  "inbound.received": InboundEvent;
  "keyword.action": KeywordEvent;
  "account.optout": OptOutEvent;
  "account.mark": AccountMarkEvent;
  "modem.health": ModemHealthEvent;
  "modem.rotation": ModemRotationEvent;
  "modem.credit": ModemCreditEvent;
  "modem.presence": ModemPresenceEvent;
  "input.error": InputErrorEvent;
  "message.refused": MessageRefusedEvent;
  "consent.changed": ConsentChangedEvent;
}

type FromTable = { [K in EventName]: Static<(typeof EVENT_TABLE)[K]["schema"]> };
type FromMap = { [K in EventName]: DomainEvents[K] };
const _tableMatchesMap: FromTable extends FromMap ? (FromMap extends FromTable ? true : never) : never = true;
export { _tableMatchesMap };
