/**
 * Inbound SMS: every part the modem reads comes through handlePart(), which resolves only
 * when the part is durable (the modem then deletes it from the SIM). Whole messages are
 * stored in the history with sender, text, time and matched accounts, published as
 * inbound.received, and handed to the keyword responder. Staff read them with list() and
 * answer with reply().
 */
import type { DomainEvents } from "../api/events.js";
import type { EventBus } from "../core/bus.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Config } from "../config/schema.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { Logger } from "../core/log.js";
import { e164OrUndefined, maskNumber, senderE164, toE164 } from "../core/phone.js";
import type { Service } from "../core/lifecycle.js";
import type { Account } from "../ledger/types.js";
import { Priority, type OutboxPort } from "../outbox/types.js";
import type { DeliverPdu } from "../sms/index.js";
import { storeOf, type StoreSource } from "../store/index.js";
import { Inbox } from "./inbox.js";
import { PartIntake, type AssembledMessage } from "./intake.js";
import type { HistoryLog, InboundConsent, InboundLedger, StateFile } from "./ports.js";
import { ReplyLimit } from "./reply-limit.js";
import { ReplyTexts } from "./replies.js";
import { KeywordResponder, type KeywordRules } from "./responder.js";
import { KeywordRouter } from "./router.js";
import { emptyState, repairState, type InboundState } from "./state.js";
import type { InboundHistoryEntry, InboundRecord, InboxFilter, ReplyOutcome } from "./types.js";
import { SerialQueue } from "./serial-queue.js";
import { readReplies, type ReplyRange } from "./history-read.js";

const DAY = 86_400_000;
const MINUTE = 60_000;

export type InboundConfig = Config["inbound"] &
  Pick<Config["gateway"], "companyName" | "supportContact" | "defaultRegion" | "defaultTimeZone" | "defaultLocale"> & {
    dunning: Pick<Config["dunning"], "paidPauseDays">;
  };

export interface InboundDeps extends StoreSource {
  clock: Clock;
  bus: EventBus<DomainEvents>;
  logger: Logger;
  /** The inbound section, the gateway's identity and defaults, and dunning.paidPauseDays: { ...config.inbound, ...config.gateway, dunning: config.dunning }. */
  config: InboundConfig;
  ledger: InboundLedger;
  outbox: OutboxPort;
  /** The suppression list (src/consent): STOP adds the sender's number, START removes it. */
  consent?: InboundConsent;
  /** storage.flushIntervalMs and storage.historyRetentionDays (with `store`, its own apply). */
  storage?: Partial<Pick<Config["storage"], "flushIntervalMs" | "historyRetentionDays">>;
  /**
   * Called for each part handled that gets no reply queued (a part of a longer SMS, a part
   * seen before, a keyword with nothing to answer, a limit, a failure). Wire to
   * Outbox.releaseReplyHold: the outbox holds reminder parts while a reply may be coming.
   */
  onNoReply?: () => void;
  /** Tests: in-memory files instead of the store's. */
  files?: { state: StateFile<InboundState>; history: HistoryLog<InboundHistoryEntry> };
}

export class Inbound implements Service {
  readonly name = "inbound";
  /** Parts in arrival order: the reassembler and the dedup keys change one part at a time. */
  private readonly queue = new SerialQueue();
  /** Keyword actions in arrival order (STOP then START from one number must not swap). */
  private readonly actions = new SerialQueue();
  private timer: TimerHandle | undefined;
  private stopped = false;
  private lastRotation = -Infinity;
  /** The section in force (applySettings replaces it); d.config is only what open() was given. */
  private config: InboundConfig;

  private constructor(
    private readonly d: InboundDeps,
    private readonly state: StateFile<InboundState>,
    private readonly history: HistoryLog<InboundHistoryEntry>,
    private readonly intake: PartIntake,
    private readonly inbox: Inbox,
    private readonly responder: KeywordResponder,
    /** Replaced whole by applySettings(), never changed in place: each SMS keeps the rules it was routed with. */
    private rules: KeywordRules,
    /** Stored, action not done (crash between the two, or the ledger failed): redone by start() and the sweep. */
    private readonly unhandled: Map<string, InboundRecord>,
  ) {
    this.config = d.config;
  }

  /**
   * Checks a config section as open() and applySettings() would take it, changing nothing:
   * throws ConfigInvalid (context.where names the setting) for an alias claimed by two
   * keywords, an empty alias or a name that is no keyword.
   */
  static check(config: InboundConfig): void {
    new KeywordRouter({ aliases: config.aliases, localeAliases: config.localeAliases });
  }

