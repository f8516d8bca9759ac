/**
 * bench:pool: 2,000 queued single-part reminders through a pool of 1, 2 and 4 simulated modems
 * (real drivers, real outbox on files, delivery reports on), all at the same simulated radio
 * time per part, for each radio time of RADIO_MS (default "10,100"). Prints one JSON line:
 *  - per radio time (`at_<ms>ms`):
 *    - wall_ms_<n>: from the first part on the air to the last, with n modems;
 *    - speedup_4: wall_ms_1 / wall_ms_4 (target >= 3.8);
 *    - utilization_min: the least busy modem's radio time over that span (per modem: its
 *      radio-busy time over the run's span from first to last part), across the runs with 2
 *      and 4 modems (target >= 0.97);
 *    - gap_ms_p50_<n>: the radio's median idle time between answering one part and receiving
 *      the next PDU (the host's share of each part: choice, durable writes, AT exchange), and
 *      with four modems its mean and 99th percentile (the mean is what utilization pays);
 *    - cpu_ms_per_part_<n>: the process's CPU time (user + system) per part sent, the
 *      simulators and their delivery reports included (an upper bound for duegate's own);
 *    - failover: 4 modems, one unplugged for good when half the batch is on the air: lost
 *      (a message never on the air) and sent_twice (one on the air twice), both targets 0;
 *  - the headline figures (top level) are those of the longest radio time, the one closest
 *    to a real modem's (about 3 s a part). At 10 ms four lanes ask for more CPU than one
 *    event loop has (see cpu_ms_per_part_4): that run shows the host's limit, not the pool's.
 * RADIO_MS sets the radio times (comma-separated); MESSAGES (default 2000) the batch.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Priority, type EnqueueRequest } from "../src/outbox/index.js";
import { startPool, type PoolRig } from "../test/pool/harness.js";

const MESSAGES = Number(process.env.MESSAGES ?? 2000);
const RADIO_TIMES = (process.env.RADIO_MS ?? "10,100")
  .split(",")
  .map(Number)
  .filter((ms) => Number.isFinite(ms) && ms > 0)
  .sort((a, b) => a - b);
if (RADIO_TIMES.length === 0)
  throw new Error(`bench: RADIO_MS must list radio times in ms, got "${process.env.RADIO_MS}"`);
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
    // Seldom: the figures come from the radios' own timestamps, and a busy poll would add CPU to every part.
    await new Promise((r) => setTimeout(r, 250));
  }
}

const onAirCount = (r: PoolRig): number => r.sims.reduce((n, s) => n + s.sent.length, 0);

interface Run {
  wallMs: number;
  utilization: number[];
  gapP50: number;
  gapP99: number;
  gapMean: number;
  cpuMsPerPart: number;
  lost: number;
  sentTwice: number;
  failed: number;
}

async function run(modems: number, failHalfway: boolean, radioMs: number): Promise<Run> {
  const dir = await mkdtemp(join(DATA_PARENT, "duegate-bench-pool-"));
  const rig = await startPool({ modems, sendLatencyMs: radioMs, deliveryReportDelayMs: 50, dir });
  try {
    for (const s of rig.sims) s.radio.reset();
    // Messages queued or sending, followed on the bus: asking outbox.stats() (a walk of every
    // message) four times a second would add its CPU to every part's figure.
    const open = new Set<string>();
    rig.bus.on("message.state", "bench", (e) => {
      if (e.state === "queued" || e.state === "sending") open.add(e.id);
      else open.delete(e.id);
    });
    const cpuBefore = process.cpuUsage();
    for (let i = 0; i < MESSAGES; i += 500)
      await rig.outbox.enqueueMany(Array.from({ length: Math.min(500, MESSAGES - i) }, (_, j) => request(i + j)));
    // Generous: a loaded machine may take several times the radio time per part; the bench measures, it does not race.
    const limit = (MESSAGES * (radioMs + 100) * 3) / modems + 60_000;
    if (failHalfway) {
      await waitFor(() => onAirCount(rig) >= MESSAGES / 2, "half the batch", limit);
      rig.sims[modems - 1]!.fault.unplug(3_600_000);
    }
    await waitFor(() => open.size === 0, "the batch on the air", limit);
    const stats = rig.outbox.stats();
    if (stats.queued + stats.sending > 0) throw new Error("bench: the bus said settled, the outbox did not");
    const radios = rig.sims.map((s) => s.radio);
    const start = Math.min(...radios.map((r) => r.firstStartAt ?? Infinity));
    const end = Math.max(...radios.map((r) => r.lastEndAt ?? -Infinity));
    const wallMs = end - start;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerPart = (cpu.user + cpu.system) / 1000 / Math.max(1, onAirCount(rig));
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
    const gapP99 = gaps[Math.floor(gaps.length * 0.99)] ?? 0;
    const gapMean = gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length);
    return {
      wallMs,
      utilization: radios.map((r) => r.busyMs / wallMs),
      gapP50,
      gapP99,
      gapMean,
      cpuMsPerPart,
      lost,
      sentTwice,
      failed,
    };
  } finally {
    await rig.stop();
    // A delivery report still being handled while the pool stops may write one more record: retry the removal.
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function atRadioTime(radioMs: number) {
  const one = await run(1, false, radioMs);
  const two = await run(2, false, radioMs);
  const four = await run(4, false, radioMs);
  const failover = await run(4, true, radioMs);
  return {
    radio_ms: radioMs,
    wall_ms_1: Math.round(one.wallMs),
    wall_ms_2: Math.round(two.wallMs),
    wall_ms_4: Math.round(four.wallMs),
    speedup_2: round(one.wallMs / two.wallMs),
    speedup_4: round(one.wallMs / four.wallMs),
    utilization_1: round(one.utilization[0]!),
    utilization_min: round(Math.min(...two.utilization, ...four.utilization)),
    gap_ms_p50_1: round(one.gapP50, 2),
    gap_ms_p50_4: round(four.gapP50, 2),
    gap_ms_mean_4: round(four.gapMean, 2),
    gap_ms_p99_4: round(four.gapP99, 2),
    cpu_ms_per_part_1: round(one.cpuMsPerPart, 2),
    cpu_ms_per_part_4: round(four.cpuMsPerPart, 2),
    failover: {
      wall_ms: Math.round(failover.wallMs),
      lost: failover.lost,
      sent_twice: failover.sentTwice,
      failed_in_doubt: failover.failed,
    },
    lost: one.lost + two.lost + four.lost + failover.lost,
    sent_twice: one.sentTwice + two.sentTwice + four.sentTwice + failover.sentTwice,
  };
}

const runs: Array<Awaited<ReturnType<typeof atRadioTime>>> = [];
for (const ms of RADIO_TIMES) runs.push(await atRadioTime(ms));
const headline = runs[runs.length - 1]!;
const result = {
  bench: "pool",
  messages: MESSAGES,
  headline_radio_ms: headline.radio_ms,
  speedup_4: headline.speedup_4,
  utilization_min: headline.utilization_min,
  lost: runs.reduce((n, r) => n + r.lost, 0),
  sent_twice: runs.reduce((n, r) => n + r.sent_twice, 0),
  ...Object.fromEntries(runs.map((r) => [`at_${r.radio_ms}ms`, r])),
  load_avg_1m: round(loadavg()[0]!, 2),
};
console.log(JSON.stringify(result));
clearInterval(keepAlive);
if (result.speedup_4 < 3.8 || result.utilization_min < 0.97 || result.lost > 0 || result.sent_twice > 0)
  process.exitCode = 1;
