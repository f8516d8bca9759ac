/**
 * The gateway side of bench/ingest.ts as the appliance runs it: plain node on the compiled
 * JavaScript in dist/ (npm run build), no tsx loader in the process. It is plain JS so that
 * nothing in this process is transpiled on the fly. Same wiring as the in-process mode:
 * the real Ledger on a temp dir, MqttBridge against the broker, small fakes for the outbox,
 * the modem and dunning (they hold nothing during ingest). Prints "ready" when it can take
 * invoices, then one JSON line with its figures. Args: brokerUrl dataDir total batch accounts.
 */
import { EventBus } from "../dist/src/core/bus.js";
import { systemClock } from "../dist/src/core/clock.js";
import { silentLogger } from "../dist/src/core/log.js";
import { Ledger } from "../dist/src/ledger/index.js";
import { MqttBridge } from "../dist/src/bridge/bridge.js";
import { FileJournal } from "../dist/src/store/event-journal.js";
import { validateConfig } from "../dist/src/config/load.js";
import { join } from "node:path";

const [url, dataDir, totalArg, batchArg, accountsArg] = process.argv.slice(2);
const TOTAL = Number(totalArg);
const BATCH = Number(batchArg);
const ACCOUNTS = Number(accountsArg);
const clock = systemClock;
const bus = new EventBus();
const logger = silentLogger();
const config = validateConfig({});
const ledger = await Ledger.open({
  dataDir,
  clock,
  bus,
  logger,
  defaults: { region: "DE", locale: "de-DE", currency: "EUR", timeZone: "Europe/Berlin" },
  journal: { compactMinBytes: config.storage.ledgerCompactMinBytes, compactRatio: config.storage.ledgerCompactRatio },
});
const services = {
  clock,
  bus,
  logger,
  ledger,
  outbox: {
    enqueue: async () => {
      throw new Error("not in this bench");
    },
    cancel: async () => ({ cancelled: [], notCancellable: [] }),
    get: () => undefined,
    byIdempotencyKey: () => undefined,
    stats: () => ({ queued: 0, sending: 0, submitted: 0 }),
  },
  modem: { health: () => ({ state: "ready", signal: { rssi: 20, bars: 4 }, registration: "home", at: clock.now() }) },
  dunning: { forecast: (days) => [{ days }] },
  version: "bench",
  startedAt: clock.now(),
};
let durable = 0;
let t0 = 0;
const upsert = ledger.upsertInvoices.bind(ledger);
ledger.upsertInvoices = async (input) => {
  if (t0 === 0) t0 = performance.now();
  const r = await upsert(input);
  durable += r.applied.length + r.unchanged.length;
  return r;
};
const journal = await FileJournal.open(join(dataDir, "mqtt-outgoing.jsonl"), { clock, logger });
const bridge = new MqttBridge({
  services,
  config: { mqtt: { ...config.mqtt, mode: "external", url, maxBatch: BATCH }, gateway: { id: "gw1" } },
  journal,
});
await bridge.start();
for (let i = 0; i < 400 && !bridge.connected; i++) await new Promise((r) => setTimeout(r, 25));
if (!bridge.connected) throw new Error("gateway did not connect to the broker within 10 s");
await ledger.upsertAccounts(
  Array.from({ length: ACCOUNTS }, (_, i) => ({
    id: `A${i}`,
    version: 1,
    name: `Customer ${i}`,
    phones: [`+4917612${String(i).padStart(5, "0")}`],
  })),
);
process.stdout.write("ready\n");
const deadline = Date.now() + 600_000;
while (durable < TOTAL && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const seconds = (performance.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 2500));
globalThis.gc?.();
const mem = process.memoryUsage();
const stored = ledger.stats().invoices;
await bridge.stop();
await journal.close();
await ledger.close();
process.stdout.write(JSON.stringify({ seconds, rss: mem.rss, heapUsed: mem.heapUsed, stored, durable }) + "\n");
process.exit(0);
