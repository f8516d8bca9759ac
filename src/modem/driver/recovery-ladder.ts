import type { Clock } from "../../core/clock.js";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { AtCommand } from "../at/command.js";
import { reset } from "../at/commands/cfun.js";
import type { ModemProfile } from "./profile.js";
import {
  backoffMs,
  nextPhase,
  powerCycle,
  RecoveryPhase,
  type RecoveryOptions,
  type UhubctlTarget,
} from "./recovery.js";

/** What the ladder needs from the driver; the driver keeps the port, the channel and the state. */
export interface RecoveryPorts {
  clock: Clock;
  log: Logger;
  options: RecoveryOptions;
  uhubctl?: UhubctlTarget;
  /** The loaded profile (reset command, settle time); read when a rung needs it. */
  profile(): ModemProfile;
  stopping(): boolean;
  hasTransport(): boolean;
  closeTransport(error: DuegateError): Promise<void>;
  /** Opens the port if it is closed (the transport re-finds a by-id name) and runs init. */
  connectAndInit(): Promise<void>;
  /** Straight to the channel, without the driver's retry and escalation. */
  execute<R>(cmd: AtCommand<R>): Promise<R>;
  setRecovering(): void;
  noteError(e: unknown, what: string): void;
}

/**
 * Runs the recovery ladder of recovery.ts in the background: reopen with backoff, the
 * profile's reset, a USB power cycle, until init succeeds or the driver stops. One run at a time.
 */
export class RecoveryLadder {
  private running: Promise<void> | undefined;
  private current: RecoveryPhase | undefined;
  /** Waits of the recovery loop; stop() cuts them short. */
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly ports: RecoveryPorts) {}

  /** The rung being climbed, until a successful init clears it. */
  get phase(): RecoveryPhase | undefined {
    return this.current;
  }

  clearPhase(): void {
    this.current = undefined;
  }

  start(): void {
    if (this.running || this.ports.stopping()) return;
    this.running = this.recover().finally(() => (this.running = undefined));
  }

  /** Ends the ladder's waits early (stop); the loop then sees `stopping` and returns. */
  wake(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  /** The run in progress, if any. */
  settled(): Promise<void> | undefined {
    return this.running;
  }

  private async recover(): Promise<void> {
    const p = this.ports;
    this.current = RecoveryPhase.Reopen;
    p.setRecovering();
    await p.closeTransport(new DuegateError(ErrorCode.ModemNotReady, "modem is recovering", { temporary: true }));
    let failures = 0;
    let keepTransport = false;
    for (let cycle = 0; cycle < 1_000_000 && !p.stopping(); cycle++) {
      await this.sleep(keepTransport ? 0 : backoffMs(failures, p.options));
      if (p.stopping()) return;
      keepTransport = false;
      try {
        await p.connectAndInit();
        p.log.info({ failures }, "modem recovered");
        return;
      } catch (e) {
        failures++;
        p.noteError(e, "modem recovery attempt failed");
        this.current = nextPhase(failures, p.options, Boolean(p.uhubctl));
        if (this.current === RecoveryPhase.Reset && p.hasTransport()) {
          const profile = p.profile();
          p.log.warn({ command: profile.reset }, "resetting the modem");
          await p.execute(reset(profile.reset, profile.timeouts.command)).catch(() => {});
          if (profile.compat.resetReenumerates)
            await p.closeTransport(
              new DuegateError(ErrorCode.ModemNotReady, "modem is resetting", { temporary: true }),
            );
          else keepTransport = true;
          await this.sleep(profile.timeouts.resetSettleMs);
          p.setRecovering();
          continue;
        }
        await p.closeTransport(new DuegateError(ErrorCode.ModemNotReady, "modem is recovering", { temporary: true }));
        if (this.current === RecoveryPhase.PowerCycle && p.uhubctl) {
          await powerCycle(p.uhubctl, p.log);
          await this.sleep(p.profile().timeouts.resetSettleMs);
        }
        p.setRecovering();
      }
    }
  }

  /** A wait on the clock that stop() ends early. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        timer.cancel();
        this.sleepers.delete(done);
        resolve();
      };
      const timer = this.ports.clock.setTimer(ms, done);
      this.sleepers.add(done);
    });
  }
}
