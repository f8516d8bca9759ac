/**
 * The retained MQTT status carries each modem of the pool (state, signal, operator, credit,
 * parts today, in rotation or why not), read by an outside client from a real Mosquitto: the
 * appliance runs three simulated modems, one is taken out of rotation by its network, and the
 * status is published again with the reason, valid against its published schema.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { Value } from "@sinclair/typebox/value";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { silentLogger } from "../../src/core/log.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { Priority } from "../../src/outbox/types.js";
import { GatewayStatus } from "../../src/api/payloads.js";
import { Mosquitto, mosquittoAvailable, requireOrSkip, waitFor } from "../bridge/helpers/mosquitto.js";

const cleanup: Array<() => Promise<void>> = [];
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe("the retained MQTT status with a modem pool", () => {
  it("carries every modem's figures and is published again when one leaves the rotation", async () => {
    if (!requireOrSkip(mosquittoAvailable(), "mosquitto")) return;
    const broker = await Mosquitto.start();
    cleanup.push(() => broker.dispose());
    const dataDir = mkdtempSync(join(tmpdir(), "duegate-pool-status-"));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const config = validateConfig({
      gateway: { dataDir, id: "gw1", defaultTimeZone: "UTC" },
      modems: [
        { id: "sim1", port: "sim", limits: { partsPerDay: 300 } },
        { id: "sim2", port: "sim" },
        { id: "sim3", port: "sim", costPerPart: 0.01 },
      ],
      outbox: { sendWindow: { start: "00:00", end: "23:59" } },
      mqtt: { mode: "external", url: broker.url, reconnectPeriodMs: 200, statusIntervalMs: 1000 },
    });
    const sims = [0, 1, 2].map(() => new ModemSimulator({ sendLatencyMs: 10, deliveryReportDelayMs: 50 }));
    app = await createApp(config, { simulators: sims, logger: silentLogger(), http: false });
    await app.start();
    await waitFor("the gateway connected", () => app!.mqtt!.connected, 10_000);
    await waitFor(
      "every modem ready",
      () => app!.services.modems.list().every((m) => m.health.state === "ready"),
      10_000,
    );

    const client = mqtt.connect(broker.url, { reconnectPeriod: 0, connectTimeout: 5000 });
    cleanup.push(() => client.endAsync().then(() => undefined));
    const statuses: GatewayStatus[] = [];
    client.on("message", (_topic, payload) => statuses.push(JSON.parse(payload.toString()) as GatewayStatus));
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", reject);
    });
    await client.subscribeAsync(`${config.mqtt.baseTopic}/gw1/status`, { qos: 1 });
    // The retained one comes at once: three modems, each with the figures an operator needs.
    await waitFor("the retained status", () => statuses.length > 0, 5000);
    const first = statuses[0]!;
    expect(Value.Check(GatewayStatus, first)).toBe(true);
    expect(first.modems?.map((m) => [m.id, m.inRotation, m.health.state])).toEqual([
      ["sim1", true, "ready"],
      ["sim2", true, "ready"],
      ["sim3", true, "ready"],
    ]);
    expect(first.modems![0]).toMatchObject({
      partsToday: 0,
      limits: { perDay: 300 },
      health: { registration: "home", operator: expect.any(String), signal: { bars: expect.any(Number) } },
    });

    // The cheapest SIM takes the first message and its network refuses it (+CMS ERROR 50).
    sims[2]!.fault.cmsError(50, 1000);
    await app.services.outbox.enqueue({
      idempotencyKey: "pool-status-1",
      to: "+4917655555555",
      text: "A test",
      priority: Priority.direct,
      origin: { kind: "test", requestedBy: "test" },
    });
    await waitFor(
      "a status with sim3 out of rotation",
      () => statuses.some((s) => s.modems?.some((m) => m.id === "sim3" && !m.inRotation)),
      15_000,
    );
    const out = statuses.find((s) => s.modems?.some((m) => m.id === "sim3" && !m.inRotation))!;
    expect(Value.Check(GatewayStatus, out)).toBe(true);
    expect(out.modems!.find((m) => m.id === "sim3")).toMatchObject({
      inRotation: false,
      reason: expect.stringContaining("+CMS ERROR 50"),
      retryAt: expect.any(Number),
    });
    // Parts today follow the sends (refreshed every mqtt.statusIntervalMs): the message went out through another SIM.
    await waitFor(
      "a status with the part counted",
      () => statuses.some((s) => (s.modems ?? []).reduce((n, m) => n + m.partsToday, 0) === 1),
      15_000,
    );
  }, 60_000);
});
