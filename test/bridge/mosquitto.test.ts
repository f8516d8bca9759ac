import { describe, expect, it } from "vitest";
import { Mosquitto, freePort, mosquittoAvailable, requireOrSkip } from "./helpers/mosquitto.js";
import { runScenario } from "./helpers/scenario.js";

const run = requireOrSkip(mosquittoAvailable(), "/usr/sbin/mosquitto");

describe.runIf(run)("MQTT bridge against a real Mosquitto", () => {
  it("stores 10,000 invoices exactly once and delivers every event in order across a broker restart", async () => {
    const broker = new Mosquitto(await freePort());
    await broker.start();
    try {
      const r = await runScenario({
        mqtt: { mode: "external", url: broker.url },
        clientUrl: () => broker.url,
        restartBroker: async () => {
          await broker.stop("SIGTERM");
          await new Promise((res) => setTimeout(res, 500));
          await broker.start();
        },
      });
      expect(r.storedInvoices).toBe(10_000);
      expect([...r.invoiceEventsPerId.values()].every((n) => n === 1)).toBe(true);
      expect(r.eventsReceived.length).toBe(r.eventsEmitted);
      expect(r.eventsReceived.map((e) => e.at)).toEqual(Array.from({ length: r.eventsEmitted }, (_, i) => i + 1));
    } finally {
      await broker.stop();
    }
  }, 150_000);
});
