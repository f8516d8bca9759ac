/**
 * The modems of the pool as the configuration describes them: the `modems:` list, or the
 * single `modem:` section as a pool of one. Each entry takes what it leaves out from `modem:`.
 */
import type { Config } from "../../config/schema.js";

/** The id of the one modem of a configuration without a `modems:` list. */
export const SINGLE_MODEM_ID = "modem";

export interface PoolMemberSpec {
  id: string;
  port: string;
  baudRate: number;
  profile: string;
  pin?: string;
  smsc?: string;
  /** The SIM's own number, when known (configured, or the simulator's). */
  number?: string;
  limits: { partsPerMinute?: number; partsPerDay?: number; partsPerMonth?: number };
  costPerPart?: number;
  routes: string[];
  balance?: { ussd: string; intervalMinutes: number; warnBelow: number };
  uhubctl?: { location: string; port: string };
  /** Simulated radio time per part (port sim only). */
  sendLatencyMs: number;
}

/**
 * Simulated SIM numbers of a pool: the `modem:` simulator's number for the first, the next
 * numbers after it for the others, so that each simulated SIM is told apart by the debtors.
 */
function simNumber(base: string, i: number): string {
  const digits = base.replace(/^\+/, "");
  const next = (BigInt(digits) + BigInt(i)).toString().padStart(digits.length, "0");
  return `+${next}`;
}

export function poolMembers(config: Pick<Config, "modem" | "modems">): PoolMemberSpec[] {
  const m = config.modem;
  if (config.modems.length === 0) {
    return [
      {
        id: SINGLE_MODEM_ID,
        port: m.port,
        baudRate: m.baudRate,
        profile: m.profile,
        ...(m.pin ? { pin: m.pin } : {}),
        ...(m.smsc ? { smsc: m.smsc } : {}),
        ...(m.port === "sim" ? { number: m.simulator.ownNumber } : {}),
        limits: {},
        routes: [],
        ...(m.uhubctl ? { uhubctl: m.uhubctl } : {}),
        sendLatencyMs: m.simulator.sendLatencyMs,
      },
    ];
  }
  let simIndex = 0;
  return config.modems.map((e) => {
    const number = e.number ?? (e.port === "sim" ? simNumber(m.simulator.ownNumber, simIndex) : undefined);
    if (e.port === "sim") simIndex++;
    const pin = e.pin ?? (m.pin || undefined);
    const smsc = e.smsc ?? (m.smsc || undefined);
    return {
      id: e.id,
      port: e.port,
      baudRate: e.baudRate ?? m.baudRate,
      profile: e.profile ?? m.profile,
      ...(pin ? { pin } : {}),
      ...(smsc ? { smsc } : {}),
      ...(number ? { number } : {}),
      limits: { ...e.limits },
      ...(e.costPerPart !== undefined ? { costPerPart: e.costPerPart } : {}),
      routes: [...e.routes],
      ...(e.balance ? { balance: e.balance } : {}),
      ...(e.uhubctl ? { uhubctl: e.uhubctl } : {}),
      sendLatencyMs: e.simulator?.sendLatencyMs ?? m.simulator.sendLatencyMs,
    };
  });
}
