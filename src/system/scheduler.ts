/**
 * Recurring jobs by cron expression. croner only parses the expression and computes the next
 * run; the timer is the injected Clock's, so a ManualClock drives cron jobs in tests exactly
 * like the wall clock does in service. The domain sees only the Scheduler interface.
 */
import { Cron } from "croner";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import type { ScheduledJob, Scheduler } from "../core/scheduler.js";

export type { ScheduledJob, Scheduler };

/** Longest single timer: Node's setTimeout overflows past 2^31-1 ms; a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class CronScheduler implements Scheduler {
  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  schedule(name: string, cron: string, fn: () => void | Promise<void>, opts: { timeZone?: string } = {}): ScheduledJob {
    let pattern: Cron;
    try {
      pattern = new Cron(cron, { paused: true, ...(opts.timeZone ? { timezone: opts.timeZone } : {}) });
    } catch (e) {
      throw new DuegateError(
        ErrorCode.ConfigInvalid,
        `schedule "${name}": cannot read cron expression "${cron}": ${e instanceof Error ? e.message : String(e)}`,
        { cron },
      );
    }
    let timer: TimerHandle | undefined;
    let next: number | undefined;
    let stopped = false;
    const arm = (): void => {
      if (stopped) return;
      // croner's "next after" is exclusive: from now + 1 ms a job never fires twice in one second.
      next = pattern.nextRun(new Date(this.clock.now() + 1))?.getTime();
      if (next === undefined) return;
      const wait = Math.min(MAX_TIMER_MS, Math.max(0, next - this.clock.now()));
      timer = this.clock.setTimer(wait, () => {
        if (stopped) return;
        if (this.clock.now() + 5 < (next ?? 0)) return arm();
        try {
          const r = fn();
          if (r && typeof r.catch === "function")
            r.catch((error: unknown) => this.logger.error({ err: error, job: name }, "scheduled job failed"));
        } catch (error) {
          this.logger.error({ err: error, job: name }, "scheduled job failed");
        }
        arm();
      });
    };
    arm();
    return {
      nextRun: () => (stopped ? undefined : next),
      stop: () => {
        stopped = true;
        timer?.cancel();
        pattern.stop();
      },
    };
  }
}
