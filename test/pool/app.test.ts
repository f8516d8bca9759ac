/**
 * The appliance with a `modems:` list: the composition root builds one driver per modem, the
 * outbox sends through each SIM, and a configuration error in the list is named by its key.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { silentLogger } from "../../src/core/log.js";
import { ModemSimulator, type ModemPool } from "../../src/modem/index.js";
import { Priority } from "../../src/outbox/index.js";
import { waitFor } from "../modem/helpers.js";

let app: App | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("modems: in the configuration", () => {
  it("starts one driver per listed modem and sends through each SIM", async () => {
    dataDir = mkdtempSync(join(tmpdir(), "duegate-pool-app-"));
    const config = validateConfig({
      gateway: { dataDir, defaultTimeZone: "UTC", companyName: "Acme Alarm", supportContact: "+49 30 1234567" },
      modems: [
        { id: "left", port: "sim", costPerPart: 0.05 },
        { id: "right", port: "sim", number: "+491709999999" },
      ],
      outbox: { sendWindow: { start: "00:00", end: "23:59" } },
      http: { listen: "127.0.0.1:0", adminPassword: "an admin password" },
    });
    const sims = [
      new ModemSimulator({ sendLatencyMs: 30, deliveryReportDelayMs: 20, ownNumber: "+491700000000" }),
      new ModemSimulator({ sendLatencyMs: 30, deliveryReportDelayMs: 20, ownNumber: "+491709999999" }),
    ];
    app = await createApp(config, { simulators: sims, logger: silentLogger(), mqtt: false });
    await app.start();
    const pool = app.services.modem as ModemPool;
    expect(pool.members.map((m) => [m.id, m.spec.number])).toEqual([
      ["left", "+491700000000"],
      ["right", "+491709999999"],
    ]);
    await waitFor(() => pool.members.every((m) => m.modem.ready), "both modems ready", 10_000);
    const n = 20;
    await app.services.outbox.enqueueMany(
      Array.from({ length: n }, (_, i) => ({
        idempotencyKey: `app-pool:${i}`,
        to: `+4915140${String(i).padStart(6, "0")}`,
        text: `Reminder ${i}`,
        priority: Priority.reminder,
        origin: { kind: "api" as const, requestedBy: "test" },
      })),
    );
    await waitFor(() => sims[0]!.sent.length + sims[1]!.sent.length === n, "every reminder on the air", 20_000);
    expect(sims[0]!.sent.length).toBeGreaterThan(0);
    expect(sims[1]!.sent.length).toBeGreaterThan(0);
    // Prometheus sees each modem by its id, over a real socket.
    await waitFor(() => app!.services.outbox.stats().partsToday === n, "parts counted", 10_000);
    const text = await (await fetch(`${app.httpUrl!}/metrics`)).text();
    expect(text).toContain(`duegate_sim_parts_today{modem="left"} ${sims[0]!.sent.length}`);
    expect(text).toContain(`duegate_sim_parts_today{modem="right"} ${sims[1]!.sent.length}`);
    expect(text).toContain('duegate_pool_modem_up{modem="left"} 1');
    expect(text).toContain('duegate_pool_modem_up{modem="right"} 1');
    expect(text).toContain('duegate_sim_in_rotation{modem="right"} 1');
  }, 30_000);

  it("refuses two modems with one id, naming the key", () => {
    expect(() =>
      validateConfig({
        modems: [
          { id: "a", port: "/dev/ttyUSB0" },
          { id: "a", port: "/dev/ttyUSB1" },
        ],
      }),
    ).toThrow(/modems\.1\.id: "a" is already the id of modems\.0/);
    expect(() =>
      validateConfig({
        modems: [
          { id: "a", port: "/dev/ttyUSB0" },
          { id: "b", port: "/dev/ttyUSB0" },
        ],
      }),
    ).toThrow(/modems\.1\.port/);
    expect(() => validateConfig({ modems: [{ id: "A B", port: "sim" }] })).toThrow(/modems\.0\.id/);
  });
});
