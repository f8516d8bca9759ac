import { midnightPolicy } from "../support/policy.js";
import { waitForValue } from "../support/wait.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { silentLogger } from "../../src/core/log.js";

/**
 * The composed appliance, as `duegate run` builds it: accounting publishes over MQTT to the
 * embedded broker, the engine reminds, the simulated modem sends and reports, a debtor asks
 * BALANCE, and every step comes back out on MQTT. No fakes: only the radio is simulated.
 */
const today = new Date().toISOString().slice(0, 10);
const plusDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const ALICE = "+4915123400001";
const BOB = "+4915123400002";

describe("the appliance end to end (MQTT in, SMS out, events back)", () => {
  let app: App;
  let client: MqttClient;
  let dataDir: string;
  let base: string;
  const received: Array<{ topic: string; payload: Record<string, unknown> }> = [];
  const sim = new ModemSimulator({ sendLatencyMs: 20, deliveryReportDelayMs: 50 });

  const waitFor = waitForValue;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "duegate-app-"));
    const config = validateConfig({
      gateway: { dataDir, id: "gw1", defaultTimeZone: "UTC" },
      modem: { port: "sim" },
      outbox: { sendWindow: { start: "00:00", end: "23:59" } },
      // One step at midnight, so that the test does not depend on the hour it runs at.
      dunning: {
        requireTrustedClock: false,
        policy: midnightPolicy(
          {
            en: "{{company}}: Hello {{firstName}}, {{amountDue}} is due today: {{paymentLink}}",
            de: "{{company}}: Hallo {{firstName}}, heute fällig: {{amountDue}}",
          },
          { en: "Reply STOP to opt out.", de: "Abmelden: STOP antworten." },
        ),
      },
      http: { listen: "127.0.0.1:0", adminPassword: "an admin password" },
      mqtt: {
        mode: "embedded",
        embedded: { host: "127.0.0.1", port: 0, username: "acct", password: "appliance-test-pass", tls: { port: 0 } },
      },
    });
    app = await createApp(config, { simulator: sim, logger: silentLogger() });
    await app.start();
    base = `duegate/gw1`;
    client = await connectAsync(`mqtt://127.0.0.1:${app.mqtt!.brokerPort}`, {
      clientId: "accounting-test",
      clean: true,
      username: "acct",
      password: "appliance-test-pass",
    });
    client.on("message", (topic, payload) => {
      try {
        received.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> });
      } catch {
        received.push({ topic, payload: { raw: payload.toString() } });
      }
    });
    await client.subscribeAsync(`${base}/#`, { qos: 1 });
  }, 60_000);

  afterAll(async () => {
    await client?.endAsync();
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("publishes a retained online status", async () => {
    const status = await waitFor("status", () => received.find((m) => m.topic === `${base}/status`));
    expect(status.payload).toMatchObject({ state: "online" });
  });

  it("turns invoices published over MQTT into reminders that the modem sends and the network delivers", async () => {
    await client.publishAsync(
      `${base}/accounts/upsert`,
      JSON.stringify([
        {
          id: "A1",
          version: 1,
          name: "Alice Example",
          phones: [ALICE],
          locale: "en-GB",
          timeZone: "UTC",
          currency: "EUR",
        },
        { id: "B1", version: 1, name: "Bob Example", phones: [BOB], locale: "de-DE", timeZone: "UTC", currency: "EUR" },
      ]),
      { qos: 1 },
    );
    await client.publishAsync(
      `${base}/invoices/upsert`,
      JSON.stringify([
        {
          id: "I1",
          version: 1,
          accountId: "A1",
          number: "R-1",
          amount: 4990,
          currency: "EUR",
          issueDate: plusDays(-20),
          dueDate: today,
          paymentLink: "https://pay.example.com/R-1",
        },
        {
          id: "I2",
          version: 1,
          accountId: "B1",
          number: "R-2",
          amount: 1250,
          currency: "EUR",
          issueDate: plusDays(-20),
          dueDate: plusDays(10),
        },
      ]),
      { qos: 1 },
    );
    await waitFor("the ledger to hold both invoices", () => app.services.ledger.invoicesOf("B1").length === 1);
    await app.services.dunning.evaluate();
    const sent = await waitFor("the reminder to leave the modem", () => sim.sent.find((s) => s.to === ALICE));
    expect(sent.text).toContain("49.90");
    expect(sim.sent.some((s) => s.to === BOB)).toBe(false); // due in 10 days: no step today
    const delivered = await waitFor("delivered on MQTT", () =>
      received.find((m) => m.topic === `${base}/message/state` && m.payload.state === "delivered"),
    );
    expect(delivered.payload).toMatchObject({ to: ALICE, origin: { kind: "dunning", accountId: "A1" } });
  });

  it("answers BALANCE to the number on file, ahead of reminders, and publishes the keyword", async () => {
    sim.injectInbound(ALICE, "balance please");
    const reply = await waitFor("the BALANCE reply", () =>
      sim.sent.find((s) => s.to === ALICE && /49[.,]90/.test(s.text) && s.text !== sim.sent[0]?.text),
    );
    expect(reply.text).toMatch(/49[.,]90/);
    const keyword = await waitFor("keyword/balance on MQTT", () =>
      received.find((m) => m.topic === `${base}/keyword/balance`),
    );
    expect(keyword.payload).toMatchObject({ keyword: "balance", accountIds: ["A1"] });
  });

  it("refuses a malformed payload with an error event naming the topic, and keeps going", async () => {
    await client.publishAsync(`${base}/invoices/upsert`, "{not json", { qos: 1 });
    const err = await waitFor("error event", () => received.find((m) => m.topic === `${base}/error`));
    expect(JSON.stringify(err.payload)).toContain("invoices/upsert");
    expect(app.services.ledger.invoicesOf("A1")).toHaveLength(1);
  });

  it("serves the API behind a login, and health and metrics without one", async () => {
    const url = app.httpUrl!;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/v1/messages`)).status).toBe(401);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/duegate_messages_total\{state="delivered"\} [1-9]/);
    expect(metrics).not.toContain(ALICE.slice(1));
  });
});
