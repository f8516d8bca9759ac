import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/log.js";
import type { Config } from "../../config/schema.js";
import { createModem } from "../modem.js";
import { ModemSimulator } from "../sim/simulator.js";
import { poolMembers, type PoolMemberSpec } from "./members.js";
import { ModemPool, type PoolMember } from "./pool.js";

export interface ModemPoolOptions {
  config: Pick<Config, "modem" | "modems">;
  clock: Clock;
  logger: Logger;
  /** Simulators to use for the simulated members, in order (tests and the demo drive them); created if absent. */
  simulators?: ModemSimulator[];
}

/** One member's driver; a simulated member gets its own simulator (the given one, or a new one with its number and radio). */
export function createPoolMember(
  spec: PoolMemberSpec,
  opts: Omit<ModemPoolOptions, "simulators"> & {
    simulator?: ModemSimulator;
    /** The pool's members as they are when the port is searched again (a USB reset): their ports are left alone. */
    peers?: () => readonly PoolMember[];
  },
): PoolMember {
  const m = opts.config.modem;
  const simulator =
    spec.port === "sim"
      ? (opts.simulator ??
        new ModemSimulator({
          clock: opts.clock,
          sendLatencyMs: spec.sendLatencyMs,
          deliveryReportDelayMs: m.simulator.deliveryReportDelayMs,
          ...(spec.number ? { ownNumber: spec.number } : {}),
          storageSize: m.simulator.storageSize,
        }))
      : undefined;
  const logger = opts.logger.child({ modem: spec.id });
  const peers = opts.peers;
  const modem = createModem({
    port: spec.port,
    baudRate: spec.baudRate,
    profile: spec.profile,
    ...(spec.pin ? { pin: spec.pin } : {}),
    ...(spec.smsc ? { smsc: spec.smsc } : {}),
    healthIntervalMs: m.healthIntervalSeconds * 1000,
    clock: opts.clock,
    logger,
    ...(simulator ? { simulator } : {}),
    ...(spec.uhubctl ? { uhubctl: spec.uhubctl } : {}),
    ...(peers
      ? {
          otherPorts: () =>
            peers()
              .map((p) => p.spec.port)
              .filter((p) => p !== spec.port),
        }
      : {}),
    recovery: m.recovery,
    stopGraceMs: m.stopGraceMs,
  });
  return { id: spec.id, modem, spec };
}

/** One driver per configured modem; each simulated member gets its own simulator, number and radio. */
export function createModemPool(opts: ModemPoolOptions): ModemPool {
  const given = [...(opts.simulators ?? [])];
  // Read when a port is searched again, long after the pool exists.
  const peers = (): readonly PoolMember[] => pool.members;
  const members = poolMembers(opts.config).map((spec) =>
    createPoolMember(spec, {
      ...opts,
      peers,
      ...(spec.port === "sim" && given.length > 0 ? { simulator: given.shift() } : {}),
    }),
  );
  const pool = new ModemPool(members, opts.logger, {
    clock: opts.clock,
    portRecheckMs: opts.config.modem.portRecheckSeconds * 1000,
  });
  return pool;
}
