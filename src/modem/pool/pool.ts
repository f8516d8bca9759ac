/**
 * Several modems, each with its own driver (AT channel, health, inbox, recovery ladder), seen
 * by the rest of the appliance through the same narrow port as one modem. The outbox sends
 * through each member directly (one lane per SIM, src/outbox/lanes.ts); inbound parts and
 * status reports carry the id of the modem that received them. A member that hangs, is
 * unplugged or loses the network recovers on its own and never holds up the others: no call
 * here waits for more than the member it is about.
 */
import type { ModemHealthEvent } from "../../api/events.js";
import { DuegateError, ErrorCode, errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { DeliverPdu, StatusReportPdu } from "../../sms/index.js";
import type { DoctorCheck } from "../driver/diagnose.js";
import type { Modem } from "../index.js";
import type { ModemSimulator } from "../sim/simulator.js";
import type { PoolMemberSpec } from "./members.js";
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

export class ModemPool implements Modem {
  readonly name = "modem";

  constructor(
    readonly members: readonly PoolMember[],
    private readonly logger: Logger,
  ) {
    if (members.length === 0)
      throw new DuegateError(ErrorCode.ConfigInvalid, "a modem pool needs at least one modem", { where: "modems" });
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

  /** Every member starts at once: one absent or hung modem recovers in the background and delays no other. */
  async start(): Promise<void> {
    const results = await Promise.allSettled(this.members.map((m) => m.modem.start()));
    results.forEach((r, i) => {
      if (r.status === "rejected")
        this.logger.error(
          { modem: this.members[i]!.id, err: errorMessage(r.reason) },
          "modem pool: a modem did not start; the others go on",
        );
    });
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.members.map((m) => m.modem.stop()));
  }

  /** Through the first ready member (the outbox sends through each member itself; this serves one-off sends). */
  sendPart(part: { pdu: string; tpduLength: number }): Promise<{ reference: number }> {
    const m = this.members.find((x) => x.modem.ready) ?? this.primary;
    return m.modem.sendPart(part);
  }

  onInbound(handler: PoolInboundHandler): void {
    for (const m of this.members) m.modem.onInbound((pdu, raw) => handler(pdu, { ...raw, modemId: m.id }));
  }

  onStatusReport(handler: PoolStatusHandler): void {
    for (const m of this.members) m.modem.onStatusReport((report) => handler(report, { modemId: m.id }));
  }

  /** Each member's health, with its id. */
  onHealth(listener: (h: ModemHealthEvent & { modemId?: string }) => void): void {
    for (const m of this.members) m.modem.onHealth((h) => listener({ ...h, modemId: m.id }));
  }

  onInboundPending(listener: (modemId?: string) => void): void {
    for (const m of this.members) m.modem.onInboundPending(() => listener(m.id));
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
    await Promise.all(this.members.map((m) => m.modem.inboxIdle()));
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
    return m;
  }
}