  /** The router, texts, allowance and options of one section; throws (as check()) before anything is in force. */
  private static rulesFor(config: InboundConfig, state: InboundState): KeywordRules {
    const router = new KeywordRouter({ aliases: config.aliases, localeAliases: config.localeAliases });
    return {
      router,
      texts: new ReplyTexts(config.replyTexts, config.companyName, config.supportContact),
      // The counts live in the hot file and are shared: a new limit counts the replies already sent this hour.
      limit: new ReplyLimit(state.replies, config.replyLimitPerHour, config.replyLimitTotalPerHour),
      settings: {
        companyName: config.companyName,
        defaultLocale: config.defaultLocale,
        defaultTimeZone: config.defaultTimeZone,
        paidPauseDays: config.dunning.paidPauseDays,
        promiseMaxDays: config.promiseMaxDays,
        stopConfirmation: config.stopConfirmation,
        unknownKeywordHelp: config.unknownKeywordHelp,
        unknownNumberReply: config.unknownNumberReply,
      },
    };
  }

  static async open(d: InboundDeps): Promise<Inbound> {
    Inbound.check(d.config); // throws on a bad alias before anything is opened
    const store = storeOf(d, d.clock, d.logger, {
      flushIntervalMs: d.storage?.flushIntervalMs ?? 1000,
      historyRetentionDays: d.storage?.historyRetentionDays ?? 1096,
    });
    const state = d.files?.state ?? (await store.document("inbound.json", emptyState(), { logger: d.logger }));
    repairState(state.data);
    const history = d.files?.history ?? store.history<InboundHistoryEntry>("history", "inbound", { logger: d.logger });
    const intake = new PartIntake(state.data, d.clock, d.config.reassemblyTimeoutMinutes * MINUTE);
    const inbox = new Inbox(d.config.inboxMemory);
    const unhandled = new Map<string, InboundRecord>();
    const since = d.clock.now() - Math.max(d.config.dedupDays, 31) * DAY;
    for await (const entry of history.read({ from: since })) {
      inbox.apply(entry);
      if (entry.kind === "received") {
        for (const k of entry.partKeys ?? []) intake.remember(k, entry.record.receivedAt);
        unhandled.set(entry.record.id, entry.record);
      } else if (entry.kind === "handled") unhandled.delete(entry.id);
    }
    intake.dropStored();
    const responder = new KeywordResponder({
      ledger: d.ledger,
      outbox: d.outbox,
      bus: d.bus,
      clock: d.clock,
      logger: d.logger,
      state: state.data,
      ...(d.consent ? { consent: d.consent } : {}),
    });
    return new Inbound(d, state, history, intake, inbox, responder, Inbound.rulesFor(d.config, state.data), unhandled);
  }

  /**
   * A new config section (settings saved in the web panel, src/compose/live-settings.ts): aliases, per-locale aliases, reply
   * texts, company name and support contact, reply limits, paidPauseDays, promiseMaxDays,
   * stopConfirmation, unknownKeywordHelp, unknownNumberReply and dedupDays are in force for the
   * next SMS. The swap is one assignment between two messages: an SMS already taken is routed
   * and answered with the settings it started with. Throws ConfigInvalid (as check()) with
   * nothing changed. reassemblyTimeoutMinutes and inboxMemory size structures built at open
   * (the reassembler with the parts waiting in it, the staff inbox) and wait for the next start,
   * as does defaultRegion (the ledger matched the numbers on file with the one read at its open).
   */
  applySettings(next: InboundConfig): void {
    const rules = Inbound.rulesFor(next, this.state.data);
    const kept = {
      reassemblyTimeoutMinutes: this.config.reassemblyTimeoutMinutes,
      inboxMemory: this.config.inboxMemory,
      defaultRegion: this.config.defaultRegion,
    };
    this.rules = rules;
    this.config = { ...next, ...kept };
    this.d.logger.info(
      { aliases: Object.keys(next.aliases).length, localeAliases: Object.keys(next.localeAliases).length },
      "inbound: new keyword and reply settings in force for the next SMS",
    );
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.queue.run(() => this.sweep());
    this.schedule();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    await this.idle();
    await this.state.flush();
    if (!this.d.files) await this.state.close();
  }

  /** One SMS part from the modem. Resolves when it is durable; rejects only when it could not be stored (the modem keeps it on the SIM). */
  handlePart(
    pdu: DeliverPdu,
    raw: { hex: string; storage?: string; index?: number; modemId?: string } = { hex: "" },
  ): Promise<void> {
    return this.queue.run(async () => {
      let acting = false;
      try {
        acting = await this.takePart(pdu, raw);
      } finally {
        if (!acting) this.noReply();
      }
    });
  }

  /** Resolves when every part taken so far is stored and acted on (tests, orderly stop). */
  async idle(): Promise<void> {
    await this.queue.idle();
    await this.actions.idle();
  }

