/** One modem: its driver behind the Modem port, or the simulator when modem.port is "sim". */
import type { ModemHealthEvent } from "../api/events.js";
import type { Clock } from "../core/clock.js";
import type { Service } from "../core/lifecycle.js";
import type { Logger } from "../core/log.js";
import type { DeliverPdu, StatusReportPdu } from "../sms/index.js";
import { ModemDriver } from "./driver/modem-driver.js";
import type { ProfileTimeouts } from "./driver/profile.js";
import type { RecoveryOptions, UhubctlTarget } from "./driver/recovery.js";
import { ModemSimulator } from "./sim/simulator.js";
import type { DoctorCheck } from "./driver/diagnose.js";
import type { UssdAnswer } from "./pool/ussd.js";

export interface ModemOptions {
  /** A device path (/dev/serial/by-id/...), tcp://host:port, or "sim". */
  port: string;
  baudRate: number;
  /** firmware-config/profiles/<profile>.yaml */
  profile: string;
  pin?: string;
  smsc?: string;
  healthIntervalMs: number;
  clock: Clock;
  logger: Logger;
  /** Used when port === "sim"; created if absent. */
  simulator?: ModemSimulator;
  /** Extension: last-resort USB power cycle (config modem.uhubctl). */
  uhubctl?: UhubctlTarget;
  /** Extension (modem pool): the other modems' configured ports, never taken when this one's port is searched again. */
  otherPorts?: () => readonly string[];
  /** Extension: overrides of the profile's timeouts, ms. */
  timeouts?: Partial<ProfileTimeouts>;
  /** Extension: the recovery ladder's backoff and thresholds. */
  recovery?: Partial<RecoveryOptions>;
  /** Extension: polling interval while waiting for registration, ms (default 1000). */
  registrationPollMs?: number;
  /** Extension: orderly stop lets the command in flight finish this long before cutting it short, ms (config modem.stopGraceMs; default 5000). */
  stopGraceMs?: number;
}

export interface Modem extends Service {
  readonly ready: boolean;
  /**
   * Sends one part; resolves with the TP-MR. Rejects DuegateError: ModemCmsError (context
   * { cms, temporary, reason }), ModemTimeout / ModemUnplugged / ModemNotReady / ModemNoNetwork
   * (all temporary; ModemTimeout has context.inDoubt when the PDU was already handed over).
   */
  sendPart(part: { pdu: string; tpduLength: number }): Promise<{ reference: number }>;
  /** Every inbound SMS part, decoded. Deleted from the SIM only after the handler resolves. */
  onInbound(handler: (pdu: DeliverPdu, raw: { hex: string; storage?: string; index?: number }) => Promise<void>): void;
  onStatusReport(handler: (report: StatusReportPdu) => Promise<void>): void;
  onHealth(listener: (h: ModemHealthEvent) => void): void;
  /** Extension: an inbound SMS was announced (+CMTI/+CMT) and is about to be read; fires before onInbound. */
  onInboundPending(listener: () => void): void;
  health(): ModemHealthEvent;
  refreshHealth(): Promise<ModemHealthEvent>;
  /** AT+CCLK, for the trusted-clock check; undefined when the modem has no network time. */
  networkTime(): Promise<number | undefined>;
  /** Allow-listed safe AT commands (queries) for the web panel; others reject with auth.forbidden. */
  console(command: string): Promise<string[]>;
  readonly simulator?: ModemSimulator;
  /**
   * Extension: the `duegate doctor` checks on the running modem, through its own AT channel
   * (queued behind sends at the health priority), so the port need not be freed.
   */
  diagnose(): Promise<{ checks: DoctorCheck[] }>;
  /** Extension: resolves true once ready, false after timeoutMs (CLI verbs). */
  whenReady(timeoutMs: number): Promise<boolean>;
  /** Extension: resolves when queued inbound reads and handlers are done. */
  inboxIdle(): Promise<void>;
  /** Extension: a USSD request (prepaid credit), the network's answer decoded. */
  ussd(code: string): Promise<UssdAnswer>;
  /** Extension (modem pool): each modem's health, by id. */
  healthByModem?(): Array<{ id: string; number?: string; health: ModemHealthEvent }>;
}

class ModemService extends ModemDriver implements Modem {
  constructor(
    opts: ModemOptions,
    readonly simulator: ModemSimulator | undefined,
  ) {
    super({ ...opts, simulator });
  }
}

export function createModem(opts: ModemOptions): Modem {
  const simulator =
    opts.port === "sim" ? (opts.simulator ?? new ModemSimulator({ clock: opts.clock })) : opts.simulator;
  return new ModemService(opts, simulator);
}
