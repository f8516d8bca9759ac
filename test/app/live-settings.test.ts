import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { silentLogger } from "../../src/core/log.js";

/**
 * Inbound settings saved on the panel's Settings page (PATCH /api/v1/settings, as the page
 * sends it: session cookie and CSRF token) answer the next SMS, with no restart in between.
 */
const ALICE = "+4915123400001";
const plusDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe("keyword settings saved in the panel apply to the next SMS", () => {
  let app: App;
  let dataDir: string;
  let session: { cookie: string; csrf: string };
  const sim = new ModemSimulator({ sendLatencyMs: 5, deliveryReportDelayMs: 20 });

  const waitFor = async <T>(what: string, fn: () => T | undefined, ms = 10_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = fn();
      if (v !== undefined) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const save = async (values: Record<string, unknown>) => {
    const res = await fetch(`${app.httpUrl}/api/v1/settings`, {
      method: "PATCH",
      headers: { "content-type": "application/json", cookie: session.cookie, "x-csrf-token": session.csrf },
      body: JSON.stringify(values),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "duegate-live-settings-"));
    const config = validateConfig({
      gateway: {
        dataDir,
        id: "gw1",
        defaultTimeZone: "UTC",
        companyName: "Acme Alarm",
        supportContact: "+49 30 1234567",
      },
      modem: { port: "sim" },
      outbox: { sendWindow: { start: "00:00", end: "23:59" } },
      dunning: { requireTrustedClock: false },
      http: { listen: "127.0.0.1:0", adminPassword: "an admin password" },
    });
    app = await createApp(config, { simulator: sim, logger: silentLogger(), mqtt: false });
    await app.start();
    await app.services.ledger.upsertAccounts([
      {
        id: "ACC-4711",
        version: 1,
        name: "Alicja Przyklad",
        phones: [ALICE],
        locale: "pl-PL",
        timeZone: "UTC",
        currency: "EUR",
      },
    ]);
    await app.services.ledger.upsertInvoices([
      {
        id: "I1",
        version: 1,
        accountId: "ACC-4711",
        number: "R-1",
        amount: 4990,
        currency: "EUR",
        issueDate: plusDays(-20),
        dueDate: plusDays(10),
      },
    ]);
    const res = await fetch(`${app.httpUrl}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "admin", password: "an admin password" }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith("duegate_session="))!
      .split(";")[0]!;
    session = { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers a new BALANCE alias with the balance and HELP with the new support contact", async () => {
    // Before: STAN is no keyword (no reply: inbound.unknownKeywordHelp is off).
    sim.injectInbound(ALICE, "STAN");
    await waitFor("STAN stored", () => app.services.inbound.list({ keyword: "unknown" }).items[0]);
    await app.services.inbound.idle();

    const saved = await save({
      "inbound.aliases": { balance: ["STAN", "STAN KONTA"] },
      "gateway.supportContact": "+49 30 999000",
    });
    expect(saved.status).toBe(200);

    sim.injectInbound(ALICE, "stan konta?");
    const balance = await waitFor("the balance reply", () =>
      sim.sent.find((s) => s.to === ALICE && /49[.,]90/.test(s.text)),
    );
    expect(balance.text).toContain("***4711");
    sim.injectInbound(ALICE, "HELP");
    const help = await waitFor("the HELP reply", () =>
      sim.sent.find((s) => s.to === ALICE && s.text.includes("payment reminders")),
    );
    expect(help.text).toContain("Help: +49 30 999000.");
    expect(help.text).not.toContain("1234567");
    expect(sim.sent.filter((s) => s.to === ALICE)).toHaveLength(2);
    // and the panel was not told to ask for a restart
    expect(saved.body).toMatchObject({ changed: ["inbound.aliases", "gateway.supportContact"], restartRequired: [] });
  }, 30_000);

  it("refuses an alias another keyword owns, beside its field, and saves nothing", async () => {
    const refused = await save({ "inbound.aliases": { balance: ["STAN"], help: ["STAN"] } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: "config.invalid", field: "inbound.aliases" } });
    expect(app.services.config.inbound.aliases).toEqual({ balance: ["STAN", "STAN KONTA"] });
  });
});
