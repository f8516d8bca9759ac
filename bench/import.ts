/**
 * npm run bench:import — a bulk import of ROWS (default 80,000) accounts as one CSV into the
 * real appliance (createApp, default configuration, simulated modem, MQTT off, HTTP on a
 * loopback port), sent by a client in another process as the accounting server would.
 * Measured in the appliance's process while the import runs: the longest event-loop stall
 * (perf_hooks.monitorEventLoopDelay: what every other request, the panel's live feed and the
 * modem's timers wait at worst) and the peak resident memory, against the unit's
 * MemoryMax=384M (systemd/duegate.service). Last line: one JSON object.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { request } from "node:http";
import { Readable } from "node:stream";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const ROWS = Number(process.env.ROWS ?? 80_000);
const MEMORY_MAX_MB = 384;

/** One account per row, with a phone number, tags and a note: a realistic width (~110 bytes). */
function* csvLines(rows: number, prefix: string): Generator<string> {
  yield "id,version,name,phones,locale,currency,segment,tags,notes\n";
  for (let i = 0; i < rows; i++) {
    const n = String(10_000_000 + i);
    yield `${prefix}-${i},1,Customer ${i} Example GmbH,+49151${n},de-DE,EUR,retail,bench;import,imported by the bench\n`;
  }
}

// The accounting server is another process: its CSV and buffers are not the appliance's.
if (process.argv[2] === "--client") {
  const [url, key, warmup] = [process.argv[3]!, process.argv[4]!, process.argv[5] === "--warmup"];
  const started = performance.now();
  const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
    const req = request(
      `${url}/api/v1/import/accounts`,
      { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ code: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    // Chunks of ~64 KiB, as a file upload arrives.
    Readable.from(batched(csvLines(warmup ? 2000 : ROWS, warmup ? "WARM" : "ACC"), 600)).pipe(req);
  });
  process.stdout.write(JSON.stringify({ ...status, seconds: (performance.now() - started) / 1000 }) + "\n");
  process.exit(0);
}

async function runClient(args: string[]): Promise<string> {
  const client = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: process.env,
  });
  let out = "";
  client.stdout.on("data", (c: Buffer) => (out += c.toString()));
  await new Promise<void>((resolve) => client.on("exit", () => resolve()));
  return out;
}

function* batched(lines: Iterable<string>, n: number): Generator<string> {
  let buf: string[] = [];
  for (const l of lines) {
    buf.push(l);
    if (buf.length >= n) {
      yield buf.join("");
      buf = [];
    }
  }
  if (buf.length) yield buf.join("");
}

const { createApp } = await import("../src/app.js");
const { validateConfig } = await import("../src/config/load.js");
const { silentLogger } = await import("../src/core/log.js");

const dataDir = mkdtempSync(join(tmpdir(), "duegate-bench-import-"));
const config = validateConfig({
  gateway: { dataDir },
  modem: { port: "sim" },
  mqtt: { mode: "off" },
  http: { listen: "127.0.0.1:0", adminPassword: "bench admin password" },
});
const app = await createApp(config, { logger: silentLogger() });
await app.start();
const key = (await app.services.auth.createApiKey("bench", ["read", "write"])).key;

// A small import first, not measured: the first request loads and compiles what a cold process
// has not used yet (tsx's loader most of all); the figures are the appliance's steady state.
await runClient(["--client", app.httpUrl!, key, "--warmup"]);

const lag = monitorEventLoopDelay({ resolution: 10 });
// The longest garbage collection: a stall of the loop that is the heap's, not the import's code.
let maxGcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) maxGcMs = Math.max(maxGcMs, e.duration);
});
gcObserver.observe({ entryTypes: ["gc"] });
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const rssBefore = process.memoryUsage().rss;
lag.enable();
const out = await runClient(["--client", app.httpUrl!, key]);
lag.disable();
gcObserver.disconnect();
clearInterval(sampler);

const answer = JSON.parse(out.trim().split("\n").pop() ?? "{}") as { code: number; body: string; seconds: number };
const report =
  answer.code === 200
    ? (JSON.parse(answer.body) as { received: number; stored: number; refused: unknown[] })
    : undefined;
const stored = app.services.ledger.listAccounts({ search: "ACC-", limit: 1 }).total;
await app.stop();
rmSync(dataDir, { recursive: true, force: true });

const result = {
  bench: "import",
  rows: ROWS,
  status: answer.code,
  stored,
  refused: report?.refused.length ?? null,
  seconds: Number(answer.seconds.toFixed(2)),
  rows_per_s: Math.round(ROWS / answer.seconds),
  max_event_loop_lag_ms: Number((lag.max / 1e6).toFixed(1)),
  p99_event_loop_lag_ms: Number((lag.percentile(99) / 1e6).toFixed(1)),
  max_gc_pause_ms: Number(maxGcMs.toFixed(1)),
  rss_before_mb: Math.round(rssBefore / 1048576),
  peak_rss_mb: Math.round(peakRss / 1048576),
  memory_max_mb: MEMORY_MAX_MB,
};
if (answer.code !== 200) console.error(`the import answered ${answer.code}: ${answer.body.slice(0, 300)}`);
console.log(
  `${result.rows_per_s} rows/s; event loop stalled ${result.max_event_loop_lag_ms} ms at worst (p99 ${result.p99_event_loop_lag_ms} ms); peak rss ${result.peak_rss_mb} MB of ${MEMORY_MAX_MB} MB`,
);
console.log(JSON.stringify(result));
process.exitCode = answer.code === 200 && stored === ROWS ? 0 : 1;
