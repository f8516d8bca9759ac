/**
 * The outbox's housekeeping (docs/outbox.md): messages past their expiry and submitted ones
 * whose delivery-report window ended leave the hot set (sweep(), asked by one send loop before
 * each pick, a pass over the hot set at most once a second), and the history and key files are
 * pruned to their retention at start and once a day (pruning).
 */
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { Config } from "../config/schema.js";
import type { Millis } from "../core/types.js";
import type { Queue } from "./queue.js";
import { waitsForNextPart } from "./waiting-order.js";

export interface SweeperDeps {
  queue: Queue;
  clock: Clock;
  logger: Logger;
  config: Pick<Config["outbox"], "deliveryReportWindowHours">;
}

const DAY_MS = 86_400_000;
/**
 * A pass looks at every active message: once per part it would cost four busy modems more than
 * the parts themselves. Expiry and report windows are hours long; a second late is nothing, and
 * the sender never picks a message past its expiry meanwhile (src/outbox/sender.ts, pick).
 */
const SWEEP_EVERY_MS = 1000;

export class Sweeper {
  private pruning: TimerHandle | undefined;
  private lastPassAt: Millis | undefined;
  /** The next deadline the last pass found. */
  private lastNext: Millis | undefined;

  constructor(private readonly d: SweeperDeps) {}

  /** Expired messages and report windows that ended leave the hot set; returns the next such deadline. */
  sweep(): Promise<Millis | undefined> {
    const now = this.d.clock.now();
    if (
      this.lastPassAt !== undefined &&
      now >= this.lastPassAt &&
      now - this.lastPassAt < SWEEP_EVERY_MS &&
      (this.lastNext === undefined || now < this.lastNext)
    )
      // The set may have changed since (a message admitted, one submitted): look again in a second at the latest.
      return Promise.resolve(Math.min(this.lastNext ?? Infinity, this.lastPassAt + SWEEP_EVERY_MS));
    this.lastPassAt = now;
    // Not awaited here: the caller's step resumes as soon after the pass as before it was throttled.
    return this.pass(now);
  }

  private async pass(now: Millis): Promise<Millis | undefined> {
    let next: Millis | undefined;
    const later = (t: Millis): void => {
      if (next === undefined || t < next) next = t;
    };
    const windowMs = this.d.config.deliveryReportWindowHours * 3_600_000;
    for (const m of this.d.queue.sweepable()) {
      if (waitsForNextPart(m) && m.expiresAt !== undefined && m.expiresAt <= now) {
        const sent = m.parts.filter((p) => p.reference !== undefined).length;
        await this.d.queue.finish(
          m,
          "expired",
          sent > 0 ? `expired after ${sent} of ${m.partCount} parts` : "not sent before its expiry",
        );
      } else if (m.expiresAt !== undefined && m.state !== "submitted") {
        later(m.expiresAt);
      } else if (m.state === "submitted") {
        const last = Math.max(...m.parts.map((p) => p.submittedAt ?? 0));
        if (last + windowMs <= now) {
          m.reportTimedOut = true;
          m.finishedAt = now;
          this.d.logger.info(
            { id: m.id },
            "outbox: no delivery report within the window; kept as submitted in history",
          );
          await this.d.queue.moveToHistory(m);
        } else {
          later(last + windowMs);
        }
      }
    }
    this.lastNext = next;
    return next;
  }

  /** History retention, applied now and then once a day until stop(). */
  async startPruning(): Promise<void> {
    await this.d.queue.rotate();
    this.schedulePruning();
  }

  stopPruning(): void {
    this.pruning?.cancel();
    this.pruning = undefined;
  }

  private schedulePruning(): void {
    this.pruning = this.d.clock.setTimer(DAY_MS, () => {
      this.d.queue
        .rotate()
        .catch((e: unknown) =>
          this.d.logger.error({ err: e instanceof Error ? e.message : String(e) }, "outbox: history rotation failed"),
        )
        .finally(() => {
          if (this.pruning) this.schedulePruning();
        });
    });
  }
}
