import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/bus.js";
import type { Logger } from "../core/log.js";
import type { Service } from "../core/lifecycle.js";
import type { Config } from "../config/schema.js";
import type { DomainEvents } from "../api/events.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { maskNumber } from "../core/mask.js";
import { Queue } from "./queue.js";
import { SendLoop } from "./sender.js";
import { EmailLane, type EmailLaneSettings } from "./email-lane.js";
import { SendWindows } from "./windows.js";
import { recipientE164 } from "./recipient.js";
import type { StatusReportPdu } from "./encode.js";
import { applyReport, matchReport } from "./reports.js";
import { selectForCancel, selectForList } from "./select.js";
import { readMessages, type MessageRange } from "./history-read.js";
import { Lane, LaneSet } from "./lanes.js";
import { settleInDoubt } from "./in-doubt.js";
import { Admission, type RecipientDirectory } from "./admission.js";
import { recoverInDoubt } from "./recovery.js";
import { Sweeper } from "./sweeper.js";
import { ReplyFirst } from "./reply-first.js";
import { refusalNotice, type RefusalNotice } from "./refusal.js";
import { outboxStats, simFigures, type SimFigures } from "./figures.js";
import type {
  SimLane,
  CancelResult,
  CancelSelector,
  ConsentCheck,
  EmailTransport,
  EnqueueOutcome,
  EnqueueRequest,
  EnqueueResult,
  ListFilter,
  OutboxMessage,
  OutboxPort,
  OutboxStats,
  PartSender,
} from "./types.js";
import type { Millis } from "../core/types.js";
import type { WaitReason } from "./wait-reason.js";
import { storeOf, type StoreSource } from "../store/index.js";

export type * from "./types.js";
export { Priority } from "./types.js";
export { accountsOf, type MessageRange } from "./history-read.js";
export type { WaitReason, WaitCode } from "./wait-reason.js";
export type { RecipientDirectory } from "./admission.js";

export interface OutboxDeps extends StoreSource {
  clock: Clock;
  bus: EventBus<DomainEvents>;
  logger: Logger;
  config: Config["outbox"];
  modemConfig: Pick<
    Config["modem"],
    "statusReports" | "validityMinutes" | "smsc" | "concatReference" | "transliterate"
  >;
  gateway: Pick<Config["gateway"], "defaultRegion" | "defaultTimeZone"> &
    Partial<Pick<Config["gateway"], "defaultLocale">>;
  sender: PartSender;
  /** The accounts a message may be for: their locale and time zone make the recipient's context (src/outbox/recipient-context.ts). */
  recipients?: RecipientDirectory;
  /**
   * Extension: the SIMs of a modem pool, one send loop each (src/outbox/lanes.ts). Absent: one
   * lane, `sender`, with the outbox's limits and price.
   */
  lanes?: SimLane[];
  /** Extension: storage settings (defaults: 1000 ms coalescing, 1096 days, 7 recent days); with `store`, its own coalescing and retention apply. */
  storage?: Partial<Pick<Config["storage"], "flushIntervalMs" | "historyRetentionDays" | "recentHistoryDays">>;
  /** Extension: the jitter source (tests pass a fixed one). */
  random?: () => number;
  /** The e-mail lane (docs/email.md): absent when email.enabled is off, and e-mails are then refused at admission. */
  email?: { transport: EmailTransport; settings: EmailLaneSettings };
  /**
   * The suppression list (src/consent), asked at admission and before each part. The
   * composition root always passes it; unit tests of queueing alone may leave it out.
   */
  consent?: ConsentCheck;
}

/** The lane of an outbox without a pool: its SIM counters are the state file's original `sim`. */
const SINGLE_LANE = "modem";

/**
 * The durable outbox (docs/outbox.md): the facade that composes its parts. Admission
 * (admission.ts) accepts messages, durable before enqueue resolves; one SendLoop per SIM
 * (sender.ts) and the e-mail lane (email-lane.ts) send them; the reply-first path
 * (reply-first.ts) lets keyword replies go ahead; recovery (recovery.ts) settles what a stop
 * left in doubt; the sweeper (sweeper.ts) expires and prunes; the store (queue.ts) keeps it all.
 */
