import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { freePort } from "./helpers/mosquitto.js";
import { runScenario } from "./helpers/scenario.js";
import { EmbeddedBroker } from "../../src/bridge/broker.js";
import { silentLogger } from "../../src/core/log.js";

describe("MQTT bridge through the embedded broker", () => {
  it("stores 10,000 invoices exactly once and delivers every event in order across a broker restart", async () => {
    const port = await freePort();
    const r = await runScenario({
      mqtt: { mode: "embedded", embedded: { host: "127.0.0.1", port, username: "acct", password: "s3cret" } },
      clientUrl: () => `mqtt://127.0.0.1:${port}`,
      restartBroker: async (bridge) => {
        const broker = bridge.embeddedBroker!;
        await broker.stop();
        await new Promise((res) => setTimeout(res, 300));
        await broker.start();
      },
    });
    expect(r.storedInvoices).toBe(10_000);
    expect([...r.invoiceEventsPerId.values()].every((n) => n === 1)).toBe(true);
    expect(r.eventsReceived.map((e) => e.at)).toEqual(Array.from({ length: r.eventsEmitted }, (_, i) => i + 1));
  }, 150_000);

  it("refuses a client with the wrong password", async () => {
    const port = await freePort();
    const broker = new EmbeddedBroker({ host: "127.0.0.1", port, username: "acct", password: "s3cret", logger: silentLogger() });
    await broker.start();
    try {
      await expect(mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: "acct", password: "wrong", reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow(/Bad username or password|Not authorized/i);
      const ok = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: "acct", password: "s3cret", reconnectPeriod: 0 });
      expect(ok.connected).toBe(true);
      await ok.endAsync();
    } finally {
      await broker.stop();
    }
  });
});
