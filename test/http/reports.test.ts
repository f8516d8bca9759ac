/**
 * The reports over HTTP with real data: createApp() (src/app.ts) in a temp directory on the
 * modem simulator, so that reminders, direct sends and replies flow through the real Ledger,
 * DunningEngine, Outbox (its history files) and Inbound, and the reports read them back
 * through the composition root's MessageFacts/ReplyFacts adapters (src/app-facts.ts).
 */
import { midnightPolicy } from "../support/policy.js";
import { waitForValue } from "../support/wait.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { parse } from "csv-parse/sync";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { buildServer, type ServerServices } from "../../src/http/server.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { silentLogger } from "../../src/core/log.js";
import { bearer } from "./helpers.js";

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const today = day(0);
const ALICE = "+4915123400001";
const BOB = "+4915123400002";
const TRICKY = 'Invoice "RE-1", 12,90 €\nsecond line; =1+1';

const waitFor = waitForValue;

describe("reports over HTTP (real outbox, ledger, engine and inbound in a temp dir)", () => {
  let app: App;
  let http: FastifyInstance;
  let dataDir: string;
  let read: string;
  let write: string;
  const sim = new ModemSimulator({ sendLatencyMs: 10, deliveryReportDelayMs: 30 });
  const get = (url: string, key = read) => http.inject({ url, headers: bearer(key) });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "duegate-reports-"));
    const config = validateConfig({
      gateway: { dataDir, id: "gw1", defaultTimeZone: "UTC", defaultRegion: "DE" },
      modem: { port: "sim" },
      outbox: { sendWindow: { start: "00:00", end: "23:59" }, costPerPart: 0.09 },
      dunning: {
        requireTrustedClock: false,
        policy: midnightPolicy({ en: "{{company}}: {{amountDue}} is due today." }),
      },
      mqtt: { mode: "off" },
    });
    app = await createApp(config, { simulator: sim, logger: silentLogger(), http: false, mqtt: false });
    await app.start();
    http = await buildServer(app.services as unknown as ServerServices, { auth: app.services.auth, web: false });
    await http.ready();
    read = (await app.services.auth.createApiKey("reporting", ["read"])).key;
    write = (await app.services.auth.createApiKey("accounting", ["read", "write"])).key;

    const { ledger } = app.services;
    await ledger.upsertAccounts([
      { id: "A1", version: 1, name: "Alice", phones: [ALICE], locale: "en" },
      { id: "A2", version: 1, name: "Bob", phones: [BOB], locale: "en" },
    ]);
    await ledger.upsertInvoices([
      {
        id: "I1",
        version: 1,
        accountId: "A1",
        number: "R-1",
        amount: 4990,
        currency: "EUR",
        issueDate: day(-20),
        dueDate: today,
      },
      {
        id: "I2",
        version: 1,
        accountId: "A2",
        number: "R-2",
        amount: 12000,
        currency: "EUR",
        issueDate: day(-70),
        dueDate: day(-40),
      },
      {
        id: "I3",
        version: 1,
        accountId: "A2",
        number: "R-3",
        amount: 1000,
        currency: "EUR",
        issueDate: day(-30),
        dueDate: day(-10),
      },
      {
        id: "I4",
        version: 1,
        accountId: "A2",
        number: "R-4",
        amount: 2000,
        currency: "EUR",
        issueDate: day(-5),
        dueDate: day(5),
      },
    ]);
    // The engine reminds A1 of I1 (due today); the network delivers it.
    await waitFor("the reminder to be delivered", () =>
      app.services.outbox
        .list({ accountId: "A1" })
        .items.find((m) => m.origin.kind === "dunning" && m.state === "delivered"),
    );
    const sent = await http.inject({
      method: "POST",
      url: "/api/v1/send",
      headers: bearer(write),
      payload: { id: "direct-1", to: ALICE, text: TRICKY, accountId: "A1" },
    });
    expect(sent.statusCode).toBe(202);
    await waitFor("the direct SMS to be delivered", () =>
      app.services.outbox.list({ accountId: "A1" }).items.find((m) => m.text === TRICKY && m.state === "delivered"),
    );
    sim.injectInbound(ALICE, "HELP");
    await waitFor("the HELP reply to be delivered", () =>
      app.services.outbox.list({}).items.find((m) => m.origin.kind === "keyword-reply" && m.state === "delivered"),
    );
    await ledger.recordPayments([
      { id: "P1", invoiceId: "I1", amount: 4990, date: today },
      { id: "P3", invoiceId: "I3", amount: 1000, date: day(-5) },
      { id: "P4", invoiceId: "I4", amount: 2000, date: today },
    ]);
  }, 60_000);

  afterAll(async () => {
    await http?.close();
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reads the finished messages back from the outbox's history files", () => {
    expect(readdirSync(join(dataDir, "history")).some((f) => f.startsWith("outbox-"))).toBe(true);
  });

  it("GET /reports/aging: open amounts per currency and bucket, from the reports module", async () => {
    const res = await get("/api/v1/reports/aging");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      asOf: today,
      buckets: ["current", "1-30", "31-60", "61-90", "over-90"],
      rows: [
        {
          currency: "EUR",
          amounts: { current: 0, "1-30": 0, "31-60": 12000, "61-90": 0, "over-90": 0 },
          counts: { current: 0, "1-30": 0, "31-60": 1, "61-90": 0, "over-90": 0 },
          total: 12000,
          disputed: 0,
        },
      ],
    });
    expect((await get(`/api/v1/reports/aging?asOf=${day(60)}`)).json().rows[0].amounts["over-90"]).toBe(12000);
  });

  it("GET /reports/on-time: the last 30 days by default, a given period when asked", async () => {
    const res = await get("/api/v1/reports/on-time");
    expect(res.statusCode).toBe(200);
    // I1 paid on its due date and I4 before it: on time; I3 paid 5 days late.
    expect(res.json()).toEqual({ from: day(-29), to: today, paid: 3, onTime: 2, rate: 2 / 3, averageDaysLate: 5 });
    expect((await get(`/api/v1/reports/on-time?from=${day(-3)}&to=${today}`)).json()).toMatchObject({
      paid: 2,
      onTime: 2,
      rate: 1,
    });
  });

  it("GET /reports/dso: receivables over invoiced in the period x days", async () => {
    const res = await get("/api/v1/reports/dso?periodDays=90");
    expect(res.statusCode).toBe(200);
    // Open: I2 12,000; invoiced in the 90 days: 4,990 + 12,000 + 1,000 + 2,000 = 19,990.
    expect(res.json()).toEqual({
      asOf: today,
      periodDays: 90,
      rows: [
        {
          currency: "EUR",
          receivables: 12000,
          sales: 19990,
          periodDays: 90,
          dso: Math.round((12000 / 19990) * 90 * 10) / 10,
        },
      ],
    });
  });

  it("GET /reports/steps: reminders per step and the share paid within the days given", async () => {
    const res = await get("/api/v1/reports/steps");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      from: day(-29),
      to: today,
      withinDays: 7,
      rows: [{ step: "due", sent: 1, paidWithin: 1, share: 1, consolidated: 0 }],
    });
    expect((await get(`/api/v1/reports/steps?from=${day(-10)}&to=${day(-1)}&withinDays=3`)).json().rows).toEqual([]);
  });

  it("GET /reports/cost: messages, parts and cost per day (every day of the period) and per month", async () => {
    const sent = app.services.outbox.list({}).items.filter((m) => m.state === "delivered");
    const parts = sent.reduce((n, m) => n + m.partCount, 0);
    expect(sent.length).toBe(3); // reminder, direct, HELP reply
    const res = await get(`/api/v1/reports/cost?from=${day(-6)}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      from: day(-6),
      to: today,
      by: "day",
      timeZone: "UTC",
      costPerPart: 0.09,
      totals: { messages: 3, parts, delivered: 3, failed: 0 },
    });
    expect(body.rows.map((r: { period: string }) => r.period)).toEqual([-6, -5, -4, -3, -2, -1, 0].map(day));
    expect(body.rows.at(-1)).toEqual({
      period: today,
      messages: 3,
      sms: 3,
      emails: 0,
      parts,
      delivered: 3,
      failed: 0,
      cost: Math.round(parts * 0.09 * 10_000) / 10_000,
    });
    expect(body.rows[0]).toEqual({
      period: day(-6),
      messages: 0,
      sms: 0,
      emails: 0,
      parts: 0,
      delivered: 0,
      failed: 0,
      cost: 0,
    });
    const month = (await get(`/api/v1/reports/cost?from=${today}&to=${today}&by=month`)).json();
    expect(month.rows).toEqual([
      {
        period: today.slice(0, 7),
        messages: 3,
        sms: 3,
        emails: 0,
        parts,
        delivered: 3,
        failed: 0,
        cost: body.totals.cost,
      },
    ]);
  });

  it("GET /accounts/:id/evidence?format=json: every message with text, parts and delivery reports, and every reply", async () => {
    const res = await get("/api/v1/accounts/A1/evidence");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="duegate-evidence-A1-${today}.json"`);
    const pack = res.json();
    expect(pack.accountId).toBe("A1");
    expect(pack.messages.map((m: { step?: string }) => m.step ?? "api")).toEqual(["due", "api", "reply:help"]);
    for (const m of pack.messages) {
      expect(m).toMatchObject({ to: ALICE, state: "delivered", accountId: "A1" });
      expect(m.reports.length).toBe(m.parts);
      expect(
        m.reports.every(
          (r: { status: string; reference?: number; at?: number }) =>
            r.status === "delivered" && typeof r.reference === "number" && typeof r.at === "number",
        ),
      ).toBe(true);
      // The network's discharge time (whole seconds, from the status report), beside our submission time.
      expect(typeof m.deliveredAt).toBe("number");
      expect(typeof m.submittedAt).toBe("number");
    }
    expect(pack.messages[0]).toMatchObject({ invoiceIds: ["I1"] });
    expect(pack.messages[1].text).toBe(TRICKY);
    expect(pack.replies).toEqual([expect.objectContaining({ from: ALICE, text: "HELP", keyword: "help" })]);
    expect((await get("/api/v1/accounts/A2/evidence")).json()).toMatchObject({
      accountId: "A2",
      messages: [],
      replies: [],
    });
  });

  it("GET /accounts/:id/evidence?format=csv: a text/csv download whose fields survive quotes, commas and line breaks", async () => {
    const res = await get("/api/v1/accounts/A1/evidence?format=csv");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="duegate-evidence-A1-${today}.csv"`);
    expect(res.body).toContain('"Invoice ""RE-1"", 12,90 €\nsecond line; =1+1"');
    const rows = parse(res.body, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.kind).sort()).toEqual(["message", "message", "message", "reply"]);
    expect(rows.find((r) => r.id === (rows.find((x) => x.text === TRICKY) ?? {}).id)?.text).toBe(TRICKY);
    expect(rows.find((r) => r.kind === "reply")).toMatchObject({ number: ALICE, text: "HELP", state: "help" });
    expect(rows.filter((r) => r.kind === "message").every((r) => /^1:\d+:delivered@/.test(r.reports!))).toBe(true);
  });

  it("refuses bad dates, periods and options with 400 and a clear message, an unknown account with 404", async () => {
    const bad = async (url: string, pattern: RegExp) => {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toMatch(pattern);
    };
    await bad("/api/v1/reports/on-time?from=2026-02-30", /from.*(date|YYYY-MM-DD)/);
    await bad("/api/v1/reports/on-time?from=yesterday", /from.*(date|YYYY-MM-DD)/);
    await bad(`/api/v1/reports/steps?from=${today}&to=${day(-1)}`, /from \(\d{4}-\d{2}-\d{2}\) is after to/);
    await bad("/api/v1/reports/cost?by=week", /by/);
    await bad(`/api/v1/reports/cost?from=${day(-400)}&to=${today}`, /at most 366/);
    await bad("/api/v1/reports/dso?periodDays=0", /periodDays/);
    await bad("/api/v1/reports/steps?withinDays=-1", /withinDays/);
    await bad("/api/v1/accounts/A1/evidence?format=pdf", /format/);
    const unknown = await get("/api/v1/accounts/NOPE/evidence?format=csv");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe("no account NOPE");
  });

  it("needs read scope (API key or session) and documents the endpoints under the tag reports", async () => {
    expect((await http.inject({ url: "/api/v1/reports/on-time" })).statusCode).toBe(401);
    expect((await http.inject({ url: "/api/v1/accounts/A1/evidence", headers: bearer("dg_wrong") })).statusCode).toBe(
      401,
    );
    const doc = (await http.inject({ url: "/api/v1/openapi.json" })).json();
    for (const path of [
      "/api/v1/reports/aging",
      "/api/v1/reports/on-time",
      "/api/v1/reports/dso",
      "/api/v1/reports/steps",
      "/api/v1/reports/cost",
      "/api/v1/accounts/{id}/evidence",
    ])
      expect(doc.paths[path].get.tags, path).toEqual(["reports"]);
  });
});
