/**
 * Modem faults in the middle of a batch of reminders, one after the other: a hang, an unplug
 * (the port vanishes and comes back, the modem reboots), no network, a run of +CMS errors,
 * noise on the line and a full SIM that stores SMS without announcing them. For each: the
 * time from the end of the fault to the next part on the air (or, for the full SIM, to the
 * last silently stored SMS read), and at the end: every message of the batch on the air.
 *
 * Time is the real clock: no network for a whole minute (scaled with DUEGATE_RELIABILITY_SCALE
 * for a quick local run, never beyond a minute); the modem timeouts are SHORT_TIMEOUTS (harness/pieces.ts),
 * not the generic profile's, so a hang is noticed after 0.6-3 s instead of up to 60 s.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPieces, SHORT_TIMEOUTS, type Pieces } from "./harness/pieces.js";
import { Priority } from "../../src/outbox/types.js";
import { recordFigures } from "./harness/figures.js";
import { everything, scale, scaled, sleep, waitUntil } from "./harness/tools.js";

const BATCH = scaled(300);
const NO_NETWORK_MS = Math.min(60_000, Math.round(60_000 * scale()));
const tag = (text: string) => /#(f\d+)/.exec(text)?.[1];

describe("modem faults during a batch", () => {
  let p: Pieces;
  /** From the end of the fault to the next part on the air. */
  const recovery: Record<string, number> = {};
  /** From the injection to the next part on the air (the fault's length included). */
  const sendingGap: Record<string, number> = {};

  beforeAll(async () => {
    p = await startPieces({
      config: {
        outbox: {
          inDoubt: "resend",
          retry: { baseDelayMs: 100, maxDelayMs: 1000, modemPauseMs: 100, maxAttempts: 100 },
        },
      },
    });
    for (let i = 0; i < BATCH; i++) {
      await p.outbox.enqueue({
        idempotencyKey: `fault:f${i}`,
        to: `+49151${String(40_000_000 + i)}`,
        text: `Reminder #f${i}: invoice due.`,
        priority: Priority.reminder,
        origin: { kind: "api", requestedBy: "reliability" },
      });
    }
  }, 120_000);

  afterAll(async () => {
    await p?.stop();
  });

  /** Injects a fault of `durationMs`, then measures from its end to the next part on the air. */
  async function measure(name: string, inject: () => void, durationMs: number): Promise<void> {
    await waitUntil(`sending before ${name}`, () => p.sim.sent.length > 0 && p.modem.ready, 30_000);
    const tInject = Date.now();
    inject();
    await sleep(durationMs);
    const sentAtEnd = p.sim.sent.length;
    const t0 = Date.now();
    await waitUntil(`a send after ${name}`, () => p.sim.sent.length > sentAtEnd, 60_000, 10);
    recovery[name] = Date.now() - t0;
    sendingGap[name] = Date.now() - tInject;
  }

  it("recovers from each fault and loses no message", async () => {
    const sentBefore = () => p.sim.sent.length;
    await waitUntil("the batch started", () => sentBefore() >= 10, 30_000);
    await measure("hang", () => p.sim.fault.hang(3000), 3000);
    await measure("unplug", () => p.sim.fault.unplug(2000), 2000);
    await measure("noNetwork", () => p.sim.fault.noNetwork(NO_NETWORK_MS), NO_NETWORK_MS);
    await measure("cmsErrors", () => p.sim.fault.cmsError(38, 5), 0);
    await measure("noise", () => p.sim.fault.noise(), 0);

    // A full SIM (Huawei E1750): SMS are stored without +CMTI. They must be read once space
    // is announced again, and none lost.
    const inboundBefore = p.inbound.list({ limit: 1 }).total;
    p.sim.fault.storageFull(true);
    for (let i = 0; i < 3; i++)
      p.sim.injectInbound(`+49160${String(50_000_000 + i)}`, `silent #s${i}`, {
        timestamp: Date.UTC(2026, 0, 2) + i * 1000,
      });
    await sleep(1000);
    p.sim.fault.storageFull(false);
    const t0 = Date.now();
    p.sim.injectInbound("+4916050000009", "announced #s9", { timestamp: Date.UTC(2026, 0, 2, 1) });
    const storageFullMs = await waitUntil(
      "the silently stored SMS read",
      () => p.inbound.list({ limit: 1 }).total >= inboundBefore + 4,
      30_000,
      10,
    ).then(
      () => Date.now() - t0,
      () => -1,
    );
    recovery.storageFull = storageFullMs;

    // The rest of the batch goes out.
    const drainMs = await waitUntil(
      "the whole batch on the air",
      () => new Set(p.sim.sent.map((s) => tag(s.text))).size >= BATCH,
      120_000,
      50,
    ).catch(() => -1);
    const messages = everything((page) => p.outbox.list(page)).filter((m) => m.idempotencyKey.startsWith("fault:"));
    const onAir = new Map<string, number>();
    for (const s of p.sim.sent) {
      const t = tag(s.text);
      if (t) onAir.set(t, (onAir.get(t) ?? 0) + 1);
    }
    const lost = messages
      .filter((m) => !onAir.has(tag(m.text)!))
      .map((m) => `${tag(m.text)} ${m.state} ${m.failureReason ?? ""}`);
    const twice = [...onAir].filter(([, n]) => n > 1).map(([t]) => t);
    // A part whose send timed out (the modem hung after taking it) may have gone out: resent by design.
    const byTag = new Map(messages.map((m) => [tag(m.text)!, m]));
    const explained = (t: string) =>
      (byTag.get(t)?.attempts ?? []).some(
        (x) => x.outcome === "in-doubt" || x.code === "modem.timeout" || x.outcome === "temporary",
      );
    const twiceUnexplained = twice.filter((t) => !explained(t));
    const silentLeft = p.sim.storage.used("SM") + p.sim.storage.used("ME");
    const figures = {
      batch: BATCH,
      recoveryMs: recovery,
      sendingGapMs: sendingGap,
      noNetworkMs: NO_NETWORK_MS,
      timeouts: SHORT_TIMEOUTS.timeouts,
      lost: lost.length,
      sentTwice: twiceUnexplained.length,
      sentTwiceAfterTimeout: twice.length - twiceUnexplained.length,
      storageFullLeftOnSim: silentLeft,
      drainMs,
    };
    recordFigures("faults", figures);
    console.log(`[reliability faults] ${JSON.stringify(figures)}`);
    expect(lost).toEqual([]);
    expect(twiceUnexplained).toEqual([]);
    expect(storageFullMs).toBeGreaterThanOrEqual(0);
    expect(silentLeft).toBe(0);
    for (const [name, ms] of Object.entries(recovery)) expect(ms, name).toBeLessThan(30_000);
  }, 300_000);
});
