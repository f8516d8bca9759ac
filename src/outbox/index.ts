import type { Clock, TimerHandle } from "../core/clock.js";
import type { EventBus } from "../core/bus.js";
import type { Logger } from "../core/log.js";
import type { Service } from "../core/lifecycle.js";
import type { Config } from "../config/schema.js";
import type { DomainEvents } from "../api/events.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { maskNumber } from "../core/mask.js";
import { DateTime } from "luxon";
import { Queue } from "./queue.js";
import { SendLoop } from "./sender.js";
import { EmailLane, type EmailLaneSettings } from "./email-lane.js";
import { checkEmailAddress, maskEmail } from "../core/email-address.js";
import { SendWindows } from "./windows.js";
import { recipientE164 } from "./recipient.js";
import { recipientContext, type RecipientAccount, type RecipientContext } from "./recipient-context.js";
import { prepareText, type StatusReportPdu } from "./encode.js";
import { applyReport, matchReport } from "./reports.js";
import { selectForCancel, selectForList } from "./select.js";
import { readMessages, type MessageRange } from "./history-read.js";
import { Priority } from "./types.js";
import { Lane, LaneSet } from "./lanes.js";
import { settleInDoubt } from "./in-doubt.js";
import type {
  SimLane,
  CancelResult,
  CancelSelector,
  ConsentCheck,
  E164Like,
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

export type * from "./types.js";
export { Priority } from "./types.js";
export { accountsOf, type MessageRange } from "./history-read.js";
export type { WaitReason, WaitCode } from "./wait-reason.js";

/** What the outbox may ask the ledger: the account a message names, or the accounts that have its number. */
export interface RecipientDirectory {
  account(id: string): RecipientAccount | undefined;
  accountsByNumber(e164: string): RecipientAccount[];
}

export interface OutboxDeps {
  dataDir: string;
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
  /** Extension: storage settings (defaults: 1000 ms coalescing, 1096 days, 7 recent days). */
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
 * The durable outbox (docs/outbox.md). Accepts messages (durable before enqueue
 * resolves), sends them part by part through one SendLoop, matches delivery reports and
 * moves finished messages to the history files.
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
  private readonly admitting = new Map<string, Promise<void>>();
  private rotation: TimerHandle | undefined;
  /** Time zones already found valid (luxon's check costs more than the rest of a request). */
  private readonly knownZones = new Set<string>();
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

  private loopFor(lane: Lane, sweeps: boolean): SendLoop {
    const d = this.d;
    return new SendLoop({
      queue: this.q,
      windows: this.windows,
      lane,
      lanes: this.lanes,
      sweeps,
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
    if (i === 0) this.loops[0]!.takeSweeping();
    this.logger.info({ modem: id }, "outbox: SIM removed from the pool");
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
    this.d.bus.emit("modem.rotation", {
      modemId: id,
      inRotation: lane.inRotation(this.d.clock.now()),
      reason: reason ?? "plugged in again",
      at: this.d.clock.now(),
    });
    this.wakeAll();
  }

  /** The first loop: the one that sweeps, and the one a single-modem outbox has. */
  private get loop(): SendLoop {
    return this.loops[0]!;
  }

  /** Wakes every lane, the SIM lanes and the e-mail lane (new or changed work). */
  private wakeAll(): void {
    for (const l of this.loops) l.wake();
    this.emailLane?.wake();
  }

  static async open(deps: OutboxDeps): Promise<Outbox> {
    const q = await Queue.open({
      dataDir: deps.dataDir,
      clock: deps.clock,
      bus: deps.bus,
      logger: deps.logger,
      flushIntervalMs: deps.storage?.flushIntervalMs ?? 1000,
      retentionDays: deps.storage?.historyRetentionDays ?? 1096,
      recentDays: deps.storage?.recentHistoryDays ?? 7,
      limitsConfig: deps.config.limits,
      zone: deps.gateway.defaultTimeZone,
    });
    const outbox = new Outbox(q, deps);
    await outbox.recover();
    return outbox;
  }

  /** After a crash: a part that was at the modem is in doubt; settle it by outbox.inDoubt. */
  private async recover(): Promise<void> {
    const now = this.d.clock.now();
    for (const m of [...this.q.active.values()]) {
      if (m.finishedAt !== undefined || !["queued", "sending", "submitted"].includes(m.state)) {
        await this.q.moveToHistory(m); // finished but not yet removed when the service stopped
        continue;
      }
      if (m.sendingPart === undefined) continue;
      const part = m.sendingPart;
      const reason = `in doubt: the service stopped while part ${part} of ${m.partCount} was at the modem`;
      m.attempts.push({ at: now, outcome: "in-doubt", reason });
      m.sendingPart = undefined;
      m.inDoubt = { part, at: now, ...(m.modemId !== undefined ? { modemId: m.modemId } : {}) };
      if (part > 1) {
        // A later part is sent again with the same concatenation reference and sequence number
        // (docs/outbox.md, "Parts in doubt"): a phone drops a repeated segment, whereas a part
        // never sent would leave the debtor a fragment. outbox.inDoubt decides for part 1 only.
        this.logger.warn(
          { id: m.id, to: maskNumber(m.to), part },
          "outbox: in-doubt later part will be sent again with the same concatenation reference",
        );
        this.q.active.markDirty(m.id);
      } else if (this.d.config.inDoubt === "fail") {
        this.logger.warn(
          { id: m.id, to: maskNumber(m.to), part },
          "outbox: in-doubt message failed (outbox.inDoubt = fail)",
        );
        await this.q.finish(m, "failed", reason);
      } else {
        this.logger.warn(
          { id: m.id, to: maskNumber(m.to), part },
          "outbox: in-doubt part will be sent again (outbox.inDoubt = resend)",
        );
        if (!m.parts.some((p) => p.reference !== undefined)) this.q.setState(m, "queued", reason);
        else this.q.active.markDirty(m.id);
      }
    }
    await this.q.persist();
  }

  async start(): Promise<void> {
    await this.q.rotate();
    this.scheduleRotation();
    this.running = true;
    for (const l of this.loops) l.start();
    this.emailLane?.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.rotation?.cancel();
    this.rotation = undefined;
    await Promise.all([...this.loops.map((l) => l.stop()), this.emailLane?.stop()]);
    await this.q.close();
  }

  /**
   * Settings changed in the web panel, in force at once: windows, limits and retries are read
   * on every pick, so the next decision uses them; the part at the modem is not disturbed.
   */
  updateConfig(partial: Partial<Pick<Config["outbox"], "sendWindow" | "limits" | "retry">>): void {
    // In place: the queue's limits and the sender read these same objects.
    if (partial.limits) Object.assign(this.d.config.limits, partial.limits);
    if (partial.retry) Object.assign(this.d.config.retry, partial.retry);
    if (partial.sendWindow) {
      Object.assign(this.d.config.sendWindow, partial.sendWindow);
      this.windows = new SendWindows(this.d.config.sendWindow, this.logger);
      for (const l of this.loops) l.setWindows(this.windows);
    }
    this.wakeAll();
  }

  /** History retention is applied at start and once a day. */
  private scheduleRotation(): void {
    this.rotation = this.d.clock.setTimer(86_400_000, () => {
      this.q
        .rotate()
        .catch((e: unknown) =>
          this.logger.error({ err: e instanceof Error ? e.message : String(e) }, "outbox: history rotation failed"),
        )
        .finally(() => {
          if (this.rotation) this.scheduleRotation();
        });
    });
  }

  async enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    this.checkRequest(req);
    if (this.q.keys.has(req.idempotencyKey)) {
      await this.admitting.get(req.idempotencyKey); // a concurrent first enqueue: its result, once durable
      const existing = await this.findByKey(req.idempotencyKey);
      if (existing) return { status: "duplicate", message: structuredClone(existing) };
    }
    const m = this.build(req, this.d.clock.now());
    // Reserved before the first await: a concurrent duplicate sees it and waits for this one.
    this.q.keys.set(m.idempotencyKey, m.id);
    const snapshot = structuredClone(m); // callers get a copy: the sender changes the live one
    this.q.enter(m);
    // The hot path of a keyword reply (docs/outbox.md, "Keyword replies"): chosen before its
    // write starts, so that the write records it as `sending`: one write, not two, before +CMGS.
    const claimed = m.priority === Priority.reply ? this.claimReply(m) : undefined;
    const admitted = claimed ?? this.q.persistAdmission(m, true);
    if (m.priority === Priority.reply) for (const l of this.loops) l.replyAnswered();
    this.admitting.set(
      m.idempotencyKey,
      admitted.catch(() => undefined),
    );
    try {
      await admitted;
    } catch (e) {
      this.q.keys.delete(m.idempotencyKey);
      this.q.active.delete(m.id);
      this.q.withdraw(m, `not stored: ${errorMessage(e)}`);
      throw e;
    } finally {
      this.admitting.delete(m.idempotencyKey);
    }
    this.wakeAll();
    return { status: "queued", message: snapshot };
  }

  /**
   * A batch (docs/outbox.md, "Batch admission"): each request answered as enqueue would, the
   * new messages written as one group (their record files side by side with one directory
   * fsync, their keys in one append) instead of one after the other. Not picked by the sender
   * until the batch is durable. Meant for the dunning engine's runs (chunks of some hundreds:
   * the caller bounds the batch); keyword replies go through enqueue (their fast path).
   */
  async enqueueMany(reqs: readonly EnqueueRequest[]): Promise<EnqueueOutcome[]> {
    const out: Array<EnqueueOutcome | undefined> = new Array<EnqueueOutcome | undefined>(reqs.length);
    const refuse = (i: number, e: unknown): void => {
      out[i] = {
        status: "refused",
        error:
          e instanceof DuegateError
            ? e
            : new DuegateError(ErrorCode.Validation, `enqueue: ${e instanceof Error ? e.message : String(e)}`, {
                idempotencyKey: reqs[i]?.idempotencyKey,
              }),
      };
    };
    // Keys known before this batch (the only awaits before the admission): their messages, if
    // any is stored; a key without one is forgotten by findByKey and admitted again below.
    const known = new Set<string>();
    reqs.forEach((req, i) => {
      try {
        this.checkRequest(req);
        if (this.q.keys.has(req.idempotencyKey)) known.add(req.idempotencyKey);
      } catch (e) {
        refuse(i, e);
      }
    });
    const found = known.size > 0 ? await this.findManyByKey(known) : new Map<string, OutboxMessage>();
    // From here to the write, synchronous: keys reserved and messages entered in request order.
    const now = this.d.clock.now();
    const fresh: Array<{ i: number; m: OutboxMessage; snapshot: OutboxMessage }> = [];
    const duplicates: number[] = [];
    reqs.forEach((req, i) => {
      if (out[i]) return;
      const existing = found.get(req.idempotencyKey);
      if (existing) {
        out[i] = { status: "duplicate", message: structuredClone(existing) };
        return;
      }
      if (this.q.keys.has(req.idempotencyKey)) {
        duplicates.push(i); // earlier in this batch, or a concurrent enqueue: answered once durable
        return;
      }
      try {
        const m = this.build(req, now);
        this.q.keys.set(m.idempotencyKey, m.id);
        fresh.push({ i, m, snapshot: structuredClone(m) });
      } catch (e) {
        refuse(i, e);
      }
    });
    if (fresh.length > 0) {
      for (const { m } of fresh) {
        this.q.admitting.add(m.id);
        this.q.enter(m);
      }
      const admitted = this.q.persistAdmissions(fresh.map((f) => f.m));
      const settled = admitted.catch(() => undefined);
      for (const { m } of fresh) this.admitting.set(m.idempotencyKey, settled);
      try {
        await admitted;
      } catch (e) {
        // Nothing of the batch is acknowledged: the keys and records go (a record file that
        // reached the disk is removed; a key line alone is an orphan that findByKey admits again).
        for (const { m } of fresh) {
          this.q.keys.delete(m.idempotencyKey);
          this.q.active.delete(m.id);
          this.q.withdraw(m, `not stored: ${errorMessage(e)}`);
        }
        await this.q.active.flushRecords(fresh.map((f) => f.m.id)).catch(() => undefined);
        throw e;
      } finally {
        for (const { m } of fresh) {
          this.q.admitting.delete(m.id);
          this.admitting.delete(m.idempotencyKey);
        }
      }
      for (const { i, snapshot } of fresh) out[i] = { status: "queued", message: snapshot };
      this.wakeAll();
    }
    for (const i of duplicates) {
      const key = reqs[i]!.idempotencyKey;
      await this.admitting.get(key);
      const existing = await this.findByKey(key);
      if (existing) out[i] = { status: "duplicate", message: structuredClone(existing) };
      else
        refuse(
          i,
          new DuegateError(ErrorCode.StoreWrite, `enqueue: the concurrent admission of key ${key} failed; try again`, {
            idempotencyKey: key,
          }),
        );
    }
    return out as EnqueueOutcome[];
  }

  /** What enqueue checks before anything else (before looking for a duplicate). */
  private checkRequest(req: EnqueueRequest): void {
    if (!req.idempotencyKey?.trim())
      throw new DuegateError(ErrorCode.Validation, "enqueue: idempotencyKey is required", { field: "idempotencyKey" });
    if (typeof req.text !== "string" || req.text.length === 0)
      throw new DuegateError(ErrorCode.Validation, "enqueue: text is empty", {
        field: "text",
        idempotencyKey: req.idempotencyKey,
      });
  }

  /** A new e-mail from a request (synchronous). Throws EmailNotConfigured, InvalidEmail or Validation. */
  private buildEmail(req: EnqueueRequest, now: number): OutboxMessage {
    if (!this.emailLane)
      throw new DuegateError(
        ErrorCode.EmailNotConfigured,
        "enqueue: e-mail is not enabled (email.enabled, docs/email.md)",
        { field: "channel", idempotencyKey: req.idempotencyKey },
      );
    const address = checkEmailAddress(req.to);
    if (!address.ok)
      throw new DuegateError(ErrorCode.InvalidEmail, `enqueue: "${maskEmail(String(req.to))}" is ${address.reason}`, {
        field: "to",
        idempotencyKey: req.idempotencyKey,
      });
    const email = req.email;
    if (!email || typeof email.subject !== "string" || email.subject.trim() === "" || /[\r\n]/.test(email.subject))
      throw new DuegateError(ErrorCode.Validation, "enqueue: an e-mail needs a one-line subject", {
        field: "email.subject",
        idempotencyKey: req.idempotencyKey,
      });
    const givenZones = req.timeZones && req.timeZones.length > 0 ? [...new Set(req.timeZones)] : undefined;
    const context = req.locale !== undefined && givenZones ? undefined : this.contextOf(req, "");
    const locale = req.locale ?? context?.locale;
    const m: OutboxMessage = {
      id: newId("msg"),
      idempotencyKey: req.idempotencyKey,
      to: address.address as E164Like,
      channel: "email",
      email: {
        subject: email.subject,
        html: email.html,
        ...(email.unsubscribe ? { unsubscribe: email.unsubscribe } : {}),
      },
      text: req.text,
      encoding: "mime",
      partCount: 1,
      priority: req.priority,
      origin: req.origin,
      ...(req.notBefore !== undefined ? { notBefore: req.notBefore } : {}),
      expiresAt: req.expiresAt ?? now + this.d.config.reminderExpiryHours * 3_600_000,
      timeZones: givenZones ?? [context?.timeZone ?? this.d.gateway.defaultTimeZone],
      ...(locale ? { locale } : {}),
      limitClass: req.limitClass ?? (req.origin.kind === "keyword-reply" ? "reply" : "reminder"),
      state: "queued",
      attempts: [],
      parts: [{ index: 1 }],
      createdAt: now,
      history: [{ state: "queued", at: now }],
    };
    this.checkZones(m.timeZones);
    return m;
  }

  private checkZones(zones: readonly string[]): void {
    for (const z of zones) {
      if (this.knownZones.has(z)) continue;
      if (!DateTime.now().setZone(z).isValid)
        throw new DuegateError(ErrorCode.Validation, `enqueue: unknown time zone "${z}"`, {
          field: "timeZones",
          zone: z,
        });
      this.knownZones.add(z);
    }
  }

  /** A new message from a request (synchronous). Throws InvalidNumber, OptedOut or Validation. */
  private build(req: EnqueueRequest, now: number): OutboxMessage {
    if (req.channel === "email") return this.buildEmail(req, now);
    const to = recipientE164(req.to, this.d.gateway.defaultRegion);
    // A reminder brings its account's context; only what the request leaves open is looked up.
    const givenZones = req.timeZones && req.timeZones.length > 0 ? [...new Set(req.timeZones)] : undefined;
    const context = req.locale !== undefined && givenZones ? undefined : this.contextOf(req, to);
    const locale = req.locale ?? context?.locale;
    const verdict = this.d.consent?.verdict(to, req.consentExemption) ?? { ok: true };
    if (!verdict.ok) {
      this.refused({ idempotencyKey: req.idempotencyKey, to, origin: req.origin }, verdict.reason, "admission");
      throw new DuegateError(ErrorCode.OptedOut, `refused: ${verdict.reason}`, {
        field: "to",
        idempotencyKey: req.idempotencyKey,
      });
    }
    const prepared = prepareText(req.text, locale, this.d.modemConfig);
    const limitClass = req.limitClass ?? (req.origin.kind === "keyword-reply" ? "reply" : "reminder");
    const m: OutboxMessage = {
      id: newId("msg"),
      idempotencyKey: req.idempotencyKey,
      to,
      text: req.text,
      encoding: prepared.encoding,
      partCount: prepared.parts,
      priority: req.priority,
      origin: req.origin,
      ...(req.notBefore !== undefined ? { notBefore: req.notBefore } : {}),
      expiresAt: req.expiresAt ?? now + this.d.config.reminderExpiryHours * 3_600_000,
      timeZones: givenZones ?? [context?.timeZone ?? this.d.gateway.defaultTimeZone],
      ...(locale ? { locale } : {}),
      limitClass,
      ...(req.consentExemption ? { consentExemption: { ...req.consentExemption } } : {}),
      state: "queued",
      attempts: [],
      parts: Array.from({ length: prepared.parts }, (_, i) => ({ index: i + 1 })),
      createdAt: now,
      history: [{ state: "queued", at: now }],
    };
    this.checkZones(m.timeZones);
    return m;
  }

  /**
   * The recipient's locale and zone, whatever the origin: from the account the message names
   * (a reminder's, an API send's accountId, a reply's first account), else from an account that
   * has the number, else from the number's country, else the gateway's defaults.
   */
  private contextOf(req: EnqueueRequest, to: string): RecipientContext {
    const o = req.origin;
    const named =
      o.kind === "dunning" || o.kind === "api" ? o.accountId : o.kind === "keyword-reply" ? o.accountIds[0] : undefined;
    const dir = this.d.recipients;
    const account = dir
      ? ((named !== undefined ? dir.account(named) : undefined) ?? (to ? dir.accountsByNumber(to)[0] : undefined))
      : undefined;
    return recipientContext(to, account, {
      timeZone: this.d.gateway.defaultTimeZone,
      ...(this.d.gateway.defaultLocale ? { locale: this.d.gateway.defaultLocale } : {}),
    });
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

  /** A send the suppression list refused: logged (number masked) and published as message.refused. */
  private refused(
    m: Pick<OutboxMessage, "idempotencyKey" | "to" | "origin"> & { id?: string },
    reason: string,
    stage: "admission" | "before-send",
  ): void {
    const o = m.origin;
    this.logger.info(
      { id: m.id, idempotencyKey: m.idempotencyKey, to: maskNumber(m.to), origin: o.kind, stage },
      "outbox: refused, the number opted out",
    );
    this.d.bus.emit("message.refused", {
      idempotencyKey: m.idempotencyKey,
      ...(m.id ? { id: m.id } : {}),
      to: m.to,
      origin: {
        kind: o.kind,
        ...(o.kind === "dunning" ? { accountId: o.accountId, invoiceIds: o.invoiceIds, step: o.step } : {}),
        ...(o.kind === "api" && o.accountId ? { accountId: o.accountId } : {}),
      },
      reason: `refused: ${reason}`,
      stage,
      at: this.d.clock.now(),
    });
  }

  /** A copy, like everything this API returns. */
  get(id: string): OutboxMessage | undefined {
    const m = this.q.get(id);
    return m && structuredClone(m);
  }

  byIdempotencyKey(key: string): OutboxMessage | undefined {
    const id = this.q.keys.get(key);
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
      this.q.active.values(),
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
    else this.q.active.markDirty(match.message.id); // a part's progress may wait for the coalesced write
  }

  stats(): OutboxStats {
    const now = this.d.clock.now();
    const startOfDay = DateTime.fromMillis(now, { zone: this.d.gateway.defaultTimeZone }).startOf("day").toMillis();
    const lanes = this.lanes.lanes;
    const partsToday = lanes.reduce((n, l) => n + l.budget.partsToday(now), 0);
    const partsThisMonth = lanes.reduce((n, l) => n + l.budget.partsThisMonth(now), 0);
    const s: OutboxStats = {
      queued: 0,
      sending: 0,
      submitted: 0,
      deliveredToday: 0,
      failedToday: 0,
      sentToday: 0,
      partsToday,
      partsThisMonth,
    };
    for (const m of this.q.all()) {
      const active = this.q.active.get(m.id) !== undefined;
      if (active && m.state === "queued") s.queued++;
      if (active && m.state === "sending") s.sending++;
      if (active && m.state === "submitted") s.submitted++;
      const today = (m.finishedAt ?? 0) >= startOfDay;
      if (today && m.state === "delivered") s.deliveredToday++;
      if (today && m.state === "failed") s.failedToday++;
      const firstSent = Math.min(...m.parts.map((p) => p.submittedAt ?? Infinity));
      if (firstSent >= startOfDay && firstSent !== Infinity) s.sentToday++;
    }
    return s;
  }

  /**
   * The modem announced an inbound SMS (+CMTI/+CMT; wire to Modem.onInboundPending): reminder
   * parts wait for its reply, at most outbox.replyHoldMs. A queued keyword reply ends the wait.
   */
  holdForReply(modemId?: string): void {
    const now = this.d.clock.now();
    const known = this.lanes.byId(modemId) !== undefined;
    // The reply leaves through the SIM that received the SMS: that lane holds; without an id, all do.
    for (const l of this.loops) if (!known || l.laneId === modemId) l.hold.pending(now);
  }

  /** Inbound handled an SMS part that gets no reply (wire to Inbound's onNoReply): reminders go on. */
  releaseReplyHold(): void {
    for (const l of this.loops) l.replyAnswered();
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
    this.d.bus.emit("modem.rotation", {
      modemId,
      inRotation: lane.noCredit === undefined,
      reason: lane.noCredit ?? "prepaid credit topped up",
      at: now,
    });
    this.wakeAll();
  }

  /** Each SIM's figures (status, metrics, panel). */
  simStatus(): Array<{
    id: string;
    inRotation: boolean;
    reason?: string;
    retryAt?: number;
    partsToday: number;
    partsThisMonth: number;
    limits: { perDay: number; perMonth: number; perMinute: number };
    costPerPart: number;
  }> {
    const now = this.d.clock.now();
    const base = this.d.config.limits;
    return this.lanes.lanes.map((l) => {
      const out = l.rotation.outUntil(now);
      const over = l.spec.limits ?? {};
      return {
        id: l.id,
        inRotation: out === undefined && l.outReason === undefined,
        ...(l.outReason !== undefined
          ? { reason: l.outReason }
          : out !== undefined
            ? { retryAt: out, ...(l.rotation.reason ? { reason: l.rotation.reason } : {}) }
            : {}),
        partsToday: l.budget.partsToday(now),
        partsThisMonth: l.budget.partsThisMonth(now),
        limits: {
          perDay: over.partsPerDay ?? base.perSimPerDay,
          perMonth: over.partsPerMonth ?? base.perSimPerMonth,
          perMinute: over.partsPerMinute ?? base.perMinute,
        },
        costPerPart: l.spec.costPerPart,
      };
    });
  }

  /** Why the next message waits, if it does (panel, troubleshooting). */
  get waitingFor(): string | undefined {
    return this.loops.find((l) => l.lastWait !== undefined)?.lastWait;
  }

  /** A keyword reply is chosen by the loop of the SIM it should leave through, if that one is free now. */
  private claimReply(m: OutboxMessage): Promise<void> | undefined {
    const admit = () => this.q.persistAdmission(m, true);
    const sticky = this.lanes.stickyLane(m.to);
    const order = sticky
      ? [...this.loops].sort((a, b) => Number(b.laneId === sticky.id) - Number(a.laneId === sticky.id))
      : this.loops;
    for (const l of order) {
      const claimed = l.claim(m, admit);
      if (claimed) return claimed;
    }
    return undefined;
  }

  /** Why the next e-mail waits, if it does (undefined also when e-mail is off). */
  get emailWaitingFor(): string | undefined {
    return this.emailLane?.lastWait;
  }

  /**
   * findByKey for several keys with one pass over the history files (for those not in memory);
   * keys without a stored message are forgotten (admitted again), as findByKey does.
   */
  private async findManyByKey(keys: ReadonlySet<string>): Promise<Map<string, OutboxMessage>> {
    const found = new Map<string, OutboxMessage>();
    const inFlight = [...keys].map((k) => this.admitting.get(k)).filter((p): p is Promise<void> => p !== undefined);
    if (inFlight.length > 0) await Promise.all(inFlight);
    const missing = new Map<string, string>(); // id -> key
    for (const key of keys) {
      const id = this.q.keys.get(key);
      if (id === undefined) continue;
      const m = this.q.get(id);
      if (m) found.set(key, m);
      else missing.set(id, key);
    }
    if (missing.size === 0) return found;
    for await (const old of this.q.history.read({ filter: (r) => missing.has(r.id) })) {
      const key = missing.get(old.id);
      if (key !== undefined) found.set(key, old); // the last record of a message wins, as in findByKey
    }
    for (const [id, key] of missing) {
      if (found.has(key) || this.q.keys.get(key) !== id) continue;
      this.logger.warn(
        { idempotencyKey: key, id },
        "outbox: idempotency key without a stored message (admission cut short); admitted again",
      );
      this.q.keys.delete(key);
    }
    return found;
  }

  private async findByKey(key: string): Promise<OutboxMessage | undefined> {
    const id = this.q.keys.get(key);
    if (id === undefined) return undefined;
    const m = this.q.get(id);
    if (m) return m;
    for await (const old of this.q.history.read({ filter: (r) => r.id === id })) return old;
    // A key whose record is nowhere: its admission never completed. The record and the key line
    // are written side by side (persistAdmission) and enqueue resolves only when both are
    // durable, so a kill between the two leaves the key alone, and the request was never
    // acknowledged: the sender redelivers it. The record is in neither the active set nor the
    // history (which the key log does not outlive: same retention, and a message reaches the
    // history on or after the day its key was written), so nothing was sent under this key.
    // Refusing it as a duplicate would lose it; it is admitted again.
    this.logger.warn(
      { idempotencyKey: key, id },
      "outbox: idempotency key without a stored message (admission cut short); admitted again",
    );
    this.q.keys.delete(key);
    return undefined;
  }
}
