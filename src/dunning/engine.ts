/**
 * The dunning engine: on the cron, on ledger changes (debounced) and at start, it asks the
 * planner what is due for every account, records the decision, and enqueues one reminder per
 * decision through the outbox with a stable idempotency key. It also stops what must stop:
 * a payment in full, a dispute, an opt-out or a pause cancels queued reminders at once.
 */
import type { Clock, TimerHandle } from "../core/clock.js";
import type { EventBus } from "../core/bus.js";
import type { Logger } from "../core/log.js";
import type { Service } from "../core/lifecycle.js";
import type { DomainEvents, LedgerChangedEvent } from "../api/events.js";
import type { Config } from "../config/schema.js";
import { isDuegateError, errorMessage, ErrorCode } from "../core/errors.js";
import { idempotencyKey, shortHash } from "../core/ids.js";
import { Priority, type EnqueueOutcome, type EnqueueRequest, type OutboxPort } from "../outbox/types.js";
import type { Ledger } from "../ledger/ledger.js";
import type { Account } from "../ledger/types.js";
import { localNow } from "../core/calendar.js";
import type { OpenDocument } from "../ledger/ports.js";
import { defaultJournalOptions } from "../ledger/record-documents.js";
import { storeOf, type DocumentStorage } from "../store/index.js";
import type { Scheduler, ScheduledJob } from "../core/scheduler.js";
import type { ClockTrust } from "../core/clock-trust.js";
import { DEFAULT_POLICY } from "./default-policy.js";
import type { PolicyDocument, PolicyVersion } from "./policy-schema.js";
import { PolicyStore, emptyPolicyStore } from "./policy-store.js";
import { StepMemory, emptyStepMemory, STEP_MEMORY_COLLECTIONS, type StepRecord } from "./step-memory.js";
import {
  compileSequences,
  planAccount,
  sequenceFor,
  type CompiledSequence,
  type PlannedSend,
  type PlanSettings,
} from "./planner.js";
import { composeReminder, type Sender } from "./compose.js";
import { forecastPage, type ForecastPage, type ForecastQuery, type PlannedReminder } from "./forecast.js";
import { preview, type PreviewRequest, type TemplatePreview } from "./preview.js";
import type { CodecSettings } from "./text-measure.js";
import { recipientContext, type RecipientContext } from "../outbox/recipient-context.js";
import type { Channel } from "../outbox/types.js";
import { buildView } from "./templates.js";
import { balanceIn } from "./compose.js";
import { channelsFor, fallbackToEmail, type ChannelOptions } from "./channels.js";
import { renderEmail, type UnsubscribeLinks } from "./email-templates.js";
import type { MessageStateEvent } from "../api/events.js";
import {
  SendTimeMemory,
  SEND_TIME_COLLECTIONS,
  emptySendTimeMemory,
  windowHours,
  type SendTimeSettings,
} from "./send-time/memory.js";
import type { SendTimeChoice } from "./send-time/learner.js";
import { sendTimeReport, type SendTimeReport } from "./send-time/report.js";

/** sendTime may be left out (the defaults of src/config/sections/dunning.ts apply). */
export type DunningConfig = Omit<Config["dunning"], "sendTime"> & Partial<Pick<Config["dunning"], "sendTime">>;

const DEFAULT_SEND_TIME = { minReminders: 3, responseDays: 3, holdoutPercent: 10 };

/** Reminders per batch admission (enqueueMany): a few fsyncs per chunk, and its texts in memory at most. */
export const ENQUEUE_CHUNK = 500;

interface EnqueueContext {
  policy: PolicyDocument;
  version: number;
  sender: Sender;
}

