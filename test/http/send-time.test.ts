/**
 * The send time over a real socket: the service started from its default configuration (a
 * temp dir, the modem simulator, a loopback port), a policy whose sequence learns the hour,
 * a reminder that really goes out through the outbox and a reply that really comes in through
 * the simulator; the account's send time and the group report read back with fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { silentLogger } from "../../src/core/log.js";
import { localNow } from "../../src/core/calendar.js";
import { midnightPolicy } from "../support/policy.js";
import { waitForValue } from "../support/wait.js";

const PHONE = "+4915123400001";
const today = new Date().toISOString().slice(0, 10);

describe("send time over HTTP", () => {
  let app: App;
  let dataDir: string;
  let key: string;
  const sim = new ModemSimulator({ sendLatencyMs: 10, deliveryReportDelayMs: 30 });
  const get = async (path: string, auth = true) => {
    const res = await fetch(`${app.httpUrl}/api/v1${path}`, {
      headers: auth ? { authorization: `Bearer ${key}` } : {},
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "duegate-send-time-"));
    const policy = midnightPolicy({ en: "{{company}}: {{amountDue}} is due today." });
    (policy.sequences.standard as { sendTime?: string }).sendTime = "learned";
    const config = validateConfig({
      gateway: { dataDir },
      modem: { port: "sim" },
      http: { listen: "127.0.0.1:0", adminPassword: "an admin password" },
      mqtt: { mode: "off" },
      // Any hour of the day: the test runs whenever it runs.
      outbox: { sendWindow: { start: "00:00", end: "23:59" } },
      dunning: { requireTrustedClock: false, policy, sendTime: { holdoutPercent: 0 } },
    });
    app = await createApp(config, { simulator: sim, logger: silentLogger(), mqtt: false });
    await app.start();
    key = (await app.services.auth.createApiKey("reporting", ["read", "write"])).key;
    await app.services.ledger.upsertAccounts([
      { id: "A1", version: 1, name: "Alice", phones: [PHONE], locale: "en", timeZone: "Europe/Berlin" },
    ]);
    await app.services.ledger.upsertInvoices([
      {
        id: "I1",
        version: 1,
        accountId: "A1",
        number: "R-1",
        amount: 4990,
        currency: "EUR",
        issueDate: today,
        dueDate: today,
      },
    ]);
  }, 30_000);

  afterAll(async () => {
    await app?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("shows the reminder's hour and the reply in the account's evidence, and why the step's time is still used", async () => {
    await waitForValue("the reminder to reach the network", () =>
      app.services.outbox
        .list({ accountId: "A1" })
        .items.find((m) => m.origin.kind === "dunning" && (m.state === "submitted" || m.state === "delivered")),
    );
    const sentHour = Math.floor(localNow(Date.now(), "Europe/Berlin").minute / 60);
    sim.injectInbound(PHONE, "Thanks, I will pay tonight");
    // Asked over HTTP until the reply shows (bounded in tries and time).
    let v = await get("/accounts/A1/send-time");
    for (let i = 0; i < 300 && !(v.json.hours as Array<{ acted: number }>).some((h) => h.acted > 0); i++) {
      await new Promise((r) => setTimeout(r, 25));
      v = await get("/accounts/A1/send-time");
    }
    expect(v.status).toBe(200);
    expect(v.json).toMatchObject({
      sequence: "standard",
      sendTime: "learned",
      group: "learning",
      learned: false,
      settled: 1,
      minReminders: 3,
      stepTime: "00:00",
      time: "00:00",
    });
    expect(v.json.reason).toBe(
      "not enough history yet: 1 of 3 reminders with a known outcome; sent at the step's time",
    );
    const hours = v.json.hours as Array<{ hour: number; sent: number; worked: number; acted: number }>;
    // The hour may have turned between the send and the check.
    const at = hours.find((h) => h.sent > 0)!;
    expect([sentHour, (sentHour + 23) % 24]).toContain(at.hour);
    expect(at).toMatchObject({ sent: 1, worked: 1 });
  }, 30_000);

  it("reports the learning group and the holdout over a period", async () => {
    const r = await get(`/reports/send-time?from=${today}&to=${today}`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ from: today, to: today, withinDays: 7 });
    const rows = r.json.rows as Array<Record<string, unknown>>;
    expect(rows.find((x) => x.group === "learning")).toMatchObject({
      debtors: 1,
      reminders: 1,
      replies: 1,
      atLearnedHour: 0,
    });
    expect(rows.find((x) => x.group === "holdout")).toMatchObject({ debtors: 0, reminders: 0, paidShare: null });
  });

  it("answers a wrong request with what is wrong and where", async () => {
    const unknown = await get("/accounts/nobody/send-time");
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.json)).toContain("no account nobody");
    const bad = await get("/reports/send-time?withinDays=soon");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain("withinDays");
    const backwards = await get("/reports/send-time?from=2026-03-02&to=2026-03-01");
    expect(backwards.status).toBe(400);
    expect((await get("/reports/send-time", false)).status).toBe(401);
  });
});
