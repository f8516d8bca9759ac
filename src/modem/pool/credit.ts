/**
 * Prepaid credit of the pool's SIMs, asked by USSD on a schedule (modems[].balance): each
 * answer decoded (ussd.ts), the amount read from it, a warning below the threshold, and the
 * figure handed on (the outbox stops using a SIM with no credit, the bus publishes it).
 */
import type { Clock, TimerHandle } from "../../core/clock.js";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { MembershipChange, PoolMember } from "./pool.js";
import { creditOf } from "./ussd.js";

export interface SimCredit {
  modemId: string;
  /** Minor units (cents); undefined when the answer held no amount. */
  credit?: number;
  /** The operator's answer as decoded. */
  text: string;
  /** Below modems[].balance.warnBelow. */
  low: boolean;
  at: number;
}

/** First check after start: the modems have registered by then. */
const FIRST_CHECK_MS = 30_000;

/** What the monitor needs of the pool: its members as they are now, and word when they change (a reload). */
export interface CreditPool {
  readonly members: readonly PoolMember[];
  onMembership(listener: (c: MembershipChange) => void): void;
}

export class CreditMonitor {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly latest = new Map<string, SimCredit>();
  private running = false;

  constructor(
    private readonly pool: CreditPool,
    private readonly deps: { clock: Clock; logger: Logger; onCredit: (c: SimCredit) => void; firstCheckMs?: number },
  ) {
    // A modem added by a reload is asked like one present at start; a removed one is asked no more.
    pool.onMembership((c) => {
      if (c.kind === "removed") return this.forget(c.modemId);
      if (c.kind === "replaced") {
        // The same SIM under another id or settings keeps its last reading until the next one.
        const last = c.sameDriver ? this.latest.get(c.previousId) : undefined;
        this.forget(c.previousId);
        if (last && c.member.spec.balance) this.latest.set(c.member.id, { ...last, modemId: c.member.id });
      }
      if (c.member.spec.balance) this.schedule(c.member, this.firstCheckMs);
    });
  }

  start(): void {
    this.running = true;
    for (const m of this.pool.members) if (m.spec.balance) this.schedule(m, this.firstCheckMs);
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  /** The last answer per SIM (status, panel). */
  credits(): SimCredit[] {
    return [...this.latest.values()];
  }

  /** Asks one SIM now. */
  async check(m: PoolMember): Promise<SimCredit | undefined> {
    const balance = m.spec.balance;
    if (!balance) return undefined;
    const log = this.deps.logger.child({ modem: m.id });
    try {
      const answer = await m.modem.ussd(balance.ussd);
      // The modem left the pool while it was asked: its answer is no longer shown or acted on.
      if (!this.pool.members.includes(m)) return undefined;
      const credit = creditOf(answer.text);
      const low = credit !== undefined && credit < Math.round(balance.warnBelow * 100);
      const c: SimCredit = {
        modemId: m.id,
        ...(credit !== undefined ? { credit } : {}),
        text: answer.text,
        low,
        at: this.deps.clock.now(),
      };
      this.latest.set(m.id, c);
      if (credit === undefined)
        log.warn({ answer: answer.text.slice(0, 160) }, "prepaid credit: no amount in the operator's answer");
      else if (credit <= 0)
        log.error({ credit: credit / 100 }, "prepaid credit: none left; this SIM is not used until it is topped up");
      else if (low) log.warn({ credit: credit / 100, warnBelow: balance.warnBelow }, "prepaid credit low");
      else log.info({ credit: credit / 100 }, "prepaid credit");
      this.deps.onCredit(c);
      return c;
    } catch (e) {
      log.warn({ err: errorMessage(e) }, "prepaid credit: USSD request failed; asked again at the next interval");
      return undefined;
    }
  }

  private get firstCheckMs(): number {
    return this.deps.firstCheckMs ?? FIRST_CHECK_MS;
  }

  /** A modem left the pool: its timer is cancelled and its last reading no longer shown. */
  private forget(modemId: string): void {
    this.timers.get(modemId)?.cancel();
    this.timers.delete(modemId);
    this.latest.delete(modemId);
  }

  private schedule(m: PoolMember, ms: number): void {
    if (!this.running) return;
    this.timers.get(m.id)?.cancel();
    const timer = this.deps.clock.setTimer(ms, () => {
      void this.check(m).finally(() => {
        // Removed or replaced meanwhile (forget() dropped this timer): not asked again.
        if (this.timers.get(m.id) !== timer) return;
        this.schedule(m, m.spec.balance!.intervalMinutes * 60_000);
      });
    });
    this.timers.set(m.id, timer);
  }
}