export class Outbox implements OutboxPort, Service {
  readonly name = "outbox";
  /** One send loop per SIM; the first also sweeps expiries and report windows. */
  private readonly loops: SendLoop[];
  readonly lanes: LaneSet;
  /** The e-mail lane: its own loop, apart from every SIM lane (those never take an e-mail). */
  private readonly emailLane: EmailLane | undefined;
  private windows: SendWindows;
  private readonly logger: Logger;
  private readonly admission: Admission;
  private readonly sweeper: Sweeper;
  /** The sweeper's pass, run by one send loop before each pick; handed to another loop when that SIM leaves. */
  private readonly sweep = (): Promise<Millis | undefined> => this.sweeper.sweep();
  /** Keyword replies ahead of reminders: announce, claim, release (docs/outbox.md, "Keyword replies go first"). */
  private readonly replyFirst: ReplyFirst;
  /** The refusal notice of the suppression list (src/outbox/refusal.ts), shared by admission and every send loop. */
  private readonly refused: RefusalNotice;
  /** Between start() and stop(): a SIM added meanwhile starts sending at once. */
  private running = false;

  private constructor(
    private readonly q: Queue,
    private readonly d: OutboxDeps,
  ) {
    this.logger = d.logger.child({ svc: "outbox" });
    const specs: SimLane[] =
      d.lanes && d.lanes.length > 0
        ? d.lanes
        : [{ id: SINGLE_LANE, sender: d.sender, costPerPart: d.config.costPerPart }];
    this.lanes = new LaneSet(specs.map((spec) => this.newLane(spec)));
    this.windows = new SendWindows(d.config.sendWindow, this.logger);
    this.refused = refusalNotice({ bus: d.bus, logger: this.logger, clock: d.clock });
    this.sweeper = new Sweeper({ queue: q, clock: d.clock, logger: this.logger, config: d.config });
    this.replyFirst = new ReplyFirst({
      clock: d.clock,
      holdMs: () => d.config.replyHoldMs ?? 300,
      lanes: () => this.loops,
      stickyLaneId: (to) => this.lanes.stickyLane(to)?.id,
    });
    this.emailLane = d.email
      ? new EmailLane({
          queue: q,
          windows: () => this.windows,
          transport: d.email.transport,
          clock: d.clock,
          logger: this.logger,
          config: d.config,
          settings: d.email.settings,
          defaultTimeZone: d.gateway.defaultTimeZone,
          random: d.random ?? Math.random,
        })
      : undefined;
    this.loops = this.lanes.lanes.map((lane, i) => this.loopFor(lane, i === 0));
    this.admission = new Admission({
      queue: q,
      clock: d.clock,
      logger: this.logger,
      config: d.config,
      modemConfig: d.modemConfig,
      gateway: d.gateway,
      ...(d.recipients ? { recipients: d.recipients } : {}),
      ...(d.consent ? { consent: d.consent } : {}),
      emailEnabled: this.emailLane !== undefined,
      refused: this.refused,
      replyFirst: this.replyFirst,
      wake: () => this.wakeAll(),
    });
  }

  private newLane(spec: SimLane): Lane {
    const rotation = () => this.d.config.failover ?? { outAfter: 3, retryBaseMs: 60_000, retryMaxMs: 3_600_000 };
    return new Lane(
      spec,
      this.d.config.limits,
      this.d.gateway.defaultTimeZone,
      this.q.simCounters(spec.id === SINGLE_LANE ? undefined : spec.id),
      rotation,
    );
  }

  /** A SIM's send loop; the one that `sweeps` also runs the sweeper before each pick. */
  private loopFor(lane: Lane, sweeps: boolean): SendLoop {
    const d = this.d;
    return new SendLoop({
      queue: this.q,
      windows: this.windows,
      lane,
      lanes: this.lanes,
      ...(sweeps ? { sweep: this.sweep } : {}),
      hold: this.replyFirst.holdOf(lane.id),
      onRotation: (e) => d.bus.emit("modem.rotation", e),
      clock: d.clock,
      logger: this.lanes.pooled ? this.logger.child({ modem: lane.id }) : this.logger,
      config: d.config,
      modemConfig: d.modemConfig,
      defaultTimeZone: d.gateway.defaultTimeZone,
      random: d.random ?? Math.random,
      ...(d.consent ? { consent: d.consent } : {}),
      onRefused: (m, reason) => this.refused(m, reason, "before-send"),
    });
  }

  /** A SIM joins the pool while running (a modem added by a settings reload): its own lane and send loop. */
  addLane(spec: SimLane): void {
    if (this.lanes.byId(spec.id)) return;
    const lane = this.newLane(spec);
    this.lanes.add(lane);
    const loop = this.loopFor(lane, this.loops.length === 0);
    this.loops.push(loop);
    if (this.running) loop.start();
    this.logger.info({ modem: spec.id }, "outbox: SIM added to the pool");
  }

