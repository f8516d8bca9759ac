import type { ModemHealthEvent } from "../../src/api/events.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import {
  createModem,
  ModemSimulator,
  type Modem,
  type ModemOptions,
  type SimulatorOptions,
} from "../../src/modem/index.js";
import type { DeliverPdu, StatusReportPdu } from "../../src/sms/index.js";

/**
 * Short timeouts so that faults resolve in a test's time; the ladder's shape is unchanged.
 * `command` stays well above event-loop stalls of a loaded 2-core CI machine.
 */
export const FAST: Pick<ModemOptions, "timeouts" | "recovery" | "registrationPollMs"> = {
  timeouts: { command: 600, read: 2000, send: 3000, network: 1000, registrationMs: 400, resetSettleMs: 200 },
  recovery: { backoffBaseMs: 20, backoffMaxMs: 200, resetAfter: 3, powerCycleAfter: 6 },
  registrationPollMs: 20,
};

export interface Harness {
  sim: ModemSimulator;
  modem: Modem;
  inbound: Array<{ pdu: DeliverPdu; raw: { hex: string; storage?: string; index?: number } }>;
  reports: StatusReportPdu[];
  health: ModemHealthEvent[];
  stop(): Promise<void>;
}

/** The integration harness (zwave-js integrationTest): a real Modem on the simulator. */
export async function startOnSimulator(
  simOpts: SimulatorOptions = {},
  modemOpts: Partial<ModemOptions> = {},
  before?: (h: Harness) => void,
): Promise<Harness> {
  const sim = new ModemSimulator({ sendLatencyMs: 5, deliveryReportDelayMs: 20, ...simOpts });
  const modem = createModem({
    port: "sim",
    baudRate: 115200,
    profile: "generic",
    healthIntervalMs: 60_000,
    clock: systemClock,
    logger: silentLogger(),
    simulator: sim,
    ...FAST,
    ...modemOpts,
  });
  const h: Harness = { sim, modem, inbound: [], reports: [], health: [], stop: () => modem.stop() };
  modem.onInbound(async (pdu, raw) => void h.inbound.push({ pdu, raw }));
  modem.onStatusReport(async (r) => void h.reports.push(r));
  modem.onHealth((e) => h.health.push(e));
  before?.(h);
  await modem.start();
  // The start-up sweep (AT+CMGL=4) runs in the background; tests begin after it.
  // Health polls are FIFO at one priority: awaiting one more means the start-up poll is done too.
  if (modem.ready) {
    await modem.inboxIdle();
    await modem.refreshHealth();
  }
  return h;
}

/** Polls until pred() is true; fails with `what` after ms (bounded: every loop in tests is). */
export async function waitFor(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
