import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { Config } from "../config/schema.js";
import type { Millis } from "../core/types.js";
import { maskNumber } from "../core/mask.js";
import { errorMessage } from "../core/errors.js";
import type { Queue } from "./queue.js";
import type { SendWindows } from "./windows.js";
import { encodeParts } from "./encode.js";
import type { ReplyHold } from "./reply-hold.js";
import { LaneLoop } from "./lane-loop.js";
import { waitReason, type WaitReason } from "./wait-reason.js";
import { backoffMs, classifyFailure } from "./retry.js";
import { simVerdict } from "./rotation.js";
import type { Lane, LaneSet } from "./lanes.js";
import type { ModemRotationEvent } from "../api/events.js";
import { Priority, type ConsentCheck, type OutboxMessage } from "./types.js";

export interface SendLoopDeps {
  queue: Queue;
  windows: SendWindows;
  /** The SIM this loop sends through, and the pool it belongs to. */
  lane: Lane;
  lanes: LaneSet;
  /** One loop of the pool also runs the sweeper before each pick (src/outbox/sweeper.ts): it returns the next deadline. */
  sweep?: () => Promise<Millis | undefined>;
  /** This lane's hold for keyword replies (src/outbox/reply-first.ts). */
  hold: ReplyHold;
  /** A SIM left or rejoined the rotation. */
  onRotation: (e: ModemRotationEvent) => void;
  clock: Clock;
  logger: Logger;
  config: Config["outbox"];
  modemConfig: Pick<
    Config["modem"],
    "statusReports" | "validityMinutes" | "smsc" | "concatReference" | "transliterate"
  >;
  defaultTimeZone: string;
  random: () => number;
  /** The suppression list, asked again right before each part goes to the modem. */
  consent?: ConsentCheck;
  /** A message the suppression list stopped before a part (it is then cancelled here). */
  onRefused?: (m: OutboxMessage, reason: string) => void;
}

/** Longest sleep with nothing to do (a safety net: every known deadline wakes the loop itself). */
const IDLE_MS = 3_600_000;

type Choice = { message: OutboxMessage } | { wakeAt: Millis | undefined };

/** A part chosen and recorded in memory as at the modem; transmit() makes that durable, then sends. */
interface Prepared {
  m: OutboxMessage;
  index: number;
  pdu: string;
  tpduLength: number;
  /** A reply claimed at enqueue: its admission (record and idempotency key) must be durable too. */
  admitted?: Promise<void>;
}

/**
 * One sender per modem (per lane of the pool, src/outbox/lanes.ts; the loops share the queue,
 * and a message is chosen and marked at its modem synchronously, so no two loops take it). It keeps the modem busy while sendable work exists: after each part
 * it picks the next at once (one part at the modem at a time, no idle gap). Order: keyword
 * replies first (also between the parts of a long reminder: a concatenated SMS may be
 * interleaved), then a message already half-sent (its receiver is reassembling), then
 * priority, then age. While an inbound SMS is being answered, no other part starts (ReplyHold).
 * A failing recipient backs off alone; a modem that is not ready costs no attempts.
 */
export class SendLoop extends LaneLoop {
  /** The part between its choice and its outcome (at most one). */
  private current: OutboxMessage | undefined;
  /** A reply chosen by claim() while the loop was between parts; the loop sends it next. */
  private claimed: Prepared | undefined;
  /**
   * The write of the last part's outcome (its TP-MR after +CMGS), still under way when a
   * reply is claimed. The next PDU waits for it (so at most one part is ever in doubt), but
   * the next part's own write runs beside it, not after it.
   */
  private outcomeWrite: Promise<void> = Promise.resolve();
  /** Outcome writes (and moves to history) still under way. */
  private readonly pendingWrites = new Set<Promise<void>>();
  /**
   * The last part's outcome, recorded in memory, whose write has not begun: the next part's
   * `sending` record takes it along (one append, one fsync for both). If no part
   * follows within this turn of the event loop, it is written alone.
   */
  private outcomeToJoin: { m: OutboxMessage; done: (write: Promise<void>) => void } | undefined;
  readonly hold: ReplyHold;
  /** Why the head of the queue waits (shown in stats and logs). */
  lastWait: string | undefined;

