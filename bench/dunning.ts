/**
 * bench:dunning: one full evaluation of 100,000 open invoices over 50,000 accounts, and the
 * resident memory of the process with that ledger loaded. Targets: evaluate_ms <= 1000,
 * rss_mb <= 250. Last line: one JSON object.
 *
 * The outbox is an in-memory stand-in by default (CountingOutbox below): evaluate_ms is the
 * engine's own cost (plan, record, render, hand over). BENCH_OUTBOX=real uses the real
 * durable Outbox in a temporary directory instead: the engine hands reminders over in batches
 * (Outbox.enqueueMany, 500 at a time), each message still its own file (written side by side,
 * one directory fsync and one key append per batch); the figure then includes that disk time.
 *
 * The step memory is always on disk (a record log in a temporary directory, as on the
 * appliance): bytes_written_per_reminder is what the engine writes for its own memory per
 * reminder, for the first evaluation and again once 40,000 steps are recorded (it must not
 * grow with them).
 */
import v8 from "node:v8";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { ManualClock } from "../src/core/clock.js";
import { EventBus } from "../src/core/bus.js";
import { silentLogger } from "../src/core/log.js";
import type { DomainEvents } from "../src/api/events.js";
import type { EnqueueOutcome, EnqueueRequest, EnqueueResult, OutboxMessage, OutboxPort } from "../src/outbox/types.js";
import { Ledger } from "../src/ledger/ledger.js";
import { memoryDocuments, type OpenDocument } from "../src/ledger/ports.js";
import { defaultJournalOptions, recordDocuments } from "../src/ledger/record-documents.js";
import { STEP_MEMORY_COLLECTIONS } from "../src/dunning/step-memory.js";
import { storeIoStats } from "../src/store/io-stats.js";
import type { AccountInput, InvoiceInput } from "../src/ledger/types.js";
import { addDays, localNow } from "../src/core/calendar.js";
import { DunningEngine } from "../src/dunning/engine.js";
import { CronScheduler } from "../src/system/scheduler.js";
import { SystemClockTrust } from "../src/system/clock-trust.js";
import type { Config } from "../src/config/schema.js";

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 50_000);
const INVOICES = Number(process.env.BENCH_INVOICES ?? 100_000);

/** Keeps what a real outbox would have to keep per message, no more. */
class CountingOutbox implements OutboxPort {
  private readonly byKey = new Map<string, OutboxMessage>();
  enqueued = 0;
  parts = 0;
  async enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    const existing = this.byKey.get(req.idempotencyKey);
    if (existing) return { status: "duplicate", message: existing };
    const message = { id: `m${++this.enqueued}`, idempotencyKey: req.idempotencyKey, state: "queued" } as OutboxMessage;
    this.byKey.set(req.idempotencyKey, message);
    this.parts += Math.ceil(req.text.length / 153);
    return { status: "queued", message };
  }
  async enqueueMany(reqs: readonly EnqueueRequest[]): Promise<EnqueueOutcome[]> {
    const out: EnqueueOutcome[] = [];
    for (const req of reqs) out.push(await this.enqueue(req));
    return out;
  }
  async cancel(): Promise<{ cancelled: string[]; notCancellable: [] }> {
    return { cancelled: [], notCancellable: [] };
  }
  get(): OutboxMessage | undefined {
    return undefined;
  }
  byIdempotencyKey(key: string): OutboxMessage | undefined {
    return this.byKey.get(key);
  }
}

/** A forced collection before each reading, so that RSS counts what is kept, not garbage awaiting a GC. */
function collector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function rssMb(): number {
  const gc = collector();
  if (gc) for (let i = 0; i < 3; i++) gc();
  if (process.env.BENCH_VERBOSE)
    console.log(
      JSON.stringify(
        Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)])),
      ),
    );
  return Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;
}

