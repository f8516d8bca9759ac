/**
 * Generators of malformed input for the bad-input suite. Record payloads start from a valid
 * one and are broken in a way the schema must refuse (an unknown key, a missing required
 * key, a value of the wrong type or form), so that "refused, state unchanged" is the only
 * right answer; noise covers bytes that are not JSON at all and JSON of any shape.
 */
import fc from "fast-check";

type FieldKind = "id" | "string" | "int" | "bool" | "date" | "phone" | "phones" | "currency";

interface Shape {
  base: Record<string, unknown>;
  fields: Record<string, FieldKind>;
  required: string[];
  batch: boolean;
}

/** Valid examples per topic (relative topic), with the kind of each field. */
export const SHAPES: Record<string, Shape> = {
  "accounts/upsert": {
    base: { id: "NEW-1", version: 1, name: "New Holder", phones: ["+4915112349999"] },
    fields: {
      id: "id",
      version: "int",
      name: "string",
      phones: "phones",
      locale: "string",
      currency: "currency",
      noReminders: "bool",
    },
    required: ["id", "version", "name", "phones"],
    batch: true,
  },
  "invoices/upsert": {
    base: { id: "NINV-1", version: 1, accountId: "ACC-1", amount: 100, issueDate: "2025-11-01", dueDate: "2025-12-01" },
    fields: {
      id: "id",
      version: "int",
      accountId: "id",
      amount: "int",
      issueDate: "date",
      dueDate: "date",
      currency: "currency",
      directDebit: "bool",
    },
    required: ["id", "version", "accountId", "amount", "issueDate", "dueDate"],
    batch: true,
  },
  "payments/record": {
    base: { id: "PAY-1", accountId: "ACC-1", amount: 100, date: "2025-12-02" },
    fields: { id: "id", accountId: "id", amount: "int", date: "date", currency: "currency" },
    required: ["id", "amount", "date"],
    batch: true,
  },
  send: {
    base: { id: "s-1", to: "+4915112349999", text: "hello" },
    fields: { id: "string", to: "phone", text: "string", notBefore: "int", expiresAt: "int" },
    required: ["id", "to", "text"],
    batch: false,
  },
  optout: {
    base: { accountId: "ACC-1", optedOut: true },
    fields: { accountId: "id", number: "phone", optedOut: "bool" },
    required: ["optedOut"],
    batch: false,
  },
};

const anyJson = fc.jsonValue({ maxDepth: 3 });

/**
 * Values no type coercion rescues: the HTTP server's ajv runs with coerceTypes "array"
 * ("5" becomes 5, true becomes "true", [x] becomes x, null becomes "" or 0), so only objects and
 * strings of the wrong form are refused there as they are over MQTT.
 */
function uncoercibleWrongValue(kind: FieldKind): fc.Arbitrary<unknown> {
  switch (kind) {
    case "int":
      return fc.constantFrom({}, "abc", "1.5.5", -1e13, 0.5);
    case "bool":
      return fc.constantFrom({}, "yes", "maybe", 2);
    case "phones":
      return fc.constantFrom({}, ["+49 abc"], [{}]);
    default:
      return fc.oneof(
        fc.constant({}),
        wrongValue(kind).filter((v) => typeof v === "string"),
      );
  }
}

/** A value the field's schema refuses. */
function wrongValue(kind: FieldKind): fc.Arbitrary<unknown> {
  const notString = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.constant({}),
  );
  switch (kind) {
    case "id":
      return fc.oneof(
        notString,
        fc.constantFrom("", "has space", "semi;colon", "x".repeat(65), "ä-umlaut", "a\u0000b", "<script>"),
      );
    case "string":
      return fc.oneof(notString, fc.constant(""), fc.constant("x".repeat(2001)));
    case "int":
      return fc.oneof(
        fc.string({ maxLength: 5 }),
        fc.constantFrom(0.5, -0.25, -1e13, -1),
        fc.boolean(),
        fc.constant(null),
        fc.constant([1]),
      );
    case "bool":
      return fc.oneof(fc.constantFrom("true", "yes", 1, 0, null, [true], {}));
    case "date":
      return fc.oneof(
        notString,
        fc.constantFrom("2025/11/01", "01.11.2025", "2025-1-1", "tomorrow", "", "2025-11-01T00:00:00Z"),
      );
    case "phone":
      return fc.oneof(notString, fc.constantFrom("", "12", "+49 abc 123", "call me", "+".repeat(40), "1".repeat(33)));
    case "phones":
      return fc.oneof(
        fc.constantFrom("+4915112349999", null, 5, {}),
        fc.constant(["+49 abc"]),
        fc.constant(Array.from({ length: 6 }, (_, i) => `+49151123400${10 + i}`)),
      );
    case "currency":
      return fc.oneof(notString, fc.constantFrom("eur", "EURO", "E1", ""));
  }
}

