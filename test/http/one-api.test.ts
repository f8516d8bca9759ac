/**
 * One HTTP API (docs/http.md): the panel's pages read and write through the same REST routes
 * as any client, every route documents its answers with a schema, the old panel-only data
 * paths are gone, and MQTT and HTTP reach the same application-layer functions (src/service/).
 * The whole appliance from createApp() with its defaults, except a temporary data directory,
 * the modem simulator and loopback port 0 for HTTP and the embedded broker; clients are real
 * (fetch, the mqtt package).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import type { FastifyInstance } from "fastify";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { buildServer } from "../../src/http/server.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { silentLogger } from "../../src/core/log.js";
import { waitForValue } from "../support/wait.js";

const ADMIN_PASSWORD = "one api admin password";
const MQTT_LOGIN = { username: "accounting", password: "one-api-test-login" };
const BY_MQTT = "+4915123450001";
const BY_HTTP = "+4915123450002";

let app: App;
let url: string;
let key: string;
let session: { cookie: string; csrf: string };
let client: MqttClient;
let dataDir: string;
const seen: Array<{ topic: string; payload: Record<string, unknown> }> = [];

const call = (path: string, init: { method?: string; body?: unknown; auth?: "key" | "session" | "none" } = {}) => {
  const headers: Record<string, string> =
    init.auth === "none"
      ? {}
      : init.auth === "session"
        ? { cookie: session.cookie, "x-csrf-token": session.csrf }
        : { authorization: `Bearer ${key}` };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${url}${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "duegate-one-api-"));
  const config = validateConfig({
    gateway: { dataDir, id: "gw1", defaultTimeZone: "UTC" },
    modem: { port: "sim" },
    dunning: { requireTrustedClock: false },
    http: { listen: "127.0.0.1:0", adminPassword: ADMIN_PASSWORD },
    mqtt: { mode: "embedded", embedded: { host: "127.0.0.1", port: 0, ...MQTT_LOGIN, tls: { port: 0 } } },
  });
  app = await createApp(config, { simulator: new ModemSimulator({ sendLatencyMs: 20 }), logger: silentLogger() });
  await app.start();
  url = app.httpUrl!;
  const login = await fetch(`${url}/api/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "admin", password: ADMIN_PASSWORD }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  session = { cookie, csrf: ((await login.json()) as { csrfToken: string }).csrfToken };
  const made = await call("/api/v1/api-keys", {
    method: "POST",
    auth: "session",
    body: { name: "accounting", scopes: ["read", "write"] },
  });
  expect(made.status).toBe(201);
  key = ((await made.json()) as { key: string }).key;

  client = await connectAsync(`mqtt://127.0.0.1:${app.mqtt!.brokerPort}`, {
    clientId: "one-api-accounting",
    clean: true,
    ...MQTT_LOGIN,
  });
  client.on("message", (topic, payload) => {
    try {
      seen.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> });
    } catch {
      seen.push({ topic, payload: { raw: payload.toString() } });
    }
  });
  await client.subscribeAsync("duegate/gw1/#", { qos: 1 });

  const accounts = await call("/api/v1/accounts", {
    method: "POST",
    body: [
      { id: "M1", version: 1, name: "Mia Mqtt", phones: [BY_MQTT], locale: "en-GB", currency: "EUR" },
      { id: "H1", version: 1, name: "Hal Http", phones: [BY_HTTP], locale: "en-GB", currency: "EUR" },
      { id: "M2", version: 1, name: "Max Mqtt", phones: ["+4915123450003"], locale: "en-GB", currency: "EUR" },
      { id: "H2", version: 1, name: "Hanna Http", phones: ["+4915123450004"], locale: "en-GB", currency: "EUR" },
    ],
  });
  expect(accounts.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await client?.endAsync();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("one HTTP API", () => {
  let server: FastifyInstance;
  beforeAll(async () => {
    // The same server createApp listens with, built again to read its route table.
    server = await buildServer(app.services, { auth: app.services.auth, metrics: app.metrics });
    await server.ready();
  });
  afterAll(async () => server?.close());

  it("documents a successful answer and the error envelope for every API route, /health and /metrics", () => {
    const routes = server.routeCatalog();
    // The Swagger UI's own files are not the API; the OpenAPI document itself has a schema like the rest.
    const api = routes.filter(
      (r) => (r.url.startsWith("/api/") && !r.url.startsWith("/api/v1/docs")) || r.url === "/health",
    );
    expect(api.length).toBeGreaterThan(60);
    expect(routes.some((r) => r.url === "/metrics")).toBe(true);
    const withoutAnswer = [...api, ...routes.filter((r) => r.url === "/metrics")]
      .filter((r) => !r.responses.some((code) => /^2/.test(code)))
      .map((r) => `${r.method} ${r.url}`);
    expect(withoutAnswer).toEqual([]);
    expect(api.filter((r) => r.url.startsWith("/api/v1/panel/")).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    const underApi = api.filter((r) => r.url.startsWith("/api/v1/"));
    const withoutErrors = underApi
      .filter((r) => !r.responses.some((code) => /^4/.test(code)))
      .map((r) => `${r.method} ${r.url}`)
      // Login, the session, the own language, the live feed and the header's clock are the auth adapter's and the panel's;
      // their errors have the same shape.
      .filter((r) => !/ \/api\/v1\/(login|logout|me|me\/password|me\/language|users.*|api-keys.*|live|clock)$/.test(r));
    expect(withoutErrors).toEqual([]);
  });

  it("serves /metrics from inside the server, to this machine without a key", async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^# HELP /m);
  });

  it("no longer answers the panel's old data paths: 404 in the API's error envelope", async () => {
    const gone: Array<[string, string, unknown?]> = [
      ["GET", "/api/v1/panel/messages"],
      ["GET", "/api/v1/panel/messages/x-1"],
      ["POST", "/api/v1/panel/messages/x-1/cancel"],
      ["POST", "/api/v1/panel/messages/x-1/retry"],
      ["GET", "/api/v1/panel/inbox"],
      ["GET", "/api/v1/panel/calendar"],
      ["GET", "/api/v1/panel/accounts"],
      ["GET", "/api/v1/panel/accounts/M1"],
      ["POST", "/api/v1/panel/accounts/M1/optout", { optedOut: true }],
      ["GET", "/api/v1/panel/policy"],
      ["PUT", "/api/v1/panel/policy", {}],
      ["POST", "/api/v1/panel/preview", { template: "Hi" }],
      ["POST", "/api/v1/panel/send", { to: BY_HTTP, text: "Hi" }],
      ["POST", "/api/v1/panel/reply", { to: BY_HTTP, text: "Hi" }],
      ["GET", "/api/v1/panel/logs"],
      ["GET", "/api/v1/panel/dashboard"],
      ["GET", "/api/v1/panel/modem"],
      ["GET", "/api/v1/panel/settings"],
      ["GET", "/api/v1/panel/clock"],
    ];
    for (const [method, path, body] of gone) {
      const res = await call(path, { method, auth: "session", ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json(), `${method} ${path}`).toMatchObject({
        error: { code: "domain.not_found", message: `no route ${method} ${path}` },
      });
    }
    // Nothing was opted out on the way.
    expect(app.services.ledger.account("M1")?.optedOut).toBe(false);
  });

  it("lists messages with the panel's filters: several states, origin, the debtor's name, local dates", async () => {
    const sent = await call("/api/v1/test-messages", {
      method: "POST",
      auth: "session",
      body: { to: BY_HTTP, text: "Test" },
    });
    expect(sent.status).toBe(201);
    const message = (await sent.json()) as { id: string; state: string; origin: { kind: string } };
    expect(message.origin.kind).toBe("test");
    const today = new Date().toISOString().slice(0, 10);
    const list = await call(
      `/api/v1/messages?state=queued,sending,submitted,delivered&origin=test&from=${today}&to=${today}`,
    );
    expect(list.status).toBe(200);
    const page = (await list.json()) as { total: number; items: Array<{ id: string }> };
    expect(page.items.map((m) => m.id)).toContain(message.id);
    const bad = await call("/api/v1/messages?state=queued,lost");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: "/state", message: expect.stringContaining('"lost"') } });
    const one = (await (await call(`/api/v1/messages/${message.id}`)).json()) as { id: string };
    expect(one.id).toBe(message.id);
  });

  it("gives one account with what staff see, and the list with balances, on the REST routes", async () => {
    const one = (await (await call("/api/v1/accounts/H1")).json()) as Record<string, unknown>;
    expect(Object.keys(one).sort()).toEqual(
      ["account", "aging", "balance", "invoices", "marks", "messages", "replies", "suppressed"].sort(),
    );
    const list = (await (await call("/api/v1/accounts?search=Hal")).json()) as {
      items: Array<{ id: string; balance: { openInvoices: number } }>;
    };
    expect(list.items).toEqual([
      expect.objectContaining({ id: "H1", balance: expect.objectContaining({ openInvoices: 0 }) }),
    ]);
    // Answers that are not JSON keep their own type beside the documented JSON shape.
    const csv = await call("/api/v1/accounts/H1/evidence?format=csv");
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(await csv.text()).toMatch(/^kind,/);
    const messagesCsv = await call("/api/v1/export/messages.csv");
    expect(messagesCsv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(await messagesCsv.text()).toMatch(/^id,idempotencyKey,to,state/);
  });

  it("previews a template for a viewer's key and answers an invalid one with its problem, not a failure", async () => {
    const ok = (await (
      await call("/api/v1/preview", { method: "POST", body: { template: "Hello {{name}}" } })
    ).json()) as {
      parts: number;
      errors: unknown[];
    };
    expect(ok).toMatchObject({ parts: 1, errors: [] });
    const bad = await call("/api/v1/preview", { method: "POST", body: { template: "Hello {{nope}}" } });
    expect(bad.status).toBe(200);
    expect(await bad.json()).toMatchObject({ text: null, errors: [{ field: "template" }] });
  });
});

describe("MQTT and HTTP reach the same application layer", () => {
  /** An event's payload as published, without what names the caller, the account or the moment. */
  const shape = (p: Record<string, unknown>) => {
    const { at: _at, eventId: _e, accountId: _a, number: _n, source, ...rest } = p;
    const s = source as Record<string, unknown> | string;
    return { ...rest, source: typeof s === "string" ? "<way in>" : { ...s, via: "<way in>", by: "<caller>" } };
  };
  const published = (topic: string, match: (p: Record<string, unknown>) => boolean) =>
    waitForValue(topic, () => seen.find((m) => m.topic === `duegate/gw1/${topic}` && match(m.payload)));

  it("opts a number out the same way by MQTT and by HTTP: the same consent record, account flag and events", async () => {
    await client.publishAsync("duegate/gw1/optout", JSON.stringify({ number: BY_MQTT, optedOut: true }), { qos: 1 });
    const byHttp = await call("/api/v1/optout", { method: "POST", body: { number: BY_HTTP, optedOut: true } });
    expect(byHttp.status).toBe(200);
    expect(await byHttp.json()).toEqual({ accountIds: ["H1"] });

    const mqttConsent = await published("consent/changed", (p) => p.number === BY_MQTT);
    const httpConsent = await published("consent/changed", (p) => p.number === BY_HTTP);
    expect(shape(mqttConsent.payload)).toEqual(shape(httpConsent.payload));
    expect(mqttConsent.payload.source).toMatchObject({ kind: "api", via: "mqtt" });
    expect(httpConsent.payload.source).toMatchObject({ kind: "api", via: "http", by: "accounting" });

    const mqttFlag = await published("account/optout", (p) => p.accountId === "M1");
    const httpFlag = await published("account/optout", (p) => p.accountId === "H1");
    expect(shape(mqttFlag.payload)).toEqual(shape(httpFlag.payload));
    expect([mqttFlag.payload.source, httpFlag.payload.source]).toEqual(["mqtt", "http"]);

    const record = async (n: string) =>
      (await (await call(`/api/v1/suppressions/${encodeURIComponent(n)}`)).json()) as Record<string, unknown>;
    const [m, h] = [await record(BY_MQTT), await record(BY_HTTP)];
    const recordShape = (r: Record<string, unknown>) => ({
      suppressed: r.suppressed,
      changes: (r.changes as Array<{ action: string; source: { kind: string } }>).map((c) => [c.action, c.source.kind]),
    });
    expect(recordShape(m)).toEqual(recordShape(h));
    expect(recordShape(m)).toEqual({ suppressed: true, changes: [["added", "api"]] });
    expect([app.services.ledger.account("M1")?.optedOut, app.services.ledger.account("H1")?.optedOut]).toEqual([
      true,
      true,
    ]);
  });

  it("opts an account out the same way by MQTT, by an API key and by a person in the panel", async () => {
    await client.publishAsync("duegate/gw1/optout", JSON.stringify({ accountId: "M2", optedOut: true }), { qos: 1 });
    expect((await call("/api/v1/optout", { method: "POST", body: { accountId: "H2", optedOut: true } })).status).toBe(
      200,
    );
    const mqtt = await published("account/optout", (p) => p.accountId === "M2");
    const http = await published("account/optout", (p) => p.accountId === "H2");
    expect(shape(mqtt.payload)).toEqual(shape(http.payload));
    expect(mqtt.payload).toMatchObject({ optedOut: true, source: "mqtt" });
    expect(http.payload).toMatchObject({ optedOut: true, source: "http" });
    // A person in the panel is recorded as the panel, through the same route.
    const panel = await call("/api/v1/optout", {
      method: "POST",
      auth: "session",
      body: { accountId: "H2", optedOut: false },
    });
    expect(panel.status).toBe(200);
    const back = await published("account/optout", (p) => p.accountId === "H2" && p.optedOut === false);
    expect(back.payload.source).toBe("panel");
    expect(app.services.ledger.account("H2")?.optedOut).toBe(false);
  });
});
