/**
 * The parts of docs/mqtt.md and docs/http.md that state a payload's shape, written from the
 * schemas themselves (`npm run docs:api`; test/api/docs.test.ts fails when they drift): each
 * topic's JSON Schema block, the schema of every published event (src/api/events.ts
 * EVENT_TABLE) and the one table of record limits both documents show.
 */
import type { TSchema } from "@sinclair/typebox";
import * as payloads from "./payloads.js";
import * as events from "./events.js";
import { OUT_TOPICS } from "./topics.js";

interface Node {
  type?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  items?: Node;
  anyOf?: Node[];
  properties?: Record<string, Node>;
}

const prop = (schema: TSchema, key: string): Node => {
  const n = (schema as Node).properties?.[key];
  if (!n) throw new Error(`schema ${String((schema as { title?: string }).title)} has no property ${key}`);
  // A nullable field: its limits sit on the non-null branch.
  return n.anyOf?.find((a) => a.type !== "null") ?? n;
};

const num = (n: number | undefined): string =>
  n === undefined ? "" : n === Number.MAX_SAFE_INTEGER ? "2^53-1" : n.toLocaleString("en-US");
const chars = (n: Node): string =>
  n.minLength ? `${n.minLength}–${n.maxLength} characters` : `at most ${n.maxLength} characters`;
const range = (n: Node): string => `integer ${num(n.minimum)} … ${num(n.maximum)}`;

/** One row per limit: record, field, what is accepted, and who checks it. */
export function recordLimitRows(): string[][] {
  const { AccountUpsert: A, InvoiceUpsert: I, PaymentRecord: P } = payloads;
  const id = prop(A, "id");
  const phones = prop(A, "phones");
  const emails = prop(A, "emails");
  const tags = prop(A, "tags");
  const link = prop(I, "paymentLink");
  return [
    [
      "all",
      "`id`, `accountId`, `invoiceId`",
      `${chars(id)} (letters, digits, \`_ . : / -\`), not \`__proto__\`, \`constructor\` or \`prototype\`; pattern \`${(id.pattern ?? "").replaceAll("|", "\\|")}\``,
      "schema",
    ],
    ["account, invoice", "`version`", range(prop(A, "version")), "schema"],
    ["account", "`name`", `${chars(prop(A, "name"))}, not blank`, "schema"],
    [
      "account",
      "`phones`",
      `${phones.minItems ?? 0}–${phones.maxItems} numbers of ${chars(phones.items!)} each`,
      "schema",
    ],
    ["account", "`phones[i]`", "a valid number; national forms read in `gateway.defaultRegion`", "ledger"],
    [
      "account",
      "`emails`",
      `${emails.minItems ?? 0}–${emails.maxItems} addresses of ${chars(emails.items!)} each`,
      "schema",
    ],
    [
      "account",
      "`emails[i]`",
      "one plain address `name@example.com`: no display name, spaces, line breaks, commas or angle brackets (docs/email.md)",
      "ledger",
    ],
    ["account", "`phones`, `emails`", "at least one number or address between them", "ledger"],
    ["account", "`tags`", `at most ${tags.maxItems}, each ${chars(tags.items!)}`, "schema"],
    ["account", "`notes`", chars(prop(A, "notes")), "schema"],
    ["account", "`timeZone`", "an IANA zone the gateway knows", "ledger"],
    ["invoice", "`amount`, `amountDue`", `${range(prop(I, "amount"))} (minor units; never negative)`, "schema"],
    ["invoice", "`amountDue`", "not above `amount`; 0 for a `paid` invoice", "ledger"],
    ["invoice", "`issueDate`, `dueDate`", "a calendar day that exists, `YYYY-MM-DD`", "schema"],
    ["invoice", "`dueDate`", "not before `issueDate`", "ledger"],
    [
      "invoice",
      "`paymentLink`",
      `\`https://\` only, no spaces, ${chars(link)}; plain \`http://\` is refused`,
      "schema",
    ],
    ["payment", "`amount`", range(prop(P, "amount")), "schema"],
    ["payment", "`accountId`, `invoiceId`", "at least one of them", "ledger"],
  ];
}

export function recordLimitsTable(): string {
  const rows = recordLimitRows().map((r) => `| ${r.join(" | ")} |`);
  return ["| record | field | accepted | checked by |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

/** One collapsed JSON Schema per published event, with its topic: what a subscriber receives. */
export function eventSchemasMarkdown(): string {
  return OUT_TOPICS.filter((t) => t.event)
    .map(
      (t) =>
        `<details><summary><code>$P/${t.topic}</code> (${t.event}): ${t.description}</summary>\n\n\`\`\`json\n${JSON.stringify(t.schema, null, 2)}\n\`\`\`\n</details>`,
    )
    .join("\n\n");
}

const EVENTS = /(<!-- event-schemas:begin[^>]*-->\n)[\s\S]*?(<!-- event-schemas:end -->)/;
const LIMITS = /(<!-- record-limits:begin[^>]*-->\n)[\s\S]*?(<!-- record-limits:end -->)/;
const SCHEMA_BLOCK = /(<summary>JSON Schema: (\w+)<\/summary>\n\n```json\n)[\s\S]*?(\n```)/g;

/** The document with its generated parts rewritten from the schemas; the rest is kept as written. */
export function withGeneratedParts(markdown: string): string {
  const schemas = { ...payloads, ...events } as unknown as Record<string, TSchema | undefined>;
  return markdown
    .replace(LIMITS, (_m, begin: string, end: string) => `${begin}${recordLimitsTable()}\n${end}`)
    .replace(EVENTS, (_m, begin: string, end: string) => `${begin}${eventSchemasMarkdown()}\n${end}`)
    .replace(SCHEMA_BLOCK, (whole, begin: string, name: string, end: string) => {
      const schema = schemas[name];
      return schema ? begin + JSON.stringify(schema, null, 2) + end : whole;
    });
}
