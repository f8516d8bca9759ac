import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { createApp, type App } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/core/log.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { RECORD_LIMITS } from "../../src/api/payloads.js";
import { Mosquitto, mosquittoAvailable, requireOrSkip } from "../bridge/helpers/mosquitto.js";
import { waitForValue } from "../support/wait.js";

/**
 * The records the two former validators disagreed on (the published schema and the ledger's
 * own checks), sent by an outsider to the running appliance: over a real Mosquitto broker and
 * over HTTP with fetch. Both adapters must refuse (or accept) each one alike and name the same
 * field, and the OpenAPI document the server publishes must state exactly the enforced limits.
 */
const run = requireOrSkip(mosquittoAvailable(), "mosquitto");
const ACCOUNT = { id: "C-1", version: 1, name: "Anna Schmidt", phones: ["+4917612345678"] };
const INVOICE = {
  id: "I-1",
  version: 1,
  accountId: "C-1",
  amount: 4990,
  issueDate: "2026-01-05",
  dueDate: "2026-01-19",
};
const phones = (n: number) => Array.from({ length: n }, (_, i) => `+49176123450${String(i).padStart(2, "0")}`);
const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
const link = (length: number) => "https://pay.example.com/" + "x".repeat(length - "https://pay.example.com/".length);

type Kind = "accounts" | "invoices";
interface Case {
  what: string;
  kind: Kind;
  record: Record<string, unknown>;
  /** The field named in the refusal, or undefined when the record is accepted. */
  field?: string;
}

let n = 0;
const account = (over: Record<string, unknown>) => ({ ...ACCOUNT, id: `C-case-${++n}`, ...over });
const invoice = (over: Record<string, unknown>) => ({ ...INVOICE, id: `I-case-${++n}`, ...over });

const CASES: Case[] = [
  {
    what: "an id with @ (the ledger allowed it, the schema did not)",
    kind: "accounts",
    record: account({ id: "C@1" }),
    field: "/id",
  },
  {
    what: `${RECORD_LIMITS.phonesPerAccount + 1} phones`,
    kind: "accounts",
    record: account({ phones: phones(RECORD_LIMITS.phonesPerAccount + 1) }),
    field: "/phones",
  },
  {
    what: `${RECORD_LIMITS.phonesPerAccount} phones`,
    kind: "accounts",
    record: account({ phones: phones(RECORD_LIMITS.phonesPerAccount) }),
  },
  {
    what: `${RECORD_LIMITS.tagsPerAccount + 1} tags`,
    kind: "accounts",
    record: account({ tags: tags(RECORD_LIMITS.tagsPerAccount + 1) }),
    field: "/tags",
  },
  {
    what: `${RECORD_LIMITS.tagsPerAccount} tags`,
    kind: "accounts",
    record: account({ tags: tags(RECORD_LIMITS.tagsPerAccount) }),
  },
  { what: "a blank name", kind: "accounts", record: account({ name: "   " }), field: "/name" },
  {
    what: "an http payment link",
    kind: "invoices",
    record: invoice({ paymentLink: "http://pay.example.com/42" }),
    field: "/paymentLink",
  },
  {
    what: "an https payment link one character too long",
    kind: "invoices",
    record: invoice({ paymentLink: link(RECORD_LIMITS.paymentLinkMaxLength + 1) }),
    field: "/paymentLink",
  },
  {
    what: "an https payment link of the longest length",
    kind: "invoices",
    record: invoice({ paymentLink: link(RECORD_LIMITS.paymentLinkMaxLength) }),
  },
  { what: "a negative amount", kind: "invoices", record: invoice({ amount: -100 }), field: "/amount" },
  { what: "a negative amount due", kind: "invoices", record: invoice({ amountDue: -1 }), field: "/amountDue" },
  {
    what: "a day that does not exist",
    kind: "invoices",
    record: invoice({ dueDate: "2026-02-30" }),
    field: "/dueDate",
  },
  {
    what: "a due date before the issue date (a ledger rule)",
    kind: "invoices",
    record: invoice({ issueDate: "2026-02-01", dueDate: "2026-01-19" }),
    field: "/dueDate",
  },
];

const TOPIC = { accounts: "accounts/upsert", invoices: "invoices/upsert" } as const;

