import type { ModemSimulator } from "../simulator.js";

/** Fault switches (faults are behaviors the tests turn on). */
export interface SimFaults {
  /** Answers nothing (and drops what it is sent) for ms; for ever when ms is absent, until clear() or unplug. */
  hang(ms?: number): void;
  /** The next `times` sends fail with +CMS ERROR <code>. */
  cmsError(code: number, times?: number): void;
  /** Loses the network for ms: registration "searching", sends fail with +CMS ERROR 331. */
  noNetwork(ms: number): void;
  /** The SIM asks for this PIN (as after a SIM swap or power loss). */
  simPin(pin: string): void;
  /** The port vanishes for ms (USB unplug), then comes back; the modem reboots. */
  unplug(ms: number): void;
  /** Garbage on the line now, and URCs and garbage between the lines of the next responses. */
  noise(): void;
  /** Stores new SMS without +CMTI (Huawei E1750 with full memory, asterisk-chan-dongle #47). */
  storageFull(on: boolean): void;
  clear(): void;
}

export function createFaults(sim: ModemSimulator): SimFaults {
  return {
    hang(ms) {
      sim.hungUntil = ms === undefined ? Number.POSITIVE_INFINITY : sim.clock.now() + ms;
    },
    cmsError(code, times = 1) {
      for (let i = 0; i < times; i++) sim.cmsQueue.push(code);
    },
    noNetwork(ms) {
      const until = sim.clock.now() + ms;
      sim.noNetworkUntil = until;
      // One URC per registration command the host enabled (CREG, CGREG or CEREG alike).
      const names = sim.registrationUrcs;
      if (sim.settings.creg === 1) for (const n of names) sim.urc(`${n}: 2`);
      sim.clock.setTimer(ms, () => {
        // A timer may fire a millisecond before the wall clock reaches `until`: this outage is
        // over now (unless a later one replaced it), else no URC would ever say so.
        if (sim.noNetworkUntil === until) sim.noNetworkUntil = 0;
        if (sim.settings.creg === 1 && sim.isRegistered()) for (const n of names) sim.urc(`${n}: ${sim.registration}`);
      });
    },
    simPin(pin) {
      sim.requiredPin = pin;
      sim.settings.pinEntered = false;
    },
    unplug(ms) {
      sim.unpluggedUntil = sim.clock.now() + ms;
      sim.dropLink();
      sim.reboot();
    },
    noise() {
      sim.write("\xff\x00\xfe\x80garbage\r\n~~~\x01\r\n");
      sim.noiseBursts = 3;
    },
    storageFull(on) {
      sim.silentStorage = on;
    },
    clear() {
      sim.hungUntil = 0;
      sim.cmsQueue.length = 0;
      sim.noNetworkUntil = 0;
      sim.unpluggedUntil = 0;
      sim.noiseBursts = 0;
      sim.silentStorage = false;
    },
  };
}