  /** The staff inbox, newest first (in memory: the last inbound.inboxMemory messages). */
  list(filter: InboxFilter = {}): { total: number; items: InboundRecord[] } {
    const from = filter.from
      ? (e164OrUndefined(filter.from, this.config.defaultRegion, { strict: false }) ?? filter.from)
      : undefined;
    return this.inbox.list(filter, from);
  }

  get(id: string): InboundRecord | undefined {
    return this.inbox.get(id);
  }

  /** A staff member answers: sent through the outbox ahead of reminders, never rate-limited (a person decided). */
  async reply(to: string, text: string, opts: { inboundId?: string; by?: string } = {}): Promise<ReplyOutcome> {
    // The rule the outbox sends by (src/core/phone.ts): refused here with its reason, not later by the outbox.
    const parsed = toE164(to, this.config.defaultRegion);
    if (!parsed.ok)
      throw new DuegateError(ErrorCode.InvalidNumber, `reply: "${maskNumber(to)}" is ${parsed.reason}`, {
        field: "to",
        problem: parsed.problem,
      });
    const number = parsed.e164;
    if (!text.trim()) throw new DuegateError(ErrorCode.Validation, "reply: the text is empty", { field: "text" });
    const record = opts.inboundId ? this.inbox.get(opts.inboundId) : undefined;
    if (opts.inboundId && !record)
      throw new DuegateError(ErrorCode.NotFound, `reply: inbound message ${opts.inboundId} is unknown`, {
        inboundId: opts.inboundId,
      });
    const accountIds = this.verifiedAccounts(number).map((a) => a.id);
    const r = await this.d.outbox.enqueue({
      idempotencyKey: `staff-reply:${newId("r")}`,
      to: number,
      text,
      priority: Priority.reply,
      origin: record
        ? {
            kind: "keyword-reply",
            inboundId: record.id,
            keyword: "staff",
            accountIds,
            ...(record.modemId !== undefined ? { modemId: record.modemId } : {}),
          }
        : { kind: "api", requestedBy: opts.by ?? "staff", ...(accountIds[0] ? { accountId: accountIds[0] } : {}) },
      limitClass: "reply",
    });
    const outcome: ReplyOutcome = { by: "staff", status: r.status, outboxId: r.message.id, at: this.d.clock.now() };
    await this.history.append({
      kind: "staff-reply",
      ...(record ? { id: record.id } : {}),
      to: number,
      reply: outcome,
    });
    if (record) this.inbox.addReply(record.id, outcome);
    return outcome;
  }

  /** Every SMS received from one account, from the history files (the evidence export; src/inbound/history-read.ts). */
  replies(q: ReplyRange): Promise<InboundRecord[]> {
    return readReplies(this.history, q);
  }

  /** Older messages, from the history files (slow; the panel's archive search). */
  async search(filter: InboxFilter): Promise<{ total: number; items: InboundRecord[] }> {
    const archive = new Inbox(Number.MAX_SAFE_INTEGER);
    for await (const e of this.history.read({
      ...(filter.since !== undefined ? { from: filter.since - DAY } : {}),
      ...(filter.until !== undefined ? { to: filter.until + DAY } : {}),
    }))
      archive.apply(e);
    const from = filter.from
      ? (e164OrUndefined(filter.from, this.config.defaultRegion, { strict: false }) ?? filter.from)
      : undefined;
    return archive.list(filter, from);
  }

  /** Accounts that have this exact E.164 number on file: the ledger's answer, checked again (a balance goes nowhere else). */
  private verifiedAccounts(number: string): Account[] {
    // Stored phones are E.164 already (the ledger stores by the same strict rule): exact equality.
    return this.d.ledger.accountsByNumber(number).filter((a) => a.phones.includes(number));
  }

  /** True when a keyword action was started for the part (it reports whether a reply came). */
  private async takePart(
    pdu: DeliverPdu,
    raw: { storage?: string; index?: number; modemId?: string },
  ): Promise<boolean> {
    const result = this.intake.accept(pdu, raw.modemId);
    if (result.kind === "duplicate") {
      this.d.logger.info(
        { from: pdu.from, storage: raw.storage, index: raw.index },
        "inbound: part seen before, not handled again",
      );
      return false;
    }
    if (result.kind === "waiting") {
      this.intake.commitWaiting(result.part);
      try {
        await this.state.flush();
      } catch (e) {
        this.intake.uncommitWaiting(result.part);
        throw new DuegateError(
          ErrorCode.StoreWrite,
          "inbound: could not store an SMS part; left on the SIM",
          {},
          { cause: e },
        );
      }
      return false;
    }
    await this.store(result.message, true);
    return true;
  }

  private noReply(): void {
    try {
      this.d.onNoReply?.();
    } catch (e) {
      this.d.logger.error({ err: errorMessage(e) }, "inbound: onNoReply listener threw");
    }
  }

