/**
 * The pool while it runs: a modem plugged in or unplugged (ModemPool's port watch) takes its
 * SIM's lane in or out of the outbox's rotation and is said on the bus (`modem.presence`); a
 * settings reload that adds or removes a `modems:` entry starts or stops that driver and its
 * lane, without a restart (docs/modems.md, "Hot plug").
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

/** What the pool needs of the outbox: lanes added, removed, and taken out while unplugged. */
export interface PoolLanes {
  addLane(lane: PoolLane): void;
  removeLane(id: string): Promise<void>;
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
  /** Entries whose settings changed: their drivers were stopped and started with the new ones. */
  replaced: string[];
  /** Why nothing was changed, when the change needs a restart. */
  restartRequired?: string;
}

export interface HotPlugDeps {
  pool: ModemPool;
  lanes: PoolLanes;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  logger: Logger;
  /** outbox.costPerPart as it is now (a SIM without its own price). */
  defaultCostPerPart: () => number;
  /** The pool was built from a `modems:` list (not the single `modem:`). */
  listed: boolean;
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
      if (c.kind === "added") d.lanes.addLane(laneOf(c.member, d.defaultCostPerPart()));
      else
        void d.lanes
          .removeLane(c.modemId)
          .catch((e: unknown) =>
            d.logger.error({ modem: c.modemId, err: errorMessage(e) }, "modem pool: removing the SIM's lane failed"),
          );
    });
  }

  /**
   * Puts the `modems:` list of a reloaded configuration in force: new entries start, removed
   * ones stop, changed ones restart with their new settings; the others run on untouched.
   * Switching between a single `modem:` and a `modems:` list needs a restart.
   */
  async apply(next: Pick<Config, "modem" | "modems">): Promise<PoolChanges> {
    const none: PoolChanges = { added: [], removed: [], replaced: [] };
    if (this.d.listed !== next.modems.length > 0) {
      const restartRequired = "switching between the single modem: and a modems: list needs a restart";
      this.d.logger.warn(restartRequired);
      return { ...none, restartRequired };
    }
    if (next.modems.length === 0) return none; // the single modem's port is read at start only
    const wanted = poolMembers(next);
    const have = new Map(this.d.pool.members.map((m) => [m.id, m]));
    const changes: PoolChanges = { added: [], removed: [], replaced: [] };
    const create = (spec: PoolMemberSpec): PoolMember => {
      const simulator = spec.port === "sim" ? this.d.simulators?.shift() : undefined;
      return createPoolMember(spec, {
        config: next,
        clock: this.d.clock,
        logger: this.d.logger,
        peers: () => this.d.pool.members,
        ...(simulator ? { simulator } : {}),
      });
    };
    // Additions first: the pool is never left without a modem in between.
    for (const spec of wanted) {
      const old = have.get(spec.id);
      if (!old) {
        await this.d.pool.add(create(spec));
        changes.added.push(spec.id);
      } else if (!sameSpec(old.spec, spec)) {
        if (this.d.pool.members.length === 1) {
          changes.restartRequired = `modems.${spec.id} changed and is the only modem: restart to use the new settings`;
          this.d.logger.warn(changes.restartRequired);
          continue;
        }
        await this.d.pool.remove(spec.id);
        await this.d.pool.add(create(spec));
        changes.replaced.push(spec.id);
      }
    }
    const keep = new Set(wanted.map((s) => s.id));
    for (const m of [...this.d.pool.members]) {
      if (keep.has(m.id)) continue;
      await this.d.pool.remove(m.id);
      changes.removed.push(m.id);
    }
    if (changes.added.length + changes.removed.length + changes.replaced.length > 0)
      this.d.logger.info(changes, "modem pool: modems: list reloaded");
    return changes;
  }
}

/** Same port, SIM and lane settings: nothing to restart. (A simulated SIM's number is derived, not configured.) */
function sameSpec(a: PoolMemberSpec, b: PoolMemberSpec): boolean {
  const comparable = (s: PoolMemberSpec) => JSON.stringify(s.port === "sim" ? { ...s, number: undefined } : s);
  return comparable(a) === comparable(b);
}
