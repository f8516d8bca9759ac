import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type App } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/core/log.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { ErrorCode } from "../../src/core/errors.js";
import { encodeSubmit } from "../../src/sms/index.js";
import { FAST, startOnSimulator, waitFor } from "./helpers.js";

const GRACE_MS = 1500;

function configFor(dataDir: string) {
  return validateConfig({
    gateway: { dataDir, defaultTimeZone: "UTC" },
    modem: { port: "sim", stopGraceMs: GRACE_MS },
    outbox: {
      sendWindow: { start: "00:00", end: "23:59" },
      retry: { baseDelayMs: 100, maxDelayMs: 1000, modemPauseMs: 0 },
    },
    dunning: { requireTrustedClock: false },
    http: { listen: "127.0.0.1:0" },
    mqtt: { mode: "off" },
  });
}

describe("orderly stop with a hung modem", () => {
  const dirs: string[] = [];
  const apps: App[] = [];
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.stop().catch(() => {});
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("resolves within the grace + 1 s during a hung AT+CMGS, and nothing accepted is lost", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "duegate-stop-"));
    dirs.push(dataDir);
    const sim = new ModemSimulator({ sendLatencyMs: 5, deliveryReportDelayMs: 50 });
    const app = await createApp(configFor(dataDir), {
      simulator: sim,
      logger: silentLogger(),
      http: false,
      mqtt: false,
    });
    apps.push(app);
    await app.start();
    const { outbox, modem } = app.services;
    await waitFor(() => modem.ready, "modem ready", 10_000);

    // Counts the outbox's calls into the modem: stop must begin with AT+CMGS in flight, not
    // between the outbox's "sending" write and its call (a race that this test is not about).
    let sendCalls = 0;
    const sendPart = modem.sendPart.bind(modem);
    (modem as { sendPart: typeof sendPart }).sendPart = (part) => (sendCalls++, sendPart(part));
    sim.fault.hang(60_000); // the modem takes the command and never answers (until it is reopened)
    const keys = ["stop-1", "stop-2"];
    for (const key of keys)
      await outbox.enqueue({
        idempotencyKey: key,
        to: "+4915123400001",
        text: `reminder ${key}`,
        priority: 1,
        origin: { kind: "test", requestedBy: "test" },
      });
    await waitFor(
      () => outbox.byIdempotencyKey("stop-1")?.state === "sending" && sendCalls === 1,
      "the first message at the modem",
    );

    const t0 = Date.now();
    await app.stop();
    apps.length = 0;
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(GRACE_MS - 50); // the command in flight had its grace
    expect(took).toBeLessThan(GRACE_MS + 1000);
    expect(sim.sent).toHaveLength(0);

    // After a restart on a healthy modem both accepted messages are still there and go out.
    const sim2 = new ModemSimulator({ sendLatencyMs: 5, deliveryReportDelayMs: 50 });
    const again = await createApp(configFor(dataDir), {
      simulator: sim2,
      logger: silentLogger(),
      http: false,
      mqtt: false,
    });
    apps.push(again);
    const first = again.services.outbox.byIdempotencyKey("stop-1");
    expect(first?.attempts.map((a) => a.outcome)).toEqual(["temporary"]);
    expect(first?.attempts[0]?.reason).toMatch(/cut short/);
    expect(again.services.outbox.byIdempotencyKey("stop-2")?.state).toBe("queued");
    await again.start();
    await waitFor(() => sim2.sent.length === 2, "both messages sent after the restart", 10_000);
    expect(sim2.sent.map((s) => s.text).sort()).toEqual(["reminder stop-1", "reminder stop-2"]);
  }, 30_000);

  it("lets a send that answers within the grace finish instead of cutting it short, then refuses new sends", async () => {
    const h = await startOnSimulator({ sendLatencyMs: 400 }, { ...FAST, stopGraceMs: 3000 });
    const [part] = encodeSubmit("Reminder", { to: "+4915123400010", concatReference: 1 }).parts;
    const sending = h.modem.sendPart(part!);
    const t0 = Date.now();
    await h.stop();
    expect(Date.now() - t0).toBeLessThan(2500);
    await expect(sending).resolves.toHaveProperty("reference");
    expect(h.sim.sent).toHaveLength(1);
    expect(h.modem.ready).toBe(false);
    await expect(h.modem.sendPart(part!)).rejects.toMatchObject({
      code: ErrorCode.ModemClosed,
      context: { temporary: true },
    });
  });
});