  constructor(private readonly d: SendLoopDeps) {
    super({
      clock: d.clock,
      logger: d.logger,
      label: "sender loop",
      stepLabel: "sender step",
      retryMs: () => d.config.notReadyPollMs,
    });
    this.hold = d.hold;
    d.lane.wake = () => this.wake();
  }

  get laneId(): string {
    return this.d.lane.id;
  }

  private get lane(): Lane {
    return this.d.lane;
  }

  /** The modem of this lane is ready and its SIM in rotation. */
  private get sendable(): boolean {
    return this.lane.spec.sender.ready && this.lane.inRotation(this.d.clock.now());
  }

  /**
   * A keyword reply just admitted (in memory; its write not yet begun): when the loop is
   * between parts and would pick it now, it is chosen at once and marked `sending`, then
   * `admit()` starts its write, so one write makes it both accepted and at-the-modem. The PDU
   * still goes only after that write (and the idempotency key's) is durable. Returns the
   * admission under way when claimed; undefined otherwise (the caller admits it itself).
   */
  claim(m: OutboxMessage, admit: () => Promise<void>): Promise<void> | undefined {
    const now = this.d.clock.now();
    if (!this.running || this.current || this.claimed || !this.sendable || now < this.lane.pausedUntil)
      return undefined;
    const p = this.pick(now);
    if (!("message" in p) || p.message !== m) return undefined;
    const prepared = this.prepare(m);
    if (!prepared || prepared === "mismatch") return undefined; // a mismatch is failed by the loop's own pick
    const admitted = admit();
    this.claimed = { ...prepared, admitted };
    this.wake();
    return admitted;
  }

  /** Why m waits now on this loop's SIM, by the checks pick() makes (src/outbox/wait-reason.ts). */
  waitReason(m: OutboxMessage, now: Millis): WaitReason | undefined {
    const q = this.d.queue;
    return waitReason(m, now, {
      modemReady: this.lane.spec.sender.ready && this.lane.outReason === undefined,
      loopPausedUntil: Math.max(this.lane.pausedUntil, this.lane.rotation.outUntil(now) ?? 0),
      heldUntil: this.hold.activeUntil(now),
      repliesExempt: this.d.windows.repliesExempt,
      defaultTimeZone: this.d.defaultTimeZone,
      windowOpens: (zones, at) => this.d.windows.nextOpening(zones, at),
      messageMayStart: (msg, at) => {
        const r = q.limits.recipientMayStart(msg, at);
        return r.ok ? this.lane.budget.simMayStart(msg.partCount, at) : r;
      },
      partMayGo: (at) => this.lane.budget.partMayGo(at),
    });
  }

  /**
   * The loop that swept expiries and report windows left the pool (its SIM was removed): this
   * one runs the sweeper from now on (src/outbox/sweeper.ts).
   */
  takeSweeping(sweep: () => Promise<Millis | undefined>): void {
    this.d.sweep = sweep;
    this.wake();
  }

  /** Send windows changed (Outbox.applySettings): the next pick uses them. */
  setWindows(windows: SendWindows): void {
    this.d.windows = windows;
  }

  /** One pass of the loop (src/outbox/lane-loop.ts): a claimed reply, else the next part that may go, else a sleep. */
  protected async step(): Promise<void> {
    if (this.claimed) {
      const c = this.claimed;
      this.claimed = undefined;
      await this.transmit(c);
      return;
    }
    const deadline = this.d.sweep ? await this.d.sweep() : undefined;
    if (this.claimed) return;
    const now = this.d.clock.now();
    // Unplugged or without credit: nothing to poll for; the pool's word (setLanePresence, setSimCredit) wakes the loop.
    if (this.lane.outReason !== undefined) {
      this.lastWait = this.lane.outReason;
      await this.sleep(Math.min(IDLE_MS, deadline === undefined ? Infinity : deadline - now));
      return;
    }
    if (!this.lane.spec.sender.ready) {
      this.lastWait = "modem not ready";
      await this.sleep(this.d.config.notReadyPollMs);
      return;
    }
    const outUntil = this.lane.rotation.outUntil(now);
    if (outUntil !== undefined) {
      this.lastWait = `SIM out of rotation: ${this.lane.rotation.reason ?? "unknown"}`;
      await this.sleep(Math.min(outUntil - now, deadline === undefined ? Infinity : deadline - now));
      return;
    }
    if (now < this.lane.pausedUntil) {
      await this.sleep(this.lane.pausedUntil - now);
      return;
    }
    const p = this.pick(now);
    if ("message" in p) {
      this.lastWait = undefined;
      const prepared = await this.prepareOrFail(p.message);
      if (prepared) await this.transmit(prepared);
      return;
    }
    // A loop that does not sweep still wakes for the next deadline it was told of (by the sweeping loop's wake).
    const wakeAt = Math.min(p.wakeAt ?? Infinity, deadline ?? Infinity, now + IDLE_MS);
    await this.sleep(wakeAt - now);
  }

