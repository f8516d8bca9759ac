/**
 * npm run bench:ingest — invoices durably acknowledged per second over MQTT QoS 1 against
 * a real Mosquitto, and the resident memory with 100,000 invoices stored.
 * An "accounting server" client publishes batches; the gateway (MqttBridge with the real
 * Ledger on a temp dir) acknowledges each message after the ledger's durable write; we
 * count invoices when that write resolved. Targets: invoices_per_s >= 2000, rss_mb <= 250.
 *
 * Where the gateway runs (GATEWAY=, printed as "gateway" in the result):
 * - "dist" (default when dist/ is built): a child process, plain `node --expose-gc` on the
 *   compiled JS (bench/ingest-gateway.mjs importing dist/), as the appliance runs it. Its
 *   rss is the service's. Run `npm run build` first: a dist older than src is reported on
 *   stderr, since it would measure old code.
 * - "tsx": in this process under tsx, as this bench first did. tsx's loader and the
 *   transpiled sources add some 50 MB of rss that the appliance does not carry.
 * The publisher is always another process, as in the field. rss is read after a full GC
 * and 2.5 s of quiet (the ledger's writes and any background compaction settle).
 * Last line: one JSON object.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { loadavg } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { Mosquitto, freePort, mosquittoAvailable, waitFor } from "../test/bridge/helpers/mosquitto.js";
import { testServices, account, invoice } from "../test/bridge/helpers/services.js";
import { MqttBridge } from "../src/bridge/bridge.js";
import { FileJournal } from "../src/store/event-journal.js";
import type { OutgoingEvent } from "../src/bridge/publisher.js";
import { validateConfig } from "../src/config/load.js";

const TOTAL = Number(process.env.INVOICES ?? 100_000);
const BATCH = Number(process.env.BATCH ?? 5000);
const ACCOUNTS = 1000;

// The accounting server is another process, as in the field: its buffers are not the gateway's.
if (process.argv[2] === "--publisher") {
  const url = process.argv[3]!;
  const client = await mqtt.connectAsync(url, { clientId: "bench-accounting", clean: true });
  const acks: Array<Promise<unknown>> = [];
  for (let b = 0; b < Math.ceil(TOTAL / BATCH); b++) {
    const items = Array.from({ length: Math.min(BATCH, TOTAL - b * BATCH) }, (_, k) =>
      invoice(b * BATCH + k, ACCOUNTS),
    );
    acks.push(client.publishAsync("duegate/gw1/invoices/upsert", JSON.stringify(items), { qos: 1 }));
  }
  await Promise.all(acks);
  if (process.env.DEBUG_SCENARIO) console.error("publisher: all acknowledged by the broker");
  await client.endAsync();
  process.exit(0);
}

// rss is read after a full GC: re-run with --expose-gc when started plainly (npm run bench:ingest).
if (typeof (globalThis as { gc?: unknown }).gc !== "function") {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url)], {
    stdio: "inherit",
    env: process.env,
  });
  child.on("exit", (code) => process.exit(code ?? 1));
} else {
  if (!mosquittoAvailable()) {
    console.error("bench:ingest needs /usr/sbin/mosquitto");
    process.exit(1);
  }

  const broker = new Mosquitto(await freePort());
  await broker.start();
  const dataDir = mkdtempSync(join(tmpdir(), "duegate-bench-ingest-"));
  const root = fileURLToPath(new URL("..", import.meta.url));
  const built = join(root, "dist/src/bridge/bridge.js");
  const GATEWAY = process.env.GATEWAY ?? (existsSync(built) ? "dist" : "tsx");
  const load = () => loadavg().map((x) => Number(x.toFixed(2)));
  const loadBefore = load();

  if (GATEWAY === "dist") {
    if (!existsSync(built)) {
      console.error("GATEWAY=dist needs the compiled code: npm run build");
      process.exit(1);
    }
    for (const f of ["ledger/ledger.ts", "store/record-log.ts", "bridge/bridge.ts", "bridge/ingest.ts"]) {
      const js = join(root, "dist/src", f.replace(/\.ts$/, ".js"));
      if (!existsSync(js) || statSync(js).mtimeMs < statSync(join(root, "src", f)).mtimeMs)
        console.error(`warning: dist is older than src/${f}: npm run build, or this measures old code`);
    }
    const gw = spawn(
      process.execPath,
      [
        "--expose-gc",
        join(root, "bench/ingest-gateway.mjs"),
        broker.url,
        dataDir,
        String(TOTAL),
        String(BATCH),
        String(ACCOUNTS),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const lines = createInterface({ input: gw.stdout! })[Symbol.asyncIterator]();
    const next = async (): Promise<string> => {
      const r = await lines.next();
      if (r.done) throw new Error("the gateway process ended early");
      return r.value;
    };
    while ((await next()) !== "ready");
    const publisher = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--publisher", broker.url],
      { stdio: "inherit", env: process.env },
    );
    const g = JSON.parse(await next()) as { seconds: number; rss: number; heapUsed: number; stored: number };
    await new Promise((r) => (publisher.exitCode !== null ? r(null) : publisher.once("exit", r)));
    await broker.stop();
    rmSync(dataDir, { recursive: true, force: true });
    const result = {
      bench: "ingest",
      gateway: "dist",
      invoices: TOTAL,
      batch: BATCH,
      stored: g.stored,
      seconds: Number(g.seconds.toFixed(2)),
      invoices_per_s: Math.round(TOTAL / g.seconds),
      rss_mb: Number((g.rss / 1048576).toFixed(1)),
      heap_used_mb: Number((g.heapUsed / 1048576).toFixed(1)),
      loadavg_before: loadBefore,
      loadavg_after: load(),
      targets: { invoices_per_s: 2000, rss_mb: 250 },
    };
    console.log(
      `${result.invoices_per_s} invoices/s durably acknowledged over MQTT QoS 1 (batches of ${BATCH}); gateway on compiled JS: rss ${result.rss_mb} MB (heap ${result.heap_used_mb} MB) with ${g.stored} invoices stored`,
    );
    console.log(JSON.stringify(result));
    process.exit(0);
  }

  const s = await testServices(dataDir);
  let durable = 0;
  const upsert = s.ledger.upsertInvoices.bind(s.ledger);
  let t0 = 0;
  s.ledger.upsertInvoices = async (input) => {
    // The clock starts with the first batch received, not with the publisher process's start-up.
    if (t0 === 0) t0 = performance.now();
    const r = await upsert(input);
    durable += r.applied.length + r.unchanged.length;
    return r;
  };
  const journal = await FileJournal.open<OutgoingEvent>(join(dataDir, "mqtt-outgoing.jsonl"), {
    clock: s.clock,
    logger: s.logger,
  });
  const bridge = new MqttBridge({
    services: s,
    config: {
      mqtt: { ...validateConfig({}).mqtt, mode: "external", url: broker.url, maxBatch: BATCH },
      gateway: { id: "gw1" },
    },
    journal,
  });
  await bridge.start();
  await waitFor("gateway connected", () => bridge.connected, 10_000);
  await s.ledger.upsertAccounts(Array.from({ length: ACCOUNTS }, (_, i) => account(i)));
  if (process.env.DEBUG_SCENARIO) console.error("accounts stored; starting the publisher");
  s.bus.on("input.error", "bench", (e) => console.error("refused", e.where, e.field, e.message));

  if (process.env.DEBUG_SCENARIO)
    setInterval(() => console.error("durable", durable, "stored", s.ledger.stats().invoices), 2000).unref();
  const publisher = spawn(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--publisher", broker.url],
    { stdio: "inherit", env: process.env },
  );
  const publisherExited = new Promise((r) => publisher.once("exit", r));
  await waitFor("all invoices durably stored", () => durable >= TOTAL, 600_000, 20);
  const seconds = (performance.now() - t0) / 1000;
  await publisherExited;
  // Steady state with everything stored: after a full GC and the ledger's coalesced write.
  await new Promise((r) => setTimeout(r, 2500));
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const rssMb = mem.rss / 1024 / 1024;
  const stored = s.ledger.stats().invoices;
  await bridge.stop();
  await journal.close();
  await s.ledger.close();
  await broker.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const result = {
    bench: "ingest",
    gateway: "tsx",
    invoices: TOTAL,
    batch: BATCH,
    stored,
    seconds: Number(seconds.toFixed(2)),
    invoices_per_s: Math.round(TOTAL / seconds),
    rss_mb: Number(rssMb.toFixed(1)),
    heap_used_mb: Number((mem.heapUsed / 1024 / 1024).toFixed(1)),
    loadavg_before: loadBefore,
    loadavg_after: load(),
    targets: { invoices_per_s: 2000, rss_mb: 250 },
  };
  console.log(
    `${result.invoices_per_s} invoices/s durably acknowledged over MQTT QoS 1 (batches of ${BATCH}); gateway under tsx: rss ${result.rss_mb} MB (heap ${result.heap_used_mb} MB) with ${stored} invoices stored`,
  );
  console.log(JSON.stringify(result));
  process.exit(0);
}
