import type { Millis } from "../core/types.js";

/**
 * While an inbound SMS is being read and answered, the sender starts no part other than a
 * keyword reply, so that the reply does not wait for a whole reminder part on the air
 * (reply latency). The modem announces each +CMTI/+CMT (pending()); each one ends
 * when its reply is queued (answered()) or inbound says none is coming (answered() too).
 * The hold is bounded: it ends at the latest holdMs after the last announcement or after the
 * part that was on the air when it came ended (extend()), so a lost signal costs one pause.
 */
export class ReplyHold {
  private waiting = 0;
  private until: Millis = 0;

  constructor(private readonly holdMs: () => number) {}

  /** +CMTI/+CMT: an SMS is about to be read. */
  pending(now: Millis): void {
    if (this.holdMs() <= 0) return;
    if (!this.active(now)) this.waiting = 0;
    this.waiting++;
    this.until = Math.max(this.until, now + this.holdMs());
  }

  /** A reply was queued, or inbound produced none: one fewer SMS to wait for. True when the hold ended. */
  answered(): boolean {
    if (this.waiting === 0) return false;
    this.waiting--;
    return this.waiting === 0;
  }

  /** The part that was on the air ended: the reading of the SMS starts only now, so the clock starts again. */
  extend(now: Millis): void {
    if (this.waiting > 0) this.until = Math.max(this.until, now + this.holdMs());
  }

  /** Non-reply parts wait until this instant, or undefined when they need not. */
  activeUntil(now: Millis): Millis | undefined {
    return this.active(now) ? this.until : undefined;
  }

  private active(now: Millis): boolean {
    if (this.waiting > 0 && now >= this.until) this.waiting = 0; // bounded: a signal that never came
    return this.waiting > 0;
  }
}