  /**
   * A reply claimed but not sent when the loop stopped goes back to the queue; the last part's
   * outcome is durable before stop() resolves (written again if its write failed).
   */
  protected override async stopped(): Promise<void> {
    if (this.claimed) this.putBack(this.claimed.m, "the service is stopping");
    this.claimed = undefined;
    await Promise.all(this.pendingWrites);
    await this.previousOutcome().catch((e: unknown) =>
      this.d.logger.error({ err: errorMessage(e) }, "outbox: the last part's outcome could not be written"),
    );
  }

  pick(now: Millis): Choice {
    const q = this.d.queue;
    const minute = this.lane.budget.partMayGo(now);
    let wakeAt: Millis | undefined;
    const soonest = (t: Millis | undefined): void => {
      if (t !== undefined && (wakeAt === undefined || t < wakeAt)) wakeAt = t;
    };
    // A batch still being written is not picked: it goes once durable (enqueueMany wakes the loop).
    // E-mails have their own lane (src/outbox/email-lane.ts): the modem never waits for the relay.
    // Usually the first in order may go: found in one walk, without a list or a sort of a long
    // queue for every part (several lanes pick once per part each). Otherwise, in order.
    const first = q.firstWaitingSms();
    if (first === undefined) return { wakeAt };
    if (!minute.ok) {
      this.lastWait = minute.reason;
      return { wakeAt: minute.until };
    }
    const windowCache = new Map<string, Millis | undefined>();
    const heldUntil = this.hold.activeUntil(now);
    let wait: string | undefined; // why the first message that could not go waits
    const leftToCheaper = new Set<Lane>();
    const mayGo = (m: OutboxMessage): boolean => {
      // Past its expiry: the sweeper's next pass (at most a second away) expires it.
      if (m.state === "queued" && m.expiresAt !== undefined && m.expiresAt <= now) return false;
      const notBefore = Math.max(m.notBefore ?? 0, m.nextAttemptAt ?? 0);
      if (notBefore > now) {
        soonest(notBefore);
        return false;
      }
      const take = this.d.lanes.mayTake(this.lane, m, now, leftToCheaper);
      if (take !== true) {
        soonest(take.until);
        return false;
      }
      if (heldUntil !== undefined && m.priority !== Priority.reply) {
        soonest(heldUntil);
        wait ??= "held for a keyword reply to an inbound SMS";
        return false;
      }
      if (m.state === "sending") return true; // finish what the receiver has begun to reassemble
      if (!(m.limitClass === "reply" && this.d.windows.repliesExempt)) {
        const zones = m.timeZones.length > 0 ? m.timeZones : [this.d.defaultTimeZone];
        const key = zones.join("|");
        if (!windowCache.has(key)) windowCache.set(key, this.d.windows.nextOpening(zones, now));
        const opens = windowCache.get(key);
        if (opens !== now) {
          soonest(opens);
          wait ??= "outside the send window";
          return false;
        }
      }
      const r = q.limits.recipientMayStart(m, now);
      const v = r.ok ? this.lane.budget.simMayStart(m.partCount, now) : r;
      if (!v.ok) {
        soonest(v.until);
        wait ??= v.reason;
        return false;
      }
      return true;
    };
    if (mayGo(first)) return { message: first };
    const candidates = q.waitingSmsInOrder();
    for (const m of candidates) if (m !== first && mayGo(m)) return { message: m };
    this.lastWait = wait ?? (candidates.length > 0 ? "not before its time or retry delay" : undefined);
    return { wakeAt };
  }

