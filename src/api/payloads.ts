/**
 * Wire contracts: one TypeBox schema per payload, used by the MQTT bridge, the HTTP API,
 * the webhooks and docs/mqtt.md alike: one schema language. Keys are camelCase,
 * as in src/api/events.ts. Money is an integer in minor units; dates are YYYY-MM-DD.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { ModemFigures } from "./events.js";

/**
 * The limits of the records the accounting server sends, named once: the schemas below are
 * built from them, docs/mqtt.md and docs/http.md list them (test/api/limits-doc.test.ts
 * compares), and nothing else in the gateway checks a record's shape (src/ledger keeps only
 * the rules that need the ledger: docs/decisions/0006-validate-once.md).
 */
export const RECORD_LIMITS = {
  /** An id travels in topics, URLs and log lines: a conservative character set. */
  // Not a name JavaScript objects already carry: records are kept in JSON objects keyed by id.
  idPattern: "^(?!(__proto__|constructor|prototype)$)[A-Za-z0-9_.:/-]+$",
  idMaxLength: 64,
  nameMaxLength: 200,
  /** A balance is only ever sent to a number on file: few numbers keep that promise small. */
  phonesPerAccount: 5,
  /** Reminders go to the first address; the rest are on file for staff (docs/email.md). */
  emailsPerAccount: 5,
  tagsPerAccount: 32,
  tagMaxLength: 64,
  notesMaxLength: 2000,
  /**
   * https only: a payment link goes out in an SMS under the company's name, and a plain http
   * link can be rewritten on the way (or be a phishing page that merely looks right); a record
   * refused for it is cheaper than one debtor paying a stranger. 300 characters fit an SMS.
   */
  paymentLinkPattern: "^https://\\S+$",
  paymentLinkMaxLength: 300,
  /** Invoices are claims: a credit note is not something to remind of, so no negative amounts. */
  amountMin: 0,
  amountMax: 1_000_000_000_000,
  versionMax: Number.MAX_SAFE_INTEGER,
} as const;

const L = RECORD_LIMITS;
const Id = Type.String({
  minLength: 1,
  maxLength: L.idMaxLength,
  pattern: L.idPattern,
  description: "The accounting server's id: letters, digits, _ . : / -",
});
// format "date" (ajv-formats) also refuses days that do not exist, such as 2026-02-30.
const LocalDate = Type.String({
  pattern: "^\\d{4}-\\d{2}-\\d{2}$",
  format: "date",
  description: "A calendar date without time, YYYY-MM-DD, read in the account's time zone.",
});
const Currency = Type.String({ pattern: "^[A-Z]{3}$", description: "ISO 4217 code, EUR." });
const Minor = Type.Integer({
  minimum: L.amountMin,
  maximum: L.amountMax,
  description: "Amount in minor units (cents), never a float, never negative.",
});
const Version = Type.Integer({
  minimum: 0,
  maximum: L.versionMax,
  description: "The sender's version of the record (or its updatedAt in ms): a lower one than stored is ignored.",
});
const Phone = Type.String({
  minLength: 3,
  maxLength: 32,
  pattern: "^\\+?[0-9 ()./-]+$",
  description: "A phone number, best in E.164 (+4917612345678); national forms use gateway.defaultRegion.",
});

const Email = Type.String({
  minLength: 3,
  maxLength: 254,
  pattern: "^[^\\s@,<>]+@[^\\s@,<>]+$",
  description: "An e-mail address, name@example.com (one address, no display name).",
});

export const AccountUpsert = Type.Object(
  {
    id: Id,
    version: Version,
    name: Type.String({
      minLength: 1,
      maxLength: L.nameMaxLength,
      pattern: "\\S",
      description: "Not blank; surrounding spaces are trimmed.",
    }),
    phones: Type.Optional(
      Type.Array(Phone, {
        maxItems: L.phonesPerAccount,
        description: "Numbers on file; a balance is only ever sent to one of these. An account needs phones or emails.",
      }),
    ),
    emails: Type.Optional(
      Type.Array(Email, {
        maxItems: L.emailsPerAccount,
        description: "E-mail addresses on file; reminders by e-mail go to the first (docs/email.md).",
      }),
    ),
    channel: Type.Optional(
      Type.Union([Type.Literal("sms"), Type.Literal("email"), Type.Literal("both"), Type.Literal("sms-then-email")], {
        description:
          "How the account wants its reminders: sms (default), email, both, or sms-then-email (e-mail when the SMS failed permanently).",
      }),
    ),
    locale: Type.Optional(Type.String({ pattern: "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", description: "BCP 47, de-DE." })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "IANA zone, Europe/Berlin." })),
    currency: Type.Optional(Currency),
    segment: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: L.tagMaxLength }), { maxItems: L.tagsPerAccount })),
    noReminders: Type.Optional(Type.Boolean({ description: "No reminders at all for this account." })),
    notes: Type.Optional(Type.Union([Type.String({ maxLength: L.notesMaxLength }), Type.Null()])),
  },
  { additionalProperties: false, title: "Account upsert" },
);
export type AccountUpsert = Static<typeof AccountUpsert>;

