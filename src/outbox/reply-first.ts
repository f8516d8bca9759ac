/**
 * The reply-first path (docs/outbox.md, "Keyword replies go first"): a debtor who texts a
 * keyword gets the answer before the next reminder part, on the SIM the SMS came in on.
 *
 * - announce: the modem reports an inbound SMS (+CMTI/+CMT). The lane of that SIM (every lane
 *   when the SIM is not known) holds: it starts no part but a keyword reply until the SMS is
 *   answered, at most outbox.replyHoldMs (src/outbox/reply-hold.ts, one hold per lane).
 * - claim: a keyword reply is admitted. If the loop of its SIM (the sticky one first) is between
 *   parts and would pick it now, that loop claims it before its write starts, so one write
 *   records it both accepted and `sending`; otherwise it is written as any message and the
 *   loops pick it first.
 * - release: a reply was queued, or inbound says none is coming (a part of a longer SMS, a
 *   keyword with nothing to answer, a limit): one announcement fewer. A lane whose announcements
 *   are all answered wakes and goes on with reminders at once.
 */
import type { Clock } from "../core/clock.js";
import { ReplyHold } from "./reply-hold.js";
import type { OutboxMessage } from "./types.js";

/** What the reply-first path needs of one SIM's send loop (src/outbox/sender.ts SendLoop). */
export interface ReplyLane {
  readonly laneId: string;
  /** Chooses m now and starts `admit` (its write) when the loop is free and would pick it; else undefined. */
  claim(m: OutboxMessage, admit: () => Promise<void>): Promise<void> | undefined;
  wake(): void;
}

export interface ReplyFirstDeps {
  clock: Clock;
  /** outbox.replyHoldMs, read at each announcement (editable at run time). */
  holdMs: () => number;
  /** The send loops now (a pool may add or remove lanes). */
  lanes: () => readonly ReplyLane[];
  /** The lane a number last wrote to, if any (src/outbox/lanes.ts LaneSet.stickyLane). */
  stickyLaneId: (to: string) => string | undefined;
}

export class ReplyFirst {
  private readonly holds = new Map<string, ReplyHold>();

  constructor(private readonly d: ReplyFirstDeps) {}

  /** The hold of one lane: its loop asks it before each part (made once per lane id). */
  holdOf(laneId: string): ReplyHold {
    let hold = this.holds.get(laneId);
    if (!hold) {
      hold = new ReplyHold(this.d.holdMs);
      this.holds.set(laneId, hold);
    }
    return hold;
  }

  /** An inbound SMS was announced through the SIM of `modemId`: that lane holds; without a known id, every lane does. */
  announce(modemId?: string): void {
    const now = this.d.clock.now();
    const lanes = this.d.lanes();
    const known = lanes.some((l) => l.laneId === modemId);
    for (const l of lanes) if (!known || l.laneId === modemId) this.holdOf(l.laneId).pending(now);
  }

  /** One announced SMS is answered (its reply queued) or will not be: a lane with none left to wait for goes on. */
  release(): void {
    for (const l of this.d.lanes()) if (this.holdOf(l.laneId).answered()) l.wake();
  }

  /**
   * A keyword reply in the hot set, its write not begun: claimed by a free loop (the SIM the
   * number wrote to first), else written by `persist` as any message. Either way one
   * announcement is released. Resolves when the reply's admission is durable.
   */
  admit(m: OutboxMessage, persist: () => Promise<void>): Promise<void> {
    const admitted = this.claim(m, persist) ?? persist();
    this.release();
    return admitted;
  }

  /** Until when lane `laneId` holds back other parts, or undefined when it does not. */
  heldUntil(laneId: string): number | undefined {
    return this.holds.get(laneId)?.activeUntil(this.d.clock.now());
  }

  private claim(m: OutboxMessage, persist: () => Promise<void>): Promise<void> | undefined {
    const sticky = this.d.stickyLaneId(m.to);
    const lanes = this.d.lanes();
    const order = sticky ? [...lanes].sort((a, b) => Number(b.laneId === sticky) - Number(a.laneId === sticky)) : lanes;
    for (const l of order) {
      const claimed = l.claim(m, persist);
      if (claimed) return claimed;
    }
    return undefined;
  }
}
