/**
 * The pool while it runs: a modem plugged in or unplugged (ModemPool's port watch) takes its
 * SIM's lane in or out of the outbox's rotation and is said on the bus (`modem.presence`); a
 * settings reload that adds, removes or changes a modem (a `modems:` entry, the single `modem:`,
 * or a switch between the two) starts, stops or replaces that driver and its lane, without a
 * restart (docs/modems.md, "Hot plug").
 *
 * The outbox is reached through the narrow PoolLanes port below (the outbox implements it), so
 * that modem/ stays below the domain.
 */
import type { DomainEvents } from "../../api/events.js";
import type { EventBus } from "../../core/bus.js";
import type { Clock } from "../../core/clock.js";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { Config } from "../../config/schema.js";
import type { Modem } from "../index.js";
import type { ModemSimulator } from "../sim/simulator.js";
import { createPoolMember } from "./create.js";
import { poolMembers, type PoolMemberSpec } from "./members.js";
import type { ModemPool, PoolMember } from "./pool.js";

/** One SIM's lane as the outbox takes it (src/outbox/types.ts SimLane). */
export interface PoolLane {
  id: string;
  sender: Modem;
  costPerPart: number;
  limits: PoolMemberSpec["limits"];
  routes: string[];
  smsc?: string;
}

/** What the pool needs of the outbox: lanes added, removed, swapped, and taken out while unplugged. */
export interface PoolLanes {
  addLane(lane: PoolLane): void;
  removeLane(id: string): Promise<void>;
  /**
   * `lane` takes the place of the lane `previousId` (its modem replaced by a reload); its queued
   * work stays queued for it. `sameSim`: the same modem goes on (only its id or lane settings changed).
   */
  replaceLane(previousId: string, lane: PoolLane, opts: { sameSim: boolean }): Promise<void>;
  setLanePresence(id: string, present: boolean): void;
}

/** A member's lane: its SIM's price (the entry's, else outbox.costPerPart), limits, routes and SMS centre. */
export function laneOf(m: PoolMember, defaultCostPerPart: number): PoolLane {
  return {
    id: m.id,
    sender: m.modem,
    costPerPart: m.spec.costPerPart ?? defaultCostPerPart,
    limits: m.spec.limits,
    routes: m.spec.routes,
    ...(m.spec.smsc ? { smsc: m.spec.smsc } : {}),
  };
}

export interface PoolChanges {
  added: string[];
  removed: string[];
  /** Entries whose settings changed, or that took another's place (`modem:` to `modems:` and back): `new` or `old→new`. */
  replaced: string[];
}

export interface HotPlugDeps {
  pool: ModemPool;
  lanes: PoolLanes;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  logger: Logger;
  /** outbox.costPerPart as it is now (a SIM without its own price). */
  defaultCostPerPart: () => number;
  /** Simulators for simulated modems added by a reload (tests); created if absent. */
  simulators?: ModemSimulator[];
}

export class PoolHotPlug {
  constructor(private readonly d: HotPlugDeps) {
    d.pool.onPresence((c) => {
      d.lanes.setLanePresence(c.modemId, c.present);
      d.bus.emit("modem.presence", { ...c, at: d.clock.now() });
    });
    d.pool.onMembership((c) => {
      const failed = (what: string, id: string) => (e: unknown) =>
        d.logger.error({ modem: id, err: errorMessage(e) }, `modem pool: ${what} the SIM's lane failed`);
      if (c.kind === "added") d.lanes.addLane(laneOf(c.member, d.defaultCostPerPart()));
      else if (c.kind === "removed") void d.lanes.removeLane(c.modemId).catch(failed("removing", c.modemId));
      else
        void d.lanes
          .replaceLane(c.previousId, laneOf(c.member, d.defaultCostPerPart()), { sameSim: c.sameDriver })
          .catch(failed("replacing", c.member.id));
    });
  }

  /**
   * Puts the modems of a reloaded configuration in force (the `modems:` list, or the single
   * `modem:` as a pool of one): new entries start, removed ones stop, changed ones take their
   * new settings; the others run on untouched. An entry continues the running modem with its id,
   * else the one on its port: so switching between `modem:` and `modems:` keeps the modem that
   * stays (under its new id), and the only modem of the pool can be changed, as the pool's
   * replace() does it (docs/modems.md, "Hot plug").
   */
  async apply(next: Pick<Config, "modem" | "modems">): Promise<PoolChanges> {
    const pool = this.d.pool;
    const wanted = poolMembers(next);
    const wantedIds = new Set(wanted.map((s) => s.id));
    const claimed = new Set<PoolMember>();
    const pairs = wanted.map((spec) => {
      const old =
        pool.member(spec.id) ??
        pool.members.find((m) => !wantedIds.has(m.id) && !claimed.has(m) && m.spec.port === spec.port);
      if (old) claimed.add(old);
      return { spec, old };
    });
    const changes: PoolChanges = { added: [], removed: [], replaced: [] };
    const create = (spec: PoolMemberSpec): PoolMember => {
      const simulator = spec.port === "sim" ? this.d.simulators?.shift() : undefined;
      return createPoolMember(spec, {
        config: next,
        clock: this.d.clock,
        logger: this.d.logger,
        peers: () => pool.members,
        ...(simulator ? { simulator } : {}),
      });
    };
    // Additions first: the pool is never left without a modem in between.
    for (const { spec, old } of pairs) {
      if (old) continue;
      await pool.add(create(spec));
      changes.added.push(spec.id);
    }
    for (const { spec, old } of pairs) {
      if (!old || (old.id === spec.id && sameSpec(old.spec, spec))) continue;
      const member = sameDriver(old.spec, spec) ? { id: spec.id, modem: old.modem, spec } : create(spec);
      await pool.replace(old.id, member);
      changes.replaced.push(old.id === spec.id ? spec.id : `${old.id}→${spec.id}`);
    }
    for (const m of [...pool.members]) {
      if (wantedIds.has(m.id)) continue;
      await pool.remove(m.id);
      changes.removed.push(m.id);
    }
    if (changes.added.length + changes.removed.length + changes.replaced.length > 0)
      this.d.logger.info(changes, "modem pool: modems reloaded");
    return changes;
  }
}

/** Same port, SIM and lane settings: nothing to restart. (A simulated SIM's number is derived, not configured.) */
function sameSpec(a: PoolMemberSpec, b: PoolMemberSpec): boolean {
  const comparable = (s: PoolMemberSpec) => JSON.stringify(s.port === "sim" ? { ...s, number: undefined } : s);
  return comparable(a) === comparable(b);
}

/**
 * What the driver is made of: the device and how it is opened and set up. Limits, price, routes,
 * the credit check and the number shown change without a restart of the driver.
 */
function sameDriver(a: PoolMemberSpec, b: PoolMemberSpec): boolean {
  const driver = (s: PoolMemberSpec) =>
    JSON.stringify([
      s.port,
      s.baudRate,
      s.profile,
      s.pin,
      s.smsc,
      s.uhubctl?.location,
      s.uhubctl?.port,
      s.port === "sim" ? s.sendLatencyMs : 0,
    ]);
  return driver(a) === driver(b);
}
