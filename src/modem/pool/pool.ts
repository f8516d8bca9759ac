/**
 * Several modems, each with its own driver (AT channel, health, inbox, recovery ladder), seen
 * by the rest of the appliance through the same narrow port as one modem. The outbox sends
 * through each member directly (one lane per SIM, src/outbox/lanes.ts); inbound parts and
 * status reports carry the id of the modem that received them. A member that hangs, is
 * unplugged or loses the network recovers on its own and never holds up the others: no call
 * here waits for more than the member it is about.
 *
 * Hot plug (docs/modems.md, "Hot plug"): a member whose device path is missing is absent: its
 * driver is not started (the others are), and a PortWatcher starts it when the path appears and
 * stops it when the path goes. Members may be added and removed while the pool runs
 * (a settings reload); listeners hear of both (onPresence, onMembership).
 */
import type { ModemHealthEvent } from "../../api/events.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { DuegateError, ErrorCode, errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { DeliverPdu, StatusReportPdu } from "../../sms/index.js";
import type { DoctorCheck } from "../driver/diagnose.js";
import type { Modem } from "../index.js";
import type { ModemSimulator } from "../sim/simulator.js";
import type { PoolMemberSpec } from "./members.js";
import { isDevicePath, PortWatcher } from "./port-watch.js";
import type { UssdAnswer } from "./ussd.js";

export interface PoolMember {
  readonly id: string;
  readonly modem: Modem;
  readonly spec: PoolMemberSpec;
}

/** Where an inbound part or a status report came in. */
export interface ReceivedVia {
  modemId: string;
}

export type PoolInboundHandler = (
  pdu: DeliverPdu,
  raw: { hex: string; storage?: string; index?: number; modemId?: string },
) => Promise<void>;
export type PoolStatusHandler = (report: StatusReportPdu, via?: ReceivedVia) => Promise<void>;

/** A member's device path appeared or went away (hot plug). */
export interface PresenceChange {
  modemId: string;
  port: string;
  present: boolean;
}

/**
 * A member joined, left or took another's place (a settings reload). `replaced`: `member` took
 * the place of `previousId` (the same id with new settings, or the single `modem:` becoming an
 * entry of a `modems:` list and back); `sameDriver` when it goes on with the previous member's
 * running driver (same device and driver settings: same SIM), else a new driver took over.
 */
export type MembershipChange =
  | { kind: "added"; member: PoolMember }
  | { kind: "removed"; modemId: string }
  | { kind: "replaced"; previousId: string; member: PoolMember; sameDriver: boolean };

export interface ModemPoolOptions {
  clock?: Clock;
  /** How often every device path is looked at again, besides fs.watch (ms; default 5000). */
  portRecheckMs?: number;
}

export class ModemPool implements Modem {
  readonly name = "modem";
  private current: PoolMember[];
  private readonly watcher: PortWatcher;
  /** Ids of members whose device path is missing (their drivers are stopped). */
  private readonly absent = new Set<string>();
  /** Per member: its last start or stop, so that a quick unplug and replug run in order. */
  private readonly transitions = new Map<string, Promise<void>>();
  private running = false;
  private inboundHandler: PoolInboundHandler | undefined;
  private statusHandler: PoolStatusHandler | undefined;
  private readonly healthListeners: Array<(h: ModemHealthEvent & { modemId?: string }) => void> = [];
  private readonly pendingListeners: Array<(modemId?: string) => void> = [];
  private readonly presenceListeners: Array<(c: PresenceChange) => void> = [];
  private readonly membershipListeners: Array<(c: MembershipChange) => void> = [];

  constructor(
    members: readonly PoolMember[],
    private readonly logger: Logger,
    opts: ModemPoolOptions = {},
  ) {
    if (members.length === 0)
      throw new DuegateError(ErrorCode.ConfigInvalid, "a modem pool needs at least one modem", { where: "modems" });
    this.current = [...members];
    this.watcher = new PortWatcher({ clock: opts.clock ?? systemClock, logger, recheckMs: opts.portRecheckMs ?? 5000 });
    this.watcher.onChange((path, present) => {
      for (const m of this.current) if (m.spec.port === path) this.presenceChanged(m, present);
    });
  }

