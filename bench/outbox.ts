/**
 * Outbox benchmark. Prints figures; the last line is one JSON object.
 *  - bytes_written_per_sms: every byte the store layer writes (counted in its adapter) while
 *    1,000 messages go through their whole life (enqueue, sending, submitted, delivery report,
 *    history), with a ledger of 1,000 and of 100,000 accounts (a JsonStore file in the same
 *    data dir, open the whole time). Targets: both <= 16384, the second <= 1.2x the first.
 *  - enqueue_per_s: 10,000 messages durably queued (each enqueue resolves only when on disk),
 *    64 callers at a time.
 *  - enqueue_many_per_s: the same 10,000 through enqueueMany in batches of 500 (the dunning
 *    engine's way), one batch at a time, with the fsyncs per batch.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { systemClock } from "../src/core/clock.js";
import { EventBus } from "../src/core/bus.js";
import { silentLogger } from "../src/core/log.js";
import type { DomainEvents } from "../src/api/events.js";
import { OutboxSection } from "../src/config/sections/outbox.js";
import type { Config } from "../src/config/schema.js";
import { JsonStore, resetStoreIoStats, storeIoStats } from "../src/store/index.js";
import { Outbox, Priority, type PartSender } from "../src/outbox/index.js";

const logger = silentLogger();

function config(): Config["outbox"] {
  const c = Value.Default(OutboxSection, {}) as Config["outbox"];
  c.sendWindow.start = "00:00";
  c.sendWindow.end = "23:59";
  c.limits.perMinute = 1_000_000;
  c.limits.perSimPerDay = 1_000_000;
  c.limits.perSimPerMonth = 1_000_000;
  return c;
}

function numberOf(i: number): string {
  return `+49176${String(10_000_000 + i)}`;
}

async function openOutbox(dataDir: string, sender: PartSender): Promise<Outbox> {
  return Outbox.open({
    dataDir,
    clock: systemClock,
    bus: new EventBus<DomainEvents>(),
    logger,
    config: config(),
    modemConfig: { statusReports: true, validityMinutes: 1440, smsc: "", concatReference: 8, transliterate: true },
    gateway: { defaultRegion: "DE", defaultTimeZone: "Europe/Berlin" },
    sender,
    storage: { flushIntervalMs: 1000 },
  });
}

async function bytesPerSms(
  accounts: number,
  messages: number,
): Promise<{ perSms: number; ledgerBytes: number; seconds: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), "duegate-bench-"));
  const ledger = await JsonStore.open(
    join(dataDir, "ledger", "ledger.json"),
    { accounts: {} as Record<string, unknown> },
    { logger, coalesceMs: 1000 },
  );
  for (let i = 0; i < accounts; i++) {
    ledger.data.accounts[`A${i}`] = {
      id: `A${i}`,
      name: `Customer ${i}`,
      numbers: [numberOf(i)],
      timeZone: "Europe/Berlin",
      locale: "de-DE",
      invoices: [{ id: `I${i}`, amount: 12_345, currency: "EUR", due: "2026-03-01" }],
    };
  }
  await ledger.flush();
  const ledgerBytes = ledger.bytesWritten;

  let ref = 0;
  const submitted: Array<{ reference: number; to: string }> = [];
  const sender: PartSender = { ready: true, sendPart: async () => ({ reference: (ref = (ref + 1) % 256) }) };
  const outbox = await openOutbox(dataDir, sender);
  resetStoreIoStats();
  const t0 = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < messages; i++) {
    const acct = (i * 7919) % accounts;
    const r = await outbox.enqueue({
      idempotencyKey: `I${acct}:step-${i}`,
      to: numberOf(acct),
      text: `Reminder: invoice I${acct} of EUR 123.45 was due on 1 March. Please pay or reply HELP.`,
      priority: Priority.reminder,
      origin: { kind: "dunning", accountId: `A${acct}`, invoiceIds: [`I${acct}`], step: "first", policyVersion: 1 },
    });
    ids.push(r.message.id);
  }
  await outbox.start();
  const deadline = Date.now() + 120_000;
  while (outbox.stats().submitted < messages && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  for (const id of ids) {
    const m = outbox.get(id)!;
    for (const p of m.parts) submitted.push({ reference: p.reference!, to: m.to });
  }
  for (const s of submitted) {
    await outbox.onStatusReport({
      type: "status-report",
      reference: s.reference,
      recipient: s.to,
      status: 0,
      scts: 0,
      discharge: Date.now(),
      outcome: { final: true, delivered: true, temporary: false, text: "delivered" },
    });
  }
  await outbox.stop();
  await ledger.close();
  const stats = storeIoStats();
  const delivered = outbox.list({ state: "delivered", limit: 1 }).total;
  if (delivered !== messages) throw new Error(`only ${delivered} of ${messages} delivered`);
  const seconds = (performance.now() - t0) / 1000;
  await rm(dataDir, { recursive: true, force: true });
  return { perSms: Math.round(stats.bytesWritten / messages), ledgerBytes, seconds };
}

async function enqueueRate(n: number, concurrency: number): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), "duegate-bench-"));
  const outbox = await openOutbox(dataDir, { ready: false, sendPart: async () => ({ reference: 0 }) });
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await outbox.enqueue({
        idempotencyKey: `k${i}`,
        to: numberOf(i),
        text: `Reminder ${i}: please pay.`,
        priority: Priority.bulk,
        origin: { kind: "test", requestedBy: "bench" },
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const rate = n / ((performance.now() - t0) / 1000);
  const queued = outbox.stats().queued;
  await outbox.stop();
  // Durable means a fresh open sees them all.
  const reopened = await openOutbox(dataDir, { ready: false, sendPart: async () => ({ reference: 0 }) });
  const seen = reopened.stats().queued;
  await reopened.stop();
  await rm(dataDir, { recursive: true, force: true });
  if (queued !== n || seen !== n) throw new Error(`queued ${queued}, after reopen ${seen}, expected ${n}`);
  return Math.round(rate);
}

async function enqueueManyRate(n: number, batch: number): Promise<{ rate: number; fsyncsPerBatch: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), "duegate-bench-"));
  const outbox = await openOutbox(dataDir, { ready: false, sendPart: async () => ({ reference: 0 }) });
  resetStoreIoStats();
  const t0 = performance.now();
  for (let i = 0; i < n; i += batch) {
    const reqs = Array.from({ length: Math.min(batch, n - i) }, (_, j) => ({
      idempotencyKey: `k${i + j}`,
      to: numberOf(i + j),
      text: `Reminder ${i + j}: please pay.`,
      priority: Priority.bulk,
      origin: { kind: "test" as const, requestedBy: "bench" },
    }));
    const out = await outbox.enqueueMany(reqs);
    if (out.some((o) => o.status !== "queued")) throw new Error("enqueueMany: not all queued");
  }
  const rate = n / ((performance.now() - t0) / 1000);
  const fsyncsPerBatch = Math.round(storeIoStats().fsyncs / Math.ceil(n / batch));
  await outbox.stop();
  const reopened = await openOutbox(dataDir, { ready: false, sendPart: async () => ({ reference: 0 }) });
  const seen = reopened.stats().queued;
  await reopened.stop();
  await rm(dataDir, { recursive: true, force: true });
  if (seen !== n) throw new Error(`after reopen ${seen}, expected ${n}`);
  return { rate: Math.round(rate), fsyncsPerBatch };
}

const small = await bytesPerSms(1_000, 1_000);
console.log(
  `ledger 1,000 accounts (${small.ledgerBytes} B file): ${small.perSms} B written per SMS (${small.seconds.toFixed(1)} s)`,
);
const large = await bytesPerSms(100_000, 1_000);
console.log(
  `ledger 100,000 accounts (${large.ledgerBytes} B file): ${large.perSms} B written per SMS (${large.seconds.toFixed(1)} s)`,
);
const rate = await enqueueRate(10_000, 64);
console.log(`enqueue: ${rate} messages/s durably queued (10,000, 64 concurrent callers)`);
const many = await enqueueManyRate(10_000, 500);
console.log(
  `enqueueMany: ${many.rate} messages/s durably queued (10,000 in batches of 500, one batch at a time; ${many.fsyncsPerBatch} fsyncs per batch: the records in one append to the journal, the keys in another)`,
);
const ratio = Math.round((large.perSms / small.perSms) * 1000) / 1000;
const ok = small.perSms <= 16384 && large.perSms <= 16384 && ratio <= 1.2;
console.log(
  JSON.stringify({
    bench: "outbox",
    bytes_written_per_sms_1k_accounts: small.perSms,
    bytes_written_per_sms_100k_accounts: large.perSms,
    ratio,
    enqueue_per_s: rate,
    enqueue_many_per_s: many.rate,
    within_targets: ok,
  }),
);