export interface DunningEngineDeps {
  ledger: Ledger;
  outbox: OutboxPort;
  clock: Clock;
  bus: EventBus<DomainEvents>;
  logger: Logger;
  config: DunningConfig;
  gateway: Pick<Config["gateway"], "companyName" | "ownNumber" | "defaultTimeZone" | "dataDir">;
  /** Outbox cost of one part (config outbox.costPerPart), for previews and forecasts. */
  costPerPart: number;
  /** The modem's codec settings (config modem: transliterate, concatReference), read at each preview and forecast. */
  codec?: CodecSettings;
  scheduler: Scheduler;
  clockTrust: ClockTrust;
  /** The outbox's send window now (config outbox.sendWindow, editable in the panel): learned hours stay inside it. Default 08:00-21:00. */
  sendWindow?: () => { start: string; end: string };
  /** The composition root's one store (src/store/storage.ts); absent: file storage over gateway.dataDir. */
  store?: DocumentStorage;
  /** Tests: documents from memoryDocuments() instead of the store's files. */
  openDocument?: OpenDocument;
  /** E-mail as a second channel (docs/email.md); absent: SMS only. */
  email?: EngineEmail;
}

export interface EngineEmail extends ChannelOptions {
  /** The account's unsubscribe targets (signed link, mailto) for the List-Unsubscribe header and the footer. */
  unsubscribe(accountId: string): UnsubscribeLinks;
}

const NO_EMAIL: ChannelOptions = { emailEnabled: false, stopAlsoStopsEmail: false };

/** The idempotency key of a reminder's e-mail copy (both channels) or fallback (sms-then-email). */
export const emailKey = (key: string, kind: "copy" | "fallback"): string =>
  `${key}:email${kind === "fallback" ? "-fallback" : ""}`;

export interface EvaluationReport {
  at: number;
  status: "done" | "clock-untrusted" | "stopped";
  policyVersion: number;
  accounts: number;
  enqueued: number;
  duplicates: number;
  consolidated: number;
  skippedLate: number;
  failed: number;
  marks: number;
  durationMs: number;
}

export class DunningEngine implements Service {
  readonly name = "dunning";
  private job: ScheduledJob | undefined;
  private debounce: TimerHandle | undefined;
  private running: Promise<EvaluationReport> | undefined;
  private again = false;
  private started = false;
  private compiled: { version: number; sequences: Map<string, CompiledSequence> } | undefined;
  private lastReport: EvaluationReport | undefined;

  private constructor(
    /** Replaced whole by applySettings(), never changed in place. */
    private deps: DunningEngineDeps,
    private readonly policies: PolicyStore,
    private readonly memory: StepMemory,
    private readonly sendTimes: SendTimeMemory,
  ) {}

  static async open(deps: DunningEngineDeps): Promise<DunningEngine> {
    const test = deps.openDocument;
    const store = storeOf(
      { ...(deps.store ? { store: deps.store } : {}), dataDir: deps.gateway.dataDir },
      deps.clock,
      deps.logger,
    );
    const logged = { logger: deps.logger, coalesceMs: 2000 };
    const policies = new PolicyStore(
      test
        ? await test("dunning-policy.json", emptyPolicyStore())
        : await store.document("dunning-policy.json", emptyPolicyStore(), logged),
    );
    // The step memory grows with every reminder: journalled record by record, never rewritten whole.
    const memory = new StepMemory(
      test
        ? await test("dunning-steps.json", emptyStepMemory())
        : await store.recordDocument("dunning-steps", emptyStepMemory(), {
            ...logged,
            ...defaultJournalOptions,
            collections: STEP_MEMORY_COLLECTIONS,
            importLegacyJson: true,
          }),
    );
    // One small record per debtor, journalled like the step memory.
    const sendTimeDoc = test
      ? await test("dunning-send-times.json", emptySendTimeMemory())
      : await store.recordDocument("dunning-send-times", emptySendTimeMemory(), {
          ...logged,
          ...defaultJournalOptions,
          collections: SEND_TIME_COLLECTIONS,
          importLegacyJson: true,
        });
    const sendTimes = new SendTimeMemory(sendTimeDoc, {
      bus: deps.bus,
      clock: deps.clock,
      zoneOf: (id) => {
        const a = deps.ledger.account(id);
        return a
          ? recipientContext(a.phones[0] ?? "", a, { timeZone: deps.gateway.defaultTimeZone }).timeZone
          : undefined;
      },
      settings: sendTimeSettings(deps.config),
      window: () => windowHours(deps.sendWindow?.()),
    });
    const engine = new DunningEngine(deps, policies, memory, sendTimes);
    const configured = deps.config.policy ?? (policies.current() ? undefined : DEFAULT_POLICY);
    if (configured !== undefined)
      await policies.save(configured, deps.config.policy ? "config" : "built-in", deps.clock.now());
    return engine;
  }

