import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { createApp, type App } from "../../src/app.js";
import { loadConfig, validateConfig } from "../../src/config/load.js";
import { overlayPath } from "../../src/config/overlay.js";
import { silentLogger } from "../../src/core/log.js";
import { ModemSimulator } from "../../src/modem/index.js";

/** App.reconfigure: what the panel's PATCH /api/v1/settings calls. */
describe("settings changed in the panel, on the running appliance", () => {
  let app: App;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "duegate-reconf-"));
    const config = validateConfig({
      gateway: { dataDir, id: "gw1" },
      modem: { port: "sim" },
      dunning: { requireTrustedClock: false },
      mqtt: {
        mode: "embedded",
        embedded: { host: "127.0.0.1", port: 0, username: "acct", password: "reconfigure-test-pass", tls: { port: 0 } },
      },
    });
    app = await createApp(config, {
      simulator: new ModemSimulator({ sendLatencyMs: 5 }),
      logger: silentLogger(),
      http: false,
    });
    await app.start();
  }, 30_000);
  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("puts company details and keyword options in force at once, with nothing waiting for a restart", async () => {
    const r = await app.reconfigure(
      { "gateway.companyName": "Acme Security", "dunning.graceDays": 4, "inbound.unknownKeywordHelp": true },
      "test",
    );
    expect(r).toEqual({
      ok: true,
      changed: ["gateway.companyName", "dunning.graceDays", "inbound.unknownKeywordHelp"],
      restartRequired: [],
    });
    expect(app.services.dunning.preview({ template: "{{company}} says hi" }).text).toMatch(
      /^Acme Security says hi Reply STOP/,
    );
    expect((await app.reconfigure({ "dunning.appendOptOutLine": false })).ok).toBe(true);
    expect(app.services.dunning.preview({ template: "{{company}} says hi" }).text).toBe("Acme Security says hi");
    expect(app.services.config.dunning.graceDays).toBe(4);
    // saved, and read back by the next start (file < overlay)
    expect(readFileSync(overlayPath(dataDir), "utf8")).toContain("Acme Security");
    expect(loadConfig({ env: {}, overrides: { "gateway.dataDir": dataDir } }).config.gateway.companyName).toBe(
      "Acme Security",
    );
  });

  it("refuses an invalid change per field and leaves everything as it was", async () => {
    const r = await app.reconfigure({ "outbox.limits.perMinute": -1, "outbox.sendWindow.start": "07:00" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.field)).toEqual(["outbox.limits.perMinute"]);
    expect(app.services.config.outbox.sendWindow.start).toBe("08:00");
    expect(readFileSync(overlayPath(dataDir), "utf8")).not.toContain("07:00");
  });

  it("restarts the MQTT bridge with a new base topic", async () => {
    const before = app.mqtt;
    const r = await app.reconfigure({ "mqtt.baseTopic": "office" });
    expect(r.ok).toBe(true);
    expect(app.mqtt).not.toBe(before);
    const client = await connectAsync(`mqtt://127.0.0.1:${app.mqtt!.brokerPort}`, {
      clientId: "reconf-test",
      username: "acct",
      password: "reconfigure-test-pass",
    });
    try {
      const status = new Promise<string>((resolve) => client.on("message", (topic) => resolve(topic)));
      await client.subscribeAsync("office/gw1/status", { qos: 1 });
      expect(
        await Promise.race([status, new Promise((r) => setTimeout(() => r("no retained status in 5 s"), 5000))]),
      ).toBe("office/gw1/status");
    } finally {
      await client.endAsync();
    }
  }, 20_000);
});