export const InvoiceUpsert = Type.Object(
  {
    id: Id,
    version: Version,
    accountId: Id,
    amount: Minor,
    amountDue: Type.Optional(Minor),
    currency: Type.Optional(Currency),
    number: Type.Optional(Type.String({ maxLength: 64, description: "The invoice number as printed, for templates." })),
    issueDate: LocalDate,
    dueDate: LocalDate,
    status: Type.Optional(
      Type.Union([Type.Literal("open"), Type.Literal("paid"), Type.Literal("void"), Type.Literal("disputed")]),
    ),
    paymentLink: Type.Optional(
      Type.Union([
        Type.String({
          maxLength: L.paymentLinkMaxLength,
          pattern: L.paymentLinkPattern,
          description: "An https:// URL without spaces (plain http is refused).",
        }),
        Type.Null(),
      ]),
    ),
    directDebit: Type.Optional(Type.Boolean()),
    noReminders: Type.Optional(Type.Boolean()),
    externalRefs: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 200 }))),
  },
  { additionalProperties: false, title: "Invoice upsert" },
);
export type InvoiceUpsert = Static<typeof InvoiceUpsert>;

export const PaymentRecord = Type.Object(
  {
    id: Id,
    accountId: Type.Optional(Id),
    invoiceId: Type.Optional(Id),
    amount: Type.Integer({ minimum: 1, maximum: L.amountMax, description: "Minor units, positive." }),
    currency: Type.Optional(Currency),
    date: LocalDate,
  },
  {
    additionalProperties: false,
    title: "Payment",
    description: "Give accountId, invoiceId or both; without invoiceId it is applied oldest invoice first.",
  },
);
export type PaymentRecord = Static<typeof PaymentRecord>;

export const SendRequest = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 128,
      description: "Your id for this message: sending the same id twice sends once (idempotency key).",
    }),
    to: Phone,
    text: Type.String({ minLength: 1, maxLength: 1600 }),
    accountId: Type.Optional(Id),
    notBefore: Type.Optional(
      Type.Integer({ minimum: 0, description: "Not before this instant (ms since the epoch)." }),
    ),
    expiresAt: Type.Optional(
      Type.Integer({ minimum: 0, description: "Give up at this instant (ms since the epoch)." }),
    ),
  },
  { additionalProperties: false, title: "Direct send request" },
);
export type SendRequest = Static<typeof SendRequest>;

export const OptOutChange = Type.Object(
  {
    accountId: Type.Optional(Id),
    number: Type.Optional(Phone),
    optedOut: Type.Boolean({ description: "true: no more SMS to this account or number; false: opt back in." }),
  },
  { additionalProperties: false, title: "Opt-out change", description: "Give accountId or number." },
);
export type OptOutChange = Static<typeof OptOutChange>;

export const SuppressionAdd = Type.Object(
  {
    number: Phone,
    reason: Type.Optional(
      Type.String({ maxLength: 200, description: "Why, for the record (a letter, a phone call)." }),
    ),
  },
  {
    additionalProperties: false,
    title: "Suppress a number",
    description:
      "Put a number on the suppression list: nothing is sent to it, whatever asks, until START from it or a removal.",
  },
);
export type SuppressionAdd = Static<typeof SuppressionAdd>;

const ConsentSourceSchema = Type.Union(
  [
    Type.Object({
      kind: Type.Literal("sms"),
      inboundId: Type.String(),
      keyword: Type.Union([Type.Literal("stop"), Type.Literal("start")]),
    }),
    Type.Object({ kind: Type.Literal("panel"), user: Type.String() }),
    Type.Object({
      kind: Type.Literal("api"),
      via: Type.Union([Type.Literal("http"), Type.Literal("mqtt")]),
      by: Type.String(),
    }),
    Type.Object({ kind: Type.Literal("import"), by: Type.String() }),
  ],
  {
    description:
      "Who changed it: sms (STOP/START with the inbound SMS id), panel (user), api (HTTP or MQTT client), import.",
  },
);