  /**
   * Settings changed in the web panel (src/compose/live-settings.ts): the company details and
   * the options of the dunning section are in force for the next evaluation, preview and
   * forecast. The schedule (evaluateCron) and the data directory stay as opened.
   */
  applySettings(next: { config: DunningConfig; gateway: DunningEngineDeps["gateway"] }): void {
    this.deps = {
      ...this.deps,
      config: { ...next.config, evaluateCron: this.deps.config.evaluateCron },
      gateway: { ...next.gateway, dataDir: this.deps.gateway.dataDir },
    };
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.deps.bus.on("ledger.changed", this.name, (e) => this.onLedgerChanged(e));
    this.deps.bus.on("message.state", this.name, (e) => this.onMessageState(e));
    this.sendTimes.start();
    await this.settlePending();
    this.job = this.deps.scheduler.schedule("dunning.evaluate", this.deps.config.evaluateCron, () =>
      this.evaluate().then(() => undefined),
    );
    await this.deps.clockTrust.start();
    this.deps.clockTrust.onTrusted(
      () => void this.evaluate().catch((err: unknown) => this.deps.logger.error({ err }, "evaluation failed")),
    );
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.job?.stop();
    this.debounce?.cancel();
    this.deps.clockTrust.stop();
    this.deps.bus.removeAll(this.name);
    this.sendTimes.stop();
    await this.running?.catch(() => undefined);
    await this.memory.flush();
    await this.sendTimes.flush();
  }

  policy(): PolicyDocument {
    return this.policyVersion().policy;
  }

  policyVersion(): PolicyVersion {
    return this.policies.current()!;
  }

  policyVersions(): Array<Omit<PolicyVersion, "policy">> {
    return this.policies.versions();
  }

  /** Validates and stores a new version; throws DuegateError(PolicyInvalid | TemplateInvalid) naming what is wrong. */
  async setPolicy(p: unknown, savedBy = "api"): Promise<PolicyVersion> {
    const v = await this.policies.save(p, savedBy, this.deps.clock.now());
    this.deps.logger.info({ version: v.version, savedBy }, "dunning policy saved");
    this.scheduleEvaluation();
    return v;
  }

  lastEvaluation(): EvaluationReport | undefined {
    return this.lastReport;
  }

  /** Step records (reports read them). */
  stepRecords(): readonly StepRecord[] {
    return this.memory.records();
  }

  /**
   * The hour the account's next reminders go at and why (the account page). `learned` is
   * false for an account in a sequence with a fixed time, in the holdout or with too little
   * history; the evidence is shown all the same. Undefined for an account the ledger does not know.
   */
  sendTimeOf(
    accountId: string,
  ):
    (SendTimeChoice & { sequence: string; sendTime: "fixed" | "learned"; stepTime: string; time: string }) | undefined {
    const account = this.deps.ledger.account(accountId);
    if (!account) return undefined;
    const policy = this.policy();
    const seq = this.sequences().get(sequenceFor(policy, account));
    const stepMinute = seq?.steps[0]?.minute ?? 600;
    const choice = this.sendTimes.choice(accountId, stepMinute);
    const mode = seq?.learned ? "learned" : "fixed";
    const learned = mode === "learned" && choice.learned;
    const minute = learned ? choice.bestHour * 60 + (stepMinute % 60) : stepMinute;
    const reason =
      mode === "fixed"
        ? `the sequence "${seq?.name ?? sequenceFor(policy, account)}" sends at each step's time (sendTime: fixed)`
        : choice.reason;
    return {
      ...choice,
      learned,
      reason,
      sequence: seq?.name ?? sequenceFor(policy, account),
      sendTime: mode,
      stepTime: hhmm(stepMinute),
      time: hhmm(minute),
    };
  }

