/**
 * Power cuts. The real service process (src/main.ts compiled to JS and run with plain node, as
 * the appliance runs dist/) on the modem simulator behind a pseudo-terminal (socat) and a real
 * Mosquitto; 1,000 send requests published over MQTT (the product's reliability figures, docs/reliability.md; a quick local run:
 * DUEGATE_RELIABILITY_SCALE=0.4) while the service is killed with SIGKILL at 20 random moments
 * (some during start-up and recovery) and started again each time; inbound SMS injected all
 * along. Afterwards, from the data directory and the simulator's own record of what went on
 * the air: nothing acknowledged is lost, nothing is sent twice except what the in-doubt
 * setting resends (counted apart), no inbound SMS is lost and none is left on the SIM.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModemSimulator } from "../../src/modem/index.js";
import { Mosquitto } from "../bridge/helpers/mosquitto.js";
import { ServiceProcess } from "./harness/service.js";
import { AccountingClient } from "./harness/accounting.js";
import { reliabilityConfig } from "./harness/appliance.js";
import { inspectDataDir } from "./harness/inspect.js";
import { scanLogs } from "./harness/log-scan.js";
import { recordFigures } from "./harness/figures.js";
import { compiledMain } from "./harness/compiled.js";
import { freePort, scaled, seededRandom, sleep, toolsPresent, waitUntil, MOSQUITTO, SOCAT } from "./harness/tools.js";

const run = toolsPresent(MOSQUITTO, SOCAT);
const MESSAGES = scaled(1000);
const KILLS = scaled(20);
const INBOUND = scaled(100);
const SEED = Number(process.env.DUEGATE_RELIABILITY_SEED ?? Date.now() % 1_000_000);
const GATEWAY = "rel";
const PREFIX = `duegate/${GATEWAY}/`;

const recipient = (i: number) => `+49151${String(20_000_000 + i)}`;
const sender = (i: number) => `+49160${String(30_000_000 + i)}`;
const tag = (text: string) => /#(m\d+)/.exec(text)?.[1];

describe.runIf(run)("crash: kill -9 at random moments", () => {
  let broker: Mosquitto;
  let sim: ModemSimulator;
  let pty: { path: string; close(): Promise<void> };
  let service: ServiceProcess;
  let accounting: AccountingClient;
  let config: Record<string, unknown>;
  let dataDir: string;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    sim = new ModemSimulator({ sendLatencyMs: 5, deliveryReportDelayMs: 50, storageSize: 255 });
    pty = await sim.servePty();
    dataDir = mkdtempSync(join(tmpdir(), "duegate-rel-crash-"));
    config = reliabilityConfig(dataDir, {
      gateway: { id: GATEWAY },
      mqtt: { reconnectPeriodMs: 200, keepaliveSeconds: 5 },
      storage: { flushIntervalMs: 200 },
      outbox: { inDoubt: "resend" },
    });
    service = new ServiceProcess({
      dataDir,
      modem: pty.path,
      mqtt: broker.url,
      http: `127.0.0.1:${await freePort()}`,
      config,
      compiled: compiledMain(),
    });
    accounting = await AccountingClient.connect(broker.url, PREFIX);
  }, 60_000);

  let passed = false;

  afterAll(async () => {
    await service?.kill9();
    // Kept after a failure, for the post-mortem (the path is printed).
    if (passed) rmSync(dataDir, { recursive: true, force: true });
    else if (dataDir) console.error(`[reliability crash] data directory kept: ${dataDir}`);
    await accounting?.close();
    await pty?.close();
    await broker?.dispose();
  });

  it(`loses nothing and sends nothing twice across ${KILLS} kills (${MESSAGES} sends, ${INBOUND} inbound)`, async () => {
    const random = seededRandom(SEED);
    const acked = new Set<string>();
    const injected: string[] = [];
    const restartMs: number[] = [];
    let killsDuringStartup = 0;

    await service.start(60_000);
    await accounting.waitOnline(30_000);

    // The accounting server publishes in bursts all through the run; a send counts once the broker acknowledged it.
    let published = 0;
    const publishSome = async (n: number) => {
      const batch: Array<Promise<void>> = [];
      for (; n > 0 && published < MESSAGES; n--, published++) {
        const id = `m${published}`;
        batch.push(
          accounting
            .publish("send", { id, to: recipient(published), text: `Reminder #${id}: invoice due, please pay.` })
            .then(() => void acked.add(id)),
        );
      }
      await Promise.all(batch);
    };
    let inboundNo = 0;
    const injectSome = (n: number) => {
      for (; n > 0 && inboundNo < INBOUND; n--, inboundNo++) {
        // every tenth is a two-part message, so reassembly across a kill is covered too
        const text =
          inboundNo % 10 === 9
            ? `inbound #i${inboundNo} ` + "long text that needs a second part. ".repeat(6)
            : `inbound #i${inboundNo} hello`;
        sim.injectInbound(sender(inboundNo), text, { timestamp: Date.UTC(2026, 0, 1) + inboundNo * 1000 });
        injected.push(`i${inboundNo}`);
      }
    };

    await publishSome(Math.ceil(MESSAGES / 2));
    injectSome(Math.ceil(INBOUND / KILLS));
    for (let k = 0; k < KILLS; k++) {
      if (random() < 0.2) {
        // a kill while the service starts: opening files, recovering in-doubt parts, initialising the modem
        await service.kill9();
        const t0 = Date.now();
        service.start(60_000).catch(() => undefined);
        await sleep(200 + random() * 1500);
        if (service.running) killsDuringStartup++;
        await service.kill9();
        void t0;
      } else {
        await sleep(100 + random() * 2500);
        await service.kill9();
      }
      accounting.forgetStatus();
      const t0 = Date.now();
      await service.start(60_000);
      await accounting.waitOnline(30_000);
      restartMs.push(Date.now() - t0);
      await publishSome(Math.ceil(MESSAGES / 2 / KILLS));
      injectSome(Math.ceil(INBOUND / KILLS));
    }
    await publishSome(MESSAGES);
    injectSome(INBOUND);
    expect(acked.size).toBe(MESSAGES);

    // Let the last life of the service finish the work: every send on the air once, the SIM empty.
    const onAir = () => new Set(sim.sent.map((s) => tag(s.text)).filter((t): t is string => t !== undefined));
    // Bounded: done, or 180 s, or 20 s without a single part on the air (a lost message never comes).
    const drainStart = Date.now();
    let lastProgress = { at: Date.now(), sent: sim.sent.length };
    const drainMs = await waitUntil(
      "every acknowledged send on the air",
      () => {
        if (sim.sent.length !== lastProgress.sent) lastProgress = { at: Date.now(), sent: sim.sent.length };
        if (Date.now() - lastProgress.at > 20_000) throw new Error("no progress for 20 s");
        return [...acked].every((id) => onAir().has(id));
      },
      180_000,
      250,
    ).then(
      () => Date.now() - drainStart,
      () => -1,
    );
    await waitUntil(
      "the SIM storage empty",
      () => sim.storage.used("SM") + sim.storage.used("ME") === 0 && sim.network.length === 0,
      60_000,
      100,
    ).catch(() => undefined);
    await sleep(1500); // the last inbound records reach the disk (coalesced writes)
    const exit = await service.stop();

    const contents = await inspectDataDir(config, dataDir);
    const byKey = new Map(contents.messages.map((m) => [m.idempotencyKey, m]));
    const sentCount = new Map<string, number>();
    for (const s of sim.sent) {
      const t = tag(s.text);
      if (t) sentCount.set(t, (sentCount.get(t) ?? 0) + 1);
    }
    const notStored = [...acked].filter((id) => !byKey.has(`send:${id}`));
    const notSent = [...acked].filter((id) => !sentCount.has(id));
    const twice = [...sentCount].filter(([, n]) => n > 1).map(([id]) => id);
    const inDoubt = (id: string) => (byKey.get(`send:${id}`)?.attempts ?? []).some((a) => a.outcome === "in-doubt");
    const twiceInDoubt = twice.filter(inDoubt);
    const twiceUnexplained = twice.filter((id) => !inDoubt(id));
    const inDoubtTotal = contents.messages.filter((m) => m.attempts.some((a) => a.outcome === "in-doubt")).length;
    const inboundTags = new Set(contents.inbound.map((r) => /#(i\d+)/.exec(r.text)?.[1]).filter(Boolean));
    const inboundLost = injected.filter((t) => !inboundTags.has(t));
    const inboundIncomplete = contents.inbound.filter((r) => r.incomplete).length;
    const leftOnSim = sim.storage.used("SM") + sim.storage.used("ME") + sim.network.length;
    const inboundDuplicates = contents.inbound.length - inboundTags.size;
    const logFindings = scanLogs(service.lines.join("\n"), {
      numbers: [recipient(0), recipient(MESSAGES - 1), sender(0), sender(INBOUND - 1)],
      amounts: [],
      secrets: [],
    });

    const figures = {
      entry: service.runs,
      seed: SEED,
      kills: KILLS,
      killsDuringStartup,
      starts: service.starts,
      messages: MESSAGES,
      acknowledged: acked.size,
      lost: notSent.length,
      lostAtIngest: notStored.length,
      submittedTwice: twiceUnexplained.length,
      submittedTwiceInDoubt: twiceInDoubt.length,
      inDoubtMessages: inDoubtTotal,
      inDoubtSetting: "resend",
      inbound: injected.length,
      inboundLost: inboundLost.length,
      inboundDuplicates,
      inboundIncomplete,
      leftOnSim,
      restartMsMedian: median(restartMs),
      restartMsMax: Math.max(...restartMs),
      drainMs,
      finalExitCode: exit,
      unmaskedNumbersInLogs: logFindings.length,
    };
    recordFigures("crash", figures);
    if (process.env.DUEGATE_RELIABILITY_DEBUG)
      writeFileSync(process.env.DUEGATE_RELIABILITY_DEBUG, service.lines.join("\n"));
    console.log(`[reliability crash] ${JSON.stringify(figures)}`);
    expect({ notStored, notSent: notSent.slice(0, 20) }).toEqual({ notStored: [], notSent: [] });
    expect(twiceUnexplained).toEqual([]);
    expect(inboundLost).toEqual([]);
    expect(leftOnSim).toBe(0);
    expect(inboundDuplicates).toBe(0);
    expect(logFindings.map((f) => f.line)).toEqual([]);
    expect(exit).toBe(0);
    passed = true;
  }, 600_000);
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}
