/**
 * bench:pool: 2,000 queued single-part reminders through a pool of 1, 2 and 4 simulated modems
 * (real drivers, real outbox on files, delivery reports on), all at the same simulated radio
 * time per part. Prints one JSON line:
 *  - wall_ms_<n>: from the first part on the air to the last, with n modems;
 *  - speedup_4: wall_ms_1 / wall_ms_4 (target >= 3.8);
 *  - utilization_min: the least busy modem's radio time over that span, across the runs with
 *    2 and 4 modems (target >= 0.97);
 *  - gap_ms_p50_<n>: the radio's median idle time between answering one part and receiving the
 *    next PDU (the host's share of each part: choice, durable writes, AT exchange);
 *  - failover: 4 modems, one unplugged for good when half the batch is on the air: lost
 *    (a message never on the air) and sent_twice (one on the air twice), both targets 0.
 * RADIO_MS (default 10) sets the radio time; MESSAGES (default 2000) the batch.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Priority, type EnqueueRequest } from "../src/outbox/index.js";
import { startPool, type PoolRig } from "../test/pool/harness.js";

const MESSAGES = Number(process.env.MESSAGES ?? 2000);
const RADIO_MS = Number(process.env.RADIO_MS ?? 10);
/** The outbox's files: on tmpfs by default, so that the figures are the dispatch's, not the disk's (DATA_DIR to change). */
const DATA_PARENT = process.env.DATA_DIR ?? (existsSync("/dev/shm") ? "/dev/shm" : tmpdir());
const keepAlive = setInterval(() => {}, 1000);

const tagOf = (text: string): string | undefined => /#b(\d+)/.exec(text)?.[1];
const request = (i: number): EnqueueRequest => ({
  idempotencyKey: `bench:${i}`,
  to: `+4915140${String(i).padStart(6, "0")}`,
  text: `Reminder #b${i}: invoice ${10_000 + i} of 12.50 EUR is due. Reply BALANCE.`,
  priority: Priority.reminder,
  origin: { kind: "api", requestedBy: "bench" },
});

async function waitFor(pred: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const onAirCount = (r: PoolRig): number => r.sims.reduce((n, s) => n + s.sent.length, 0);

async function run(
  modems: number,
  failHalfway: boolean,
): Promise<{ wallMs: number; utilization: number[]; gapP50: number; lost: number; sentTwice: number; failed: number }> {
  const dir = await mkdtemp(join(DATA_PARENT, "duegate-bench-pool-"));
  const rig = await startPool({ modems, sendLatencyMs: RADIO_MS, deliveryReportDelayMs: 50, dir });
  try {
    for (const s of rig.sims) s.radio.reset();
    for (let i = 0; i < MESSAGES; i += 500)
      await rig.outbox.enqueueMany(Array.from({ length: Math.min(500, MESSAGES - i) }, (_, j) => request(i + j)));
    const limit = (MESSAGES * RADIO_MS * 3) / modems + 60_000;
    if (failHalfway) {
      await waitFor(() => onAirCount(rig) >= MESSAGES / 2, "half the batch", limit);
      rig.sims[modems - 1]!.fault.unplug(3_600_000);
    }
    const settled = () => rig.outbox.stats().queued + rig.outbox.stats().sending === 0;
    await waitFor(settled, "the batch on the air", limit);
    const radios = rig.sims.map((s) => s.radio);
    const start = Math.min(...radios.map((r) => r.firstStartAt ?? Infinity));
    const end = Math.max(...radios.map((r) => r.lastEndAt ?? -Infinity));
    const wallMs = end - start;
    const counts = new Map<string, number>();
    for (const s of rig.sims)
      for (const p of s.sent) {
        const t = tagOf(p.text);
        if (t !== undefined) counts.set(t, (counts.get(t) ?? 0) + 1);
      }
    let lost = 0;
    for (let i = 0; i < MESSAGES; i++) if (!counts.has(String(i))) lost++;
    const sentTwice = [...counts.values()].filter((c) => c > 1).length;
    const failed = rig.outbox.list({ state: "failed", limit: 1 }).total;
    // The radio's idle time between answering one part and receiving the next PDU: the host's share of each part.
    const gaps = radios.flatMap((r) => r.gapsMs).sort((a, b) => a - b);
    const gapP50 = gaps[Math.floor(gaps.length / 2)] ?? 0;
    return { wallMs, utilization: radios.map((r) => r.busyMs / wallMs), gapP50, lost, sentTwice, failed };
  } finally {
    await rig.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const one = await run(1, false);
const two = await run(2, false);
const four = await run(4, false);
const failover = await run(4, true);
const result = {
  bench: "pool",
  messages: MESSAGES,
  radio_ms: RADIO_MS,
  wall_ms_1: Math.round(one.wallMs),
  wall_ms_2: Math.round(two.wallMs),
  wall_ms_4: Math.round(four.wallMs),
  speedup_2: round(one.wallMs / two.wallMs),
  speedup_4: round(one.wallMs / four.wallMs),
  utilization_1: round(one.utilization[0]!),
  utilization_min: round(Math.min(...two.utilization, ...four.utilization)),
  gap_ms_p50_1: round(one.gapP50, 2),
  gap_ms_p50_4: round(four.gapP50, 2),
  failover: {
    wall_ms: Math.round(failover.wallMs),
    lost: failover.lost,
    sent_twice: failover.sentTwice,
    failed_in_doubt: failover.failed,
  },
  lost: one.lost + two.lost + four.lost + failover.lost,
  sent_twice: one.sentTwice + two.sentTwice + four.sentTwice + failover.sentTwice,
  load_avg_1m: round(loadavg()[0]!, 2),
};
console.log(JSON.stringify(result));
clearInterval(keepAlive);
if (result.speedup_4 < 3.8 || result.utilization_min < 0.97 || result.lost > 0 || result.sent_twice > 0)
  process.exitCode = 1;
