import type { ModemHealthEvent } from "../../api/events.js";
import type { Clock, TimerHandle } from "../../core/clock.js";
import { DuegateError, ErrorCode, errorMessage, isDuegateError } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { AtCommand } from "../at/command.js";
import { AtChannel } from "../at/channel.js";
import { at } from "../at/commands/at.js";
import { cclk } from "../at/commands/cclk.js";
import { cgmm } from "../at/commands/identity.js";
import { cmgs } from "../at/commands/cmgs.js";
import type { StorageUse } from "../at/commands/cpms.js";
import { registrationOf, type Registration } from "../at/commands/creg.js";
import { raw } from "../at/commands/raw.js";
import { AtPriority } from "../at/command.js";
import type { Urc } from "../at/urc.js";
import { resolveTransport } from "../transport/resolve.js";
import type { Transport, TransportFactory } from "../transport/transport.js";
import { allowConsoleCommand } from "./console.js";
import { readHealth } from "./health.js";
import { atPriority, liveDiagnosis, type DoctorCheck } from "./diagnose.js";
import { settledWithin } from "./grace.js";
import { Inbox, type InboundHandler, type StatusReportHandler } from "./inbox.js";
import { initialize, isRegistered } from "./init.js";
import { loadProfile, type ModemProfile, type ProfileTimeouts } from "./profile.js";
import { DEFAULT_RECOVERY, mayRetry, type RecoveryOptions, type UhubctlTarget } from "./recovery.js";
import { RecoveryLadder } from "./recovery-ladder.js";
import { parseCusd, type UssdAnswer } from "../pool/ussd.js";

export interface DriverOptions {
  port: string;
  baudRate: number;
  profile: string;
  pin?: string;
  smsc?: string;
  healthIntervalMs: number;
  clock: Clock;
  logger: Logger;
  /** Connector for port "sim" (the ModemSimulator). */
  simulator?: { connect(): Promise<Transport> };
  /** Last-resort USB power cycle (config modem.uhubctl). */
  uhubctl?: UhubctlTarget;
  /** The other pool members' configured ports (src/modem/transport/resolve.ts). */
  otherPorts?: () => readonly string[];
  /** Overrides of the profile's timeouts (tests, slow networks). */
  timeouts?: Partial<ProfileTimeouts>;
  recovery?: Partial<RecoveryOptions>;
  /** Polling interval while waiting for registration, ms. default 1000. */
  registrationPollMs?: number;
  /**
   * Orderly stop: how long the command in flight (a send to a hung modem) may still take
   * before it is cut short, ms. default 5000; keeps a stop inside systemd's TimeoutStopSec.
   */
  stopGraceMs?: number;
  /** Tests: the transport factory instead of resolving `port`. */
  transportFactory?: TransportFactory;
}

type State = ModemHealthEvent["state"];

const DEFAULT_STOP_GRACE_MS = 5000;

/**
 * The modem driver: init from a profile, send, receive and health on top of one AtChannel;
 * the recovery ladder runs in recovery-ladder.ts. Everything it sends goes through `run`,
 * which retries a timed-out command once when that is safe and then escalates to recovery.
 */
export class ModemDriver {
  readonly name = "modem";
  private state: State = "offline";
  private profile!: ModemProfile;
  private channel!: AtChannel;
  private inbox!: Inbox;
  private factory!: TransportFactory;
  private transport: Transport | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private healthTimer: TimerHandle | undefined;
  private readonly log: Logger;
  private readonly recovery: RecoveryLadder;
  private readonly pinRejected = { value: false };
  private readonly healthListeners: Array<(h: ModemHealthEvent) => void> = [];
  /** Callers of ussd() waiting for their +CUSD URC, in order. */
  private readonly ussdWaiters: Array<(a: UssdAnswer | Error) => void> = [];
  private readonly pendingListeners: Array<() => void> = [];
  private readonly stateWaiters: Array<() => void> = [];
  private pendingInbound: InboundHandler | undefined;
  private pendingStatus: StatusReportHandler | undefined;
  private signal: ModemHealthEvent["signal"];
  private registration: Registration | undefined;
  private operator: string | undefined;
  private simState: string | undefined;
  private model: string | undefined;
  private storage: StorageUse | undefined;
  private lastError: string | undefined;
  /** The port vanished (USB unplug, peer closed) and has not been reopened yet. */
  private portGone = false;

