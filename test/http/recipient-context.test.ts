/**
 * A direct send waits for the debtor's day, not the gateway's: the real service (createApp with
 * its default configuration, gateway in Europe/Berlin, the modem simulator) on a loopback port,
 * driven with fetch as the accounting server would, on a clock the test moves.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";

interface Running {
  app: App;
  clock: ManualClock;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
}

let running: Running | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await running?.app.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  running = undefined;
  dataDir = undefined;
});

async function start(at: number): Promise<Running> {
  dataDir = mkdtempSync(join(tmpdir(), "duegate-recipient-"));
  const clock = new ManualClock(at);
  // Defaults except what a test run needs: a temp dir, the simulator, a loopback port, no broker.
  const config = validateConfig({
    gateway: { dataDir },
    modem: { port: "sim" },
    http: { listen: "127.0.0.1:0", adminPassword: "an admin password" },
    mqtt: { mode: "off" },
  });
  const app = await createApp(config, { clock, logger: silentLogger(), mqtt: false });
  await app.start();
  const key = (await app.services.auth.createApiKey("accounting", ["read", "write"])).key;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.httpUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  return { app, clock, api };
}

/** Moves the clock in steps, letting the service run between them (bounded in steps and real time). */
async function advanceTo(r: Running, until: number, step = 60_000): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (let i = 0; i < 2000 && r.clock.now() < until && Date.now() < deadline; i++) {
    await r.clock.advance(Math.min(step, until - r.clock.now()));
    await new Promise((res) => setTimeout(res, 2));
  }
}

async function stateOf(r: Running, id: string): Promise<Record<string, unknown>> {
  return (await r.api("GET", `/messages/${id}`)).json;
}

describe("the recipient's context on a direct send", () => {
  it("a send to an account in America/New_York at 12:00 UTC waits until 08:00 New York", async () => {
    // Tuesday 13 January 2026, 12:00 UTC: 13:00 in Berlin (open), 07:00 in New York (closed).
    const r = (running = await start(Date.UTC(2026, 0, 13, 12, 0)));
    expect(
      (
        await r.api("POST", "/accounts", {
          id: "ny1",
          version: 1,
          name: "Nora York",
          phones: ["+1 212 555 0123"],
          locale: "en-US",
          timeZone: "America/New_York",
        })
      ).status,
    ).toBe(200);
    const sent = await r.api("POST", "/send", {
      id: "ny-hello",
      to: "+12125550123",
      text: "Your invoice is due.",
      accountId: "ny1",
    });
    expect(sent.status).toBe(202);
    expect(sent.json.message).toMatchObject({ timeZones: ["America/New_York"], locale: "en-US", state: "queued" });

    await advanceTo(r, Date.UTC(2026, 0, 13, 12, 59));
    expect(await stateOf(r, "ny-hello")).toMatchObject({ state: "queued" });

    await advanceTo(r, Date.UTC(2026, 0, 13, 13, 5), 1000);
    const after = await stateOf(r, "ny-hello");
    expect(["submitted", "delivered"]).toContain(after.state);
    const attempt = (after.attempts as Array<{ at: number; outcome: string }>).find((a) => a.outcome === "submitted")!;
    expect(attempt.at).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 13, 13, 0));
  }, 60_000);

  it("a send to a +90 number without an account uses Europe/Istanbul and Turkish", async () => {
    // Tuesday 13 January 2026, 18:30 UTC: 19:30 in Berlin (open), 21:30 in Istanbul (closed).
    const r = (running = await start(Date.UTC(2026, 0, 13, 18, 30)));
    const text = "Sayın müşterimiz, ödemeniz için teşekkür ederiz. İyi günler dileriz, ğ ş ı.";
    const sent = await r.api("POST", "/send", { id: "tr-hello", to: "+90 532 123 45 67", text });
    expect(sent.status).toBe(202);
    // Turkish: the national shift table keeps the text in GSM-7 (UCS-2 without the locale).
    expect(sent.json.message).toMatchObject({
      to: "+905321234567",
      timeZones: ["Europe/Istanbul"],
      locale: "tr-TR",
      encoding: "gsm7",
      partCount: 1,
    });

    await advanceTo(r, Date.UTC(2026, 0, 13, 20, 0));
    expect(await stateOf(r, "tr-hello")).toMatchObject({ state: "queued" });
  }, 60_000);
});