  /** Chooses the next part of m and records in memory that it is at the modem (synchronous: nobody can cancel m after this). */
  private prepare(m: OutboxMessage): Prepared | "mismatch" | undefined {
    const q = this.d.queue;
    const mc = this.d.modemConfig;
    const index = m.parts.find((p) => p.reference === undefined)?.index;
    if (index === undefined) return undefined;
    if (m.partCount > 1 && m.concatReference === undefined) m.concatReference = q.takeConcatRef(mc.concatReference);
    const smsc = this.lane.spec.smsc ?? mc.smsc;
    const parts = encodeParts(m.text, m.locale, mc, {
      to: m.to,
      ...(smsc ? { smsc } : {}),
      statusReport: mc.statusReports,
      validityMinutes: mc.validityMinutes,
      concatReference: m.concatReference ?? 0,
    });
    const part = parts.find((p) => p.index === index);
    if (!part || parts.length !== m.partCount) return "mismatch";
    m.sendingPart = index;
    if (this.d.lanes.pooled || m.modemId !== undefined) m.modemId = this.lane.id;
    if (m.state !== "sending") q.setState(m, "sending");
    else q.markDirty(m);
    this.current = m;
    this.lane.busy = true;
    return { m, index, pdu: part.pdu, tpduLength: part.tpduLength };
  }

  private async prepareOrFail(m: OutboxMessage): Promise<Prepared | undefined> {
    const p = this.prepare(m);
    if (p !== "mismatch") return p;
    await this.d.queue.finish(m, "failed", `text does not encode to the ${m.partCount} parts it was accepted with`);
    return undefined;
  }

  /** Not sent after all: m is as before its choice (the record is corrected by the next write). */
  private putBack(m: OutboxMessage, reason: string): void {
    m.sendingPart = undefined;
    if (this.current === m) this.current = undefined;
    this.lane.busy = false;
    if (m.finishedAt !== undefined || !this.d.queue.isActive(m.id)) return;
    if (!m.parts.some((p) => p.reference !== undefined)) this.d.queue.setState(m, "queued", reason);
    else this.d.queue.markDirty(m);
  }

  private async transmit(p: Prepared): Promise<void> {
    const q = this.d.queue;
    const m = p.m;
    this.current = m;
    try {
      try {
        // Durable BEFORE the PDU goes to the modem: this part's `sending`, and the previous part's outcome.
        const joined = this.outcomeToJoin;
        this.outcomeToJoin = undefined;
        const write = joined && joined.m !== m ? q.persistMessage(m, joined.m) : q.persistMessage(m);
        joined?.done(write);
        await Promise.all([write, p.admitted, this.previousOutcome()]);
      } catch (e) {
        this.putBack(m, "not recorded as sending");
        if (p.admitted) return; // enqueue failed and told its caller; the message is gone
        throw e;
      }
      if (m.priority !== Priority.reply && this.mustGiveWay()) {
        // An SMS came in during the write: its reply goes first. Recorded at once, so that
        // a crash now does not leave this part looking in doubt.
        this.putBack(m, "held back: a keyword reply goes first");
        await q.persist();
        return;
      }
      // The last moment: a STOP that arrived while this message waited (or while its part was
      // being recorded) stops it here, even half-sent.
      const verdict = this.d.consent?.verdict(m.to, m.consentExemption) ?? { ok: true };
      if (!verdict.ok) {
        this.d.onRefused?.(m, verdict.reason);
        await q.finish(m, "cancelled", `refused: ${verdict.reason}`);
        return;
      }
      await this.send(p);
    } finally {
      if (this.current === m) this.current = undefined;
      this.lane.busy = false;
    }
  }

  /** The last part's outcome is durable; if its write failed, everything dirty is written again now. */
  private async previousOutcome(): Promise<void> {
    try {
      await this.outcomeWrite;
    } catch {
      this.outcomeWrite = this.d.queue.persist();
      await this.outcomeWrite;
    }
  }

