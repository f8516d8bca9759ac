/**
 * The SIMs the outbox sends through (one lane each, one SendLoop each) and the rules that
 * decide which lane a message takes (docs/outbox.md, "Dispatch"):
 * - a message whose first part left through a SIM stays on it (concatenation reference and
 *   delivery reports belong to that SIM);
 * - routes: a number matching some lanes' prefixes goes through those with the longest match;
 *   other numbers through lanes without routes;
 * - sticky: a number that wrote to a SIM is answered (and reminded) through that SIM while
 *   it can send, through the others when it cannot;
 * - cost: a lane leaves a message to a cheaper lane that is idle and has room, so the
 *   cheapest SIMs carry the work when there is little, and every SIM works when there is much.
 */
import type { Config } from "../config/schema.js";
import type { Millis } from "../core/types.js";
import { SendLimits, type SimCounters } from "./limits.js";
import { SimRotation, type RotationSettings } from "./rotation.js";
import type { OutboxMessage, SimLane } from "./types.js";

type LimitConfig = Config["outbox"]["limits"];

/** Numbers remembered for sticky replies; the oldest is forgotten past this. */
const STICKY_MAX = 10_000;
/** A message left to a cheaper free lane is looked at again after this, in case that lane cannot take it after all. */
const CHEAPER_GRACE_MS = 200;

export class Lane {
  readonly budget: SendLimits;
  readonly rotation: SimRotation;
  /** A part of this lane is between its choice and its outcome. */
  busy = false;
  /** After a modem-level failure this lane starts nothing before this instant. */
  pausedUntil: Millis = 0;
  /** Set while the SIM's prepaid credit is used up (the reason); the SIM is not used meanwhile. */
  noCredit: string | undefined;
  /** Set while the modem is unplugged (its device path is gone); the SIM is not used meanwhile. */
  unplugged: string | undefined;
  /** Wakes this lane's send loop (set by the loop). */
  wake: () => void = () => undefined;

  constructor(
    readonly spec: SimLane,
    base: LimitConfig,
    zone: string,
    counters: SimCounters,
    rotation: () => RotationSettings,
  ) {
    const over = spec.limits ?? {};
    // Read on every check, so that a change of outbox.limits in the panel is in force at once.
    const cfg: LimitConfig = {
      get perRecipientPerWeek() {
        return base.perRecipientPerWeek;
      },
      get repliesPerRecipientPerHour() {
        return base.repliesPerRecipientPerHour;
      },
      get perSimPerDay() {
        return over.partsPerDay ?? base.perSimPerDay;
      },
      get perSimPerMonth() {
        return over.partsPerMonth ?? base.perSimPerMonth;
      },
      get perMinute() {
        return over.partsPerMinute ?? base.perMinute;
      },
    };
    this.budget = new SendLimits(cfg, zone, counters);
    this.rotation = new SimRotation(rotation);
  }

  get id(): string {
    return this.spec.id;
  }

  /** Can start a part now: the modem is ready, the SIM in rotation, no pause. */
  usable(now: Millis): boolean {
    return this.spec.sender.ready && this.inRotation(now) && now >= this.pausedUntil;
  }

  /** In rotation: plugged in, not taken out for failures, and with credit. */
  inRotation(now: Millis): boolean {
    return this.unplugged === undefined && this.noCredit === undefined && this.rotation.inRotation(now);
  }

  /** Why the SIM is out of rotation for a reason of its own hardware or account (unplugged, no credit). */
  get outReason(): string | undefined {
    return this.unplugged ?? this.noCredit;
  }

  /**
   * What a change of one of the SIM's reasons (unplugged, credit) means for its rotation: in
   * only when every reason allows it, so that a SIM topped up while unplugged (or plugged in
   * with no credit) is said to stay out, and why.
   */
  rotationAfter(change: string, now: Millis): { inRotation: boolean; reason: string } {
    const inRotation = this.inRotation(now);
    const still = this.outReason ?? this.rotation.reason;
    return {
      inRotation,
      reason: inRotation || still === undefined || still === change ? change : `${change}; still out: ${still}`,
    };
  }

  /** Has room for a message of partCount parts now (day, month, minute). */
  hasRoom(partCount: number, now: Millis): boolean {
    return this.budget.partMayGo(now).ok && this.budget.simMayStart(partCount, now).ok;
  }
}

export class LaneSet {
  /** Number (E.164) -> the lane id it last wrote to. */
  private readonly sticky = new Map<string, string>();
  /** Message id -> a lane it just failed on for a reason of that lane, and until when it avoids it. */
  private readonly avoid = new Map<string, { lane: string; until: Millis }>();

  private current: Lane[];
  /** Once more than one SIM: messages record the SIM they left through, even when all but one are removed again. */
  private wasPooled: boolean;

  constructor(lanes: readonly Lane[]) {
    this.current = [...lanes];
    this.wasPooled = lanes.length > 1;
  }

  /** The lanes as they are now (a reload may add or remove SIMs). */
  get lanes(): readonly Lane[] {
    return this.current;
  }