  /**
   * A SIM leaves the pool (its modem removed by a settings reload): its loop stops after the
   * part at its modem; its queued work goes to the others (a message begun on it goes on
   * through another SIM). The last lane stays.
   */
  async removeLane(id: string): Promise<void> {
    const lane = this.lanes.byId(id);
    const i = this.loops.findIndex((l) => l.laneId === id);
    if (!lane || i < 0 || this.loops.length === 1) return;
    const [loop] = this.loops.splice(i, 1);
    this.lanes.remove(lane);
    await loop!.stop();
    // The expiries and report windows are swept by the first loop: another takes that job on.
    if (i === 0) this.loops[0]!.takeSweeping(this.sweep);
    this.logger.info({ modem: id }, "outbox: SIM removed from the pool");
    this.wakeAll();
  }

  /**
   * A SIM's lane takes the place of another (its modem replaced by a reload, or the single
   * `modem:` becoming an entry of a `modems:` list and back), in the same position: the old loop
   * stops after the part at its modem, then the new one starts. Nothing queued moves or is lost:
   * it waits in the queue meanwhile. With `sameSim` (the same modem under another id or with
   * other lane settings) the SIM's counts, its unplugged and no-credit state and its sticky
   * numbers go on; a message begun on another id may go on through any SIM, as after a removal.
   */
  async replaceLane(previousId: string, spec: SimLane, opts: { sameSim: boolean }): Promise<void> {
    const old = this.lanes.byId(previousId);
    const i = this.loops.findIndex((l) => l.laneId === previousId);
    if (!old || i < 0) return this.addLane(spec);
    const lane = this.newLane(spec);
    if (opts.sameSim) {
      lane.unplugged = old.unplugged;
      lane.noCredit = old.noCredit;
    }
    const loop = this.loopFor(lane, false);
    const [was] = this.loops.splice(i, 1, loop);
    this.lanes.replace(old, lane, opts.sameSim);
    await was!.stop();
    if (opts.sameSim && spec.id !== previousId) {
      // The same SIM's parts of today and this month (the last one included) count against its limits under the new id too.
      const counters = this.q.simCounters(spec.id === SINGLE_LANE ? undefined : spec.id);
      const before = this.q.simCounters(previousId === SINGLE_LANE ? undefined : previousId);
      if (counters.dayParts + counters.monthParts === 0) Object.assign(counters, before);
    }
    if (i === 0) loop.takeSweeping(this.sweep);
    if (this.running) loop.start();
    this.logger.info({ modem: spec.id, previous: previousId, sameSim: opts.sameSim }, "outbox: SIM lane replaced");
    this.wakeAll();
  }

  /**
   * A SIM's modem was unplugged (present false) or plugged in again: while unplugged the SIM
   * is out of rotation with the reason "unplugged" and its queued work goes to the others.
   */
  setLanePresence(id: string, present: boolean): void {
    const lane = this.lanes.byId(id);
    if (!lane) return;
    const reason = present ? undefined : "unplugged";
    if (lane.unplugged === reason) return;
    lane.unplugged = reason;
    // The pause after the failure its pulling caused is moot once it is back: its driver started afresh.
    if (present) lane.pausedUntil = 0;
    const now = this.d.clock.now();
    this.d.bus.emit("modem.rotation", {
      modemId: id,
      ...lane.rotationAfter(reason ?? "plugged in again", now),
      at: now,
    });
    this.wakeAll();
  }

  /** Wakes every lane, the SIM lanes and the e-mail lane (new or changed work). */
  private wakeAll(): void {
    for (const l of this.loops) l.wake();
    this.emailLane?.wake();
  }

  static async open(deps: OutboxDeps): Promise<Outbox> {
    const q = await Queue.open({
      store: storeOf(deps, deps.clock, deps.logger, {
        flushIntervalMs: deps.storage?.flushIntervalMs ?? 1000,
        historyRetentionDays: deps.storage?.historyRetentionDays ?? 1096,
      }),
      clock: deps.clock,
      bus: deps.bus,
      logger: deps.logger,
      recentDays: deps.storage?.recentHistoryDays ?? 7,
      limitsConfig: deps.config.limits,
      zone: deps.gateway.defaultTimeZone,
    });
    const outbox = new Outbox(q, deps);
    await recoverInDoubt({ queue: q, clock: deps.clock, logger: outbox.logger, config: deps.config });
    return outbox;
  }