  /** A keyword reply is waiting or expected. */
  private mustGiveWay(): boolean {
    const now = this.d.clock.now();
    if (this.hold.activeUntil(now) !== undefined) return true;
    return this.d.queue.replyDue(now);
  }

  private async send(p: Prepared): Promise<void> {
    const q = this.d.queue;
    const mc = this.d.modemConfig;
    const { m, index } = p;
    let reference: number;
    try {
      ({ reference } = await this.lane.spec.sender.sendPart({ pdu: p.pdu, tpduLength: p.tpduLength }));
    } catch (e) {
      this.current = undefined;
      this.hold.extend(this.d.clock.now());
      await this.failed(m, e);
      return;
    }
    // The modem is free: while this outcome is written, a reply may be claimed (its write follows this one).
    this.current = undefined;
    const now = this.d.clock.now();
    this.hold.extend(now); // an SMS announced while this part was on the air is read only now
    this.rotationChanged(this.lane.rotation.success(), now);
    const ref = m.parts.find((r) => r.index === index)!;
    ref.reference = reference & 0xff;
    ref.submittedAt = now;
    ref.status = mc.statusReports ? "pending" : undefined;
    m.sendingPart = undefined;
    if (m.inDoubt?.part === index) m.inDoubt = undefined; // sent again: whatever became of the first try, this one counts
    if (m.parts.filter((r) => r.reference !== undefined).length === 1) q.limits.recordMessage(m.to, m.limitClass, now);
    this.lane.budget.recordPart(now);
    q.markCountersDirty();
    if (m.parts.every((r) => r.reference !== undefined)) {
      m.attempts.push({ at: now, outcome: "submitted" });
      q.setState(m, "submitted");
    } else {
      q.markDirty(m); // this part's reference, so that a restart resumes at the next part
    }
    // Durable right after +CMGS; a reply claimed meanwhile writes beside it (and its PDU waits for it).
    // Not written here: the next part is chosen at once and this outcome goes in the same
    // write as its `sending` record (transmit), whose PDU waits for that write. The radio
    // idles for one write between parts, not two.
    const written = new Promise<void>((resolve, reject) => {
      const join = { m, done: (write: Promise<void>) => write.then(resolve, reject) };
      this.outcomeToJoin = join;
      setImmediate(() => {
        if (this.outcomeToJoin !== join) return;
        this.outcomeToJoin = undefined;
        join.done(q.persistMessage(m));
      });
    });
    this.outcomeWrite = written;
    if (!mc.statusReports && m.state === "submitted") this.background(written.then(() => q.moveToHistory(m)));
    else this.background(written);
  }

  /** Writes that finish while the loop goes on; stop() waits for them, a failure is logged and written again by the next part. */
  private background(write: Promise<void>): void {
    const tracked = write.catch((e: unknown) => {
      this.d.logger.error(
        { err: errorMessage(e) },
        "outbox: writing a part's outcome failed; written again before the next part",
      );
    });
    this.pendingWrites.add(tracked);
    void tracked.finally(() => this.pendingWrites.delete(tracked));
  }

