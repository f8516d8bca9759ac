/**
 * The modems of the pool as the panel, the REST API (/api/v1/modems) and the retained MQTT
 * status see them: one list of figures per modem (health, rotation, parts against limits,
 * cost, prepaid credit), and the doctor and the AT console of one modem chosen by its id.
 * Every adapter reads these, so the panel, the API and MQTT cannot tell different stories.
 */
import type { DoctorCheck, ModemFigures, ModemHealthEvent } from "../api/events.js";
import type { Clock } from "../core/clock.js";
import { DuegateError, ErrorCode } from "../core/errors.js";

/** A member of the modem pool (src/modem/pool/pool.ts PoolMember), as far as it is shown. */
export interface RosterMember {
  readonly id: string;
  readonly spec: { readonly port: string; readonly profile: string; readonly number?: string };
  readonly modem: {
    health(): ModemHealthEvent;
    diagnose(): Promise<{ checks: DoctorCheck[] }>;
    console(command: string): Promise<string[]>;
  };
}

/** Each SIM as the outbox counts it (Outbox.simStatus()). */
export interface SimCounts {
  id: string;
  inRotation: boolean;
  reason?: string;
  retryAt?: number;
  partsToday: number;
  partsThisMonth: number;
  limits: { perDay: number; perMonth: number; perMinute: number };
  costPerPart: number;
}

/** The last prepaid credit reading per SIM (src/modem/pool/credit.ts CreditMonitor). */
export interface CreditReading {
  modemId: string;
  credit?: number;
  text: string;
  low: boolean;
  at: number;
}

export interface ModemRosterDeps {
  /** The pool: its members read at each call, so that a modem added or removed by a reload is shown as it is. */
  pool: { readonly members: readonly RosterMember[] };
  outbox: { simStatus(): SimCounts[] };
  credits?: { credits(): CreditReading[] };
  clock: Clock;
}

export interface ModemDoctorReport {
  modemId: string;
  checks: DoctorCheck[];
  at: number;
}

/** Cost figures keep four decimals, as the reports do (src/dunning/reports). */
const costOf = (parts: number, perPart: number): number => Math.round(parts * perPart * 10_000) / 10_000;

export class ModemRoster {
  constructor(private readonly d: ModemRosterDeps) {}

  /** Every modem of the pool, in the order of the configuration. */
  list(): ModemFigures[] {
    const sims = new Map(this.d.outbox.simStatus().map((s) => [s.id, s]));
    const credits = new Map((this.d.credits?.credits() ?? []).map((c) => [c.modemId, c]));
    return this.d.pool.members.map((m) => figures(m, sims.get(m.id), credits.get(m.id)));
  }

  /** One modem; NotFound naming the ids there are. */
  get(id: string): ModemFigures {
    const m = this.member(id);
    const sim = this.d.outbox.simStatus().find((s) => s.id === id);
    const credit = this.d.credits?.credits().find((c) => c.modemId === id);
    return figures(m, sim, credit);
  }

  /** The doctor's checks on one running modem, through its own AT channel (behind its sends). */
  async doctor(id: string): Promise<ModemDoctorReport> {
    const m = this.member(id);
    const { checks } = await m.modem.diagnose();
    return { modemId: m.id, checks, at: this.d.clock.now() };
  }

  /** One allow-listed AT command on one modem (the driver refuses the others). */
  async console(id: string, command: string): Promise<{ modemId: string; command: string; lines: string[] }> {
    const m = this.member(id);
    return { modemId: m.id, command, lines: await m.modem.console(command) };
  }

  private member(id: string): RosterMember {
    const m = this.d.pool.members.find((x) => x.id === id);
    if (!m)
      throw new DuegateError(
        ErrorCode.NotFound,
        `no modem "${id}"; the modems are ${this.d.pool.members.map((x) => x.id).join(", ")}`,
        { field: "/id", modemId: id },
      );
    return m;
  }
}

function figures(m: RosterMember, sim: SimCounts | undefined, credit: CreditReading | undefined): ModemFigures {
  const health = m.modem.health();
  const costPerPart = sim?.costPerPart ?? 0;
  const partsToday = sim?.partsToday ?? 0;
  const partsThisMonth = sim?.partsThisMonth ?? 0;
  return {
    id: m.id,
    port: m.spec.port,
    profile: m.spec.profile,
    ...(m.spec.number ? { number: m.spec.number } : {}),
    health: { ...health, modemId: m.id },
    // A modem the outbox does not know (it sends through one lane) is in rotation when it is up.
    inRotation: sim?.inRotation ?? health.state === "ready",
    ...(sim?.reason ? { reason: sim.reason } : {}),
    ...(sim?.retryAt !== undefined ? { retryAt: sim.retryAt } : {}),
    partsToday,
    partsThisMonth,
    limits: sim?.limits ?? { perDay: 0, perMonth: 0, perMinute: 0 },
    costPerPart,
    cost: { today: costOf(partsToday, costPerPart), thisMonth: costOf(partsThisMonth, costPerPart) },
    ...(credit
      ? {
          credit: {
            ...(credit.credit !== undefined ? { amount: credit.credit } : {}),
            text: credit.text,
            low: credit.low,
            at: credit.at,
          },
        }
      : {}),
  };
}
