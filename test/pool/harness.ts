/**
 * A modem pool wired as src/app.ts wires it: N simulators (or N pseudo-terminals through
 * socat), one real driver each, a ModemPool, the real Outbox with one lane per SIM and its
 * files in a temporary directory, the pool's status reports and inbound senders routed to it.
 * Used by the pool tests and bench/pool.ts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DomainEvents, ModemRotationEvent } from "../../src/api/events.js";
import { EventBus } from "../../src/core/bus.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { validateConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { createModem, ModemPool, ModemSimulator, type PoolMember } from "../../src/modem/index.js";
import { Outbox, type SimLane } from "../../src/outbox/index.js";
import { FAST } from "../modem/helpers.js";

export interface PoolRig {
  dir: string;
  config: Config;
  bus: EventBus<DomainEvents>;
  sims: ModemSimulator[];
  pool: ModemPool;
  outbox: Outbox;
  rotation: ModemRotationEvent[];
  /** Inbound SMS as the pool delivered them, with the receiving modem's id. */
  inbound: Array<{ from: string; text: string; modemId: string | undefined }>;
  stop(): Promise<void>;
}

export interface PoolRigOptions {
  modems: number;
  sendLatencyMs?: number;
  deliveryReportDelayMs?: number;
  /** Per-lane settings (cost, limits, routes), by index. */
  lanes?: Array<Partial<Omit<SimLane, "id" | "sender">>>;
  /** Changes to the test configuration (raw, validated with the defaults). */
  config?: Record<string, unknown>;
  /** Talk to each simulator through a pseudo-terminal (socat) and serialport's native binding. */
  pty?: boolean;
  dir?: string;
}

export const simNumber = (i: number): string => `+4917000000${String(i).padStart(2, "0")}`;

export async function startPool(opts: PoolRigOptions): Promise<PoolRig> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), "duegate-pool-")));
  const config = validateConfig({
    // The outbox's own pacing is for a real SIM; here the simulators are the limit.
    outbox: {
      sendWindow: { start: "00:00", end: "23:59" },
      limits: { perMinute: 100_000, perSimPerDay: 100_000, perSimPerMonth: 1_000_000, perRecipientPerWeek: 100 },
      ...((opts.config?.outbox as object | undefined) ?? {}),
    },
    storage: { flushIntervalMs: 50 },
    ...Object.fromEntries(Object.entries(opts.config ?? {}).filter(([k]) => k !== "outbox")),
  });
  const bus = new EventBus<DomainEvents>();
  const logger = silentLogger();
  const clock = systemClock;
  const sims = Array.from(
    { length: opts.modems },
    (_, i) =>
      new ModemSimulator({
        sendLatencyMs: opts.sendLatencyMs ?? 5,
        deliveryReportDelayMs: opts.deliveryReportDelayMs ?? 20,
        storageSize: 30,
        ownNumber: simNumber(i),
      }),
  );
  const ptys = opts.pty ? await Promise.all(sims.map((s) => s.servePty())) : undefined;
  const members: PoolMember[] = sims.map((sim, i) => {
    const pty = ptys?.[i];
    const modem = createModem({
      port: pty?.path ?? "sim",
      baudRate: 115200,
      profile: "generic",
      healthIntervalMs: 60_000,
      clock,
      logger,
      ...(pty ? {} : { simulator: sim }),
      ...FAST,
      ...(pty ? { timeouts: { ...FAST.timeouts, command: 1000 } } : {}),
    });
    const id = `m${i + 1}`;
    return {
      id,
      modem,
      spec: {
        id,
        port: pty?.path ?? "sim",
        baudRate: 115200,
        profile: "generic",
        number: simNumber(i),
        limits: {},
        routes: [],
        sendLatencyMs: opts.sendLatencyMs ?? 5,
      },
    };
  });
  const pool = new ModemPool(members, logger);
  const lanes: SimLane[] = members.map((m, i) => ({
    id: m.id,
    sender: m.modem,
    costPerPart: 0.09,
    ...opts.lanes?.[i],
  }));
  const outbox = await Outbox.open({
    dataDir: dir,
    clock,
    bus,
    logger,
    config: config.outbox,
    storage: config.storage,
    modemConfig: config.modem,
    gateway: config.gateway,
    sender: pool,
    lanes,
  });
  const rotation: ModemRotationEvent[] = [];
  bus.on("modem.rotation", "test", (e) => void rotation.push(e));
  const inbound: PoolRig["inbound"] = [];
  pool.onInboundPending((modemId) => outbox.holdForReply(modemId));
  pool.onInbound(async (pdu, raw) => {
    outbox.noteInbound(pdu.from, raw.modemId);
    inbound.push({ from: pdu.from, text: pdu.text, modemId: raw.modemId });
    outbox.releaseReplyHold();
  });
  pool.onStatusReport((r, via) => outbox.onStatusReport(r, via));
  await pool.start();
  await Promise.all(members.map((m) => (m.modem.ready ? m.modem.inboxIdle() : undefined)));
  await outbox.start();
  return {
    dir,
    config,
    bus,
    sims,
    pool,
    outbox,
    rotation,
    inbound,
    async stop() {
      await Promise.all([outbox.stop(), pool.stop()]);
      await Promise.all((ptys ?? []).map((p) => p.close()));
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
