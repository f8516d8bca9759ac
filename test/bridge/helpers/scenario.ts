/**
 * The accounting server's end-to-end scenario (docs/mqtt.md), run against Mosquitto and against the embedded broker:
 * 10,000 invoices published in batches by an "accounting server" client, the broker
 * stopped mid-way and started again, and events emitted all along (some while the broker
 * is down). Every invoice must be stored exactly once and every event delivered, in order.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { validateConfig } from "../../../src/config/load.js";
import { MqttBridge } from "../../../src/bridge/bridge.js";
import { FileJournal } from "../../../src/store/event-journal.js";
import type { OutgoingEvent } from "../../../src/bridge/publisher.js";
import type { Config } from "../../../src/config/schema.js";
import type { MessageStateEvent } from "../../../src/api/events.js";
import { account, invoice, testServices } from "./services.js";
import { waitFor } from "./mosquitto.js";

export interface ScenarioOptions {
  mqtt: Partial<Config["mqtt"]>;
  /** The broker URL the accounting client uses; read after the bridge started. */
  clientUrl: (bridge: MqttBridge) => string;
  restartBroker: (bridge: MqttBridge) => Promise<void>;
  invoices?: number;
  batch?: number;
  accounts?: number;
}

export interface ScenarioResult {
  storedInvoices: number;
  invoiceEventsPerId: Map<string, number>;
  eventsEmitted: number;
  eventsReceived: MessageStateEvent[];
  duplicatesDropped: number;
  clientUsername?: string;
}

export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const total = o.invoices ?? 10_000;
  const batch = o.batch ?? 100;
  const accounts = o.accounts ?? 100;
  const s = await testServices();
  const journal = await FileJournal.open<OutgoingEvent>(
    join(mkdtempSync(join(tmpdir(), "duegate-journal-")), "mqtt-outgoing.jsonl"),
    { clock: s.clock, logger: s.logger, coalesceMs: 50 },
  );
  const config = { mqtt: { ...validateConfig({}).mqtt, reconnectPeriodMs: 200, ...o.mqtt }, gateway: { id: "gw1" } };
  const bridge = new MqttBridge({ services: s, config, journal });
  const perInvoice = new Map<string, number>();
  const errors: string[] = [];
  s.bus.on("input.error", "test", (e) => void errors.push(`${e.where} ${e.field ?? ""} ${e.message}`));
  s.bus.on("ledger.changed", "test", (e) => {
    if (e.kind === "invoice") perInvoice.set(e.id, (perInvoice.get(e.id) ?? 0) + 1);
  });
  await bridge.start();

  const received: MessageStateEvent[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const client = await mqtt.connectAsync(o.clientUrl(bridge), {
    clientId: "accounting-server",
    clean: false,
    reconnectPeriod: 200,
    ...(config.mqtt.embedded.username
      ? { username: config.mqtt.embedded.username, password: config.mqtt.embedded.password }
      : {}),
  });
  client.on("message", (topic, payload) => {
    if (!topic.endsWith("/message/state")) return;
    const e = JSON.parse(payload.toString()) as MessageStateEvent & { eventId: string };
    if (seen.has(e.eventId)) return void duplicates++;
    seen.add(e.eventId);
    received.push(e);
  });
  await client.subscribeAsync({ "duegate/gw1/message/state": { qos: 1 } });
  await waitFor("the gateway to connect", () => bridge.connected, 10_000);

  let emitted = 0;
  const emit = (): void => {
    emitted++;
    s.bus.emit("message.state", {
      id: `m${emitted}`,
      idempotencyKey: `k${emitted}`,
      state: "queued",
      to: "+4917600000000",
      origin: { kind: "test" },
      parts: 1,
      at: emitted,
    });
  };

  const accountBatch = Array.from({ length: accounts }, (_, i) => account(i));
  await client.publishAsync("duegate/gw1/accounts/upsert", JSON.stringify(accountBatch), { qos: 1 });
  await waitFor("accounts stored", () => s.ledger.listAccounts({ limit: 1 }).total === accounts, 20_000);

  const batches = Math.ceil(total / batch);
  if (process.env.DEBUG_SCENARIO) console.log("publishing", batches);
  let restart: Promise<void> | undefined;
  const pubacks: Array<Promise<unknown>> = [];
  for (let b = 0; b < batches; b++) {
    const items = Array.from({ length: Math.min(batch, total - b * batch) }, (_, k) =>
      invoice(b * batch + k, accounts),
    );
    pubacks.push(client.publishAsync("duegate/gw1/invoices/upsert", JSON.stringify(items), { qos: 1 }));
    emit();
    if (b === Math.floor(batches / 2)) {
      restart = o.restartBroker(bridge);
      // Events emitted while the broker is going away and away: kept, sent after reconnect.
      for (let k = 0; k < 20; k++) emit();
      await new Promise((r) => setTimeout(r, 100));
    }
    if (b % 10 === 9) await new Promise((r) => setTimeout(r, 5));
  }
  await restart;
  for (let k = 0; k < 10; k++) emit();
  await Promise.all(pubacks);
  await waitFor("every invoice stored", () => perInvoice.size === total, 60_000, 50).catch((e: Error) => {
    throw new Error(`${e.message}: ${perInvoice.size} of ${total} stored; errors: ${errors.slice(0, 3).join("; ")}`);
  });
  await waitFor("every event delivered", () => received.length === emitted, 30_000, 50).catch((e: Error) => {
    const got = new Set(received.map((r) => r.at));
    const missing = Array.from({ length: emitted }, (_, i) => i + 1).filter((n) => !got.has(n));
    throw new Error(
      `${e.message}: ${received.length} of ${emitted} received, ${duplicates} duplicates dropped, missing ${missing.join(",")}`,
    );
  });
  await client.endAsync();
  await bridge.stop();
  await journal.close();
  const storedInvoices = [...perInvoice.keys()].filter((id) => s.ledger.invoice(id) !== undefined).length;
  await s.ledger.close();
  return {
    storedInvoices,
    invoiceEventsPerId: perInvoice,
    eventsEmitted: emitted,
    eventsReceived: received,
    duplicatesDropped: duplicates,
  };
}
