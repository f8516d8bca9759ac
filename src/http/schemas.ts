/**
 * Response schemas of the REST API: fastify serializes each route's answer with them and the
 * OpenAPI document (docs/http.md) shows them. Records name the fields a client relies on and
 * let the rest through (additionalProperties), so that a field added to the domain reaches
 * clients without a second edit here; the wire payloads themselves live in src/api/payloads.ts.
 */
import { Type, type TObject, type TProperties, type TSchema } from "@sinclair/typebox";
import { MESSAGE_STATES } from "../core/message-states.js";
import { ErrorBody } from "../api/payloads.js";

/** An object with these documented fields and possibly more. */
export const OpenRecord = <P extends TProperties>(properties: P, description: string): TObject<P> =>
  Type.Object(properties, { additionalProperties: true, description });

/** One page of a list: the total that matches, and this page's items. */
export const Page = <T extends TSchema>(item: T, description: string) =>
  Type.Object(
    { total: Type.Integer({ description: "how many match in all" }), items: Type.Array(item) },
    { description },
  );

/** Any JSON value the domain defines (documented in its own page, e.g. docs/dunning.md for the policy). */
export const AnyObject = (description: string) => Type.Object({}, { additionalProperties: true, description });

export const MessageState = Type.Union(
  MESSAGE_STATES.map((s) => Type.Literal(s)),
  { description: "docs/outbox.md, Message states" },
);

export const Message = OpenRecord(
  {
    id: Type.String(),
    idempotencyKey: Type.String(),
    to: Type.String({ description: "E.164" }),
    text: Type.String(),
    state: MessageState,
    partCount: Type.Integer(),
    createdAt: Type.Integer({ description: "ms since 1970" }),
    failureReason: Type.Optional(Type.String()),
    accountId: Type.Optional(Type.String({ description: "the debtor's account, when the message has one" })),
    name: Type.Optional(Type.String({ description: "the debtor's name" })),
    wait: Type.Optional(
      OpenRecord(
        { code: Type.String(), text: Type.String(), until: Type.Optional(Type.Integer()) },
        "why a queued message waits, and until when",
      ),
    ),
  },
  "an outbound message (SMS or e-mail) with its origin, parts, attempts and history",
);

export const Account = OpenRecord(
  {
    id: Type.String(),
    name: Type.String(),
    phones: Type.Array(Type.String()),
    locale: Type.String(),
    currency: Type.String(),
    optedOut: Type.Boolean(),
  },
  "an account as stored (AccountUpsert plus the gateway's own fields)",
);

export const Balance = Type.Object(
  {
    byCurrency: Type.Record(Type.String(), Type.Integer(), { description: "open amount per currency, minor units" }),
    openInvoices: Type.Integer(),
    earliestDue: Type.Optional(Type.String({ description: "YYYY-MM-DD" })),
  },
  { description: "what the account owes now" },
);

export const Invoice = OpenRecord(
  {
    id: Type.String(),
    accountId: Type.String(),
    number: Type.String(),
    amount: Type.Integer({ description: "minor units" }),
    amountDue: Type.Integer({ description: "minor units" }),
    currency: Type.String(),
    dueDate: Type.String({ description: "YYYY-MM-DD" }),
    status: Type.String(),
  },
  "an invoice as stored",
);

export const Inbound = OpenRecord(
  {
    id: Type.String(),
    from: Type.String(),
    text: Type.String(),
    receivedAt: Type.Integer({ description: "ms since 1970" }),
    accountIds: Type.Array(Type.String()),
    keyword: Type.Optional(Type.String()),
    name: Type.Optional(Type.String({ description: "the sender's account name (when the desk runs)" })),
    needsPerson: Type.Optional(Type.Boolean({ description: "a person still has to act on it (when the desk runs)" })),
  },
  "a received SMS with what the gateway did about it",
);

export const PlannedReminder = OpenRecord(
  {
    date: Type.String({ description: "YYYY-MM-DD" }),
    time: Type.String({ description: "HH:MM" }),
    accountId: Type.String(),
    invoiceIds: Type.Array(Type.String()),
    step: Type.String(),
    amountDue: Type.Integer({ description: "minor units" }),
    currency: Type.String(),
  },
  "a reminder the dunning engine plans to send",
);

export const CancelResult = Type.Object({
  cancelled: Type.Array(Type.String(), { description: "ids of the messages cancelled" }),
  notCancellable: Type.Array(Type.Object({ id: Type.String(), state: MessageState }), {
    description: "messages already on their way or finished",
  }),
});

export const EnqueueAnswer = Type.Object({
  status: Type.Union([Type.Literal("queued"), Type.Literal("duplicate")], {
    description: "duplicate: this id was sent before; the earlier message is returned",
  }),
  message: Message,
});

export const ReplyOutcome = OpenRecord(
  {
    by: Type.String(),
    status: Type.Union(
      ["queued", "duplicate", "rate-limited", "not-sent", "failed"].map((s) => Type.Literal(s)),
      { description: "what became of the reply" },
    ),
    outboxId: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String({ description: "why it was not sent" })),
    at: Type.Integer(),
  },
  "the outcome of a staff reply",
);

/**
 * Every error answer (src/http/errors.ts): ErrorBody, which some routes extend (an ingest's
 * report beside its first refusal, the settings' refused fields), hence open.
 */
export const ErrorAnswer = Type.Object(
  {
    error: OpenRecord(
      { code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) },
      "a code, a message a person can act on, and the field (a JSON pointer) when one is at fault",
    ),
  },
  { additionalProperties: true, description: ErrorBody.description ?? "an error" },
);

/**
 * A refused change with each field at fault and its message in words (the settings, the pool's
 * entries): ErrorBody plus `fields`. `what` says what a field is in that route.
 */
export const FieldsRefused = (what: string) =>
  Type.Object({
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String()),
      fields: Type.Optional(
        Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
          description: `Each refused ${what} with its message in words.`,
        }),
      ),
    }),
  });

/** The error answers every API route may give, added to each route that does not name its own. */
export const ERROR_RESPONSES = { "4xx": ErrorAnswer, "5xx": ErrorAnswer } as const;