  /** The members as they are now (a reload may add or remove some). */
  get members(): readonly PoolMember[] {
    return this.current;
  }

  /** The member's device path is missing: its driver is stopped until the path comes back. */
  isAbsent(modemId: string): boolean {
    return this.absent.has(modemId);
  }

  onPresence(listener: (c: PresenceChange) => void): void {
    this.presenceListeners.push(listener);
  }

  onMembership(listener: (c: MembershipChange) => void): void {
    this.membershipListeners.push(listener);
  }

  /** The first modem: the one the panel's console, the doctor and the clock check talk to by default. */
  get primary(): PoolMember {
    return this.members[0]!;
  }

  member(id: string): PoolMember | undefined {
    return this.members.find((m) => m.id === id);
  }

  /** Some member can send. */
  get ready(): boolean {
    return this.members.some((m) => m.modem.ready);
  }

  get simulator(): ModemSimulator | undefined {
    return this.primary.modem.simulator;
  }

  /**
   * Every member starts at once: one hung modem recovers in the background and delays no other;
   * one whose device path is missing is absent until it appears.
   */
  async start(): Promise<void> {
    this.running = true;
    this.watcher.start();
    await Promise.all(this.current.map((m) => this.startMember(m)));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.watcher.stop();
    await Promise.allSettled([...this.transitions.values()]);
    await Promise.allSettled(this.current.map((m) => m.modem.stop()));
  }

  /**
   * A member joins the running pool (a settings reload added it): it gets the pool's handlers
   * and starts (or waits absent for its device); listeners hear of it first, so that its lane
   * exists before it can be ready.
   */
  async add(member: PoolMember): Promise<void> {
    if (this.member(member.id))
      throw new DuegateError(ErrorCode.ConfigInvalid, `the pool already has a modem "${member.id}"`, {
        modemId: member.id,
      });
    this.current = [...this.current, member];
    this.attach(member);
    this.logger.info({ modem: member.id, port: member.spec.port }, "modem pool: modem added");
    for (const l of this.membershipListeners) l({ kind: "added", member });
    if (this.running) await this.startMember(member);
  }

  /** A member leaves the running pool (a settings reload removed it): its driver stops (the part at the modem finishes first). */
  async remove(modemId: string): Promise<void> {
    const m = this.member(modemId);
    if (!m) return;
    if (this.current.length === 1)
      throw new DuegateError(ErrorCode.ConfigInvalid, "a modem pool needs at least one modem", { where: "modems" });
    this.current = this.current.filter((x) => x !== m);
    if (isDevicePath(m.spec.port)) this.watcher.remove(m.spec.port);
    this.absent.delete(m.id);
    for (const l of this.membershipListeners) l({ kind: "removed", modemId });
    await this.transition(m, () => m.modem.stop());
    this.logger.info({ modem: m.id, port: m.spec.port }, "modem pool: modem removed");
  }

  /**
   * `next` takes the place (and the position) of the member `previousId`, without a moment when
   * accepted work has no lane to wait in: listeners hear of it as one change (the outbox swaps
   * the SIM's lane, its queued work staying queued). With the previous member's driver (`next.modem`
   * is the same: only its id or lane settings changed) nothing restarts. With a new driver on
   * another port, the new one starts first and the previous one stops after that (the part at
   * its modem finishes first); on the same port (one process may hold a tty) the previous
   * one stops first, and the work waits in the queue until the new one is ready.
   */
  async replace(previousId: string, next: PoolMember): Promise<void> {
    const old = this.member(previousId);
    if (!old) return this.add(next);
    if (next.id !== previousId && this.member(next.id))
      throw new DuegateError(ErrorCode.ConfigInvalid, `the pool already has a modem "${next.id}"`, {
        modemId: next.id,
      });
    const sameDriver = next.modem === old.modem;
    // A tty (or a ser2net port) takes one user at a time; each simulated member has its own simulator.
    const sharesDevice = next.spec.port === old.spec.port && next.spec.port !== "sim";
    // A new driver on another port starts before the old one leaves.
    let present = true;
    if (!sameDriver && this.running && !sharesDevice) {
      present = !isDevicePath(next.spec.port) || this.watcher.add(next.spec.port);
      if (present) await this.transition(next, () => next.modem.start());
    }
    this.current = this.current.map((m) => (m === old ? next : m));
    const wasAbsent = this.absent.delete(old.id);
    if (isDevicePath(old.spec.port) && old.spec.port !== next.spec.port) this.watcher.remove(old.spec.port);
    if (!sameDriver) this.attach(next);
    this.logger.info(
      { modem: next.id, previous: previousId, port: next.spec.port, sameDriver },
      "modem pool: modem replaced",
    );
    for (const l of this.membershipListeners) l({ kind: "replaced", previousId, member: next, sameDriver });
    if (sameDriver) {
      if (wasAbsent) this.absent.add(next.id);
      return;
    }
    await this.transition(old, () => old.modem.stop());
    if (!this.running) return;
    if (sharesDevice) await this.startMember(next);
    else if (!present) {
      this.absent.add(next.id);
      this.logger.warn(
        { modem: next.id, port: next.spec.port },
        "modem pool: this modem's port is not there (unplugged?); it starts when it appears",
      );
      this.tell(next, false);
    }
  }