  async start(): Promise<void> {
    await this.sweeper.startPruning();
    this.running = true;
    for (const l of this.loops) l.start();
    this.emailLane?.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sweeper.stopPruning();
    await Promise.all([...this.loops.map((l) => l.stop()), this.emailLane?.stop()]);
    await this.q.close();
  }

  /**
   * Settings changed in the web panel, in force at once: windows, limits and retries are read
   * on every pick, so the next decision uses them; the part at the modem is not disturbed.
   */
  applySettings(partial: Partial<Pick<Config["outbox"], "sendWindow" | "limits" | "retry">>): void {
    // In place, in the outbox's own copy of its section (given at open): the queue's limits and the sender read these objects.
    if (partial.limits) Object.assign(this.d.config.limits, partial.limits);
    if (partial.retry) Object.assign(this.d.config.retry, partial.retry);
    if (partial.sendWindow) {
      Object.assign(this.d.config.sendWindow, partial.sendWindow);
      this.windows = new SendWindows(this.d.config.sendWindow, this.logger);
      for (const l of this.loops) l.setWindows(this.windows);
    }
    this.wakeAll();
  }

  /** Durable when it resolves (src/outbox/admission.ts). */
  enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    return this.admission.enqueue(req);
  }

  /** A batch, admitted as one group (docs/outbox.md, "Batch admission"; src/outbox/admission.ts). */
  enqueueMany(reqs: readonly EnqueueRequest[]): Promise<EnqueueOutcome[]> {
    return this.admission.enqueueMany(reqs);
  }

  async cancel(selector: CancelSelector, reason: string): Promise<CancelResult> {
    const result: CancelResult = { cancelled: [], notCancellable: [] };
    const targets = selectForCancel(this.q, selector);
    const finishing: Array<Promise<void>> = [];
    for (const m of targets) {
      // Decided synchronously: the sender marks a message `sending` before its first await.
      if (m.state === "queued") {
        result.cancelled.push(m.id);
        finishing.push(this.q.finish(m, "cancelled", reason));
      } else {
        result.notCancellable.push({ id: m.id, state: m.state });
      }
    }
    await Promise.all(finishing);
    return result;
  }

  /** A copy, like everything this API returns. */
  get(id: string): OutboxMessage | undefined {
    const m = this.q.get(id);
    return m && structuredClone(m);
  }

  byIdempotencyKey(key: string): OutboxMessage | undefined {
    const id = this.q.idForKey(key);
    return id === undefined ? undefined : this.get(id);
  }

  list(filter: ListFilter = {}): { total: number; items: OutboxMessage[] } {
    const page = selectForList(this.q.all(), filter, this.d.gateway.defaultRegion);
    return { total: page.total, items: page.items.map((m) => structuredClone(m)) };
  }

  /**
   * Messages created in [from, to), optionally of one account, from the active set and the
   * history files, each once in its latest record; streamed (src/outbox/history-read.ts).
   */
  readMessages(range: MessageRange = {}): AsyncIterable<OutboxMessage> {
    return readMessages(this.q, range);
  }

  /** Why a queued message waits and until when (send window, limits, modem, backoff); undefined when it does not wait. */
  waitReason(message: OutboxMessage, now: Millis = this.d.clock.now()): WaitReason | undefined {
    // An e-mail waits only for the e-mail lane: no SIM's window, budget or modem state is its reason.
    if (message.channel === "email") return undefined;
    // In a pool the message goes through whichever SIM frees first: the lane nearest to sending answers.
    const reasons = this.loops.map((l) => l.waitReason(message, now));
    if (reasons.some((r) => r === undefined)) return undefined;
    const waiting = reasons as WaitReason[];
    return (
      waiting.find((r) => r.code === "in-line") ??
      waiting.reduce((a, b) => ((b.until ?? Infinity) < (a.until ?? Infinity) ? b : a))
    );
  }

  /** A failed message goes back to the queue: all its parts again, attempts kept. */
  async retry(id: string): Promise<OutboxMessage> {
    const m = this.q.get(id);
    if (!m) throw new DuegateError(ErrorCode.NotFound, `No message ${id} in the outbox or its recent history`, { id });
    if (m.state !== "failed")
      throw new DuegateError(ErrorCode.Validation, `Message ${id} is ${m.state}; only failed messages can be retried`, {
        id,
        state: m.state,
      });
    const now = this.d.clock.now();
    m.parts = m.parts.map((p) => ({ index: p.index }));
    m.concatReference = undefined;
    m.finishedAt = undefined;
    m.failureReason = undefined;
    m.nextAttemptAt = undefined;
    m.sendingPart = undefined;
    m.reportTimedOut = undefined;
    m.modemId = undefined;
    m.inDoubt = undefined;
    if (m.expiresAt !== undefined && m.expiresAt <= now)
      m.expiresAt = now + this.d.config.reminderExpiryHours * 3_600_000;
    m.attempts = m.attempts.filter((a) => a.outcome === "submitted");
    m.state = "queued";
    m.history.push({ state: "queued", at: now, reason: "retry requested" });
    const snapshot = structuredClone(m);
    await this.q.admit(m, false);
    this.wakeAll();
    return snapshot;
  }

  /** A delivery report; `via` names the modem it came in through (TP-MR values are per SIM). */
  async onStatusReport(report: StatusReportPdu, via?: { modemId?: string }): Promise<void> {
    const now = this.d.clock.now();
    const windowMs = this.d.config.deliveryReportWindowHours * 3_600_000;
    const match = matchReport(
      this.q.activeMessages(),
      report,
      now,
      windowMs,
      this.d.gateway.defaultRegion,
      this.lanes.pooled ? via?.modemId : undefined,
    );
    if (!match) {
      if (
        await settleInDoubt(
          { queue: this.q, logger: this.logger, region: this.d.gateway.defaultRegion },
          report,
          now,
          windowMs,
          this.lanes.pooled ? via?.modemId : undefined,
        )
      )
        return;
      this.logger.info(
        { reference: report.reference, recipient: maskNumber(report.recipient) },
        "outbox: delivery report matches no part in the window; ignored",
      );
      return;
    }
    const effect = applyReport(match, report, now);
    if (effect.kind === "delivered") await this.q.finish(match.message, "delivered");
    else if (effect.kind === "failed") await this.q.finish(match.message, "failed", effect.reason);
    else this.q.markDirty(match.message); // a part's progress may wait for the coalesced write
  }

  stats(): OutboxStats {
    return outboxStats(this.q, this.lanes, this.d.clock.now(), this.d.gateway.defaultTimeZone);
  }

  /**
   * The modem announced an inbound SMS (+CMTI/+CMT; wire to Modem.onInboundPending): reminder
   * parts wait for its reply, at most outbox.replyHoldMs. A queued keyword reply ends the wait.
   */
  holdForReply(modemId?: string): void {
    // The reply leaves through the SIM that received the SMS: that lane holds; without an id, all do.
    this.replyFirst.announce(modemId);
  }

  /** Inbound handled an SMS part that gets no reply (wire to Inbound's onNoReply): reminders go on. */
  releaseReplyHold(): void {
    this.replyFirst.release();
  }

  /**
   * The debtor at `from` wrote to the SIM of modem `modemId`: replies and reminders to that
   * number leave through it while it can send (wire to the pool's onInbound).
   */
  noteInbound(from: string, modemId: string | undefined): void {
    if (modemId === undefined || !this.lanes.pooled) return;
    try {
      this.lanes.noteInbound(recipientE164(from, this.d.gateway.defaultRegion), modemId);
    } catch {
      // an alphanumeric or short-code sender gets no reply anyway
    }
  }

  /**
   * A SIM's prepaid credit was read (minor units): with none left it is not used until a later
   * reading shows credit again; its queued work goes to the other SIMs.
   */
  setSimCredit(modemId: string, credit: number | undefined): void {
    const lane = this.lanes.byId(modemId);
    if (!lane || credit === undefined) return;
    const was = lane.noCredit;
    lane.noCredit = credit <= 0 ? `no prepaid credit left (${(credit / 100).toFixed(2)})` : undefined;
    if (was === lane.noCredit) return;
    const now = this.d.clock.now();
    // Credit again does not bring back a SIM whose modem is unplugged (or out for failures).
    this.d.bus.emit("modem.rotation", {
      modemId,
      ...lane.rotationAfter(lane.noCredit ?? "prepaid credit topped up", now),
      at: now,
    });
    this.wakeAll();
  }

  /** Each SIM's figures (status, metrics, panel). */
  simStatus(): SimFigures[] {
    return simFigures(this.lanes, this.d.config.limits, this.d.clock.now());
  }

  /** Why the next message waits, if it does (panel, troubleshooting). */
  get waitingFor(): string | undefined {
    return this.loops.find((l) => l.lastWait !== undefined)?.lastWait;
  }

  /** Why the next e-mail waits, if it does (undefined also when e-mail is off). */
  get emailWaitingFor(): string | undefined {
    return this.emailLane?.lastWait;
  }
}
