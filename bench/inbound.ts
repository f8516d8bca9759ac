/**
 * bench:inbound — how fast a debtor's BALANCE is answered while a reminder batch is sending.
 *
 * 500 reminders are queued on the simulated modem; 100 BALANCE requests from 100 debtors
 * arrive meanwhile, one every INTERVAL_MS. For each request: from the +CMTI line the
 * simulator writes to the reply's AT+CMGS reaching the simulator, minus only the time the
 * simulated radio was still busy with a part already in flight when the +CMTI came (no
 * software can cut into a part being transmitted). Target: reply_latency_ms_p99 <= 50.
 *
 * Real modem, ledger, outbox and inbound code on real files (a temporary directory); only
 * the radio is simulated. Last line: one JSON object.
 */
import { performance } from "node:perf_hooks";
import { Priority } from "../src/outbox/index.js";
import { debtorNumber, startStack, waitFor } from "../test/inbound/stack.js";

const REMINDERS = 500;
const REQUESTS = 100;
const RADIO_MS = Number(process.env.RADIO_MS ?? 30);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 80);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const round = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const s = await startStack({ debtors: REQUESTS + REMINDERS, sendLatencyMs: RADIO_MS });
  try {
    // Instruments on the simulator: when +CMTI is written, when AT+CMGS arrives, when the radio is busy.
    const cmtiAt = new Map<string, number>();
    let injecting: string | undefined;
    const urc = s.sim.urc.bind(s.sim);
    s.sim.urc = (line: string, pdu?: string) => {
      if (injecting && line.startsWith("+CMTI")) cmtiAt.set(injecting, performance.now());
      urc(line, pdu);
    };
    const cmgsAt: number[] = [];
    s.sim.defineBehavior({ name: "bench-meter", onCommand: (_sim, cmd) => (cmd.name === "+CMGS" && cmd.op === "set" && cmgsAt.push(performance.now()), false) });
    const busy: Array<{ start: number; end: number }> = [];
    const startPart = s.sim.radio.startPart.bind(s.sim.radio);
    s.sim.radio.startPart = () => {
      const span = { start: performance.now(), end: Infinity };
      busy.push(span);
      const done = startPart();
      return () => {
        span.end = performance.now();
        done();
      };
    };

    for (let i = 0; i < REMINDERS; i++) {
      const d = REQUESTS + i;
      await s.outbox.enqueue({
        idempotencyKey: `INV-${d}:step1`, to: debtorNumber(d), text: `Acme Alarm: invoice INV-${d} of 100.00 EUR is overdue. Reply STOP to opt out.`, priority: Priority.reminder,
        origin: { kind: "dunning", accountId: `ACC-${100000 + d}`, invoiceIds: [`INV-${d}`], step: "step1", policyVersion: 1 },
      });
    }
    await waitFor(() => s.sim.sent.length >= 3, "the reminder batch to start");
    const t0 = performance.now();
    for (let i = 0; i < REQUESTS; i++) {
      injecting = debtorNumber(i);
      s.sim.injectInbound(injecting, "BALANCE");
      injecting = undefined;
      await new Promise((r) => setTimeout(r, INTERVAL_MS));
    }
    const isReply = (to: string) => Number(to.slice(-6)) < REQUESTS;
    await waitFor(() => s.sim.sent.filter((m) => isReply(m.to)).length === REQUESTS, "every reply", 60_000);
    const remindersSentDuring = s.sim.sent.filter((m) => !isReply(m.to)).length;
    const remindersLeft = REMINDERS - remindersSentDuring;

    const raw: number[] = [];
    const net: number[] = [];
    s.sim.sent.forEach((m, k) => {
      if (!isReply(m.to)) return;
      const from = cmtiAt.get(m.to);
      const to = cmgsAt[k];
      if (from === undefined || to === undefined) throw new Error(`no +CMTI or AT+CMGS time for reply ${k}`);
      // Only the part that was on the air when the +CMTI came is excluded.
      const inFlight = busy.filter((b) => b.start <= from && b.end > from).reduce((sum, b) => sum + Math.max(0, Math.min(b.end, to) - from), 0);
      raw.push(to - from);
      net.push(to - from - inFlight);
    });
    raw.sort((a, b) => a - b);
    net.sort((a, b) => a - b);
    const result = {
      bench: "inbound",
      requests: REQUESTS,
      reminders_queued: REMINDERS,
      reminders_sent_during: remindersSentDuring,
      reminders_still_queued_after: remindersLeft,
      radio_ms_per_part: RADIO_MS,
      request_interval_ms: INTERVAL_MS,
      reply_latency_ms_p50: round(percentile(net, 50)),
      reply_latency_ms_p90: round(percentile(net, 90)),
      reply_latency_ms_p99: round(percentile(net, 99)),
      reply_latency_ms_max: round(net[net.length - 1]!),
      raw_latency_ms_p99_including_radio: round(percentile(raw, 99)),
      duration_s: round((performance.now() - t0) / 1000),
      target_p99_ms: 50,
      pass: percentile(net, 99) <= 50,
    };
    console.log(`BALANCE reply latency, ${REQUESTS} requests during ${REMINDERS} reminders: p50 ${result.reply_latency_ms_p50} ms, p99 ${result.reply_latency_ms_p99} ms (radio ${RADIO_MS} ms/part)`);
    console.log(JSON.stringify(result));
  } finally {
    await s.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