  /**
   * A member's health, under the id its driver goes by now; a driver that left the pool (removed
   * or replaced, stopping) is no longer heard, so that its last "stopped" does not stand for the
   * modem that took its place.
   */
  private healthOf(
    m: PoolMember,
    h: ModemHealthEvent,
    listener: (h: ModemHealthEvent & { modemId?: string }) => void,
  ): void {
    if (this.current.some((x) => x.modem === m.modem)) listener({ ...h, modemId: this.idOf(m) });
  }

  /** The id a member's driver goes by now (a reload may have given it another). */
  private idOf(m: PoolMember): string {
    return this.current.find((x) => x.modem === m.modem)?.id ?? m.id;
  }

  private async startMember(m: PoolMember): Promise<void> {
    if (isDevicePath(m.spec.port) && !this.watcher.add(m.spec.port)) {
      this.absent.add(m.id);
      this.logger.warn(
        { modem: m.id, port: m.spec.port },
        "modem pool: this modem's port is not there (unplugged?); the others go on, and it starts when it appears",
      );
      this.tell(m, false);
      return;
    }
    await this.transition(m, () => m.modem.start());
  }

  /** A watched path appeared or went away. */
  private presenceChanged(m: PoolMember, present: boolean): void {
    if (!this.running || present === !this.absent.has(m.id)) return;
    if (present) {
      this.absent.delete(m.id);
      this.logger.info({ modem: m.id, port: m.spec.port }, "modem pool: modem plugged in; starting it");
      void this.transition(m, () => m.modem.start());
    } else {
      this.absent.add(m.id);
      this.logger.warn({ modem: m.id, port: m.spec.port }, "modem pool: modem unplugged; the others take its work");
      void this.transition(m, () => m.modem.stop());
    }
    this.tell(m, present);
  }

  private tell(m: PoolMember, present: boolean): void {
    for (const l of this.presenceListeners) {
      try {
        l({ modemId: m.id, port: m.spec.port, present });
      } catch (e) {
        this.logger.error({ modem: m.id, err: errorMessage(e) }, "modem pool: a presence listener failed");
      }
    }
  }

  /** Runs a member's start or stop after the one before it; a failure is logged, never thrown to the watcher. */
  private transition(m: PoolMember, step: () => Promise<void>): Promise<void> {
    const prev = this.transitions.get(m.id) ?? Promise.resolve();
    const next = prev.then(step).catch((e: unknown) => {
      this.logger.error(
        { modem: m.id, err: errorMessage(e) },
        "modem pool: a modem did not start or stop; the others go on",
      );
    });
    this.transitions.set(m.id, next);
    void next.then(() => {
      if (this.transitions.get(m.id) === next) this.transitions.delete(m.id);
    });
    return next;
  }