  constructor(private readonly opts: DriverOptions) {
    this.log = opts.logger.child({ name: "modem.driver" });
    this.recovery = new RecoveryLadder({
      clock: opts.clock,
      log: this.log,
      options: { ...DEFAULT_RECOVERY, ...opts.recovery },
      uhubctl: opts.uhubctl,
      profile: () => this.profile,
      stopping: () => this.stopping,
      hasTransport: () => this.transport !== undefined,
      closeTransport: (error) => this.closeTransport(error),
      connectAndInit: () => this.connectAndInit(),
      execute: (cmd) => this.channel.execute(cmd),
      setRecovering: () => this.setState("recovering"),
      noteError: (e, what) => this.noteError(e, what),
    });
  }

  get ready(): boolean {
    return this.state === "ready";
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.stopped = undefined;
    const profile = await loadProfile(this.opts.profile);
    this.profile = { ...profile, timeouts: { ...profile.timeouts, ...this.opts.timeouts } };
    this.channel = new AtChannel({
      clock: this.opts.clock,
      logger: this.opts.logger,
      promptWithoutSpace: this.profile.compat.promptWithoutSpace,
    });
    this.channel.onUrc((u) => this.onUrc(u));
    this.inbox = new Inbox({ run: (c) => this.run(c), profile: this.profile, logger: this.opts.logger });
    if (this.pendingInbound) this.inbox.onInbound(this.pendingInbound);
    if (this.pendingStatus) this.inbox.onStatusReport(this.pendingStatus);
    this.factory =
      this.opts.transportFactory ??
      resolveTransport({
        port: this.opts.port,
        baudRate: this.opts.baudRate,
        logger: this.opts.logger,
        usb: this.profile.match.usb,
        simulator: this.opts.simulator,
        ...(this.opts.otherPorts ? { otherPorts: this.opts.otherPorts } : {}),
      });
    this.setState("starting");
    try {
      await this.connectAndInit();
    } catch (e) {
      this.noteError(e, "modem init failed; recovering in the background");
      this.recovery.start();
    }
    this.armHealthTimer();
  }