async function main(): Promise<void> {
  const rssStart = rssMb();
  const clock = new ManualClock(Date.UTC(2026, 5, 15, 10, 0));
  const bus = new EventBus<DomainEvents>();
  const logger = silentLogger();
  const docs = memoryDocuments();
  const ledger = await Ledger.open({
    dataDir: "/nonexistent",
    clock,
    bus,
    logger,
    defaults: { region: "DE", locale: "de-DE", currency: "EUR", timeZone: "Europe/Berlin" },
    openDocument: docs,
  });
  const today = localNow(clock.now(), "Europe/Berlin").date;
  const segments = [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    "vip",
    "strict",
    "exempt",
    undefined,
  ];
  const locales = ["de-DE", "en-GB", "fr-FR"];
  const t0 = performance.now();
  const BATCH = 5000;
  for (let i = 0; i < ACCOUNTS; i += BATCH) {
    const batch = [];
    for (let k = i; k < Math.min(ACCOUNTS, i + BATCH); k++)
      batch.push({
        id: `A${k}`,
        version: 1,
        name: `Kundin Nummer ${k}`,
        phones: [`+4917${String(20_000_000 + k)}`],
        locale: locales[k % 3],
        timeZone: "Europe/Berlin",
        ...(segments[k % 10] ? { segment: segments[k % 10] } : {}),
        tags: k % 7 === 0 ? ["business"] : [],
      });
    // Through JSON, as the adapters hand it over (flat strings, not the ropes template literals make).
    await ledger.upsertAccounts(JSON.parse(JSON.stringify(batch)) as AccountInput[]);
  }
  let seed = 42;
  const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < INVOICES; i += BATCH) {
    const batch = [];
    for (let k = i; k < Math.min(INVOICES, i + BATCH); k++) {
      const due = addDays(today, Math.floor(rand() * 90) - 60);
      const amount = 1_000 + Math.floor(rand() * 50_000);
      batch.push({
        id: `I${k}`,
        version: 1,
        accountId: `A${k % ACCOUNTS}`,
        number: `RE-2026-${k}`,
        amount,
        issueDate: addDays(due, -14),
        dueDate: due,
        directDebit: k % 5 === 0,
        paymentLink: `https://pay.example.com/i/${k}`,
      });
    }
    await ledger.upsertInvoices(JSON.parse(JSON.stringify(batch)) as InvoiceInput[]);
  }
  const loadMs = Math.round(performance.now() - t0);
  const stats = ledger.stats();
  const rssLoaded = rssMb();

  const realOutbox = process.env.BENCH_OUTBOX === "real";
  const outboxDir = realOutbox ? await mkdtemp(join(tmpdir(), "duegate-bench-dunning-")) : undefined;
  // Imported only when asked for: the outbox's modules (codec, luxon, phone numbers) would count in rss_mb.
  const real = outboxDir
    ? {
        ...(await import("../src/outbox/index.js")),
        ...(await import("../src/config/sections/outbox.js")),
        ...(await import("@sinclair/typebox/value")),
      }
    : undefined;
  const outbox: OutboxPort & { stop?: () => Promise<void> } =
    outboxDir && real
      ? await real.Outbox.open({
          dataDir: outboxDir,
          clock,
          bus,
          logger,
          config: real.Value.Default(real.OutboxSection, {}) as Config["outbox"],
          modemConfig: {
            statusReports: true,
            validityMinutes: 1440,
            smsc: "",
            concatReference: 8,
            transliterate: true,
          },
          gateway: { defaultRegion: "DE", defaultTimeZone: "Europe/Berlin" },
          // Never started and never ready: messages stay queued, nothing is sent.
          sender: { ready: false, sendPart: async () => ({ reference: 0 }) },
        })
      : new CountingOutbox();
  const stepsDir = await mkdtemp(join(tmpdir(), "duegate-bench-steps-"));
  const onDisk = recordDocuments(stepsDir, logger, defaultJournalOptions, STEP_MEMORY_COLLECTIONS);
  const engineDocs: OpenDocument = (name, defaults) =>
    name === "dunning-steps.json" ? onDisk(name, defaults) : docs(name, defaults);
  const stepBytes = (): number => storeIoStats().bytesWritten;
  const clockTrust = new SystemClockTrust({ clock, logger, override: true, toleranceMs: 120_000, recheckMs: 30_000 });
  await clockTrust.start();
  const engine = await DunningEngine.open({
    ledger,
    outbox,
    clock,
    bus,
    logger,
    config: {
      evaluateCron: "0 */15 * * * *",
      graceDays: 2,
      consolidate: true,
      requireTrustedClock: true,
      appendOptOutLine: true,
      paidPauseDays: 5,
      promiseGraceDays: 2,
      changeDebounceMs: 2000,
      networkTimeToleranceSeconds: 120,
      clockRecheckSeconds: 30,
      recordRetentionDays: 400,
    },
    gateway: {
      companyName: "Nordlicht Alarm GmbH",
      ownNumber: "+4915100000000",
      defaultTimeZone: "Europe/Berlin",
      dataDir: "/nonexistent",
    },
    costPerPart: 0.09,
    scheduler: new CronScheduler(clock, logger),
    clockTrust,
    openDocument: engineDocs,
  });
  // CPU time too: the machine is shared, and wall time then measures the neighbours.
  const c0 = process.cpuUsage();
  const b0 = stepBytes();
  const first = await engine.evaluate();
  const c1 = process.cpuUsage(c0);
  const bytesFirst = (stepBytes() - b0) / Math.max(1, first.enqueued);
  const second = await engine.evaluate();
  // The next morning: a normal day's full evaluation (the steps that fall due today).
  await clock.advance(86_400_000);
  const c2 = process.cpuUsage();
  const daily = await engine.evaluate();
  const c3 = process.cpuUsage(c2);
  const cpuMs = (c: NodeJS.CpuUsage): number => Math.round((c.user + c.system) / 1000);
  const rssAfter = rssMb();
  // The panel's and the API's question: one page of the 30-day calendar, with texts.
  const t2 = performance.now();
  const c4 = process.cpuUsage();
  const page = engine.forecastPage(30, { limit: 100, render: true });
  const pageCpu = cpuMs(process.cpuUsage(c4));
  const pageMs = Math.round(performance.now() - t2);
  const rssPage = rssMb();
  // Everything at once (what a caller without a limit gets).
  const t1 = performance.now();
  const c5 = process.cpuUsage();
  const calendar = process.env.BENCH_FORECAST === "0" ? [] : engine.forecast(30);
  const forecastCpu = cpuMs(process.cpuUsage(c5));
  const forecastMs = Math.round(performance.now() - t1);
  const rssForecast = rssMb();
  // Days go by until the memory holds 40,000 steps; then one more day's evaluation is measured.
  let days = 0;
  while (engine.stepRecords().length < 40_000 && days < 120) {
    await clock.advance(86_400_000);
    await engine.evaluate();
    days++;
  }
  const recorded = engine.stepRecords().length;
  await clock.advance(86_400_000);
  const b1 = stepBytes();
  const later = await engine.evaluate();
  const bytesLater = (stepBytes() - b1) / Math.max(1, later.enqueued);
  await engine.stop();
  await outbox.stop?.();
  if (outboxDir) await rm(outboxDir, { recursive: true, force: true });
  await rm(stepsDir, { recursive: true, force: true });

  console.log(
    `ledger: ${stats.accounts} accounts, ${stats.openInvoices} open invoices loaded in ${loadMs} ms (validated upserts)`,
  );
  console.log(
    `first evaluation: ${first.durationMs} ms wall, ${cpuMs(c1)} ms CPU, ${first.enqueued} enqueued (${first.consolidated} consolidated), ${first.skippedLate} skipped late, ${first.marks} marks`,
  );
  console.log(`second evaluation (nothing new): ${second.durationMs} ms, ${second.enqueued} enqueued`);
  console.log(`next day's evaluation: ${daily.durationMs} ms wall, ${cpuMs(c3)} ms CPU, ${daily.enqueued} enqueued`);
  console.log(
    `forecast 30 days, one page of 100 with texts: ${pageMs} ms wall, ${pageCpu} ms CPU, of ${page.total} reminders planned`,
  );
  console.log(
    `forecast 30 days, all at once: ${forecastMs} ms wall, ${forecastCpu} ms CPU, ${calendar.length} reminders planned`,
  );
  console.log(
    `step memory on disk: ${Math.round(bytesFirst)} bytes per reminder in the first evaluation, ${Math.round(bytesLater)} per reminder once ${recorded} steps were recorded (${later.enqueued} reminders that day)`,
  );
  console.log(
    `rss: start ${rssStart} MB (node + tsx loader), ledger loaded ${rssLoaded} MB, after evaluations ${rssAfter} MB, after a forecast page ${rssPage} MB, holding the whole 30-day forecast ${rssForecast} MB`,
  );
  console.log(
    JSON.stringify({
      bench: "dunning",
      outbox: realOutbox ? "real (durable, temporary directory)" : "in-memory stand-in",
      accounts: stats.accounts,
      open_invoices: stats.openInvoices,
      evaluate_ms: first.durationMs,
      evaluate_cpu_ms: cpuMs(c1),
      evaluate_steady_ms: second.durationMs,
      evaluate_daily_ms: daily.durationMs,
      evaluate_daily_cpu_ms: cpuMs(c3),
      daily_enqueued: daily.enqueued,
      enqueued: first.enqueued,
      forecast_page_ms: pageMs,
      forecast_page_cpu_ms: pageCpu,
      forecast_total: page.total,
      forecast_30d_ms: forecastMs,
      forecast_30d_cpu_ms: forecastCpu,
      load_ms: loadMs,
      bytes_written_per_reminder: {
        first_evaluation: Math.round(bytesFirst),
        after_40k_steps: Math.round(bytesLater),
        steps_recorded: recorded,
      },
      // The target's quantity: the process with the ledger loaded. After the evaluations the
      // process also holds this bench's stand-in outbox (16,000 messages) and the step records.
      rss_mb: rssLoaded,
      rss_after_evaluations_mb: rssAfter,
      rss_forecast_page_mb: rssPage,
      rss_forecast_all_mb: rssForecast,
      targets: { evaluate_ms: 1000, rss_mb: 250 },
      ok: first.durationMs <= 1000 && rssLoaded <= 250,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
