/**
 * A schedule of named jobs by cron expression in a time zone: the port the dunning engine plans
 * its daily run with; src/system/scheduler.ts implements it with croner on the clock.
 */
export interface ScheduledJob {
  /** The next run (ms), or undefined when stopped or the expression has no further run. */
  nextRun(): number | undefined;
  stop(): void;
}

export interface Scheduler {
  /** Throws DuegateError(ConfigInvalid) for an expression croner cannot read. */
  schedule(name: string, cron: string, fn: () => void | Promise<void>, opts?: { timeZone?: string }): ScheduledJob;
}
