import { afterEach, describe, expect, it } from "vitest";
import { bearer, harness, type Harness } from "./helpers.js";
import { account, invoice, plannedReminder } from "../bridge/helpers/services.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.app.close();
  h = undefined;
});

async function withAccounts() {
  h = await harness();
  const res = await h.app.inject({
    method: "POST",
    url: "/api/v1/accounts",
    headers: bearer(h.write),
    payload: [account(0), account(1)],
  });
  expect(res.statusCode).toBe(200);
  return h;
}

describe("HTTP API", () => {
  it("answers /health without a key, and nothing else", async () => {
    h = await harness();
    const health = await h.app.inject({ url: "/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({
      status: "ok",
      unhealthy: [],
      modem: { ok: true, state: "ready" },
      storage: { ok: true },
    });
    const res = await h.app.inject({ url: "/api/v1/accounts" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: "auth.unauthorized" } });
  });

  it("refuses a write with a read-only key", async () => {
    h = await harness();
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/accounts",
      headers: bearer(h.read),
      payload: account(0),
    });
    expect(res.statusCode).toBe(403);
  });

  it("stores invoices and reports the refused one with field and reason", async () => {
    const { app, write, s } = await withAccounts();
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/invoices",
      headers: bearer(write),
      payload: [invoice(1, 2), { ...invoice(2, 2), amount: 12.5 }],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      received: 2,
      stored: 1,
      refused: [{ index: 1, id: "INV2", field: "/1/amount" }],
    });
    expect(s.ledger.invoice("INV1")).toBeDefined();
    const again = await app.inject({
      method: "POST",
      url: "/api/v1/invoices",
      headers: bearer(write),
      payload: invoice(1, 2),
    });
    expect(again.json()).toMatchObject({ stored: 0, unchanged: 1 });
  });

  it("answers 400 with the field when every record is refused", async () => {
    const { app, write } = await withAccounts();
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/invoices",
      headers: bearer(write),
      payload: { ...invoice(1, 2), surprise: 1 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: "api.payload_invalid", field: "/surprise" } });
  });

  it("refuses malformed JSON with 400 and a body over the limit with 413", async () => {
    h = await harness({ bodyLimitBytes: 2048 });
    const bad = await h.app.inject({
      method: "POST",
      url: "/api/v1/invoices",
      headers: { ...bearer(h.write), "content-type": "application/json" },
      payload: '{"id": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: "api.payload_malformed" } });
    const big = await h.app.inject({
      method: "POST",
      url: "/api/v1/invoices",
      headers: bearer(h.write),
      payload: Array.from({ length: 100 }, (_, i) => invoice(i, 2)),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: { code: "api.payload_too_large" } });
  });

  it("queues a send once per id, finds it by that id and cancels it", async () => {
    h = await harness();
    const req = { id: "order-1", to: "+4917612345678", text: "Hello" };
    const first = await h.app.inject({ method: "POST", url: "/api/v1/send", headers: bearer(h.write), payload: req });
    expect(first.statusCode).toBe(202);
    const second = await h.app.inject({ method: "POST", url: "/api/v1/send", headers: bearer(h.write), payload: req });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ status: "duplicate" });
    const got = await h.app.inject({ url: "/api/v1/messages/order-1", headers: bearer(h.read) });
    expect(got.json()).toMatchObject({ idempotencyKey: "send:order-1", state: "queued" });
    const cancel = await h.app.inject({
      method: "POST",
      url: "/api/v1/cancel",
      headers: bearer(h.write),
      payload: { idempotencyKey: "order-1" },
    });
    expect(cancel.json()).toMatchObject({ cancelled: [first.json().message.id] });
    const both = await h.app.inject({
      method: "POST",
      url: "/api/v1/cancel",
      headers: bearer(h.write),
      payload: { id: "x", accountId: "y" },
    });
    expect(both.statusCode).toBe(400);
  });

  it("names the field of an invalid send request and of a bad number", async () => {
    h = await harness();
    const missing = await h.app.inject({
      method: "POST",
      url: "/api/v1/send",
      headers: bearer(h.write),
      payload: { id: "a", to: "+4917612345678" },
    });
    expect(missing.json()).toMatchObject({ error: { code: "api.payload_invalid", field: "/text" } });
    const badNumber = await h.app.inject({
      method: "POST",
      url: "/api/v1/send",
      headers: bearer(h.write),
      payload: { id: "a", to: "0000", text: "x" },
    });
    expect(badNumber.statusCode).toBe(400);
    expect(badNumber.json()).toMatchObject({ error: { code: "outbox.invalid_number", field: "/to" } });
  });

  it("lists accounts with balances, one account, and 404 for an unknown one", async () => {
    const { app, write, read } = await withAccounts();
    await app.inject({
      method: "POST",
      url: "/api/v1/invoices",
      headers: bearer(write),
      payload: [invoice(0, 2), invoice(2, 2)],
    });
    const list = await app.inject({ url: "/api/v1/accounts?limit=10", headers: bearer(read) });
    expect(list.json().total).toBe(2);
    expect(list.json().items[0].balance).toMatchObject({ openInvoices: 2, byCurrency: { EUR: 2002 } });
    const one = await app.inject({ url: "/api/v1/accounts/A0", headers: bearer(read) });
    expect(one.json().invoices).toHaveLength(2);
    const none = await app.inject({ url: "/api/v1/accounts/NOPE", headers: bearer(read) });
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ error: { code: "domain.not_found" } });
  });

  // The reports (aging and the rest) run on real services: test/http/reports.test.ts.
  it("serves forecast, modem, status, inbound and opt-out", async () => {
    const { app, write, read } = await withAccounts();
    await app.inject({ method: "POST", url: "/api/v1/invoices", headers: bearer(write), payload: invoice(0, 2) });
    expect((await app.inject({ url: "/api/v1/forecast?days=3", headers: bearer(read) })).json()).toEqual({
      days: 3,
      total: 1,
      offset: 0,
      items: [plannedReminder(3)],
    });
    expect((await app.inject({ url: "/api/v1/forecast?days=300", headers: bearer(read) })).statusCode).toBe(400);
    expect((await app.inject({ url: "/api/v1/modem", headers: bearer(read) })).json()).toMatchObject({
      state: "ready",
    });
    expect((await app.inject({ url: "/api/v1/status", headers: bearer(read) })).json()).toMatchObject({
      state: "online",
      gatewayId: "duegate",
    });
    expect((await app.inject({ url: "/api/v1/inbound", headers: bearer(read) })).json().total).toBe(1);
    const opt = await app.inject({
      method: "POST",
      url: "/api/v1/optout",
      headers: bearer(write),
      payload: { accountId: "A1", optedOut: true },
    });
    expect(opt.json()).toEqual({ accountIds: ["A1"] });
  });

  it("serves an OpenAPI document listing the API routes", async () => {
    h = await harness();
    const doc = (await h.app.inject({ url: "/api/v1/openapi.json" })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/invoices", "/api/v1/send", "/api/v1/import/{kind}", "/api/v1/reports/aging"]),
    );
    expect(doc.paths["/health"]).toBeUndefined();
  });

  it("exports the message history as CSV with formulas escaped", async () => {
    h = await harness();
    await h.app.inject({
      method: "POST",
      url: "/api/v1/send",
      headers: bearer(h.write),
      payload: { id: "o1", to: "+4917612345678", text: "Hi" },
    });
    const res = await h.app.inject({ url: "/api/v1/export/messages.csv", headers: bearer(h.read) });
    expect(res.headers["content-type"]).toMatch(/text\/csv/);
    const lines = res.body.trim().split("\n");
    expect(lines[0]).toMatch(/^id,idempotencyKey,to,state/);
    expect(lines[1]).toContain("send:o1,'+4917612345678,queued");
  });

  it("shows recent log lines by level but never the one-time admin password", async () => {
    const { app, s, read } = await harness();
    s.logRing.push({ level: 30, msg: "modem ready" });
    s.logRing.push({ level: 50, msg: "send failed" });
    s.logRing.push({ level: 40, msg: "created admin with generated password abc", oneTimeSecret: true });
    const res = await app.inject({ url: "/api/v1/logs?level=40", headers: bearer(read) });
    expect(res.json().items.map((l: { msg: string }) => l.msg)).toEqual(["send failed"]);
    const all = await app.inject({ url: "/api/v1/logs?level=0&q=generated", headers: bearer(read) });
    expect(all.json()).toEqual({ items: [] });
    const bad = await app.inject({ url: "/api/v1/logs?level=99", headers: bearer(read) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe("/level");
  });
});
