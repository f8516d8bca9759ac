/**
 * `duegate send`: one SMS straight through a modem, for a technician checking the line. It
 * runs the same driver as the service (init, PIN, registration) and prints each part's
 * TP-MR. The concatenation reference is random here: a one-shot verb has no persisted
 * counter, and one technician's test message cannot collide with itself.
 */
import { randomInt } from "node:crypto";
import { systemClock } from "../core/clock.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { createModem, type ModemSimulator } from "../modem/index.js";
import { encodeSubmit } from "../sms/index.js";

export interface SendOptions {
  port: string;
  baudRate: number;
  profile: string;
  pin?: string;
  to: string;
  text: string;
  logger: Logger;
  /** How long to wait for the modem to be ready (registration included). default 120000 ms. */
  readyTimeoutMs?: number;
  /** Ask for a status report per part. default false. */
  statusReport?: boolean;
  /** For port "sim": the simulator to send through (created if absent). */
  simulator?: ModemSimulator;
}

export async function runSend(opts: SendOptions): Promise<{ parts: Array<{ index: number; reference: number }> }> {
  // Encode first: a bad number or text fails before the modem is touched.
  const { parts } = encodeSubmit(opts.text, {
    to: opts.to,
    concatReference: randomInt(0, 256),
    statusReport: opts.statusReport ?? false,
  });
  const keepAlive = setInterval(() => {}, 1000);
  const modem = createModem({
    port: opts.port,
    baudRate: opts.baudRate,
    profile: opts.profile,
    pin: opts.pin,
    healthIntervalMs: 3_600_000,
    clock: systemClock,
    logger: opts.logger,
    simulator: opts.simulator,
  });
  try {
    await modem.start();
    if (!(await modem.whenReady(opts.readyTimeoutMs ?? 120_000))) {
      const h = modem.health();
      throw new DuegateError(
        ErrorCode.ModemNotReady,
        `modem on ${opts.port} is not ready (${h.state}${h.registration ? `, registration ${h.registration}` : ""})${h.lastError ? `: ${h.lastError}` : ""}; run duegate doctor`,
        { port: opts.port, state: h.state },
      );
    }
    const out: Array<{ index: number; reference: number }> = [];
    for (const p of parts) {
      const { reference } = await modem.sendPart(p);
      out.push({ index: p.index, reference });
    }
    return { parts: out };
  } finally {
    await modem.stop();
    clearInterval(keepAlive);
  }
}