  /**
   * The record is appended and the keyword acted on at the same time, so that a reply is not
   * held up by the disk; handlePart resolves once the record is durable. Safe in any order:
   * the message id comes from its parts, replies have idempotency keys derived from it, and
   * a message stored without its "handled" line is acted on again at start.
   */
  private async store(m: AssembledMessage, announced = false): Promise<void> {
    const t = m.text;
    const number = senderE164(t.from, this.config.defaultRegion);
    const accounts = number ? this.verifiedAccounts(number) : [];
    const record: InboundRecord = {
      id: m.id,
      from: number ?? t.from,
      text: t.text.normalize("NFC"),
      encoding: t.encoding,
      smscTimestamp: t.timestamp,
      receivedAt: t.receivedAt,
      parts: t.parts,
      partsReceived: t.partsReceived,
      incomplete: t.incomplete,
      accountIds: accounts.map((a) => a.id),
      ...(m.modemId !== undefined ? { modemId: m.modemId } : {}),
    };
    const appended = this.history.append({ kind: "received", record, partKeys: m.partKeys });
    const released = this.intake.commitComplete(m);
    this.inbox.add({ ...record });
    this.unhandled.set(record.id, record);
    // Taken once: the event and the action agree on the keyword even if the settings change in between.
    const rules = this.rules;
    const keyword = rules.router.route(record.text).keyword.kind;
    this.d.bus.emit("inbound.received", {
      id: record.id,
      from: record.from,
      text: record.text,
      receivedAt: record.receivedAt,
      accountIds: record.accountIds,
      incomplete: record.incomplete,
      keyword,
      ...(record.modemId !== undefined ? { modemId: record.modemId } : {}),
    });
    void this.actions.run(() => this.act(record, number, accounts, rules, announced));
    try {
      await appended;
    } catch (e) {
      this.intake.uncommitComplete(m, released);
      throw new DuegateError(
        ErrorCode.StoreWrite,
        `inbound: could not store SMS ${m.id}; left on the SIM`,
        { inboundId: m.id },
        { cause: e },
      );
    }
    this.state.markDirty();
  }

  /** `announced`: the modem announced this SMS, and the outbox waits for word of its reply. */
  private async act(
    record: InboundRecord,
    number: string | undefined,
    accounts: Account[],
    rules: KeywordRules,
    announced = false,
  ): Promise<void> {
    let replied = false;
    try {
      const action = await this.responder.respond(record, number, accounts, rules);
      replied = action.replies.some((r) => r.status === "queued");
      const kept = this.inbox.get(record.id);
      if (kept) this.inbox.setAction(kept, action);
      await this.history.append({ kind: "handled", id: record.id, action });
      this.unhandled.delete(record.id);
    } catch (e) {
      // Stored already: the SMS is safe; the action is retried by the next sweep.
      this.d.logger.error({ inboundId: record.id, err: errorMessage(e) }, "inbound: keyword action failed, will retry");
    }
    if (announced && !replied) this.noReply();
    rules.limit.prune(this.d.clock.now());
    this.state.markDirty();
  }

  /** Expired multipart messages, actions not done yet, old dedup keys. */
  private async sweep(): Promise<void> {
    for (const m of this.intake.expire()) await this.store(m);
    for (const record of [...this.unhandled.values()]) {
      // Queued behind any action already running for it; skipped if that one succeeded.
      void this.actions.run(async () => {
        if (!this.unhandled.has(record.id)) return;
        const number = senderE164(record.from, this.config.defaultRegion);
        await this.act(record, number, number ? this.verifiedAccounts(number) : [], this.rules);
      });
    }
    this.intake.prune(this.config.dedupDays * DAY);
    await this.state.flush();
    await this.rotateHistory();
  }

  /**
   * storage.historyRetentionDays for the inbound history: at start and then once a day (from
   * the sweep). A failure is logged and tried again at the next sweep; nothing is lost by it.
   */
  private async rotateHistory(): Promise<void> {
    const now = this.d.clock.now();
    if (!this.history.rotate || now - this.lastRotation < DAY) return;
    try {
      await this.history.rotate();
      this.lastRotation = now;
    } catch (e) {
      this.d.logger.error({ err: errorMessage(e) }, "inbound: history rotation failed");
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const every = Math.min(MINUTE, Math.max(1000, (this.config.reassemblyTimeoutMinutes * MINUTE) / 4));
    this.timer = this.d.clock.setTimer(every, () => {
      void this.queue
        .run(() => this.sweep())
        .catch((e: unknown) => this.d.logger.error({ err: errorMessage(e) }, "inbound: sweep failed"))
        .finally(() => this.schedule());
    });
  }
}