  private async failed(m: OutboxMessage, e: unknown): Promise<void> {
    const q = this.d.queue;
    const now = this.d.clock.now();
    const f = classifyFailure(e);
    const part = m.sendingPart;
    m.sendingPart = undefined;
    m.attempts.push({ at: now, outcome: f.kind, reason: f.reason, code: f.code });
    const log = { id: m.id, to: maskNumber(m.to), modem: this.lane.id, code: f.code, reason: f.reason };
    const sim = simVerdict(e);
    // A lone SIM has no other to rotate to: its repeated "not now" failures are left to the
    // retry backoff, and only a SIM that cannot send at all (barred, no SMS service) is paused.
    const counted: typeof sim = this.d.lanes.pooled || (sim.simLevel && sim.blocking) ? sim : { simLevel: false };
    this.rotationChanged(this.lane.rotation.failure(counted, now), now);
    const anySent = m.parts.some((p) => p.reference !== undefined);
    // A failure of this SIM, not of the recipient: another SIM of the pool takes the message
    // at once, without a retry delay (a message already begun stays on its SIM, see lanes.ts).
    const laneFault = sim.simLevel || (f.kind === "temporary" && f.modemLevel);
    if (laneFault && !anySent && f.kind !== "in-doubt" && this.d.lanes.otherCanTake(this.lane, m.to, now)) {
      if (f.kind === "temporary" && f.modemLevel) this.lane.pausedUntil = now + this.d.config.retry.modemPauseMs;
      this.d.lanes.steerAway(
        m,
        this.lane,
        now + Math.max(this.d.config.retry.modemPauseMs, this.d.config.retry.baseDelayMs),
      );
      this.d.logger.info(log, "outbox: failure of this SIM; another SIM of the pool takes the message");
      q.setState(m, "queued", `${f.reason} (on SIM ${this.lane.id}; moved to another SIM)`);
      await q.persist();
      for (const l of this.d.lanes.lanes) if (l !== this.lane) l.wake();
      return;
    }
    if (f.kind === "permanent") {
      this.d.logger.warn(log, "outbox: permanent failure");
      await q.finish(m, "failed", f.reason);
      return;
    }
    // A later part in doubt is always sent again, with the same concatenation reference and
    // sequence number (3GPP TS 23.040 9.2.3.24.1): a phone that got the first copy drops the
    // repeat, and one that did not would otherwise show a fragment. outbox.inDoubt decides
    // for part 1 only, where a repeat would be a second whole message.
    const laterPart = part !== undefined && part > 1;
    if (f.kind === "in-doubt" && !laterPart && this.d.config.inDoubt !== "resend") {
      // The PDU reached the modem and no answer came: it may be on its way. Settled like a
      // crash at that moment (outbox.inDoubt): never risk a duplicate unless told to; a
      // delivery report for it may still settle it (Outbox.onStatusReport).
      this.d.logger.warn(log, "outbox: part in doubt after a modem timeout; message failed (outbox.inDoubt = fail)");
      if (part !== undefined) m.inDoubt = { part, at: now, ...(m.modemId !== undefined ? { modemId: m.modemId } : {}) };
      await q.finish(m, "failed", `in doubt: ${f.reason}`);
      return;
    }
    if (f.kind === "in-doubt" && part !== undefined)
      m.inDoubt = { part, at: now, ...(m.modemId !== undefined ? { modemId: m.modemId } : {}) };
    if (f.modemLevel) this.lane.pausedUntil = now + this.d.config.retry.modemPauseMs;
    const failures = m.attempts.filter((a) => a.outcome === "temporary" || a.outcome === "in-doubt").length;
    if (failures >= this.d.config.retry.maxAttempts) {
      this.d.logger.warn(log, "outbox: giving up after repeated temporary failures");
      await q.finish(m, "failed", `gave up after ${failures} attempts: ${f.reason}`);
      return;
    }
    m.nextAttemptAt = now + backoffMs(failures, this.d.config.retry, this.d.random);
    this.d.logger.info(
      { ...log, retryInMs: m.nextAttemptAt - now },
      f.kind === "in-doubt"
        ? "outbox: part in doubt; it will be sent again with the same concatenation reference"
        : "outbox: temporary failure; will retry",
    );
    if (!anySent) q.setState(m, "queued", f.reason);
    else q.markDirty(m);
    await q.persist();
  }

  /** A SIM left or rejoined the rotation: said on the bus and in the log; the other lanes look again. */
  private rotationChanged(change: ReturnType<Lane["rotation"]["success"]>, now: number): void {
    if (!change) return;
    const inRotation = change.kind === "back";
    const ev: ModemRotationEvent = {
      modemId: this.lane.id,
      inRotation,
      reason: change.reason,
      ...(change.kind === "out" ? { retryAt: change.retryAt } : {}),
      at: now,
    };
    if (inRotation) this.d.logger.info({ modem: this.lane.id, reason: change.reason }, "outbox: SIM back in rotation");
    else
      this.d.logger.warn(
        {
          modem: this.lane.id,
          reason: change.reason,
          retryInMs: change.kind === "out" ? change.retryAt - now : undefined,
        },
        "outbox: SIM taken out of rotation",
      );
    this.d.onRotation(ev);
    for (const l of this.d.lanes.lanes) if (l !== this.lane) l.wake();
  }
}