describe.runIf(run)("validate once: MQTT and HTTP accept and refuse the same records", () => {
  let broker: Mosquitto;
  let app: App;
  let client: MqttClient;
  let dataDir: string;
  let key: string;
  const errors: Array<{ where: string; field: string; message: string }> = [];

  beforeAll(async () => {
    broker = await Mosquitto.start();
    dataDir = mkdtempSync(join(tmpdir(), "duegate-validate-"));
    const config = validateConfig({
      gateway: { dataDir, id: "gw1", defaultTimeZone: "UTC" },
      modem: { port: "sim" },
      http: { listen: "127.0.0.1:0", adminPassword: "an admin password" },
      mqtt: { mode: "external", url: broker.url },
    });
    app = await createApp(config, { simulator: new ModemSimulator({ sendLatencyMs: 5 }), logger: silentLogger() });
    await app.start();
    key = (await app.services.auth.createApiKey("accounting", ["read", "write"])).key;
    client = await connectAsync(broker.url, { clientId: "accounting-test", clean: true });
    client.on("message", (topic, payload) => {
      if (topic === "duegate/gw1/error") errors.push(JSON.parse(payload.toString()) as (typeof errors)[number]);
    });
    await client.subscribeAsync("duegate/gw1/error", { qos: 1 });
    await post("accounts", ACCOUNT);
  }, 60_000);

  afterAll(async () => {
    await client?.endAsync();
    await app?.stop();
    await broker?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function post(
    kind: Kind,
    record: unknown,
  ): Promise<{ status: number; body: { stored?: number; error?: { field?: string; message: string } } }> {
    const res = await fetch(`${app.httpUrl}/api/v1/${kind}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(record),
    });
    return {
      status: res.status,
      body: (await res.json()) as { stored?: number; error?: { field?: string; message: string } },
    };
  }

  /** Publishes over MQTT and waits for the record to be stored or for its error event. */
  async function publish(kind: Kind, record: Record<string, unknown>): Promise<{ stored: boolean; field?: string }> {
    const id = String(record.id);
    const before = errors.length;
    await client.publishAsync(`duegate/gw1/${TOPIC[kind]}`, JSON.stringify(record), { qos: 1 });
    return waitForValue(`MQTT outcome of ${id}`, () => {
      const e = errors.slice(before).find((x) => x.message.startsWith(`${id}:`));
      if (e) return { stored: false, field: e.field };
      const stored = kind === "accounts" ? app.services.ledger.account(id) : app.services.ledger.invoice(id);
      return stored ? { stored: true } : undefined;
    });
  }

  for (const c of CASES) {
    it(`${c.field ? "refuses" : "accepts"} ${c.what} on both, naming ${c.field ?? "nothing"}`, async () => {
      // Over MQTT first, then the same record under another id over HTTP: each is judged fresh.
      const overMqtt = await publish(c.kind, c.record);
      const httpRecord =
        c.record.id === "C@1" ? { ...c.record, id: "C@2" } : { ...c.record, id: `${String(c.record.id)}-http` };
      const overHttp = await post(c.kind, httpRecord);
      if (c.field) {
        expect(overMqtt).toEqual({ stored: false, field: c.field });
        expect(overHttp.status).toBe(400);
        expect(overHttp.body.error?.field).toBe(c.field);
      } else {
        expect(overMqtt).toEqual({ stored: true });
        expect(overHttp.status).toBe(200);
        expect(overHttp.body.stored).toBe(1);
      }
    });
  }

  it("publishes an OpenAPI document that states the limits it enforces", async () => {
    const res = await fetch(`${app.httpUrl}/api/v1/openapi.json`);
    const doc = (await res.json()) as {
      paths: Record<
        string,
        {
          post?: {
            requestBody?: {
              content: Record<
                string,
                { schema: { anyOf?: Array<{ properties?: Record<string, Record<string, unknown>> }> } }
              >;
            };
          };
        }
      >;
    };
    const bodyOf = (path: string) =>
      doc.paths[path]!.post!.requestBody!.content["application/json"]!.schema.anyOf![0]!.properties!;
    const acct = bodyOf("/api/v1/accounts");
    expect(acct.phones).toMatchObject({ maxItems: RECORD_LIMITS.phonesPerAccount });
    expect(acct.tags).toMatchObject({ maxItems: RECORD_LIMITS.tagsPerAccount });
    expect(acct.id).toMatchObject({ pattern: RECORD_LIMITS.idPattern, maxLength: RECORD_LIMITS.idMaxLength });
    const inv = bodyOf("/api/v1/invoices");
    // OpenAPI 3.0 writes "string or null" as one nullable string.
    expect(inv.paymentLink).toMatchObject({
      pattern: RECORD_LIMITS.paymentLinkPattern,
      maxLength: RECORD_LIMITS.paymentLinkMaxLength,
    });
    expect(inv.amount).toMatchObject({ minimum: 0, maximum: RECORD_LIMITS.amountMax });
    expect(inv.dueDate).toMatchObject({ format: "date" });
  });
});