  /** Learning group against holdout over a period of local dates (docs/reports.md, Send time). */
  sendTimeReport(period: { from: string; to: string }, withinDays = 7): SendTimeReport {
    const policy = this.policy();
    const sequences = this.sequences();
    return sendTimeReport({
      records: this.memory.records(),
      ledger: this.deps.ledger,
      learners: this.sendTimes,
      inLearnedSequence: (accountId) => {
        const a = this.deps.ledger.account(accountId);
        return a !== undefined && sequences.get(sequenceFor(policy, a))?.learned === true;
      },
      period,
      withinDays,
    });
  }

  /** The recipient's context on the message itself: the outbox's window and codec read it from there. */
  private recipientFields(account: Account): { timeZones: string[]; locale?: string } {
    const c = this.contextOf(account);
    return { timeZones: [c.timeZone], ...(c.locale ? { locale: c.locale } : {}) };
  }

  private channelOptions(): ChannelOptions {
    const e = this.deps.email;
    return e ? { emailEnabled: e.emailEnabled, stopAlsoStopsEmail: e.stopAlsoStopsEmail } : NO_EMAIL;
  }

  /** The e-mail request for a reminder (subject, text, HTML in the account's locale; unsubscribe targets). */
  private emailRequest(
    policy: PolicyDocument,
    version: number,
    send: Pick<PlannedSend, "templateId" | "invoices" | "currency" | "day" | "step">,
    account: Account,
    key: string,
    sender: Sender,
  ): EnqueueRequest {
    const view = buildView({
      account,
      invoices: send.invoices,
      currency: send.currency,
      balance: balanceIn(this.deps.ledger.invoicesOf(account.id), send.currency),
      today: send.day,
      company: sender.company,
      gatewayNumber: sender.gatewayNumber,
    });
    const links = this.deps.email?.unsubscribe(account.id);
    const mail = renderEmail(policy, send.templateId, account.locale, view, links);
    return {
      idempotencyKey: key,
      channel: "email",
      to: account.emails![0]!,
      text: mail.text,
      email: { subject: mail.subject, html: mail.html, ...(links ? { unsubscribe: links } : {}) },
      priority: Priority.reminder,
      origin: {
        kind: "dunning",
        accountId: account.id,
        invoiceIds: send.invoices.map((i) => i.id),
        step: send.step.id,
        policyVersion: version,
      },
      expiresAt: this.deps.clock.now() + (policy.expiresAfterHours ?? 36) * 3_600_000,
      ...this.recipientFields(account),
      limitClass: "reminder",
    };
  }

  private sender(): Sender {
    return {
      company: this.deps.gateway.companyName,
      gatewayNumber: this.deps.gateway.ownNumber,
      appendOptOutLine: this.deps.config.appendOptOutLine,
    };
  }

  private settings(): PlanSettings {
    return {
      policy: this.policy(),
      graceDays: this.deps.config.graceDays,
      promiseGraceDays: this.deps.config.promiseGraceDays,
      consolidate: this.deps.config.consolidate,
      channels: this.channelOptions(),
      sendTime: this.sendTimes,
    };
  }

  private sequences(): Map<string, CompiledSequence> {
    const v = this.policyVersion();
    if (this.compiled?.version !== v.version)
      this.compiled = { version: v.version, sequences: compileSequences(v.policy) };
    return this.compiled.sequences;
  }

  /** The account's zone by the rule every message follows (src/outbox/recipient-context.ts): its own, its number's country's, the gateway's. */
  zoneOf(account: Pick<Account, "timeZone" | "phones">): string {
    return this.contextOf(account).timeZone;
  }

  private contextOf(account: Pick<Account, "timeZone" | "phones"> & { locale?: string }): RecipientContext {
    return recipientContext(account.phones[0] ?? "", account, { timeZone: this.deps.gateway.defaultTimeZone });
  }