  /** Idempotent: a second caller (the app stops the outbox and the modem together) shares the first stop. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /**
   * Stop taking work, let the command in flight and inbound work finish within the grace
   * (modem.stopGraceMs), then cut the command short (a send fails as a temporary, possibly
   * in-doubt timeout that the outbox records), close the port.
   */
  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.healthTimer?.cancel();
    this.recovery.wake();
    const graceMs = this.opts.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    const finished =
      !this.channel ||
      (await settledWithin(this.opts.clock, graceMs, Promise.all([this.inbox.idle(), this.channel.drained()])));
    if (!finished && this.channel.busy) {
      this.log.warn({ graceMs }, "modem did not finish its command within the stop grace; cutting it short");
      this.channel.abort(`the service is stopping (modem.stopGraceMs = ${graceMs})`);
    }
    await this.closeTransport(new DuegateError(ErrorCode.ModemClosed, "modem stopped", { temporary: true }));
    await this.recovery.settled();
    this.setState("offline");
  }

  onInbound(handler: InboundHandler): void {
    this.pendingInbound = handler;
    this.inbox?.onInbound(handler);
  }

  onStatusReport(handler: StatusReportHandler): void {
    this.pendingStatus = handler;
    this.inbox?.onStatusReport(handler);
  }

  onHealth(listener: (h: ModemHealthEvent) => void): void {
    this.healthListeners.push(listener);
  }

  /**
   * Called the moment +CMTI or +CMT arrives, before the SMS is read: the outbox holds back
   * the next reminder part so that the reply does not wait for a whole part on the air.
   */
  onInboundPending(listener: () => void): void {
    this.pendingListeners.push(listener);
  }

  async sendPart(part: { pdu: string; tpduLength: number }): Promise<{ reference: number }> {
    if (this.stopping)
      throw new DuegateError(ErrorCode.ModemClosed, "cannot send now: the modem is stopping", { temporary: true });
    if (this.state !== "ready") {
      const code =
        this.state === "degraded"
          ? ErrorCode.ModemNoNetwork
          : this.portGone
            ? ErrorCode.ModemUnplugged
            : ErrorCode.ModemNotReady;
      const why =
        this.state === "degraded"
          ? `not registered on a network (${this.registration ?? "unknown"})`
          : `modem is ${this.state}${this.recovery.phase ? ` (${this.recovery.phase})` : ""}`;
      throw new DuegateError(code, `cannot send now: ${why}`, {
        temporary: true,
        state: this.state,
        phase: this.recovery.phase,
        lastError: this.lastError,
      });
    }
    try {
      return await this.run(cmgs(part, this.profile.timeouts.send));
    } catch (e) {
      if (isDuegateError(e, ErrorCode.ModemCmsError) && (e.context.cms === 331 || e.context.cms === 332))
        void this.refreshHealth();
      throw e;
    }
  }

  health(): ModemHealthEvent {
    return {
      state: this.state,
      signal: this.signal,
      registration: this.registration,
      operator: this.operator,
      simState: this.simState,
      model: this.model,
      lastError: this.lastError,
      storage: this.storage ? { used: this.storage.used, total: this.storage.total } : undefined,
      at: this.opts.clock.now(),
    };
  }

  async refreshHealth(): Promise<ModemHealthEvent> {
    if (this.state === "ready" || this.state === "degraded") {
      try {
        const h = await readHealth((c) => this.run(c), this.profile);
        this.signal = h.signal;
        this.operator = h.operator;
        this.storage = h.storage ?? this.storage;
        this.applyRegistration(h.registration ?? "unknown");
        // Stored messages nobody announced (missed +CMTI, a full SIM): read them now.
        if (h.storage && h.storage.used > 0 && !this.inbox.busy) void this.inbox.sweep();
      } catch (e) {
        this.noteError(e, "health poll failed");
      }
    }
    const h = this.health();
    this.emitHealth(h);
    return h;
  }

  async networkTime(): Promise<number | undefined> {
    if (!this.channel?.attached) return undefined;
    return this.run(cclk(this.profile.timeouts.command)).catch(() => undefined);
  }

  /**
   * A USSD request (prepaid credit: *100#), TS 27.007 7.15: AT+CUSD=1,"<code>",15 answers OK,
   * and the network's answer comes later as a +CUSD URC. Rejects ModemTimeout when none comes.
   */
  async ussd(code: string): Promise<UssdAnswer> {
    if (!/^[*#0-9]{2,30}$/.test(code))
      throw new DuegateError(ErrorCode.Validation, `USSD code "${code}" is not one: digits, * and # only`, { code });
    const timeoutMs = Math.max(10_000, this.profile.timeouts.network * 3);
    let settle!: (a: UssdAnswer | Error) => void;
    const answer = new Promise<UssdAnswer>((resolve, reject) => {
      settle = (a) => (a instanceof Error ? reject(a) : resolve(a));
    });
    this.ussdWaiters.push(settle);
    const drop = (): void => {
      const i = this.ussdWaiters.indexOf(settle);
      if (i >= 0) this.ussdWaiters.splice(i, 1);
    };
    try {
      await this.run(raw(`AT+CUSD=1,"${code}",15`, this.profile.timeouts.network, AtPriority.Health));
    } catch (e) {
      drop();
      throw e;
    }
    const timer = this.opts.clock.setTimer(timeoutMs, () => {
      drop();
      settle(
        new DuegateError(ErrorCode.ModemTimeout, `no USSD answer to ${code} within ${timeoutMs} ms`, {
          command: "CUSD",
          temporary: true,
        }),
      );
    });
    try {
      return await answer;
    } finally {
      timer.cancel();
    }
  }

  async console(command: string): Promise<string[]> {
    const text = allowConsoleCommand(command);
    return this.run(raw(text, this.profile.timeouts.network, AtPriority.Health));
  }

  /** The doctor's checks through the running channel, behind sends (driver/diagnose.ts). */
  async diagnose(): Promise<{ checks: DoctorCheck[] }> {
    const up = this.channel?.attached === true && !this.stopping;
    const state = `${this.state}${this.recovery.phase ? ` (${this.recovery.phase})` : ""}`;
    return liveDiagnosis({
      up,
      port: this.transport?.description ?? this.opts.port,
      state,
      lastError: this.lastError,
      profile: this.profile,
      run: (c) => this.run(atPriority(c, AtPriority.Health)),
    });
  }

  /** Resolves true once ready (or false after timeoutMs): the CLI verbs wait with it. */
  async whenReady(timeoutMs: number): Promise<boolean> {
    const deadline = this.opts.clock.now() + timeoutMs;
    while (this.state !== "ready" && this.opts.clock.now() < deadline) {
      await new Promise<void>((r) => {
        const timer = this.opts.clock.setTimer(Math.max(1, deadline - this.opts.clock.now()), r);
        this.stateWaiters.push(() => {
          timer.cancel();
          r();
        });
      });
    }
    return this.state === "ready";
  }

  /** Waits until queued inbound reads and handlers are done (tests, orderly stop). */
  inboxIdle(): Promise<void> {
    return this.inbox.idle();
  }

  /** Every command goes through here: one retry after a timeout when safe, then escalation. */
  private async run<R>(cmd: AtCommand<R>): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.channel.execute(cmd);
      } catch (e) {
        if (!isDuegateError(e, ErrorCode.ModemTimeout) || this.stopping) throw e;
        if (mayRetry(cmd, attempt)) {
          this.log.warn({ command: cmd.name }, "command timed out; retrying once");
          continue;
        }
        if (this.state === "ready" || this.state === "degraded") {
          if (cmd.retryable) this.recovery.start();
          // A send is never repeated blindly; probe the modem instead (the probe escalates itself).
          else void this.run(at(this.profile.timeouts.command)).catch(() => {});
        }
        throw e;
      }
    }
  }

  private async connectAndInit(): Promise<void> {
    if (!this.transport) {
      const t = await this.factory();
      this.transport = t;
      this.portGone = false;
      this.channel.attach(t);
      void t.ended.then((end) => {
        if (this.transport !== t || this.stopping) return;
        this.log.warn({ port: t.description, end }, "modem port went away");
        this.transport = undefined;
        this.portGone = true;
        this.channel.detach(
          new DuegateError(ErrorCode.ModemUnplugged, `modem port ${t.description} went away`, {
            port: t.description,
            temporary: true,
          }),
        );
        this.recovery.start();
      });
    }
    const r = await initialize({
      run: (c) => this.run(c),
      profile: this.profile,
      clock: this.opts.clock,
      logger: this.log,
      pin: this.opts.pin,
      smsc: this.opts.smsc,
      pinRejected: this.pinRejected,
      registrationPollMs: this.opts.registrationPollMs ?? 1000,
    });
    this.simState = r.simState;
    this.storage = r.storage;
    this.model = await this.run(cgmm(this.profile.timeouts.command)).catch(() => this.model);
    this.inbox.resetStorage();
    this.recovery.clearPhase();
    this.lastError = undefined;
    this.applyRegistration(r.registration, true);
    this.log.info(
      {
        port: this.transport?.description,
        profile: this.profile.name,
        registration: r.registration,
        reportsStored: r.reportsStored,
      },
      "modem ready",
    );
    // Everything stored before we came up is handed over before new work (pain point 14).
    void this.inbox.sweep();
    void this.refreshHealth();
  }

  private async closeTransport(error: DuegateError): Promise<void> {
    const t = this.transport;
    this.transport = undefined;
    this.channel?.detach(error);
    if (t) await t.close().catch(() => {});
  }

  private onUrc(urc: Urc): void {
    if (urc.type === "creg" && urc.source === this.profile.registration)
      this.applyRegistration(registrationOf(urc.stat));
    else if (urc.type === "vendor" && urc.name === "+CUSD") {
      const answer = parseCusd(urc.text);
      const waiter = this.ussdWaiters.shift();
      if (answer && waiter) waiter(answer);
      else this.log.debug("USSD answer nobody waited for; ignored");
    } else if (urc.type === "vendor" || urc.type === "ring")
      this.log.debug({ urc: urc.type === "vendor" ? urc.name : "RING" }, "URC ignored");
    else if (urc.type !== "creg") {
      if (urc.type === "cmti" || urc.type === "cmt") this.announceInbound();
      this.inbox.handleUrc(urc);
    }
  }

  private announceInbound(): void {
    for (const l of this.pendingListeners) {
      try {
        l();
      } catch (e) {
        this.log.error({ err: errorMessage(e) }, "inbound-pending listener threw");
      }
    }
  }

  private applyRegistration(reg: Registration, force = false): void {
    const changed = reg !== this.registration;
    this.registration = reg;
    if (this.state !== "ready" && this.state !== "degraded" && !force) return;
    const next: State = isRegistered(reg) ? "ready" : "degraded";
    if (next !== this.state || changed) this.setState(next);
  }

  private noteError(e: unknown, what: string): void {
    if (this.stopping) return; // commands cut short by stop() are no news
    this.lastError = errorMessage(e);
    if (isDuegateError(e, ErrorCode.ModemSimPin)) this.simState = String(e.context.simState ?? "SIM PIN");
    this.log.warn({ err: this.lastError, code: isDuegateError(e) ? e.code : undefined }, what);
  }

  private setState(s: State): void {
    this.state = s;
    for (const w of this.stateWaiters.splice(0)) w();
    this.emitHealth(this.health());
  }

  private emitHealth(h: ModemHealthEvent): void {
    for (const l of this.healthListeners) {
      try {
        l(h);
      } catch (e) {
        this.log.error({ err: errorMessage(e) }, "health listener threw");
      }
    }
  }

  private armHealthTimer(): void {
    if (this.stopping) return;
    this.healthTimer = this.opts.clock.setTimer(this.opts.healthIntervalMs, () => {
      void this.refreshHealth().finally(() => this.armHealthTimer());
    });
  }
}
