/**
 * The frame every lane of the outbox runs in (a SIM's SendLoop, the e-mail lane): one loop
 * that takes a step while running, sleeps on the injectable clock until its next deadline or
 * until woken by new work, survives a failing step (a store that refuses writes: nothing may
 * go out unrecorded, so it waits and tries again), and on stop() finishes the step under way.
 */
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import { errorMessage } from "../core/errors.js";

export interface LaneLoopFrame {
  clock: Clock;
  logger: Logger;
  /** What the log calls this loop ("sender loop", "e-mail lane"). */
  label: string;
  /** What the log calls one failing step ("sender step", "e-mail step"). */
  stepLabel: string;
  /** How long to wait after a failing step (outbox.notReadyPollMs, read at each failure). */
  retryMs: () => number;
}

export abstract class LaneLoop {
  private active = false;
  private loop: Promise<void> | undefined;
  private sleeper: { timer: TimerHandle; resolve: () => void } | undefined;

  protected constructor(private readonly frame: LaneLoopFrame) {}

  /** One pass: send one thing, or sleep until there may be something to send. */
  protected abstract step(): Promise<void>;

  /** After the last step, once stop() was called; stop() resolves when this has (a last write may still be under way). */
  protected stopped(): void | Promise<void> {}

  /** Started and not yet told to stop. */
  protected get running(): boolean {
    return this.active;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.loop = this.run().catch((e: unknown) =>
      this.frame.logger.fatal({ err: errorMessage(e) }, `outbox: ${this.frame.label} died`),
    );
  }

  /** Stops taking work; waits for the step under way (its outcome is persisted). */
  async stop(): Promise<void> {
    this.active = false;
    this.wake();
    await this.loop;
  }

  /** New or changed work: look again now. */
  wake(): void {
    const s = this.sleeper;
    this.sleeper = undefined;
    s?.timer.cancel();
    s?.resolve();
  }

  /** Until ms have passed or wake() is called; at once when stopping. */
  protected sleep(ms: number): Promise<void> {
    if (!this.active) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.frame.clock.setTimer(Math.max(0, ms), () => {
        if (this.sleeper?.timer === timer) this.sleeper = undefined;
        resolve();
      });
      this.sleeper = { timer, resolve };
    });
  }

  private async run(): Promise<void> {
    while (this.active) {
      try {
        await this.step();
      } catch (e) {
        this.frame.logger.error({ err: errorMessage(e) }, `outbox: ${this.frame.stepLabel} failed; retrying shortly`);
        await this.sleep(this.frame.retryMs());
      }
    }
    await this.stopped();
  }
}
