import type { Clock } from "../core/clock.js";
import { systemClock } from "../core/clock.js";
import { DuegateError, ErrorCode } from "../core/errors.js";

/**
 * What the panel is told when the demo runs on its own clock, so that its header shows the
 * demo's date and time (what the Today page counts as today): `shifted` runs at normal speed
 * from another instant (`--clock`); `time-lapse` is moved forward by the demo (`--fast`),
 * about `speed` times faster than real time.
 */
export interface DemoClockInfo {
  mode: "shifted" | "time-lapse";
  speed: number;
}

/**
 * `duegate demo --clock <instant>`: the demo as it would run at another hour (05:00 on a
 * Monday, 23:00 on a Sunday) without touching the machine's clock. Time runs at normal speed
 * from that instant; the dunning cron, send windows, the simulator and the sample data all read
 * this clock. Only the demo has the flag: the service always runs on the system clock.
 */
export function shiftedClock(startAt: number, base: Clock = systemClock): Clock {
  const shift = startAt - base.now();
  return {
    now: () => base.now() + shift,
    setTimer: (ms, fn) => base.setTimer(ms, fn),
  };
}

/** "2026-12-07T05:00:00+01:00" → epoch ms; an instant without an offset or zone is refused (it would depend on the host's zone). */
export function parseDemoClock(text: string): number {
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
  const ms = withZone.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (!Number.isFinite(ms)) {
    throw new DuegateError(
      ErrorCode.ConfigInvalid,
      `--clock ${JSON.stringify(text)} is invalid, expected an ISO 8601 instant with its offset, such as 2026-12-07T05:00:00+01:00`,
      { flag: "--clock" },
    );
  }
  return ms;
}