  /** Runs one evaluation; concurrent calls share it, and one more runs after it if asked meanwhile. */
  evaluate(): Promise<EvaluationReport> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.evaluateOnce().finally(() => {
      this.running = undefined;
      if (this.again && this.started) {
        this.again = false;
        void this.evaluate();
      }
    });
    return this.running;
  }

  private async evaluateOnce(): Promise<EvaluationReport> {
    const started = performance.now();
    const at = this.deps.clock.now();
    const version = this.policyVersion().version;
    const report: EvaluationReport = {
      at,
      status: "done",
      policyVersion: version,
      accounts: 0,
      enqueued: 0,
      duplicates: 0,
      consolidated: 0,
      skippedLate: 0,
      failed: 0,
      marks: 0,
      durationMs: 0,
    };
    if (this.deps.config.requireTrustedClock && !this.deps.clockTrust.status().trusted) {
      report.status = "clock-untrusted";
      this.lastReport = report;
      return report;
    }
    const settings = this.settings();
    const sequences = this.sequences();
    const zones = new Map<string, { day: number; minute: number }>();
    const sends: Array<{ send: PlannedSend; account: Account; key: string }> = [];
    const debug = this.deps.logger.isLevelEnabled("debug");
    const skippedBySteps = new Map<string, number>();
    this.deps.ledger.forEachAccountWithInvoices((account, invoices) => {
      report.accounts++;
      const zone = this.zoneOf(account);
      let now = zones.get(zone);
      if (!now) zones.set(zone, (now = localNow(at, zone)));
      const plan = planAccount(account, invoices, now.day, now.minute, settings, sequences, this.memory);
      for (const skip of plan.skips) {
        report.skippedLate++;
        // Marked done so that it is never sent later; logged (one line per step at debug, a
        // summary at info: a ledger imported late can skip thousands at once).
        this.memory.skip(skip.invoiceId, skip.stepId, skip.stepDay);
        if (debug)
          this.deps.logger.debug(
            { invoiceId: skip.invoiceId, step: skip.stepId, daysLate: skip.daysLate, graceDays: settings.graceDays },
            "reminder step skipped: missed beyond the grace period",
          );
        skippedBySteps.set(skip.stepId, (skippedBySteps.get(skip.stepId) ?? 0) + 1);
      }
      for (const send of plan.sends) {
        const key = send.consolidated
          ? idempotencyKey(
              "dun",
              account.id,
              send.date,
              send.step.id,
              shortHash(send.invoices.map((i) => i.id).join(",")),
            )
          : idempotencyKey("dun", send.invoices[0]!.id, send.step.id);
        // Written as pending before the outbox sees it (see step-memory.ts).
        this.memory.add(this.recordOf(send, key, at, version), send.day);
        sends.push({ send, account, key });
      }
    });
    if (sends.length) await this.memory.flush();
    // The words of the policy the plan was made with, even if a new one is saved meanwhile.
    await this.enqueueAll(sends, report, { policy: settings.policy, version, sender: this.sender() });
    this.memory.prune(at - this.deps.config.recordRetentionDays * 86_400_000);
    report.durationMs = Math.round(performance.now() - started);
    if (skippedBySteps.size)
      this.deps.logger.info(
        { skipped: Object.fromEntries(skippedBySteps), graceDays: settings.graceDays },
        "reminder steps skipped: missed beyond the grace period",
      );
    if (report.enqueued || report.skippedLate || report.failed)
      this.deps.logger.info({ ...report }, "dunning evaluation");
    this.lastReport = report;
    return report;
  }

  private recordOf(send: PlannedSend, key: string, at: number, version: number): StepRecord {
    return {
      key,
      accountId: send.accountId,
      invoiceIds: send.invoices.map((i) => i.id),
      stepId: send.step.id,
      date: send.date,
      at,
      policyVersion: version,
      amountDue: send.invoices.reduce((s, i) => s + i.amountDue, 0),
      currency: send.currency,
      state: "pending",
      ...(send.learnedTime ? { learnedTime: true } : {}),
      covers: send.covers,
    };
  }

  /**
   * In plan order, in chunks of ENQUEUE_CHUNK through one batch admission each
   * (OutboxPort.enqueueMany): the chunk's messages are made durable together (one append of
   * their records and one of their keys; docs/outbox.md, "Batch admission")
   * instead of one write and fsync after the other, which cost some ms per reminder: the
   * 12,342 of bench:dunning's first evaluation with the real outbox took 36-76 s one at a time,
   * 7-13 s in chunks (measured when each message was still a file of its own). A chunk's
   * texts are rendered just before it goes, so memory stays bounded by the chunk, not the run.
   * A chunk whose write fails is rejected whole: its reminders are planned again next time.
   */
  private async enqueueAll(
    sends: ReadonlyArray<{ send: PlannedSend; account: Account; key: string }>,
    report: EvaluationReport,
    ctx: EnqueueContext,
  ): Promise<void> {
    for (let i = 0; i < sends.length; i += ENQUEUE_CHUNK)
      await this.enqueueChunk(sends.slice(i, i + ENQUEUE_CHUNK), report, ctx);
  }

  private async enqueueChunk(
    chunk: ReadonlyArray<{ send: PlannedSend; account: Account; key: string }>,
    report: EvaluationReport,
    ctx: EnqueueContext,
  ): Promise<void> {
    const { policy } = ctx;
    const items: Array<{ send: PlannedSend; account: Account; key: string; first: number; count: number }> = [];
    const requests: EnqueueRequest[] = [];
    const options = this.channelOptions();
    for (const item of chunk) {
      const { send, account, key } = item;
      try {
        // The first channel is the reminder's own (its step record follows it); a second is a copy under its own key.
        const channels: Channel[] = channelsFor(send.step.channels, account, options);
        if (channels.length === 0) {
          this.memory.settle(key, "cancelled", undefined, "no-channel");
          continue;
        }
        const first = requests.length;
        channels.forEach((channel, n) => {
          const k = n === 0 ? key : emailKey(key, "copy");
          if (channel === "email")
            return void requests.push(this.emailRequest(policy, ctx.version, send, account, k, ctx.sender));
          const text = composeReminder(
            policy,
            send.templateId,
            account,
            send.invoices,
            this.deps.ledger.invoicesOf(account.id),
            send.currency,
            send.day,
            ctx.sender,
          );
          requests.push({
            idempotencyKey: k,
            to: account.phones[0]!,
            text: text.text,
            priority: Priority.reminder,
            origin: {
              kind: "dunning",
              accountId: account.id,
              invoiceIds: send.invoices.map((i) => i.id),
              step: send.step.id,
              policyVersion: ctx.version,
            },
            expiresAt: this.deps.clock.now() + (policy.expiresAfterHours ?? 36) * 3_600_000,
            ...this.recipientFields(account),
            limitClass: "reminder",
          });
        });
        items.push({ ...item, first, count: requests.length - first });
      } catch (err) {
        requests.length = items.length > 0 ? items[items.length - 1]!.first + items[items.length - 1]!.count : 0;
        this.notEnqueued(item, err, report);
      }
    }
    if (requests.length === 0) return;
    let outcomes: EnqueueOutcome[];
    try {
      outcomes = await this.deps.outbox.enqueueMany(requests);
    } catch (err) {
      // The batch's write failed: none of its new messages was admitted; planned again next time.
      for (const item of items) this.notEnqueued(item, err, report);
      return;
    }
    items.forEach((item) => {
      const res = outcomes[item.first]!;
      for (let n = 1; n < item.count; n++) {
        const copy = outcomes[item.first + n]!;
        if (copy.status === "refused")
          this.deps.logger.warn(
            { accountId: item.account.id, step: item.send.step.id, err: errorMessage(copy.error) },
            "e-mail copy of a reminder not enqueued",
          );
      }
      if (res.status === "refused") return this.notEnqueued(item, res.error, report);
      const { send, account, key } = item;
      this.memory.settle(key, "enqueued", res.message.id);
      if (res.status === "duplicate") report.duplicates++;
      else report.enqueued++;
      if (send.consolidated) report.consolidated++;
      if (send.step.mark && res.status === "queued") {
        report.marks++;
        this.deps.bus.emit("account.mark", {
          accountId: account.id,
          mark: send.step.mark,
          step: send.step.id,
          invoiceIds: send.invoices.map((i) => i.id),
          at: this.deps.clock.now(),
        });
      }
    });
  }

  /**
   * sms-then-email: a reminder SMS that failed permanently (the number is dead, barred, not a
   * mobile) goes again by e-mail, once (its own idempotency key), with the words of the current
   * policy for the same step.
   */
  private onMessageState(e: MessageStateEvent): void {
    if (e.state !== "failed" || e.origin.kind !== "dunning" || !e.origin.accountId || !this.deps.email?.emailEnabled)
      return;
    const m = this.deps.outbox.get(e.id);
    if (
      !m ||
      (m.channel ?? "sms") !== "sms" ||
      m.origin.kind !== "dunning" ||
      m.attempts.at(-1)?.outcome !== "permanent"
    )
      return;
    const account = this.deps.ledger.account(m.origin.accountId);
    if (!account || account.noReminders || !fallbackToEmail(account, this.channelOptions())) return;
    const origin = m.origin;
    const policy = this.policy();
    const step = Object.values(policy.sequences)
      .flatMap((s) => s.steps)
      .find((s) => s.id === origin.step);
    const invoices = origin.invoiceIds
      .map((id) => this.deps.ledger.invoice(id))
      .filter((i): i is NonNullable<typeof i> => i !== undefined && i.status === "open" && i.amountDue > 0);
    if (!step || invoices.length === 0) return;
    const templateId = invoices.length > 1 && step.consolidatedTemplate ? step.consolidatedTemplate : step.template;
    const today = localNow(this.deps.clock.now(), this.zoneOf(account)).day;
    const req = this.emailRequest(
      policy,
      this.policyVersion().version,
      { templateId, invoices, currency: invoices[0]!.currency, day: today, step },
      account,
      emailKey(m.idempotencyKey, "fallback"),
      this.sender(),
    );
    void this.deps.outbox
      .enqueue(req)
      .then((r) =>
        this.deps.logger.info(
          { accountId: account.id, step: step.id, id: r.message.id, status: r.status },
          "reminder SMS failed permanently; sent by e-mail instead (sms-then-email)",
        ),
      )
      .catch((err: unknown) =>
        this.deps.logger.warn(
          { accountId: account.id, step: step.id, err: errorMessage(err) },
          "e-mail fallback of a failed reminder SMS not enqueued",
        ),
      );
  }

  private notEnqueued(
    { send, account, key }: { send: PlannedSend; account: Account; key: string; first?: number },
    err: unknown,
    report: EvaluationReport,
  ): void {
    report.failed++;
    // An invalid number or address, or an opted-out number, will not get better by retrying; anything else is planned again next time.
    if (isDuegateError(err, ErrorCode.InvalidNumber) || isDuegateError(err, ErrorCode.InvalidEmail))
      this.memory.settle(key, "cancelled", undefined, "invalid-number");
    else if (isDuegateError(err, ErrorCode.OptedOut)) this.memory.settle(key, "cancelled", undefined, "opted-out");
    else this.memory.forget(key, new Set(send.invoices.map((i) => i.id)), `enqueue failed: ${errorMessage(err)}`);
    this.deps.logger.warn(
      { accountId: account.id, step: send.step.id, err: errorMessage(err) },
      "reminder not enqueued",
    );
  }

  /** After a crash between recording and enqueueing: the outbox's answer for the key settles it. */
  private async settlePending(): Promise<void> {
    for (const r of this.memory.pending()) {
      const m = this.deps.outbox.byIdempotencyKey(r.key);
      if (m) this.memory.settle(r.key, "enqueued", m.id);
      else this.memory.forget(r.key, new Set(r.invoiceIds), "not enqueued before a restart");
    }
    await this.memory.flush();
  }

  private onLedgerChanged(e: LedgerChangedEvent): void {
    if (e.stop)
      void this.stopReminders(e).catch((err: unknown) =>
        this.deps.logger.error({ err }, "cancelling reminders failed"),
      );
    this.scheduleEvaluation();
  }

  scheduleEvaluation(): void {
    if (!this.started || this.debounce) return;
    this.debounce = this.deps.clock.setTimer(this.deps.config.changeDebounceMs, () => {
      this.debounce = undefined;
      void this.evaluate().catch((err: unknown) => this.deps.logger.error({ err }, "evaluation failed"));
    });
  }

  /** Cancels queued reminders for what must stop; a consolidated one that also named invoices still open is planned again without the stopped ones. */
  private async stopReminders(e: LedgerChangedEvent): Promise<void> {
    const { outbox } = this.deps;
    const reason = `dunning stopped: ${e.stop}`;
    // STOP by SMS stops SMS (and e-mail only if so configured); the e-mail unsubscribe stops e-mail only.
    if (e.stop === "opted-out" || e.stop === "email-opted-out") {
      const channel: Channel | undefined =
        e.stop === "email-opted-out" ? "email" : this.deps.email?.stopAlsoStopsEmail ? undefined : "sms";
      if (this.memory.hasAccount(e.accountId))
        await outbox.cancel({ accountId: e.accountId, ...(channel ? { channel } : {}) }, reason);
      return;
    }
    const accountWide =
      !e.invoiceIds ||
      e.invoiceIds.length === 0 ||
      e.stop === "paused" ||
      e.stop === "erased" ||
      (e.kind === "account" && e.stop === "no-reminders");
    if (accountWide) {
      if (this.memory.hasAccount(e.accountId)) await outbox.cancel({ accountId: e.accountId }, reason);
      if (e.stop === "erased") this.memory.eraseAccount(e.accountId, e.invoiceIds ?? []);
      return;
    }
    for (const invoiceId of e.invoiceIds!) {
      const keys = this.memory.keysForInvoice(invoiceId);
      if (!keys.length) continue;
      const res = await outbox.cancel({ invoiceId }, reason);
      for (const id of res.cancelled) {
        const key = outbox.get(id)?.idempotencyKey;
        const r = key ? this.memory.record(key) : undefined;
        if (!r || r.invoiceIds.length < 2) continue;
        const stillOpen = new Set(r.invoiceIds.filter((i) => this.deps.ledger.invoice(i)?.status === "open"));
        this.memory.forget(r.key, stillOpen, reason);
      }
    }
  }

  /**
   * Who gets which step on which day, computed by the planner that decides (no payments
   * assumed), in date then account order. Pass `limit` (and `offset`, `from`, `to`,
   * `accountId`) for a page: without a limit every entry of the horizon is built.
   */
  forecast(days = 30, opts: ForecastQuery = {}): PlannedReminder[] {
    return this.forecastPage(days, opts).items;
  }

  /** One page of the calendar with the total it was cut from. Throws DuegateError(Validation) for a from/to that is not a date. */
  forecastPage(days = 30, opts: ForecastQuery = {}): ForecastPage {
    return forecastPage(
      {
        ledger: this.deps.ledger,
        memory: this.memory,
        settings: this.settings(),
        sequences: this.sequences(),
        now: this.deps.clock.now(),
        zoneOf: (a) => this.zoneOf(a),
        sender: this.sender(),
        costPerPart: this.deps.costPerPart,
        ...(this.deps.codec ? { codec: this.deps.codec } : {}),
      },
      days,
      opts,
    );
  }

  /** Renders a template, a step's template or raw text for a real or a sample account: text, encoding, parts, cost. */
  preview(req: PreviewRequest): TemplatePreview {
    return preview(
      {
        ledger: this.deps.ledger,
        policy: this.policy(),
        now: this.deps.clock.now(),
        zoneOf: (a) => this.zoneOf(a),
        sender: this.sender(),
        costPerPart: this.deps.costPerPart,
        ...(this.deps.codec ? { codec: this.deps.codec } : {}),
      },
      req,
    );
  }
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

/** The learner's settings, built again only when the config's sendTime section is replaced (the planner asks per account). */
function sendTimeSettings(config: DunningConfig): () => SendTimeSettings {
  let from: DunningConfig["sendTime"] | null = null;
  let built: SendTimeSettings | undefined;
  return () => {
    if (built === undefined || from !== config.sendTime) {
      from = config.sendTime;
      // Laplace smoothing: one pseudo-success and one pseudo-failure per hour.
      built = { ...DEFAULT_SEND_TIME, ...config.sendTime, priorSuccesses: 1, priorFailures: 1 };
    }
    return built;
  };
}