export const SuppressionRecordSchema = Type.Object(
  {
    number: Type.String({ description: "E.164" }),
    suppressed: Type.Boolean(),
    since: Type.Optional(Type.Integer({ description: "When the current suppression began (ms)." })),
    source: Type.Optional(ConsentSourceSchema),
    reason: Type.Optional(Type.String()),
    changes: Type.Array(
      Type.Object({
        action: Type.Union([Type.Literal("added"), Type.Literal("removed")]),
        at: Type.Integer(),
        source: ConsentSourceSchema,
        reason: Type.Optional(Type.String()),
      }),
      { description: "Every change, oldest first." },
    ),
  },
  { title: "Suppression record" },
);

export const CancelRequest = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The gateway's message id." })),
    idempotencyKey: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "The id you sent with the send request." }),
    ),
    invoiceId: Type.Optional(Id),
    accountId: Type.Optional(Id),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  {
    additionalProperties: false,
    title: "Cancel queued messages",
    description: "Give exactly one of id, idempotencyKey, invoiceId, accountId.",
  },
);
export type CancelRequest = Static<typeof CancelRequest>;

/** One object or a batch: the ingest topics and routes take either. */
export function OneOrMany<T extends TSchema>(item: T, maxItems: number) {
  return Type.Union([item, Type.Array(item, { minItems: 1, maxItems })]);
}

/** What an upsert or import reports back: counts and each refused record with its reason. */
export const UpsertResult = Type.Object(
  {
    received: Type.Integer(),
    stored: Type.Integer({ description: "Created or changed." }),
    unchanged: Type.Integer({ description: "Same version as stored: nothing to do (a republished batch)." }),
    stale: Type.Integer({ description: "Older version than stored: ignored (a late retry never wins)." }),
    refused: Type.Array(
      Type.Object({
        index: Type.Integer(),
        id: Type.Optional(Type.String()),
        field: Type.Optional(Type.String()),
        reason: Type.String(),
      }),
    ),
  },
  {},
);
export type UpsertResult = Static<typeof UpsertResult>;

/** A request on request/<what>: its parameters plus an optional transaction echoed back. */
export const BridgeRequest = Type.Object(
  { transaction: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Number()])) },
  { additionalProperties: true },
);

/** The answer on response/<what> (Zigbee2MQTT bridge/response convention). */
export const BridgeResponse = Type.Object(
  {
    status: Type.Union([Type.Literal("ok"), Type.Literal("error")]),
    data: Type.Unknown(),
    error: Type.Optional(Type.String()),
    code: Type.Optional(Type.String()),
    field: Type.Optional(Type.String()),
    transaction: Type.Optional(Type.Union([Type.String(), Type.Number()])),
  },
  {},
);
export type BridgeResponse = Static<typeof BridgeResponse>;

/** The retained status topic; the last will publishes { state: "offline" }. */
export const GatewayStatus = Type.Object(
  {
    state: Type.Union([Type.Literal("online"), Type.Literal("offline")]),
    gatewayId: Type.String(),
    version: Type.Optional(Type.String()),
    startedAt: Type.Optional(Type.Integer()),
    modem: Type.Optional(
      Type.Object(
        {
          state: Type.String(),
          bars: Type.Optional(Type.Integer()),
          registration: Type.Optional(Type.String()),
          operator: Type.Optional(Type.String()),
        },
        { description: "The pool as one modem: its best member's health." },
      ),
    ),
    modems: Type.Optional(
      Type.Array(ModemFigures, {
        description: "Every modem of the pool: health, parts today and this month, credit, in rotation or why not.",
      }),
    ),
    queue: Type.Optional(Type.Object({ queued: Type.Integer(), sending: Type.Integer(), submitted: Type.Integer() })),
    at: Type.Integer(),
  },
  {},
);
export type GatewayStatus = Static<typeof GatewayStatus>;

/** Every HTTP error body: a code, a message a person can act on, and the field when one is at fault. */
export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }) },
  {},
);
export type ErrorBody = Static<typeof ErrorBody>;
