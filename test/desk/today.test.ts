/**
 * GET /api/v1/today against the real appliance over loopback HTTP: each list of the clerk's day
 * filled by the domain's own paths (a DISPUTE and a PROMISE by SMS through the simulated modem,
 * a broken promise, an opt-out in the panel, STOP and START by SMS, a number suppressed and lifted
 * by staff, an e-mail unsubscribe), and emptied again by the clerk's commands.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppliance, ADMIN_PASSWORD, type Appliance } from "../web/harness.js";
import type { AppServices } from "../../src/app-services.js";
import type { Today } from "../../src/desk/today.js";

let appliance: Appliance;
let cookie = "";
let csrf = "";

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const r = await fetch(`${appliance.url}${path}`, {
    method,
    headers: { cookie, "x-csrf-token": csrf, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as unknown) : null };
}

async function today(): Promise<Today> {
  const r = await call("GET", "/api/v1/today");
  expect(r.status).toBe(200);
  return r.body as Today;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const berlinDay = (offset: number) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" }).format(new Date(Date.now() + offset * 86_400_000));

describe("GET /api/v1/today", () => {
  beforeAll(async () => {
    appliance = await startAppliance();
    const res = await fetch(`${appliance.url}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "admin", password: ADMIN_PASSWORD }),
    });
    cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  }, 60_000);

  afterAll(async () => {
    await appliance?.stop();
  });

  it("starts empty on a fresh appliance, with today's date in the gateway's zone", async () => {
    const d = await today();
    expect(d).toMatchObject({
      date: berlinDay(0),
      timeZone: "Europe/Berlin",
      reminders: [],
      replies: [],
      promises: [],
      disputes: [],
      marks: [],
      optOuts: [],
    });
  });

  it("lists a dispute texted in, and drops it when the clerk resolves it", async () => {
    appliance.simulator.injectInbound("+4917622222222", "DISPUTE I never got this bill");
    const dispute = await until("the dispute", async () =>
      (await today()).disputes.find((x) => x.invoiceId === "INV-2"),
    );
    expect(dispute).toMatchObject({
      accountId: "ACC-200",
      name: "John Late",
      number: "R-2026-002",
      amountDue: 12000,
      currency: "EUR",
    });
    // a DISPUTE needs a person too
    expect((await today()).replies.map((r) => r.accountId)).toContain("ACC-200");
    expect((await call("POST", "/api/v1/invoices/INV-2/resolve-dispute")).status).toBe(200);
    expect((await today()).disputes).toEqual([]);
  });

  it("shows a promise texted in on its day, and a promise past its date with money owed as broken", async () => {
    const s = appliance.services as unknown as AppServices;
    await s.ledger.pauseAccount("ACC-100", berlinDay(0), "promise to pay by SMS in_test");
    await s.ledger.pauseAccount("ACC-200", berlinDay(-3), "promise to pay by SMS in_test2");
    const d = await today();
    expect(d.promises).toEqual([
      {
        accountId: "ACC-200",
        name: "John Late",
        date: berlinDay(-3),
        status: "broken",
        amountDue: 12000,
        currency: "EUR",
      },
      {
        accountId: "ACC-100",
        name: "Maria Muster",
        date: berlinDay(0),
        status: "due-today",
        amountDue: 4990,
        currency: "EUR",
      },
    ]);
    // a pause that is not a promise is not a promise
    await s.ledger.pauseAccount("ACC-200", berlinDay(-3), "paused in the panel by admin");
    expect((await today()).promises.map((p) => p.accountId)).toEqual(["ACC-100"]);
  });

  it("lists today's opt-outs, newest first, with who made them", async () => {
    expect((await call("POST", "/api/v1/optout", { accountId: "ACC-100", optedOut: true })).status).toBe(200);
    expect((await call("POST", "/api/v1/optout", { accountId: "ACC-100", optedOut: false })).status).toBe(200);
    const d = await today();
    expect(d.optOuts.map((o) => [o.accountId, o.channel, o.optedOut, o.source])).toEqual([
      ["ACC-100", "sms", false, "panel"],
      ["ACC-100", "sms", true, "panel"],
    ]);
  });

  it("shows a STOP and a START texted in, read from the suppression list, with the number and the SMS", async () => {
    appliance.simulator.injectInbound("+4917622222222", "STOP");
    const stop = await until("the STOP", async () =>
      (await today()).optOuts.find((o) => o.accountId === "ACC-200" && o.optedOut),
    );
    expect(stop).toMatchObject({ name: "John Late", channel: "sms", number: "+4917622222222" });
    expect(stop.source).toMatch(/^STOP by SMS in_/);
    appliance.simulator.injectInbound("+4917622222222", "START");
    const start = await until("the START", async () =>
      (await today()).optOuts.find((o) => o.accountId === "ACC-200" && !o.optedOut),
    );
    expect(start.source).toMatch(/^START by SMS in_/);
    // once each: the ledger's own record of the same change is not a second line
    const mine = (await today()).optOuts.filter((o) => o.accountId === "ACC-200");
    expect(mine.map((o) => o.optedOut)).toEqual([false, true]);
  });

  it("agrees with the suppression list when staff suppress a number and lift it again", async () => {
    expect(
      (await call("POST", "/api/v1/suppressions", { number: "+4917622222222", reason: "asked on the phone" })).status,
    ).toBe(201);
    expect((await call("DELETE", "/api/v1/suppressions/%2B4917622222222")).status).toBe(200);
    const s = appliance.services as unknown as AppServices;
    const record = s.consent.get("+4917622222222")!;
    const lines = (await today()).optOuts.filter((o) => o.number === "+4917622222222");
    // Every change the list holds for the number today, newest first: a lift is on the page too.
    expect(lines.map((o) => [o.accountId, o.optedOut, o.at])).toEqual(
      [...record.changes].reverse().map((c) => ["ACC-200", c.action === "added", c.at]),
    );
    expect(lines[0]?.source).toBe("panel user admin");
  });

  it("shows an e-mail unsubscribe as an e-mail opt-out of the account", async () => {
    const s = appliance.services as unknown as AppServices;
    await s.ledger.setEmailOptOut("ACC-200", true, "email-link");
    expect((await today()).optOuts[0]).toMatchObject({
      accountId: "ACC-200",
      channel: "email",
      optedOut: true,
      source: "email-link",
    });
  });

  it("lists an account's marks and clears one over the REST API, answering the mark as kept", async () => {
    const s = appliance.services as unknown as AppServices;
    const mark = { accountId: "ACC-100", mark: "handoff" as const, step: "final-60", invoiceIds: ["INV-1"], at: 1 };
    s.bus.emit("account.mark", mark);
    const listed = await call("GET", "/api/v1/accounts/ACC-100/marks");
    expect(listed).toEqual({ status: 200, body: { items: [mark] } });
    const cleared = await call("DELETE", "/api/v1/accounts/ACC-100/marks/handoff");
    expect(cleared).toEqual({ status: 200, body: mark });
    expect((await call("GET", "/api/v1/accounts/ACC-100/marks")).body).toEqual({ items: [] });
  });

  it("refuses bad input to the desk's commands with what is wrong and where", async () => {
    const bogus = await call("DELETE", "/api/v1/accounts/ACC-200/marks/bogus");
    expect(bogus.status).toBe(400);
    expect(JSON.stringify(bogus.body)).toContain('mark must be one of disconnect, handoff, got \\"bogus\\"');
    const none = await call("DELETE", "/api/v1/accounts/ACC-200/marks/handoff");
    expect(none.status).toBe(404);
    expect(JSON.stringify(none.body)).toContain("account ACC-200 has no handoff mark");
    const extra = await call("POST", "/api/v1/accounts/ACC-200/promise", { date: berlinDay(2), amount: 5 });
    expect(extra.status).toBe(400);
    const typed = await call("POST", "/api/v1/accounts/ACC-200/pause", { until: 20261231 });
    expect(typed.status).toBe(400);
    const unknown = await call("POST", "/api/v1/inbound/in_nothing/handled");
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body)).toContain("no inbound message in_nothing");
    // and the service is still there
    expect((await call("GET", "/api/v1/today")).status).toBe(200);
  });

  it("forgets an erased account's opt-outs", async () => {
    const s = appliance.services as unknown as AppServices;
    expect((await today()).optOuts.length).toBeGreaterThan(0);
    expect(await s.ledger.eraseAccount("ACC-100")).toBe(true);
    expect((await today()).optOuts.filter((o) => o.accountId === "ACC-100")).toEqual([]);
  });

  it("publishes its response schema in the OpenAPI document", async () => {
    const spec = (await call("GET", "/api/v1/openapi.json")).body as {
      paths: Record<string, { get?: { responses?: Record<string, unknown> } }>;
    };
    expect(spec.paths["/api/v1/today"]?.get?.responses?.["200"]).toBeDefined();
  });
});