  get pooled(): boolean {
    return this.wasPooled;
  }

  add(lane: Lane): void {
    this.current = [...this.current, lane];
    if (this.current.length > 1) this.wasPooled = true;
  }

  /**
   * `next` takes `old`'s place (its modem replaced by a reload). A number that wrote to the old
   * id is answered through the new one when it is the same SIM under another id.
   */
  replace(old: Lane, next: Lane, sameSim: boolean): void {
    this.current = this.current.map((l) => (l === old ? next : l));
    if (this.current.length > 1) this.wasPooled = true;
    if (old.id === next.id) return;
    for (const [n, id] of this.sticky) {
      if (id !== old.id) continue;
      if (sameSim) this.sticky.set(n, next.id);
      else this.sticky.delete(n);
    }
  }

  /** The lane leaves; a message begun on it may then go on through another SIM (mayTake). */
  remove(lane: Lane): void {
    this.current = this.current.filter((l) => l !== lane);
    for (const [n, id] of this.sticky) if (id === lane.id) this.sticky.delete(n);
  }

  byId(id: string | undefined): Lane | undefined {
    return id === undefined ? undefined : this.lanes.find((l) => l.id === id);
  }

  /** The debtor at `number` wrote to SIM `laneId`. */
  noteInbound(number: string, laneId: string): void {
    if (!this.byId(laneId)) return;
    this.sticky.delete(number);
    this.sticky.set(number, laneId);
    if (this.sticky.size > STICKY_MAX) this.sticky.delete(this.sticky.keys().next().value!);
  }

  stickyLane(number: string): Lane | undefined {
    return this.byId(this.sticky.get(number));
  }

  /** m failed on `lane` for a reason of the lane: the others take it; this lane leaves it alone until `until`. */
  steerAway(m: OutboxMessage, lane: Lane, until: Millis): void {
    this.avoid.set(m.id, { lane: lane.id, until });
  }

  /** Some lane other than `lane` is in rotation and may take messages to `to`. */
  otherCanTake(lane: Lane, to: string, now: Millis): boolean {
    return this.routed(to, now).some((l) => l !== lane && l.spec.sender.ready);
  }

  /** The lanes a number may go through now: in rotation, after the routes. */
  routed(to: string, now: Millis): Lane[] {
    const live = this.lanes.filter((l) => l.inRotation(now));
    if (!this.lanes.some((l) => (l.spec.routes ?? []).length > 0)) return live;
    let best = 0;
    for (const l of live)
      for (const p of l.spec.routes ?? ([] as string[])) if (to.startsWith(p) && p.length > best) best = p.length;
    if (best > 0) return live.filter((l) => (l.spec.routes ?? []).some((p) => p.length === best && to.startsWith(p)));
    const general = live.filter((l) => (l.spec.routes ?? []).length === 0);
    return general.length > 0 ? general : live;
  }

  /**
   * May `lane` take m now? Returns true, or the instant to look again (undefined: when woken).
   * A message whose parts began on a SIM goes on that SIM only.
   */
  mayTake(
    lane: Lane,
    m: OutboxMessage,
    now: Millis,
    leftToCheaper: Set<Lane> = new Set(),
  ): true | { until: Millis | undefined; reason: string } {
    if (!this.pooled) return true;
    const begun = m.parts.some((p) => p.reference !== undefined) || m.sendingPart !== undefined;
    if (begun && m.modemId !== undefined && this.byId(m.modemId))
      return m.modemId === lane.id ? true : { until: undefined, reason: `continues on SIM ${m.modemId}` };
    const avoid = this.avoid.get(m.id);
    if (avoid && avoid.until <= now) this.avoid.delete(m.id);
    else if (avoid && avoid.lane === lane.id) return { until: avoid.until, reason: "just failed on this SIM" };
    const eligible = this.routed(m.to, now);
    if (!eligible.includes(lane)) return { until: undefined, reason: "routed to another SIM" };
    const sticky = this.stickyLane(m.to);
    if (
      sticky &&
      sticky !== lane &&
      eligible.includes(sticky) &&
      sticky.usable(now) &&
      sticky.hasRoom(m.partCount, now)
    ) {
      if (!sticky.busy) sticky.wake();
      return { until: undefined, reason: `goes through SIM ${sticky.id}, which this number wrote to` };
    }
    if (sticky === lane) return true;
    const cost = lane.spec.costPerPart;
    // Each cheaper free lane is left one message per pick; more than that this lane takes itself.
    for (const o of eligible) {
      if (
        o === lane ||
        o.busy ||
        leftToCheaper.has(o) ||
        o.spec.costPerPart >= cost ||
        !o.usable(now) ||
        !o.hasRoom(m.partCount, now)
      )
        continue;
      leftToCheaper.add(o);
      o.wake();
      return { until: now + CHEAPER_GRACE_MS, reason: `SIM ${o.id} is cheaper and free` };
    }
    return true;
  }
}