/** One record broken in exactly one way the schema refuses. */
function brokenRecord(shape: Shape, coercionSafe = false): fc.Arbitrary<Record<string, unknown>> {
  const wrong = coercionSafe ? uncoercibleWrongValue : wrongValue;
  const keys = Object.keys(shape.fields);
  return fc.oneof(
    // an unknown key (every object refuses additional properties)
    fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in shape.fields) && k !== "__proto__"),
        anyJson,
      )
      .map(([k, v]) => ({ ...shape.base, [k]: v })),
    // a required key missing
    fc.constantFrom(...shape.required).map((k) => {
      const r = { ...shape.base };
      delete r[k];
      return r;
    }),
    // a value of the wrong type or form
    fc.constantFrom(...keys).chain((k) => wrong(shape.fields[k]!).map((v) => ({ ...shape.base, [k]: v }))),
  );
}

/** A payload for a topic that must be refused whole: one broken record, or a batch of broken ones. */
export function invalidRecordPayload(topic: string, opts: { coercionSafe?: boolean } = {}): fc.Arbitrary<Buffer> {
  const shape = SHAPES[topic];
  if (!shape) return mqttNoise;
  const rec = brokenRecord(shape, opts.coercionSafe);
  const body = shape.batch ? fc.oneof(rec, fc.array(rec, { minLength: 1, maxLength: 4 })) : rec;
  return body.map((b) => Buffer.from(JSON.stringify(b)));
}

/** Bytes that are not JSON, and JSON of any shape (none of which is a valid record by chance). */
export const mqttNoise: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
  anyJson.map((v) => Buffer.from(JSON.stringify(v) ?? "null")),
  fc
    .constantFrom(
      "",
      "{",
      "[1,",
      "null",
      "[]",
      "{}",
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
      "\u0000\u0001",
      "1e999",
    )
    .map((s) => Buffer.from(s)),
);

export interface HttpBody {
  raw?: string | Buffer;
  contentType?: string;
}

const noiseBodies: fc.Arbitrary<HttpBody> = fc.oneof(
  anyJson.map((v) => ({ raw: JSON.stringify(v) ?? "null", contentType: "application/json" })),
  fc.string({ maxLength: 300 }).map((s) => ({ raw: s, contentType: "application/json" })),
  fc
    .tuple(
      fc.string({ maxLength: 200 }),
      fc.constantFrom(
        "text/plain",
        "text/csv",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "bogus",
      ),
    )
    .map(([s, ct]) => ({ raw: s, contentType: ct })),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ raw: Buffer.from(b), contentType: "application/octet-stream" })),
  fc.constant({}),
);

/** The record shape a route takes (the same payloads as the MQTT topics), if any. */
const ROUTE_SHAPES: Record<string, string> = {
  "POST /api/v1/accounts": "accounts/upsert",
  "POST /api/v1/invoices": "invoices/upsert",
  "POST /api/v1/payments": "payments/record",
  "POST /api/v1/send": "send",
  "POST /api/v1/optout": "optout",
};

/**
 * Bodies for one route: noise, plus that route's own record broken in one way. A record
 * broken for one route may be valid for another (a send request without its id is a fine
 * staff reply), so shapes are never sent to routes they do not belong to.
 */
export function httpBodiesFor(method: string, url: string): fc.Arbitrary<HttpBody> {
  const topic = ROUTE_SHAPES[`${method} ${url}`];
  if (!topic) return noiseBodies;
  return fc.oneof(
    noiseBodies,
    invalidRecordPayload(topic, { coercionSafe: true }).map((b) => ({
      raw: b.toString("utf8"),
      contentType: "application/json",
    })),
  );
}

export const queryStrings: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc.constantFrom(
    "?limit=-1",
    "?limit=abc",
    "?offset=-5",
    "?limit=99999999999999",
    "?days=100000",
    "?state=bogus",
    "?from=notadate",
    "?since=x",
    "?number=%00",
    "?q=" + "x".repeat(3000),
    "?limit=1&limit=2",
    "?__proto__[x]=1",
  ),
  fc
    .array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 })), { maxLength: 4 })
    .map((kv) => "?" + kv.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")),
);
