/**
 * A Raspberry Pi has no battery-backed clock: after a power cut it may boot in 1970 or at the
 * time of its last shutdown. A reminder sent on a wrong date is worse than a late one, so the
 * engine schedules nothing until the clock is known to be right, from (in order):
 * the config override, systemd-timesyncd's NTP flag, or the modem's network time (NITZ via
 * AT+CCLK) agreeing with the system clock within a tolerance. Once trusted it stays trusted.
 */
import { access } from "node:fs/promises";
import { execFile } from "node:child_process";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { ClockSource, ClockTrust, ClockTrustStatus } from "../core/clock-trust.js";

export type { ClockSource, ClockTrustStatus, ClockTrust };

export interface ClockTrustOptions {
  clock: Clock;
  logger: Logger;
  /** Config override (dunning.requireTrustedClock false): trust the clock as it is. */
  override: boolean;
  toleranceMs: number;
  recheckMs: number;
  /** Defaults to systemNtpSynchronized. */
  ntpSynchronized?: () => Promise<boolean>;
  /** The modem's network time (Modem.networkTime), when a modem is there. */
  networkTime?: () => Promise<number | undefined>;
}

const TIMESYNC_FLAG = "/run/systemd/timesync/synchronized";

/** systemd-timesyncd creates the flag file once synchronised; timedatectl answers for other NTP daemons (chrony). */
export async function systemNtpSynchronized(): Promise<boolean> {
  try {
    await access(TIMESYNC_FLAG);
    return true;
  } catch {
    /* not timesyncd, or not yet synchronised: ask timedatectl */
  }
  return new Promise((resolve) => {
    execFile("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], { timeout: 3000 }, (err, stdout) =>
      resolve(!err && String(stdout).trim() === "yes"),
    );
  });
}

export class SystemClockTrust implements ClockTrust {
  private current: ClockTrustStatus;
  private readonly listeners: Array<() => void> = [];
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly opts: ClockTrustOptions) {
    this.current = { trusted: false, source: "none", detail: "not checked yet", checkedAt: 0 };
  }

  status(): ClockTrustStatus {
    return { ...this.current };
  }

  onTrusted(fn: () => void): void {
    if (this.current.trusted) fn();
    else this.listeners.push(fn);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.check();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  async check(): Promise<ClockTrustStatus> {
    if (this.current.trusted) return this.status();
    const now = this.opts.clock.now();
    let next: ClockTrustStatus;
    if (this.opts.override)
      next = {
        trusted: true,
        source: "config",
        detail: "trusted by configuration (dunning.requireTrustedClock: false)",
        checkedAt: now,
      };
    else if (await (this.opts.ntpSynchronized ?? systemNtpSynchronized)().catch(() => false))
      next = { trusted: true, source: "ntp", detail: "system clock synchronised by NTP", checkedAt: now };
    else next = await this.fromModem(now);
    this.current = next;
    if (next.trusted) {
      this.opts.logger.info({ source: next.source }, "clock trusted: reminders may be scheduled");
      for (const fn of this.listeners.splice(0)) fn();
    } else if (!this.stopped) {
      this.opts.logger.warn({ detail: next.detail }, "clock not trusted yet: no reminder is scheduled");
      this.timer?.cancel();
      this.timer = this.opts.clock.setTimer(this.opts.recheckMs, () => void this.check());
    }
    return this.status();
  }

  private async fromModem(now: number): Promise<ClockTrustStatus> {
    if (!this.opts.networkTime)
      return {
        trusted: false,
        source: "none",
        detail: "no NTP synchronisation and no modem network time",
        checkedAt: now,
      };
    let net: number | undefined;
    try {
      net = await this.opts.networkTime();
    } catch {
      net = undefined;
    }
    if (net === undefined)
      return {
        trusted: false,
        source: "none",
        detail: "no NTP synchronisation; the modem reported no network time",
        checkedAt: now,
      };
    const offsetMs = net - this.opts.clock.now();
    if (Math.abs(offsetMs) <= this.opts.toleranceMs)
      return {
        trusted: true,
        source: "modem",
        detail: `modem network time agrees within ${Math.round(Math.abs(offsetMs) / 1000)} s`,
        checkedAt: now,
        offsetMs,
      };
    return {
      trusted: false,
      source: "none",
      detail: `modem network time differs from the system clock by ${Math.round(offsetMs / 1000)} s`,
      checkedAt: now,
      offsetMs,
    };
  }
}
