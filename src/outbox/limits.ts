import { DateTime } from "luxon";
import type { Config } from "../config/schema.js";
import type { Millis } from "../core/types.js";
import type { OutboxMessage } from "./types.js";

type LimitConfig = Config["outbox"]["limits"];

const WEEK = 7 * 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Persisted per-SIM counters (carriers count per local day and per calendar month). */
export interface SimCounters {
  day: string;
  dayParts: number;
  month: string;
  monthParts: number;
}

export type LimitVerdict = { ok: true } | { ok: false; until: Millis; reason: string };

/**
 * Sending limits. A limited message waits (until the returned instant); it is never failed.
 * Per recipient: reminders in any 7 days, keyword replies in any hour, counted apart.
 * Per SIM: parts per local day and per calendar month (persisted by the outbox, so a
 * restart does not reset them), parts per minute (in memory: a restart takes longer).
 */
export class SendLimits {
  private readonly reminders = new Map<string, Millis[]>();
  private readonly replies = new Map<string, Millis[]>();
  private readonly minute: Millis[] = [];

  constructor(
    private readonly cfg: LimitConfig,
    private readonly zone: string,
    readonly sim: SimCounters,
  ) {}

  static emptySim(): SimCounters {
    return { day: "", dayParts: 0, month: "", monthParts: 0 };
  }

  /** A message to `to` counted at `at` (its first part reached the network). */
  recordMessage(to: string, cls: "reminder" | "reply", at: Millis): void {
    const map = cls === "reply" ? this.replies : this.reminders;
    const list = map.get(to) ?? [];
    list.push(at);
    map.set(to, list);
  }

  recordPart(at: Millis): void {
    this.rollSim(at);
    this.sim.dayParts++;
    this.sim.monthParts++;
    this.minute.push(at);
  }

  /** May this message start now (recipient and SIM budget for all its parts)? */
  messageMayStart(msg: Pick<OutboxMessage, "to" | "limitClass" | "partCount">, now: Millis): LimitVerdict {
    const r = this.recipientMayStart(msg, now);
    return r.ok ? this.simMayStart(msg.partCount, now) : r;
  }

  /** The recipient's budget alone (a pool counts recipients once, whatever SIM sends). */
  recipientMayStart(msg: Pick<OutboxMessage, "to" | "limitClass">, now: Millis): LimitVerdict {
    const reply = msg.limitClass === "reply";
    const span = reply ? HOUR : WEEK;
    const max = reply ? this.cfg.repliesPerRecipientPerHour : this.cfg.perRecipientPerWeek;
    const list = this.prune(reply ? this.replies : this.reminders, msg.to, now - span);
    if (list.length >= max) {
      return {
        ok: false,
        until: list[list.length - max]! + span,
        reason: reply
          ? `${max} replies to this number in the last hour`
          : `${max} reminders to this number in the last 7 days`,
      };
    }
    return { ok: true };
  }

  /** This SIM's day and month budget for a message of `partCount` parts. */
  simMayStart(partCount: number, now: Millis): LimitVerdict {
    this.rollSim(now);
    if (this.sim.dayParts + partCount > this.cfg.perSimPerDay) {
      return {
        ok: false,
        until: this.local(now).plus({ days: 1 }).startOf("day").toMillis(),
        reason: `SIM daily limit (${this.cfg.perSimPerDay} parts)`,
      };
    }
    if (this.sim.monthParts + partCount > this.cfg.perSimPerMonth) {
      return {
        ok: false,
        until: this.local(now).plus({ months: 1 }).startOf("month").toMillis(),
        reason: `SIM monthly limit (${this.cfg.perSimPerMonth} parts)`,
      };
    }
    return { ok: true };
  }

  /** May one more part go out now (per-minute pacing)? */
  partMayGo(now: Millis): LimitVerdict {
    while (this.minute.length > 0 && this.minute[0]! <= now - MINUTE) this.minute.shift();
    if (this.minute.length >= this.cfg.perMinute) {
      return {
        ok: false,
        until: this.minute[this.minute.length - this.cfg.perMinute]! + MINUTE,
        reason: `${this.cfg.perMinute} parts per minute`,
      };
    }
    return { ok: true };
  }

  partsToday(now: Millis): number {
    this.rollSim(now);
    return this.sim.dayParts;
  }

  partsThisMonth(now: Millis): number {
    this.rollSim(now);
    return this.sim.monthParts;
  }

  private prune(map: Map<string, Millis[]>, to: string, after: Millis): Millis[] {
    const list = (map.get(to) ?? []).filter((t) => t > after);
    if (list.length === 0) map.delete(to);
    else map.set(to, list);
    return list;
  }

  private rollSim(now: Millis): void {
    const dt = this.local(now);
    const day = dt.toISODate() ?? "";
    const month = day.slice(0, 7);
    if (this.sim.day !== day) {
      this.sim.day = day;
      this.sim.dayParts = 0;
    }
    if (this.sim.month !== month) {
      this.sim.month = month;
      this.sim.monthParts = 0;
    }
  }

  private local(now: Millis): DateTime {
    return DateTime.fromMillis(now, { zone: this.zone });
  }
}
