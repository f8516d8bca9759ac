import { execFile } from "node:child_process";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";

/**
 * The recovery ladder (zwave-js handleMissingControllerACK): each failed
 * reopen climbs one rung. Phases in order:
 *   Retry      a timed-out command is sent once more (only if it is safe to repeat)
 *   Reopen     the port is closed and opened again, with exponential backoff
 *   Reset      the profile's reset command (AT+CFUN=1,1), then wait for the modem to come back
 *   PowerCycle uhubctl switches the USB port off and on (only when configured)
 * A port that vanished (USB unplug) goes straight to Reopen and waits for it to come back.
 */
export enum RecoveryPhase {
  Retry = "retry",
  Reopen = "reopen",
  Reset = "reset",
  PowerCycle = "power-cycle",
}

export interface RecoveryOptions {
  /** First reopen delay, ms. default 500. */
  backoffBaseMs: number;
  /** Longest delay between reopen attempts, ms. default 30000. */
  backoffMaxMs: number;
  /** Failed reopen+init cycles before the reset command. default 3. */
  resetAfter: number;
  /** Failed cycles before a USB power cycle (if uhubctl is configured). default 6. */
  powerCycleAfter: number;
}

export const DEFAULT_RECOVERY: RecoveryOptions = {
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  resetAfter: 3,
  powerCycleAfter: 6,
};

/** Pure: may this command be sent again after a timeout? (zwave-js mayRetrySerialAPICommand) */
export function mayRetry(cmd: { retryable: boolean }, attempt: number): boolean {
  return cmd.retryable && attempt < 1;
}

/** Pure: the wait before reopen attempt n (0-based). */
export function backoffMs(attempt: number, o: RecoveryOptions): number {
  return Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** Math.min(attempt, 20));
}

/** Pure: which rung to take after `failures` failed cycles. */
export function nextPhase(failures: number, o: RecoveryOptions, canPowerCycle: boolean): RecoveryPhase {
  if (canPowerCycle && failures > 0 && failures % o.powerCycleAfter === 0) return RecoveryPhase.PowerCycle;
  if (failures > 0 && failures % o.resetAfter === 0) return RecoveryPhase.Reset;
  return RecoveryPhase.Reopen;
}

export interface UhubctlTarget {
  /** Hub location as uhubctl lists it, e.g. "1-1". */
  location: string;
  /** Port number on that hub. */
  port: string;
  /** The program; default "uhubctl" from PATH (tests pass a stand-in). */
  command?: string;
}

/** Last resort: power-cycles the modem's USB port (needs a hub with per-port power switching). */
export function powerCycle(target: UhubctlTarget, logger: Logger): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      target.command ?? "uhubctl",
      ["-l", target.location, "-p", target.port, "-a", "cycle", "-d", "3"],
      { timeout: 30_000 },
      (err, _stdout, stderr) => {
        if (err) {
          logger.error(
            { err: errorMessage(err), stderr: String(stderr).slice(0, 300) },
            "USB power cycle with uhubctl failed",
          );
          resolve(false);
        } else {
          logger.warn({ location: target.location, port: target.port }, "USB port power-cycled with uhubctl");
          resolve(true);
        }
      },
    );
  });
}