  /** The pool's handlers on one member (at construction for the first members, on add() for later ones). */
  private attach(m: PoolMember): void {
    const inbound = this.inboundHandler;
    if (inbound) m.modem.onInbound((pdu, raw) => inbound(pdu, { ...raw, modemId: this.idOf(m) }));
    const status = this.statusHandler;
    if (status) m.modem.onStatusReport((report) => status(report, { modemId: this.idOf(m) }));
    for (const l of this.healthListeners) m.modem.onHealth((h) => this.healthOf(m, h, l));
    for (const l of this.pendingListeners) m.modem.onInboundPending(() => l(this.idOf(m)));
  }

  /** Through the first ready member (the outbox sends through each member itself; this serves one-off sends). */
  sendPart(part: { pdu: string; tpduLength: number }): Promise<{ reference: number }> {
    const m = this.members.find((x) => x.modem.ready) ?? this.primary;
    return m.modem.sendPart(part);
  }

  onInbound(handler: PoolInboundHandler): void {
    this.inboundHandler = handler;
    for (const m of this.members) m.modem.onInbound((pdu, raw) => handler(pdu, { ...raw, modemId: this.idOf(m) }));
  }

  onStatusReport(handler: PoolStatusHandler): void {
    this.statusHandler = handler;
    for (const m of this.members) m.modem.onStatusReport((report) => handler(report, { modemId: this.idOf(m) }));
  }

  /** Each member's health, with its id. */
  onHealth(listener: (h: ModemHealthEvent & { modemId?: string }) => void): void {
    this.healthListeners.push(listener);
    for (const m of this.members) m.modem.onHealth((h) => this.healthOf(m, h, listener));
  }

  onInboundPending(listener: (modemId?: string) => void): void {
    this.pendingListeners.push(listener);
    for (const m of this.members) m.modem.onInboundPending(() => listener(this.idOf(m)));
  }

  /** The pool's health as one modem's: the best member's (a ready one if any). */
  health(): ModemHealthEvent {
    const all = this.members.map((m) => m.modem.health());
    return all.find((h) => h.state === "ready") ?? all.find((h) => h.state === "degraded") ?? all[0]!;
  }

  /** Every member's health, by id (status, metrics, panel). */
  healthByModem(): Array<{ id: string; number?: string; health: ModemHealthEvent }> {
    return this.members.map((m) => ({
      id: m.id,
      ...(m.spec.number ? { number: m.spec.number } : {}),
      health: m.modem.health(),
    }));
  }

  async refreshHealth(): Promise<ModemHealthEvent> {
    await Promise.allSettled(this.members.map((m) => m.modem.refreshHealth()));
    return this.health();
  }

  /** The first member that knows the network time. */
  async networkTime(): Promise<number | undefined> {
    for (const m of this.members) {
      if (!m.modem.ready) continue;
      try {
        const t = await m.modem.networkTime();
        if (t !== undefined) return t;
      } catch {
        // another member may know it
      }
    }
    return undefined;
  }

  console(command: string, modemId?: string): Promise<string[]> {
    return this.pick(modemId).modem.console(command);
  }

  diagnose(modemId?: string): Promise<{ checks: DoctorCheck[] }> {
    return this.pick(modemId).modem.diagnose();
  }

  async whenReady(timeoutMs: number): Promise<boolean> {
    const results = await Promise.all(this.members.map((m) => m.modem.whenReady(timeoutMs)));
    return results.some(Boolean);
  }

  async inboxIdle(): Promise<void> {
    await Promise.all(this.members.filter((m) => !this.absent.has(m.id)).map((m) => m.modem.inboxIdle()));
  }

  ussd(code: string, modemId?: string): Promise<UssdAnswer> {
    return this.pick(modemId).modem.ussd(code);
  }

  private pick(modemId: string | undefined): PoolMember {
    if (modemId === undefined) return this.primary;
    const m = this.member(modemId);
    if (!m)
      throw new DuegateError(
        ErrorCode.NotFound,
        `no modem "${modemId}" in the pool (${this.members.map((x) => x.id).join(", ")})`,
        { modemId },
      );
    if (this.absent.has(m.id))
      throw new DuegateError(ErrorCode.ModemUnplugged, `modem "${m.id}" is unplugged (${m.spec.port} is not there)`, {
        modemId: m.id,
        port: m.spec.port,
        temporary: true,
      });
    return m;
  }
}
