/**
 * Days of an appliance's life on a ManualClock (30, as docs/reliability.md says; 12 with
 * DUEGATE_RELIABILITY_SCALE=0.4 for a quick local run): 5,000 accounts, a share of them with
 * invoices falling due through the month (the dunning engine sends its steps through the
 * outbox and the simulated modem), payments arriving, debtors texting BALANCE and PAID.
 * After each simulated day: the heap (after a full GC), the process's active resources and
 * the clock's pending timers. At the end: memory flat, no resource or timer leak, and the
 * history files rotated to the configured retention.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { ManualClock } from "../../src/core/clock.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { startInProcess, type InProcessAppliance } from "./harness/appliance.js";
import { recordFigures } from "./harness/figures.js";
import { scaled, sleep } from "./harness/tools.js";

const DAYS = scaled(30);
const ACCOUNTS = 5000;
// Short enough that files pass out of the retention within the run (7 days from a month on).
const RETENTION_DAYS = Math.min(7, Math.max(2, Math.floor(DAYS / 4)));
const START = Date.UTC(2026, 2, 2, 0, 0); // a Monday, no DST change in UTC
const DAY = 86_400_000;

/** A full GC when the runtime allows it (--expose-gc, or switched on here). */
function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);
const phone = (i: number) => `+49152${String(10_000_000 + i)}`;

describe(`soak: ${DAYS} simulated days`, () => {
  let a: InProcessAppliance;
  let clock: ManualClock;
  let sim: ModemSimulator;

  beforeAll(async () => {
    clock = new ManualClock(START);
    sim = new ModemSimulator({ clock, sendLatencyMs: 200, deliveryReportDelayMs: 5000, storageSize: 255 });
    a = await startInProcess({
      clock,
      simulator: sim,
      web: false,
      keepLogs: false,
      // Hourly evaluation instead of every 15 minutes: the same work per day for leak-hunting, a quarter of the CPU.
      config: {
        storage: { historyRetentionDays: RETENTION_DAYS, recentHistoryDays: 7 },
        inbound: { inboxMemory: 2000 },
        dunning: { evaluateCron: "0 0 * * * *" },
        modem: { healthIntervalSeconds: 300 },
      },
      logLevel: "info",
    });
    const { ledger } = a.app.services;
    for (let b = 0; b < ACCOUNTS; b += 1000) {
      await ledger.upsertAccounts(
        Array.from({ length: 1000 }, (_, k) => ({
          id: `S-${b + k}`,
          version: 1,
          name: `Soak ${b + k}`,
          phones: [phone(b + k)],
        })),
      );
      // One account in sixteen falls due during the month (spread over it); the rest later.
      await ledger.upsertInvoices(
        Array.from({ length: 1000 }, (_, k) => {
          const i = b + k;
          const due = i % 16 === 0 ? START + ((i / 16) % DAYS) * DAY + 5 * DAY : START + (DAYS + 40) * DAY;
          return {
            id: `SI-${i}`,
            version: 1,
            accountId: `S-${i}`,
            amount: 1000 + (i % 5000),
            issueDate: isoDate(due - 30 * DAY),
            dueDate: isoDate(due),
          };
        }),
      );
    }
  }, 300_000);

  afterAll(async () => {
    await a?.stop();
  });

  /** Moves the clock over one day: coarse steps when idle, fine ones while the outbox has work (real I/O gets its turn). */
  async function liveOneDay(day: number): Promise<void> {
    const end = START + (day + 1) * DAY;
    for (let guard = 0; guard < 20_000 && clock.now() < end; guard++) {
      const s = a.app.services.outbox.stats();
      const busy = s.queued + s.sending > 0;
      await clock.advance(Math.min(busy ? 5000 : 10 * 60_000, end - clock.now()));
      await sleep(busy ? 2 : 0);
    }
  }

  it(`keeps memory, resources and timers flat over ${DAYS} days with ${ACCOUNTS} accounts`, async () => {
    const gc = collector();
    const heapMb: number[] = [];
    const resources: number[] = [];
    const timers: number[] = [];
    const sentPerDay: number[] = [];
    const { ledger } = a.app.services;
    for (let day = 0; day < DAYS; day++) {
      const sentBefore = sim.sent.length;
      // The accounting server: payments for some of those that fell due; debtors text back.
      const payers = Array.from({ length: ACCOUNTS / 16 }, (_, k) => k * 16).filter(
        (i) => (i / 16) % DAYS === (day + DAYS - 3) % DAYS && i % 3 === 0,
      );
      if (payers.length)
        await ledger.recordPayments(
          payers.map((i) => ({
            id: `SP-${i}-${day}`,
            accountId: `S-${i}`,
            amount: 1000 + (i % 5000),
            date: isoDate(clock.now()),
          })),
        );
      for (let k = 0; k < 20; k++)
        sim.injectInbound(phone(((day * 20 + k) * 8) % ACCOUNTS), k % 2 ? "BALANCE" : "PAID", {
          timestamp: clock.now() + 12 * 3_600_000 + k * 1000,
        });
      await liveOneDay(day);
      sentPerDay.push(sim.sent.length - sentBefore);
      // The simulator's own records are test bookkeeping, not the appliance's memory.
      sim.sent.length = 0;
      sim.received.length = 0;
      gc();
      heapMb.push(Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10);
      resources.push(process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap").length);
      timers.push(clock.pendingTimers);
    }

    const historyDir = join(a.dataDir, "history");
    const files = readdirSync(historyDir).filter((f) => f.endsWith(".jsonl"));
    const oldest = files
      .map((f) => /(\d{4}-\d{2}-\d{2})/.exec(f)?.[1])
      .filter((d): d is string => !!d)
      .sort()[0];
    const cutoff = isoDate(clock.now() - (RETENTION_DAYS + 1) * DAY);
    const tooOld = files.filter((f) => (/(\d{4}-\d{2}-\d{2})/.exec(f)?.[1] ?? "9999") < cutoff);
    const settledFromDay = Math.min(10, Math.floor(DAYS / 3));
    const settled = heapMb.slice(settledFromDay);
    const growthMb = Math.round((settled[settled.length - 1]! - settled[0]!) * 10) / 10;
    const figures = {
      days: DAYS,
      accounts: ACCOUNTS,
      sentTotal: sentPerDay.reduce((x, y) => x + y, 0),
      sentPerDayMax: Math.max(...sentPerDay),
      heapMbByDay: heapMb,
      heapSettledFromDay: settledFromDay,
      heapGrowthMbSettled: growthMb,
      activeResourcesFirst: resources[0],
      activeResourcesLast: resources[resources.length - 1],
      pendingTimersFirst: timers[0],
      pendingTimersLast: timers[timers.length - 1],
      pendingTimersMax: Math.max(...timers),
      historyFiles: files.length,
      historyOldest: oldest,
      historyCutoff: cutoff,
      historyFilesTooOld: tooOld,
    };
    recordFigures("soak", figures);
    console.log(`[reliability soak] ${JSON.stringify(figures)}`);
    expect(figures.sentTotal).toBeGreaterThan(ACCOUNTS / 16);
    // flat: after the first third (caches of recent days filling), growth stays under 15 MB
    expect(growthMb).toBeLessThan(15);
    expect(resources[resources.length - 1]!).toBeLessThanOrEqual(resources[0]! + 3);
    expect(timers[timers.length - 1]!).toBeLessThanOrEqual(timers[0]! + 10);
    expect(tooOld, `history files older than the retention cutoff ${cutoff}`).toEqual([]);
  }, 600_000);
});
